"""Notifications: written for a user, listed and marked read by their owner."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


from ...domain.text import printable
from ...store.models import Notification
from .. import changes
from ..context import Session
from ..records import dt, ts


@dataclass
class NotificationView:
    id: int
    kind: str
    text: str
    at: datetime
    read: bool
    lead_id: int | None


def notify(ctx: Session, user_id: int, kind: str, text: str, lead_id: int | None = None) -> None:
    # no RETURNING: under row-level security a role may send a notification it cannot read back
    Notification.insert(user=user_id, lead=lead_id, kind=kind, text=text, at=ts(ctx.now())).as_rowcount().execute()
    changes.record(ctx, "notification", user_id, kind, {}, lead_id=lead_id)


def notifications(ctx: Session, unread_only: bool = False, limit: int = 100) -> list[NotificationView]:
    q = Notification.select().where(Notification.user == ctx.actor.id)
    if unread_only:
        q = q.where(Notification.read == False)  # noqa: E712
    return [NotificationView(n.id, n.kind, printable(n.text), dt(n.at), n.read, n.lead_id)
            for n in q.order_by(Notification.at.desc(), Notification.id.desc()).limit(limit)]


def mark_read(ctx: Session, ids: list[int] | None = None) -> None:
    q = Notification.update(read=True).where(Notification.user == ctx.actor.id)
    if ids is not None:
        q = q.where(Notification.id.in_(ids))
    q.execute()
