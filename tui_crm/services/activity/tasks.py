"""Tasks (planned contacts) and the lead's next follow-up, which they define."""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

import peewee as pw

from ...domain import limits
from ...domain.text import clean, printable
from ...domain.vocab import OPEN_TASK_STATUSES, PRIORITY_RANK, WORKING_STATUSES
from ...i18n import N_, _
from ...store.models import Lead, Task
from ...store import next_due
from .. import changes, scope
from ..context import Session
from ..errors import NotFound, ValidationError, refuse_too_long
from ..records import dt, ts


@dataclass
class TaskView:
    id: int
    lead_id: int | None
    lead_code: str | None
    company: str | None
    kind: str
    title: str
    priority: str
    due_at: datetime
    status: str
    owner_id: int
    result: str | None
    overdue: bool
    due_today: bool


def refresh_next(lead_id: int) -> None:
    """next_follow_up_at and plan_until = the earliest and the latest due among the lead's open tasks (a task
    on several leads counts too)."""
    next_due.refresh([lead_id])


def outlive(lead_ids: list[int]) -> None:
    """Before these leads are deleted: each task of theirs that other leads share moves to the first of those
    (its ``lead_id``; that one's task_lead row goes), so it stays with the leads that remain, as planned."""
    from ...store.bulk import ids_in
    from ...store.models import TaskLead

    ids = ids_in(sorted(set(lead_ids)))
    heirs = (TaskLead.select(TaskLead.task, pw.fn.MIN(TaskLead.lead)).join(Task, on=(TaskLead.task == Task.id))
             .where(Task.lead.in_(ids) & TaskLead.lead.not_in(ids)).group_by(TaskLead.task).tuples())
    for task_id, heir in list(heirs):
        Task.update(lead=heir).where(Task.id == task_id).execute()
        TaskLead.delete().where((TaskLead.task == task_id) & (TaskLead.lead == heir)).execute()


def refresh_task(ctx: Session, task_id: int) -> None:
    """The same for every lead the task is on: a task on several leads (seed 004) plans each of them, those beyond
    the session's sight too."""
    next_due.refresh_of_tasks([task_id], beyond_sight(ctx))


def create_task(ctx: Session, lead_id: int | None, owner_id: int, kind: str, title: str, due: datetime,
                priority: str = "medium", remind_minutes: int | None = None) -> int:
    """A task; a title drawn from longer text (a follow-up's next action, up to a page) is cut to what the
    column holds, with "…" (the whole text stays where it was typed)."""
    limit = Task.title.max_length
    if len(title) > limit:
        title = title[:limit - 1] + "…"
    task_id = Task.insert(lead=lead_id, owner=owner_id, kind=kind, title=title, priority=priority,
                          due_at=ts(due), status="open", created_at=ts(ctx.now()),
                          remind_minutes=ctx.settings.reminder_minutes if remind_minutes is None else remind_minutes
                          ).execute()
    changes.record(ctx, "task", task_id, "create", {"kind": [None, kind], "due_at": [None, due]}, lead_id=lead_id)
    if lead_id:
        refresh_next(lead_id)
    return task_id


def _close(ctx: Session, lead_id: int, cond, status: str, result: str | None = None) -> list[int]:
    """Close the lead's open tasks matching ``cond``, one change entry each: the timeline tells who closed
    a task from it (its owner may have changed since)."""
    cond &= (Task.lead == lead_id) & Task.status.in_(OPEN_TASK_STATUSES)
    ids = [i for (i,) in Task.select(Task.id).where(cond).order_by(Task.id).tuples()]
    if ids:
        values = {"status": status, "done_at": ts(ctx.now())}
        if result is not None:
            values["result"] = result
        Task.update(**values).where(Task.id.in_(ids)).execute()
        for tid in ids:
            changes.record(ctx, "task", tid, status, {"result": [None, result]} if result else {}, lead_id=lead_id)
        next_due.refresh_of_tasks(ids, beyond_sight(ctx), skip=lead_id)  # the caller refreshes lead_id
    return ids


def close_kind(ctx: Session, lead_id: int, kind: str, status: str) -> None:
    if _close(ctx, lead_id, Task.kind == kind, status):
        refresh_next(lead_id)


def close_open(ctx: Session, lead_id: int, status: str) -> None:
    """The lead's own open tasks closed as it closes (won, lost, asleep); a task it shares with other leads stays
    open for them (the fair's one task for 40 leads is not shelved because one of them was lost)."""
    _close(ctx, lead_id, ~shared(ctx), status)
    refresh_next(lead_id)


