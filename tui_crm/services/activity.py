"""Follow-ups, the timeline, notifications and the escalation sweep."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

import peewee as pw

from ..domain import rules
from ..domain.parse import format_amount
from ..domain.vocab import (FIELD_TITLES, METHODS, OPEN_TASK_STATUSES, PRIORITIES, SENTIMENTS, STATUSES,
                           WORKING_STATUSES, resolve)
from ..i18n import _, get_lang, label
from ..store.models import Change, FollowUp, Lead, Notification, StageHistory, Task, User
from . import changes, scope, tasks
from .context import Session, team_supervisor_ids
from .errors import ValidationError
from .task_text import task_parts
from .views import dt, ts


@dataclass
class FollowUpInput:
    method: str = "phone"
    summary: str = ""
    reached: bool = True
    at: datetime | None = None
    sentiment: str | None = None
    customer_words: str | None = None
    reading: str | None = None
    objection: str | None = None
    handling: str | None = None
    next_action: str | None = None
    next_at: datetime | None = None


def log_followup(ctx: Session, code: str | int, data: FollowUpInput) -> int:
    """Record a contact; completes the earliest open first-contact/follow-up task and plans the next."""
    lead = scope.get_visible(ctx, code)
    method = resolve("method", data.method or "phone", METHODS)
    if not method:
        raise ValidationError(_("unknown method: {value}", value=data.method), {"method": _("unknown")})
    sentiment = None
    if data.sentiment:
        sentiment = resolve("sentiment", data.sentiment, SENTIMENTS)
        if not sentiment:
            raise ValidationError(_("unknown sentiment: {value}", value=data.sentiment))
    if not (data.summary or "").strip():
        raise ValidationError(_("a summary is required"), {"summary": _("required")})
    now = ctx.now()
    at = data.at or now
    if data.next_at is not None and data.next_at <= at:
        raise ValidationError(_("the next follow-up must be after this one"), {"next_at": _("in the past")})
    with ctx.db.atomic():
        fid = FollowUp.insert(lead=lead.id, user=ctx.actor.id, at=ts(at), method=method, reached=data.reached,
                              summary=data.summary.strip(), customer_words=data.customer_words,
                              reading=data.reading, sentiment=sentiment, objection=data.objection,
                              handling=data.handling, next_action=data.next_action,
                              next_at=ts(data.next_at)).execute()
        earliest = (Task.select().where((Task.lead == lead.id) & Task.kind.in_(("first_contact", "follow_up"))
                                        & Task.status.in_(OPEN_TASK_STATUSES)).order_by(Task.due_at).first())
        if earliest:
            Task.update(status="done", done_at=ts(now), result=data.summary.strip()[:200]).where(
                Task.id == earliest.id).execute()
        status = "in_progress" if lead.status == "pending" else lead.status
        nxt = data.next_at or rules.next_follow_up(at, lead.stage, status, lead.follow_up_days, ctx.settings)
        if lead.status not in ("lost",):
            tasks.create_task(ctx, lead.id, lead.owner_id, "follow_up",
                              data.next_action or _("Follow up"), nxt, lead.priority)
        update = {"last_activity_at": ts(max(at, dt(lead.last_activity_at) or at)), "status": status,
                  "missed_calls": 0 if data.reached else lead.missed_calls + 1,
                  "escalated": False if data.reached else lead.escalated,
                  "updated_at": ts(now), "version": Lead.version + 1}
        if lead.first_contact_at is None and data.reached:
            update["first_contact_at"] = ts(at)
        if data.next_action:
            update["next_action"] = data.next_action
        Lead.update(**update).where(Lead.id == lead.id).execute()
        User.update(last_method=method).where(User.id == ctx.actor.id).execute()
        changes.record(ctx, "followup", fid, "log", {"method": [None, method], "summary": [None, data.summary],
                                                     "reached": [None, data.reached]}, lead_id=lead.id)
    return fid


def last_method(ctx: Session) -> str:
    user = User.get_by_id(ctx.actor.id)
    return user.last_method or "phone"


def suggest_lost(ctx: Session, code: str | int) -> bool:
    lead = scope.get_visible(ctx, code)
    flags = [f.reached for f in FollowUp.select(FollowUp.reached).where(FollowUp.lead == lead.id)
             .order_by(FollowUp.at.desc(), FollowUp.id.desc()).limit(ctx.settings.missed_calls_for_lost)]
    return lead.status in WORKING_STATUSES and rules.suggest_lost(flags, ctx.settings)


# ------------------------------------------------------------------ timeline
@dataclass
class TimelineItem:
    at: datetime
    kind: str  # followup | stage | change | outcome | task | reveal | create
    user: str
    text: str
    data: dict


def timeline(ctx: Session, code: str | int, limit: int = 200) -> list[TimelineItem]:
    """Follow-ups, tasks (planned and done), stage moves, field changes and outcomes of one lead, newest
    first."""
    lead = scope.get_visible(ctx, code)
    names = {u.id: u.name for u in User.select(User.id, User.name)}
    names[None] = _("tui-crm (a rule)")  # done by a rule on its own, e.g. an escalation
    items: list[TimelineItem] = []
    for f in FollowUp.select().where(FollowUp.lead == lead.id).order_by(FollowUp.at.desc()).limit(limit):
        parts = [f"[{f.method}]", f.summary]
        if not f.reached:
            parts.insert(1, _("(not reached)"))
        if f.customer_words:
            parts.append(_("customer: “{words}”", words=f.customer_words))
        if f.reading:
            parts.append(_("reading: {text}", text=f.reading))
        if f.sentiment:
            parts.append(_("sentiment: {value}", value=f.sentiment))
        if f.objection:
            parts.append(_("objection: {text}", text=f.objection) + (f" → {f.handling}" if f.handling else ""))
        if f.next_action:
            parts.append(_("next: {text}", text=f.next_action))
        items.append(TimelineItem(dt(f.at), "followup", names.get(f.user_id, "?"), " ".join(parts),
                                  {"method": f.method, "reached": f.reached, "sentiment": f.sentiment}))
    for h in StageHistory.select().where(StageHistory.lead == lead.id).order_by(StageHistory.entered_at.desc()):
        kind = "outcome" if h.stage in ("won", "lost") else "stage"
        text = (_("outcome: {stage}", stage=label(STATUSES, h.stage)) if kind == "outcome"
                else _("entered stage {stage}", stage=stage_label(ctx, h.stage)))
        items.append(TimelineItem(dt(h.entered_at), kind, names.get(h.user_id, "?"), text, {"stage": h.stage}))
    for t in Task.select().where(Task.lead == lead.id).order_by(Task.created_at.desc()).limit(limit):
        kind, title = task_parts(t)
        what = kind if title is None else f"{kind} · {title}"
        due = _local(ctx, t.due_at)
        items.append(TimelineItem(dt(t.created_at), "task", names.get(t.owner_id, "?"),
                                  _("task planned: {what}, due {due}", what=what, due=due), {"task": t.id}))
        if t.done_at:
            done = _("task done: {what}", what=what) + (f" — {t.result}" if t.result else "")
            items.append(TimelineItem(dt(t.done_at), "task", names.get(t.owner_id, "?"), done, {"task": t.id}))
    skip = {"move", "log", "won", "lost"}
    for c in (Change.select().where((Change.lead_id == lead.id) & (Change.entity == "lead"))
              .order_by(Change.id.desc()).limit(limit)):
        if c.action in skip:
            continue
        diff = json.loads(c.diff or "{}")
        if c.action == "update":
            text = _("; ").join(_("{field}: {old} → {new}", field=_(FIELD_TITLES.get(k, k)), old=_shown(ctx, k, v[0]),
                                  new=_shown(ctx, k, v[1]))
                                for k, v in diff.items() if isinstance(v, list) and len(v) == 2)
        elif c.action == "create":
            text = _("lead created")
        elif c.action == "reveal":
            text = _("contact revealed")
        elif c.action == "escalate":
            text = _("escalated to the supervisor: not contacted {days} days after assignment",
                     days=ctx.settings.escalate_after_days)
        else:
            text = c.action + (": " + "; ".join(f"{k}: {_fmt(v[1] if isinstance(v, list) else v)}"
                                                 for k, v in diff.items()) if diff else "")
        items.append(TimelineItem(dt(c.at), "change" if c.action == "update" else c.action,
                                  names.get(c.user_id, "?"), text, diff))
    items.sort(key=lambda i: i.at, reverse=True)
    return items[:limit]


def stage_label(ctx: Session, key: str) -> str:
    info = ctx.stage(key)
    return info.label(get_lang()) if info else key


def _fmt(value) -> str:
    return "–" if value in (None, "") else str(value)


def _local(ctx: Session, stamp: int) -> str:
    return dt(stamp).astimezone(ctx.tz).strftime("%Y-%m-%d %H:%M")


def _shown(ctx: Session, field: str, value) -> str:
    """A changed field's old or new value as the screens show it: money, times, labels."""
    if value in (None, ""):
        return "–"
    if field.endswith("_cents") and isinstance(value, int):
        return format_amount(value)
    if field.endswith("_at") and isinstance(value, int):
        return _local(ctx, value)
    if field == "status":
        return label(STATUSES, value)
    if field == "priority":
        return label(PRIORITIES, value)
    if field == "stage":
        return stage_label(ctx, value)
    return str(value)


