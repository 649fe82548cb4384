"""The earliest and the latest due time of a lead's open tasks (``next_follow_up_at``, ``plan_until``): its own
tasks and the tasks it shares with other leads (task_lead, a task on several leads), each read by its own index
(task (lead, status, due_at), task_lead (lead)). One OR over both (``lead_id = X OR id IN (…)``) made PostgreSQL
scan the task table once per lead: a batch's undo over 1,000 leads ran at ~17 leads a second."""
from __future__ import annotations

import peewee as pw

from ..domain.vocab import OPEN_TASK_STATUSES
from .models import Lead, Task, TaskLead


def earliest_open_due(lead) -> pw.Node:
    """A scalar subquery for ``lead`` (an id or a column such as ``Lead.id``): the smallest due_at of its
    open tasks, NULL when it has none."""
    return _open_due(lead, pw.fn.MIN)


def latest_open_due(lead) -> pw.Node:
    """The same, the largest: ``lead.plan_until`` (schema v19), which the stall rule reads (store/plan.py)."""
    return _open_due(lead, pw.fn.MAX)


def plan_values(lead) -> dict:
    """The two columns a lead's open tasks define, as an UPDATE sets them (services: every task writer)."""
    return {Lead.next_follow_up_at: earliest_open_due(lead), Lead.plan_until: latest_open_due(lead)}


def _open_due(lead, agg) -> pw.Node:
    own = Task.select(Task.due_at.alias("due")).where((Task.lead == lead) & Task.status.in_(OPEN_TASK_STATUSES))
    shared = (Task.select(Task.due_at.alias("due")).join(TaskLead, on=(TaskLead.task == Task.id))
              .where((TaskLead.lead == lead) & Task.status.in_(OPEN_TASK_STATUSES)))
    both = (own | shared).alias("due_at_of_open")  # a UNION: dropping equal times changes no minimum
    return pw.Select([both], [agg(both.c.due)])