def reschedule_kind(ctx: Session, lead_id: int, kind: str, due: datetime) -> None:
    """The lead's open tasks of ``kind`` due at ``due`` instead (a new priority's first-contact SLA), one
    change entry each."""
    cond = (Task.lead == lead_id) & (Task.kind == kind) & Task.status.in_(OPEN_TASK_STATUSES)
    moved = [(i, d) for i, d in Task.select(Task.id, Task.due_at).where(cond).tuples() if d != ts(due)]
    for tid, old in moved:
        Task.update(due_at=ts(due)).where(Task.id == tid).execute()
        changes.record(ctx, "task", tid, "reschedule", {"due_at": [dt(old), due]}, lead_id=lead_id)
    if moved:
        refresh_next(lead_id)


def has_open(lead_id: int) -> bool:
    return Task.select().where((Task.lead == lead_id) & Task.status.in_(OPEN_TASK_STATUSES)).exists()


def close_one(ctx: Session, lead_id: int, task_id: int, result: str | None) -> None:
    """A task of the lead done by a logged contact (``result``: what was said); the caller refreshes."""
    _close(ctx, lead_id, Task.id == task_id, "done", result)


def beyond_sight(ctx: Session) -> bool:
    """This is a session of a user's own role, whose row security hides a task's links to leads beyond the user's
    reach and keeps its writes from them: the server is asked and plans them (``crm_refresh_plans``)."""
    from .. import identity

    return identity.role_needs_server(ctx, "crm_refresh_plans(bigint[])")


def shared(ctx: Session) -> pw.Node:
    """A condition on Task: the task is on other leads too (store.next_due.shared), as the session can tell."""
    return next_due.shared(beyond_sight=beyond_sight(ctx))


def follows_its_lead(ctx: Session) -> pw.Node:
    """A condition on Task: an open task that goes with its lead to a new owner. Only the lead's own (on no other
    lead) and only its previous owner's (the caller adds ``Task.owner == previous``): a collaborator's or a
    supervisor's task on the lead stays theirs, and a task on several leads (seed 004) stays with its owner."""
    return Task.status.in_(OPEN_TASK_STATUSES) & ~shared(ctx)


def reassign_open(ctx: Session, lead_id: int, owner_id: int, previous_id: int) -> list[int]:
    """The lead's open tasks that follow it (:func:`follows_its_lead`) from ``previous_id`` to ``owner_id``;
    returns their ids (the caller's change entry names them)."""
    if previous_id == owner_id:
        return []
    cond = (Task.lead == lead_id) & (Task.owner == previous_id) & follows_its_lead(ctx)
    ids = [i for (i,) in Task.select(Task.id).where(cond).order_by(Task.id).tuples()]
    if ids:
        Task.update(owner=owner_id).where(Task.id.in_(ids)).execute()
    return ids


def open_of(ctx: Session, owner_id: int) -> list[tuple[int, int | None]]:
    """A user's open tasks as (id, lead id or None), by id (a handover gives away those its leads did not take
    along)."""
    return list(Task.select(Task.id, Task.lead).where((Task.owner == owner_id) & Task.status.in_(OPEN_TASK_STATUSES))
                .order_by(Task.id).tuples())


def give_tasks(ctx: Session, from_id: int, to_id: int, ids: list[int]) -> list[int]:
    """Those of these tasks that ``from_id`` still owns to ``to_id``, one change entry each (old and new owner by
    login); returns their ids."""
    from ...store.models import User

    if not ids:
        return []
    q = Task.select(Task.id).where(Task.id.in_(ids) & (Task.owner == from_id)).order_by(Task.id)
    ids = [i for (i,) in (q.for_update() if ctx.is_postgres else q).tuples()]
    if ids:
        logins = dict(User.select(User.id, User.login).where(User.id.in_([from_id, to_id])).tuples())
        Task.update(owner=to_id).where(Task.id.in_(ids)).execute()
        for tid in ids:
            changes.record(ctx, "task", tid, "reassign", {"owner": [logins[from_id], logins[to_id]]})
    return ids


