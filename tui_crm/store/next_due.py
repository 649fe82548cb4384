"""The earliest and the latest due time of a lead's open tasks (``next_follow_up_at``, ``plan_until``): its own
tasks and the tasks it shares with other leads (task_lead, a task on several leads), each read by its own index
(task (lead, status, due_at), task_lead (lead)). One OR over both (``lead_id = X OR id IN (…)``) made PostgreSQL
scan the task table once per lead: a batch's undo over 1,000 leads ran at ~17 leads a second."""
from __future__ import annotations

import peewee as pw

from ..domain.vocab import OPEN_TASK_STATUSES
from .bulk import ids_in
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


def leads_of(task_ids: list[int]) -> list[int]:
    """Every lead these tasks are on (each task's own lead and those it shares through task_lead), by id."""
    if not task_ids:
        return []
    ids = ids_in(sorted(set(task_ids)))
    own = Task.select(Task.lead.alias("lead_id")).where(Task.id.in_(ids) & Task.lead.is_null(False))
    shared = TaskLead.select(TaskLead.lead.alias("lead_id")).where(TaskLead.task.in_(ids))
    return sorted({i for (i,) in (own | shared).tuples()})


def shared() -> pw.Node:
    """A condition on Task: the task is on more leads than its own (seed 004's one task for many)."""
    return pw.fn.EXISTS(TaskLead.select(TaskLead.id).where(TaskLead.task == Task.id))


def refresh(lead_ids: list[int], only_sharing: bool = False) -> None:
    """next_follow_up_at and plan_until of these leads from their open tasks, in one statement; ``only_sharing``:
    of those among them that are on a task of several leads (the others' are known to be NULL already)."""
    if not lead_ids:
        return
    cond = Lead.id.in_(ids_in(sorted(set(lead_ids))))
    if only_sharing:
        linked = TaskLead.select(TaskLead.id).join(Task, on=(TaskLead.task == Task.id))
        cond &= (pw.fn.EXISTS(linked.where(TaskLead.lead == Lead.id))
                 | pw.fn.EXISTS(linked.where(Task.lead == Lead.id)))
    Lead.update(plan_values(Lead.id)).where(cond).execute()
