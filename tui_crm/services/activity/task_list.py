"""Tasks as a team works them (PRODUCT §8, seed 004): one task on several leads, listed by status, due and owner,
moved through 未开始 / 进行中 / 已完成 / 已搁置 (open, in_progress, done, shelved) with a result and the customer's
sentiment change (中性→积极).

Who sees a task: its owner; whoever sees one of its leads; a supervisor their team's tasks; an admin all.
Who changes it: its owner, whoever sees one of its leads, a supervisor of its owner's team, an admin."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

import peewee as pw

from ...domain import limits, rules
from ...domain.text import clean, printable
from ...domain.vocab import OPEN_TASK_STATUSES, PRIORITIES, SENTIMENTS, TASK_KINDS, TASK_STATUSES, resolve
from ...i18n import _
from ...store import next_due
from ...store.models import Lead, Task, TaskLead, User
from .. import changes, scope
from ..context import Session
from ..errors import AccessDenied, NotFound, ValidationError, refuse_too_long
from ..records import dt, ts
from .tasks import beyond_sight, check_remind, create_task

TASK_FILTERS = ("open", "overdue", "today", "done", "shelved", "all")


@dataclass
class TaskRow:
    id: int
    kind: str
    title: str
    status: str
    priority: str
    due_at: datetime
    owner: str  # login
    owner_name: str
    leads: list[str]  # codes: the task's lead first, then the others
    result: str | None
    sentiment_before: str | None
    sentiment_after: str | None
    remind_minutes: int
    overdue: bool
    due_today: bool

    def to_json(self, tz=None) -> dict:
        return {"id": self.id, "kind": self.kind, "title": self.title, "status": self.status,
                "priority": self.priority, "due_at": self.due_at.astimezone(tz).isoformat(), "owner": self.owner,
                "leads": self.leads, "result": self.result, "sentiment_before": self.sentiment_before,
                "sentiment_after": self.sentiment_after, "remind_minutes": self.remind_minutes,
                "overdue": self.overdue}


def _visible_cond(ctx: Session) -> pw.Expression:
    """The tasks the actor sees."""
    a = ctx.actor
    if a.is_admin:
        return pw.SQL("1 = 1")
    visible = Lead.select(Lead.id).where(scope.scope_expr(a))
    extra = TaskLead.select(TaskLead.task).where(TaskLead.lead.in_(visible))
    cond = (Task.owner == a.id) | Task.lead.in_(visible) | Task.id.in_(extra)
    if a.is_supervisor and a.team_id is not None:
        cond |= Task.owner.in_(User.select(User.id).where(User.team == a.team_id))
    return cond


def list_tasks(ctx: Session, filter: str | None = "open", *, owner: str | None = None, team: str | None = None,
               limit: int | None = 1000) -> list[TaskRow]:
    """Tasks the actor sees: ``open`` (open or in progress), ``overdue``, ``today`` (due later today), ``done``,
    ``shelved`` or ``all``; narrowed to an owner (login) or a team (name). Overdue first, then by due time."""
    from ..context import team_by_name

    filter = filter or "open"
    if filter not in TASK_FILTERS:
        raise ValidationError(_("unknown filter: {value} ({choices})", value=filter, choices=", ".join(TASK_FILTERS)))
    now = ctx.now()
    now_ts = ts(now)
    _start, tomorrow = rules.day_bounds(now, ctx.tz)
    cond = _visible_cond(ctx)
    if filter in ("open", "overdue", "today"):
        cond &= Task.status.in_(OPEN_TASK_STATUSES)
    if filter == "overdue":
        cond &= Task.due_at < now_ts
    elif filter == "today":
        cond &= (Task.due_at >= now_ts) & (Task.due_at < ts(tomorrow))
    elif filter in ("done", "shelved"):
        cond &= Task.status == filter
    if owner:
        user = scope.resolve_user(owner)
        cond &= Task.owner == user.id
    if team:
        cond &= Task.owner.in_(User.select(User.id).where(User.team == team_by_name(team).id))
    # not on a lead of an import still staging (or undone); asked as "not among those", since a session on a
    # user's own role reads back no lead beyond its reach, and a task seen through a link has its own lead there
    staged = Lead.select(Lead.id).where(Lead.batch.is_null(False) & ~scope.committed())
    cond &= Task.lead.is_null() | Task.lead.not_in(staged)
    late = pw.Case(None, [((Task.status.in_(OPEN_TASK_STATUSES)) & (Task.due_at < now_ts), 0)], 1)
    q = Task.select().where(cond).order_by(late, Task.due_at, Task.id)
    if limit:
        q = q.limit(limit)
    rows = list(q)
    return _rows(ctx, rows, now, tomorrow)


def _rows(ctx: Session, rows: list[Task], now: datetime, tomorrow: datetime) -> list[TaskRow]:
    ids = [t.id for t in rows]
    lead_ids = {t.lead_id for t in rows if t.lead_id}
    extras: dict[int, list[int]] = {}
    for i in range(0, len(ids), 500):
        for tid, lid in TaskLead.select(TaskLead.task, TaskLead.lead).where(TaskLead.task.in_(ids[i:i + 500])
                                                                              ).order_by(TaskLead.id).tuples():
            extras.setdefault(tid, []).append(lid)
            lead_ids.add(lid)
    # the codes of the leads the reader sees (as row security has it for a user's own role): a rep saw every code
    # of a supervisor's task on 40 leads, theirs or not
    codes = {}
    all_ids, sight = list(lead_ids), scope.scope_expr(ctx.actor)
    for i in range(0, len(all_ids), 500):
        codes.update(Lead.select(Lead.id, Lead.code).where(Lead.id.in_(all_ids[i:i + 500]) & sight).tuples())
    people = {u: (login, name) for u, login, name in User.select(User.id, User.login, User.name).tuples()}
    out = []
    for t in rows:
        due = dt(t.due_at)
        open_ = t.status in OPEN_TASK_STATUSES
        leads = [codes[i] for i in ([t.lead_id] if t.lead_id else []) + extras.get(t.id, []) if i in codes]
        login, name = people.get(t.owner_id, ("?", "?"))
        out.append(TaskRow(t.id, t.kind, printable(t.title), t.status, t.priority, due, login, printable(name), leads,
                           printable(t.result), t.sentiment_before, t.sentiment_after, t.remind_minutes,
                           open_ and due < now, open_ and now <= due < tomorrow))
    return out


def get_task(ctx: Session, task_id: int) -> TaskRow:
    t = Task.select().where((Task.id == task_id) & _visible_cond(ctx)).first()
    if t is None:
        raise NotFound(_("no such task: {id}", id=task_id))
    _start, tomorrow = rules.day_bounds(ctx.now(), ctx.tz)
    return _rows(ctx, [t], ctx.now(), tomorrow)[0]


def add_task_for(ctx: Session, codes: list[str | int], title: str, due: datetime, *, owner: str | None = None,
                 priority: str = "medium", remind: int | None = None, kind: str = "follow_up") -> int:
    """One task on one lead or several (seed 004: select customers, one task for all), owned by ``owner`` (a
    login; default: the actor); every lead must be one the actor sees. Returns the task's id."""
    title = clean(title or "").strip()
    refuse_too_long({"title": title}, limits.TASK)
    if not title:
        raise ValidationError(_("a task needs a title"), {"title": _("required")})
    prio = resolve("priority", priority or "medium", PRIORITIES)
    if not prio:
        raise ValidationError(_("unknown priority: {value}", value=priority))
    kind_key = resolve("kind", kind or "follow_up", TASK_KINDS)
    if not kind_key:
        raise ValidationError(_("unknown task kind: {value}", value=kind))
    remind = check_remind(remind)
    with ctx.db.atomic():
        leads = []
        for c in dict.fromkeys(codes):
            lead = scope.get_visible(ctx, c, lock=True)
            if lead.id not in [l.id for l in leads]:
                leads.append(lead)
        user = scope.resolve_user(owner) if owner else User.get_by_id(ctx.actor.id)
        if user.id != ctx.actor.id:
            scope.can_assign(ctx, user)
        if not user.active:
            raise ValidationError(_("user {login} is deactivated", login=user.login))
        # its own lead is the first of them its owner has (the one whose scope writes the task: completing it
        # asks for that lead), the others are its links
        leads.sort(key=lambda l: l.owner_id != user.id)
        first = leads[0].id if leads else None
        tid = create_task(ctx, first, user.id, kind_key, title, due, prio,
                          remind_minutes=int(remind) if remind is not None else None)
        if len(leads) > 1:
            TaskLead.insert_many([{"task": tid, "lead": l.id} for l in leads[1:]]).as_rowcount().execute()
            for l in leads[1:]:
                changes.record(ctx, "task", tid, "link", {"lead": [None, l.code]}, lead_id=l.id)
            next_due.refresh([l.id for l in leads[1:]])
    return tid