@contextmanager
def _locked_task(ctx: Session, task_id: int, statuses: tuple[str, ...] = OPEN_TASK_STATUSES):
    """One transaction around a change of a task the actor may see, in one of ``statuses`` (open ones; done
    for an undo), read after its lead's row is locked (a task of no lead: its own row), so two completions
    (or two undos) of one task cannot both apply."""
    with ctx.db.atomic():
        task = Task.get_or_none(Task.id == task_id)
        if task is None:
            raise NotFound(_("no such task: {id}", id=task_id))
        if task.lead_id:
            others = [i for i in next_due.leads_of([task_id]) if i != task.lead_id]
            if others and ctx.is_postgres:  # a task on several leads: their rows in id order, as every lead write
                list(Lead.select(Lead.id).where(Lead.id.in_(others + [task.lead_id])).order_by(Lead.id).for_update())
            scope.get_visible(ctx, task.lead_id, lock=True)
            task = Task.get_by_id(task_id)
        elif task.owner_id != ctx.actor.id and not ctx.actor.is_admin:
            raise NotFound(_("no such task: {id}", id=task_id))
        elif ctx.is_postgres:
            task = Task.select().where(Task.id == task_id).for_update().get()
        if task.status not in statuses:
            raise ValidationError(_("task is already {status}", status=task.status))
        yield task


REMIND_MAX = 7 * 24 * 60  # a reminder at most a week before its due


def check_remind(remind) -> int | None:
    """Minutes before due that a task's reminder fires (None: the team's own number); a one-line refusal else."""
    if remind is None or remind == "":
        return None
    try:
        n = int(remind)
    except (TypeError, ValueError):
        n = -1
    if not 0 <= n <= REMIND_MAX:
        raise ValidationError(_("a reminder is 0 to {n} minutes before due: {value}", n=REMIND_MAX, value=remind),
                              {"remind": _("minutes before due, 0 to {n}", n=REMIND_MAX)})
    return n


def add_task(ctx: Session, code: str | int | None, kind: str, title: str, due: datetime,
             priority: str = "medium", owner_login: str | None = None, remind: int | None = None) -> int:
    from ..scope import can_assign, resolve_user
    from ...store.models import User

    title = clean(title)
    refuse_too_long({"title": title}, limits.TASK)
    with ctx.db.atomic():
        lead = scope.get_visible(ctx, code, lock=True) if code is not None else None
        owner = resolve_user(owner_login) if owner_login else (User.get_by_id(lead.owner_id) if lead else
                                                                User.get_by_id(ctx.actor.id))
        can_assign(ctx, owner) if owner.id != (lead.owner_id if lead else ctx.actor.id) else None
        return create_task(ctx, lead.id if lead else None, owner.id, kind, title, due, priority, check_remind(remind))


def complete_task(ctx: Session, task_id: int, result: str | None = None, status: str = "done") -> None:
    result = clean(result)
    refuse_too_long({"result": result}, limits.TASK)
    with _locked_task(ctx, task_id) as task:
        Task.update(status=status, result=result, done_at=ts(ctx.now())).where(Task.id == task.id).execute()
        changes.record(ctx, "task", task.id, status, {"result": [None, result]}, lead_id=task.lead_id)
        refresh_task(ctx, task.id)


def finish_task(ctx: Session, task_id: int, result: str | None, next_at: datetime | None = None,
                next_title: str | None = None) -> int | None:
    """The queue's ``c``: the task done with its result and, when ``next_at`` is given, the lead's next
    follow-up task, in one transaction; returns the new task's id (for undo)."""
    result, next_title = clean(result), clean(next_title)
    refuse_too_long({"result": result, "title": next_title}, limits.TASK)
    with _locked_task(ctx, task_id) as task:
        now = ts(ctx.now())
        Task.update(status="done", result=result, done_at=now).where(Task.id == task.id).execute()
        changes.record(ctx, "task", task.id, "done", {"result": [None, result]}, lead_id=task.lead_id)
        created = None
        if task.lead_id:
            lead = Lead.get_by_id(task.lead_id)
            if next_at is not None:
                created = create_task(ctx, lead.id, lead.owner_id, "follow_up", next_title or N_("Follow up"),
                                      next_at, lead.priority)
            Lead.update(last_activity_at=now).where(Lead.id == lead.id).execute()
        refresh_task(ctx, task.id)
        return created


