"""The earliest due time of a lead's open tasks: its own tasks and the tasks it shares with other leads
(task_lead, a task on several leads), each read by its own index (task (lead, status, due_at), task_lead
(lead)). One OR over both (``lead_id = X OR id IN (…)``) made PostgreSQL scan the task table once per lead:
a batch's undo over 1,000 leads ran at ~17 leads a second."""
from __future__ import annotations

import peewee as pw

from ..domain.vocab import OPEN_TASK_STATUSES
from .models import Task, TaskLead


def earliest_open_due(lead) -> pw.Node:
    """A scalar subquery for ``lead`` (an id or a column such as ``Lead.id``): the smallest due_at of its
    open tasks, NULL when it has none."""
    own = Task.select(Task.due_at.alias("due")).where((Task.lead == lead) & Task.status.in_(OPEN_TASK_STATUSES))
    shared = (Task.select(Task.due_at.alias("due")).join(TaskLead, on=(TaskLead.task == Task.id))
              .where((TaskLead.lead == lead) & Task.status.in_(OPEN_TASK_STATUSES)))
    both = (own | shared).alias("due_at_of_open")  # a UNION: dropping equal times changes no minimum
    return pw.Select([both], [pw.fn.MIN(both.c.due)])