# ------------------------------------------------------------------ notifications
@dataclass
class NotificationView:
    id: int
    kind: str
    text: str
    at: datetime
    read: bool
    lead_id: int | None


def notify(ctx: Session, user_id: int, kind: str, text: str, lead_id: int | None = None) -> None:
    Notification.insert(user=user_id, lead=lead_id, kind=kind, text=text, at=ts(ctx.now())).execute()
    changes.record(ctx, "notification", user_id, kind, {}, lead_id=lead_id)


def notifications(ctx: Session, unread_only: bool = False, limit: int = 100) -> list[NotificationView]:
    q = Notification.select().where(Notification.user == ctx.actor.id)
    if unread_only:
        q = q.where(Notification.read == False)  # noqa: E712
    return [NotificationView(n.id, n.kind, n.text, dt(n.at), n.read, n.lead_id)
            for n in q.order_by(Notification.at.desc(), Notification.id.desc()).limit(limit)]


def mark_read(ctx: Session, ids: list[int] | None = None) -> None:
    q = Notification.update(read=True).where(Notification.user == ctx.actor.id)
    if ids is not None:
        q = q.where(Notification.id.in_(ids))
    q.execute()


def sweep_escalations(ctx: Session) -> int:
    """Rule 2: uncontacted 3 days after assignment → flag and notify the owner's supervisor.

    Runs over everyone's leads (any session may run it); idempotent thanks to the flag.
    """
    limit = ts(ctx.now()) - ctx.settings.escalate_after_days * 86400
    q = (Lead.select(Lead.id, Lead.code, Lead.company, Lead.owner, User.team)
         .join(User, on=(Lead.owner == User.id))
         .where((Lead.status == "pending") & Lead.first_contact_at.is_null() & (Lead.escalated == False)  # noqa
                & (Lead.assigned_at <= limit) & scope.committed()).limit(1000))
    rows = list(q.dicts())
    if not rows:
        return 0
    with ctx.db.atomic():
        for r in rows:
            Lead.update(escalated=True, version=Lead.version + 1).where(Lead.id == r["id"]).execute()
            for sid in team_supervisor_ids(r["team"]) or []:
                notify(ctx, sid, "escalation", _("{code} {company}: not contacted {days} days after assignment",
                                                  code=r["code"], company=r["company"],
                                                  days=ctx.settings.escalate_after_days), r["id"])
            changes.record(ctx, "lead", r["id"], "escalate", {"escalated": [False, True]}, lead_id=r["id"],
                           system=True)
    return len(rows)


def followups_count(lead_id: int) -> int:
    return FollowUp.select(pw.fn.COUNT(FollowUp.id)).where(FollowUp.lead == lead_id).scalar()
