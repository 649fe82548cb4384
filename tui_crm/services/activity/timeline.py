"""A lead's timeline: follow-ups, tasks, stage moves, field changes and outcomes in one stream, as the reader's language shows them."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime


from ...domain.contact import CONTACT_FIELDS, mask_contact
from ...domain.parse import format_amount
from ...domain.text import printable
from ...domain.vocab import (FIELD_TITLES, PRIORITIES, STATUSES)
from ...i18n import _, label
from ...store.models import Change, FollowUp, StageHistory, Task, User
from .. import scope
from ..context import Session
from .task_text import task_parts
from ..records import dt


@dataclass
class TimelineItem:
    at: datetime
    kind: str  # followup | stage | change | outcome | task | reveal | create
    user: str
    text: str
    data: dict


def lead_timeline(ctx: Session, code: str | int, limit: int = 200, reveal: bool = False) -> list[TimelineItem]:
    """Follow-ups, tasks (planned and done), stage moves, field changes and outcomes of one lead, newest
    first. A changed phone, email or other contact is masked, old and new, for a reader who sees the
    lead's contacts masked (``reveal``: they revealed them, an audited action)."""
    lead = scope.get_visible(ctx, code)
    masked = not reveal and not contacts_in_full(ctx, lead)
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
                else _("entered stage {stage}", stage=ctx.stage_label(h.stage)))
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
        if masked:  # the item's data too: a screen may read it
            diff = {k: ([mask_contact(k, x) for x in v] if isinstance(v, list) else mask_contact(k, v))
                    for k, v in diff.items()}
        if c.action == "update":
            text = _("; ").join(_("{field}: {old} → {new}", field=_(FIELD_TITLES.get(k, k)),
                                  old=_shown(ctx, k, v[0], masked), new=_shown(ctx, k, v[1], masked))
                                for k, v in diff.items() if isinstance(v, list) and len(v) == 2)
        elif c.action == "create":
            text = _("lead created")
        elif c.action == "reveal":
            text = _("contact revealed")
        elif c.action == "escalate":
            text = _("escalated to the supervisor: not contacted {days} days after assignment",
                     days=ctx.settings.escalate_after_days)
        else:
            newest = {k: (v[1] if isinstance(v, list) else v) for k, v in diff.items()}
            text = c.action + (": " + "; ".join(f"{k}: {_fmt(v)}" for k, v in newest.items()) if diff else "")
        items.append(TimelineItem(dt(c.at), "change" if c.action == "update" else c.action,
                                  names.get(c.user_id, "?"), text, diff))
    items.sort(key=lambda i: i.at, reverse=True)
    items = items[:limit]
    for i in items:  # text stored before inputs were cleaned carries no escape sequence to a terminal
        i.text, i.user = printable(i.text), printable(i.user)
    return items


def _fmt(value) -> str:
    return "–" if value in (None, "") else str(value)


def _local(ctx: Session, stamp: int) -> str:
    return dt(stamp).astimezone(ctx.tz).strftime("%Y-%m-%d %H:%M")


def contacts_in_full(ctx: Session, lead) -> bool:
    """Whether the actor sees this lead's phone, email and other contact unmasked."""
    team = User.select(User.team).where(User.id == lead.owner_id).scalar()
    return bool(scope.full_contact_ids(ctx.actor, [(lead.id, lead.owner_id, team)]))


def _shown(ctx: Session, field: str, value, masked: bool = False) -> str:
    """A changed field's old or new value as the screens show it: money, times, labels; a contact masked."""
    if value in (None, ""):
        return "–"
    if masked and field in CONTACT_FIELDS:
        return mask_contact(field, str(value))
    if field.endswith("_cents") and isinstance(value, int):
        return format_amount(value)
    if field.endswith("_at") and isinstance(value, int):
        return _local(ctx, value)
    if field == "status":
        return label(STATUSES, value)
    if field == "priority":
        return label(PRIORITIES, value)
    if field == "stage":
        return ctx.stage_label(value)
    return str(value)


# ------------------------------------------------------------------ notifications
