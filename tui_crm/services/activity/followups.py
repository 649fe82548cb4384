"""Logging a contact with a lead: the follow-up, its task bookkeeping, and the hints drawn from past follow-ups."""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

import peewee as pw

from ...domain import limits, rules
from ...domain.text import clean
from ...domain.vocab import (METHODS, OPEN_TASK_STATUSES, SENTIMENTS, WORKING_STATUSES, resolve)
from ...i18n import N_, _
from ...store.models import FollowUp, Lead, Task, User
from .. import changes, scope
from . import tasks
from ..context import Session, settings_for_owner
from ..errors import ValidationError, refuse_too_long
from ..records import dt, ts


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
    """Record a contact; completes the earliest open first-contact/follow-up task and plans the next
    (all under the lead's row lock: parallel logs of one lead leave one open follow-up task)."""
    data = replace(data, **{name: clean(getattr(data, name)) for name in
                            ("summary", "customer_words", "reading", "objection", "handling", "next_action")})
    refuse_too_long({name: getattr(data, name) for name in ("summary", "customer_words", "reading", "objection",
                                                             "handling", "next_action", "method", "sentiment")},
                    limits.FOLLOW_UP)
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
    with scope.locked_lead(ctx, code) as lead:
        fid = FollowUp.insert(lead=lead.id, user=ctx.actor.id, at=ts(at), method=method, reached=data.reached,
                              summary=data.summary.strip(), customer_words=data.customer_words,
                              reading=data.reading, sentiment=sentiment, objection=data.objection,
                              handling=data.handling, next_action=data.next_action,
                              next_at=ts(data.next_at)).execute()
        earliest = (Task.select().where((Task.lead == lead.id) & Task.kind.in_(("first_contact", "follow_up"))
                                        & Task.status.in_(OPEN_TASK_STATUSES)).order_by(Task.due_at).first())
        if earliest:
            tasks.close_one(ctx, lead.id, earliest.id, data.summary.strip()[:200])
        status = "in_progress" if lead.status == "pending" else lead.status
        nxt = data.next_at or proposed_next(ctx, at, lead.stage, status, lead.follow_up_days, data.reached,
                                            lead.owner_id)
        if lead.status not in ("lost",):
            tasks.create_task(ctx, lead.id, lead.owner_id, "follow_up",
                              data.next_action or N_("Follow up"), nxt, lead.priority)
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


def proposed_next(ctx: Session, at: datetime, stage: str, status: str, own_days: int | None,
                  reached: bool, owner_id: int | None = None, settings=None) -> datetime:
    """The next contact a follow-up proposes: by the cadence (the owner's team's, PRODUCT §8: ``settings``, else
    read for ``owner_id``) after a call that connected; after one that did not, a retry the same working day or
    the next (``Settings.missed_call_retry_hours``), never in the past."""
    if reached:
        return rules.next_follow_up(at, stage, status, own_days, settings or settings_for_owner(ctx, owner_id))
    return rules.missed_call_retry(max(at, ctx.now()), ctx.tz, ctx.settings)


def last_method(ctx: Session) -> str:
    user = User.get_by_id(ctx.actor.id)
    return user.last_method or "phone"


def suggest_lost(ctx: Session, code: str | int) -> bool:
    lead = scope.get_visible(ctx, code)
    flags = [f.reached for f in FollowUp.select(FollowUp.reached).where(FollowUp.lead == lead.id)
             .order_by(FollowUp.at.desc(), FollowUp.id.desc()).limit(ctx.settings.missed_calls_for_lost)]
    return lead.status in WORKING_STATUSES and rules.suggest_lost(flags, ctx.settings)


# ------------------------------------------------------------------ timeline
def followups_count(lead_id: int) -> int:
    return FollowUp.select(pw.fn.COUNT(FollowUp.id)).where(FollowUp.lead == lead_id).scalar()