_ARROW = re.compile(r"\s*(?:→|->|=>|>|到|至)\s*")


def sentiment_change(text: str | None) -> tuple[str | None, str | None]:
    """``中性→积极`` / ``neutral->positive`` / ``积极`` (after only) -> sentiment keys."""
    if not text or not text.strip():
        return None, None
    parts = _ARROW.split(text.strip(), maxsplit=1)
    if len(parts) == 1:
        parts = [None, parts[0]]
    keys = []
    for p in parts:
        if p in (None, ""):
            keys.append(None)
            continue
        key = resolve("sentiment", p, SENTIMENTS)
        if not key:
            raise ValidationError(_("unknown sentiment: {value} (positive, neutral, hesitant or resistant)", value=p))
        keys.append(key)
    return keys[0], keys[1]


def set_task_status(ctx: Session, task_id: int, status: str, result: str | None = None,
                    sentiment: str | None = None) -> TaskRow:
    """Move a task to ``open`` / ``in_progress`` / ``done`` / ``shelved`` (keys or labels: 未开始, 进行中, 已完成,
    已搁置), with its result and the customer's sentiment change (``中性→积极``). One audited entry."""
    key = resolve("task status", status, TASK_STATUSES) or {"待办": "open", "notstarted": "open", "inprogress":
                                                             "in_progress"}.get("".join((status or "").lower().split()))
    if not key:
        raise ValidationError(_("unknown task status: {value} (open, in_progress, done or shelved)", value=status))
    result = clean(result)
    refuse_too_long({"result": result}, limits.TASK)
    before, after = sentiment_change(sentiment)
    with ctx.db.atomic():
        task = Task.select().where((Task.id == task_id) & _visible_cond(ctx)).first()
        if task is None:
            raise NotFound(_("no such task: {id}", id=task_id))
        if task.lead_id and not Lead.select(Lead.id).where((Lead.id == task.lead_id)
                                                           & scope.scope_expr(ctx.actor)).exists():
            # seen through another of its leads: changed by whoever sees its own, as completing it asks
            raise AccessDenied(_("task {id} belongs first to a lead you cannot see: its owner or that lead's "
                                 "supervisor changes it", id=task_id))
        lead_ids = ([task.lead_id] if task.lead_id else []) + [
            i for (i,) in TaskLead.select(TaskLead.lead).where(TaskLead.task == task.id).tuples()]
        if lead_ids and ctx.is_postgres:  # its leads' rows first, in id order, as every lead write takes them
            list(Lead.select(Lead.id).where(Lead.id.in_(lead_ids)).order_by(Lead.id).for_update())
            task = Task.get_by_id(task.id)
        values: dict = {"status": key}
        if key in OPEN_TASK_STATUSES:
            values["done_at"] = None
        elif task.status in OPEN_TASK_STATUSES:
            values["done_at"] = ts(ctx.now())
        if result is not None:
            values["result"] = result or None
        if before or after:
            values.update(sentiment_before=before, sentiment_after=after)
        diff = {k: [getattr(task, k), v] for k, v in values.items() if k != "done_at" and getattr(task, k) != v}
        if diff:
            Task.update(**values).where(Task.id == task.id).execute()
            changes.record(ctx, "task", task.id, key, diff, lead_id=task.lead_id)
            next_due.refresh_of_tasks([task.id], beyond_sight(ctx))
    return get_task(ctx, task_id)