def undo_finish(ctx: Session, task_id: int, created_id: int | None = None) -> None:
    """Undo of ``finish_task``: the task open again, the next task it made gone (if still open)."""
    with _locked_task(ctx, task_id, ("done",)) as task:
        Task.update(status="open", result=None, done_at=None).where(Task.id == task.id).execute()
        if created_id is not None:
            Task.delete().where((Task.id == created_id) & (Task.lead == task.lead_id)
                                & Task.status.in_(OPEN_TASK_STATUSES)).execute()
        changes.record(ctx, "task", task.id, "undo", {"status": ["done", "open"]}, lead_id=task.lead_id)
        refresh_task(ctx, task.id)


def snooze_task(ctx: Session, task_id: int, due: datetime) -> None:
    with _locked_task(ctx, task_id) as task:
        Task.update(due_at=ts(due)).where(Task.id == task.id).execute()
        changes.record(ctx, "task", task.id, "snooze", {"due_at": [dt(task.due_at), due]}, lead_id=task.lead_id)
        refresh_task(ctx, task.id)


def _views(ctx: Session, q) -> list[TaskView]:
    from ...domain import rules

    now = ctx.now()
    _, tomorrow = rules.day_bounds(now, ctx.tz)
    out = []
    for r in q.dicts():
        due = dt(r["due_at"])
        out.append(TaskView(r["id"], r.get("lead"), r.get("code"), printable(r.get("company")), r["kind"],
                            printable(r["title"]), r["priority"], due, r["status"], r["owner"],
                            printable(r.get("result")),
                            due < now, now <= due < tomorrow))
    return out


def open_tasks(ctx: Session, code: str | int) -> list[TaskView]:
    """A visible lead's open tasks: its own and those it shares with other leads (one task for a trade fair's 40
    leads is on each of them: the detail left it out, so `c` could not complete it there), each under this lead's
    code and company (the task's own lead may be beyond the reader's reach)."""
    from ...store.models import TaskLead

    lead = scope.get_visible(ctx, code)
    linked = TaskLead.select(TaskLead.task).where(TaskLead.lead == lead.id)
    q = (Task.select(Task, pw.Value(lead.code).alias("code"), pw.Value(lead.company).alias("company"))
         .where(((Task.lead == lead.id) | Task.id.in_(linked)) & Task.status.in_(OPEN_TASK_STATUSES))
         .order_by(Task.due_at, Task.id))
    return _views(ctx, q)


def _queue_cond(ctx: Session, include_planned: bool = False):
    """The actor's open tasks in the queue (overdue or due today), and now as a timestamp."""
    from ...domain import rules

    now = ctx.now()
    _, tomorrow = rules.day_bounds(now, ctx.tz)
    cond = (Task.owner == ctx.actor.id) & Task.status.in_(OPEN_TASK_STATUSES)
    if not include_planned:
        cond &= Task.due_at < int(tomorrow.timestamp())
    cond &= (Task.lead.is_null() | (Lead.status.in_(WORKING_STATUSES) & scope.committed()))
    return cond, int(now.timestamp())


def queue(ctx: Session, *, include_planned: bool = False, limit: int = 500, only: str | None = None
          ) -> list[TaskView]:
    """Today's queue: the actor's open tasks overdue or due today, overdue first, then by priority, then
    by due time; the first ``limit`` of them in that order (``only``: just the overdue or just today's)."""
    cond, now_ts = _queue_cond(ctx, include_planned)
    if only == "overdue":
        cond &= Task.due_at < now_ts
    elif only == "today":
        cond &= Task.due_at >= now_ts
    rank = pw.Case(Task.priority, list(PRIORITY_RANK.items()), 1)
    q = (Task.select(Task, Lead.code, Lead.company).join(Lead, pw.JOIN.LEFT_OUTER).where(cond)
         .order_by(pw.Case(None, [(Task.due_at < now_ts, 0)], 1), rank, Task.due_at, Task.id).limit(limit))
    views = _views(ctx, q)
    views.sort(key=lambda t: (0 if t.overdue else 1, PRIORITY_RANK.get(t.priority, 1), t.due_at))
    return views


def queue_counts(ctx: Session) -> dict[str, int]:
    """How many tasks the queue holds in all (not only the ones listed): total, overdue, due today."""
    cond, now_ts = _queue_cond(ctx)
    overdue = pw.fn.SUM(pw.Case(None, [(Task.due_at < now_ts, 1)], 0))
    total, over = (Task.select(pw.fn.COUNT(Task.id), overdue).join(Lead, pw.JOIN.LEFT_OUTER).where(cond)
                   .tuples().get())
    return {"total": total, "overdue": int(over or 0), "today": total - int(over or 0)}
