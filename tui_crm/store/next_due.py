"""The earliest and the latest due time of a lead's open tasks (``next_follow_up_at``, ``plan_until``): its own
tasks and the tasks it shares with other leads (task_lead, a task on several leads), each read by its own index
(task (lead, status, due_at), task_lead (lead)). One OR over both (``lead_id = X OR id IN (…)``) made PostgreSQL
scan the task table once per lead: a batch's undo over 1,000 leads ran at ~17 leads a second."""
from __future__ import annotations

import peewee as pw

from ..domain.vocab import OPEN_TASK_STATUSES
from .bulk import id_list, ids_in
from .models import Lead, Task, TaskLead


def leads_of(task_ids: list[int]) -> list[int]:
    """Every lead these tasks are on (each task's own lead and those it shares through task_lead), by id."""
    if not task_ids:
        return []
    ids = ids_in(sorted(set(task_ids)))
    own = Task.select(Task.lead.alias("lead_id")).where(Task.id.in_(ids) & Task.lead.is_null(False))
    shared = TaskLead.select(TaskLead.lead.alias("lead_id")).where(TaskLead.task.in_(ids))
    return sorted({i for (i,) in (own | shared).tuples()})


def shared(beyond_sight: bool = False) -> pw.Node:
    """A condition on Task: the task is on more leads than its own (seed 004's one task for many).
    ``beyond_sight``: in a session of a user's own role, where row security hides the task's links to leads
    beyond the user's reach (a supervisor's one task for the leads of several reps), asked of the server
    (``crm_task_shared``, store/pgpolicies.py), or the task would look like the lead's alone."""
    if beyond_sight:
        return pw.fn.crm_task_shared(Task.id)
    return pw.fn.EXISTS(TaskLead.select(TaskLead.id).where(TaskLead.task == Task.id))


def refresh(lead_ids: list[int], only_sharing: bool = False) -> None:
    """next_follow_up_at and plan_until of these leads from their open tasks, in one statement that reads each
    lead's tasks once for both (``SET (a, b) = (SELECT MIN, MAX …)``: two scalar subqueries read them twice);
    ``only_sharing``: of those among them that are on a task of several leads (the others' are NULL already)."""
    if not lead_ids:
        return
    where = f"lead.id IN {id_list(sorted(set(lead_ids)))}"
    if only_sharing:
        where += (" AND (EXISTS (SELECT 1 FROM task_lead tl WHERE tl.lead_id = lead.id) OR EXISTS (SELECT 1 FROM "
                  "task t JOIN task_lead tl ON tl.task_id = t.id WHERE t.lead_id = lead.id))")
    db = Lead._meta.database
    db.execute_sql(f"UPDATE lead SET {set_clause()} WHERE {where}")


def refresh_of_tasks(task_ids: list[int], beyond_sight: bool = False, skip: int | None = None) -> None:
    """The same for every lead these tasks are on (a task on several leads plans each of them), but ``skip``
    (its caller refreshes that one). ``beyond_sight``: in a session of a user's own role, whose row security
    hides (and keeps from its UPDATE) a task's leads beyond the user's reach, the server recomputes them all
    (``crm_refresh_plans``, store/pgpolicies.py: derived columns only, made true)."""
    if not task_ids:
        return
    if beyond_sight:
        Lead._meta.database.execute_sql("SELECT crm_refresh_plans(%s::bigint[])", (sorted(set(task_ids)),))
        return
    refresh([i for i in leads_of(task_ids) if i != skip])


def set_clause(lead: str = "lead") -> str:
    """SQL: the SET of an UPDATE of ``lead`` (its name in that statement) that gives each row its next due and plan
    from its open tasks (a batch's undo writes them beside its own columns, in one write of each lead)."""
    return f"(next_follow_up_at, plan_until) = ({plans(lead)})"


def plans(lead: str = "lead") -> str:
    """SQL: a query of one row, the earliest and the latest due among the open tasks of the row ``lead`` (its own
    and those it shares)."""
    open_ = ", ".join(f"'{s}'" for s in sorted(OPEN_TASK_STATUSES))
    return ("SELECT MIN(d.due_at), MAX(d.due_at) FROM ("
            f"SELECT t.due_at FROM task t WHERE t.lead_id = {lead}.id AND t.status IN ({open_}) UNION ALL "
            "SELECT t.due_at FROM task_lead tl JOIN task t ON t.id = tl.task_id "
            f"WHERE tl.lead_id = {lead}.id AND t.status IN ({open_})) d")
