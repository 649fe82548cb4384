"""Notifications: written for a user, listed and marked read by their owner.

A notification is stored as a message key with its values (``i18n.message``) and shown in the READER's
language (a Chinese supervisor reads Chinese whatever language the session that escalated spoke); its
``text`` column holds the English wording, and rows stored before v9 (plain text only) show as stored."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


from ...domain.text import printable
from ...i18n import message, render
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


def notify(ctx: Session, user_id: int, kind: str, msgid: str, values: dict | None = None,
           lead_id: int | None = None, translate: tuple[str, ...] = ()) -> None:
    """``msgid`` is the English message (marked with ``N_``), ``values`` fill its placeholders when shown
    (those named in ``translate`` are msgids too)."""
    values = dict(values or {})
    # no RETURNING: under row-level security a role may send a notification it cannot read back
    Notification.insert(user=user_id, lead=lead_id, kind=kind, text=msgid.format(**values),
                        message=message(msgid, translate, **values), at=ts(ctx.now())).as_rowcount().execute()
    changes.record(ctx, "notification", user_id, kind, {}, lead_id=lead_id)


def notifications(ctx: Session, unread_only: bool = False, limit: int = 100) -> list[NotificationView]:
    q = Notification.select().where(Notification.user == ctx.actor.id)
    if unread_only:
        q = q.where(Notification.read == False)  # noqa: E712
    return [NotificationView(n.id, n.kind, printable(render(n.message, n.text)), dt(n.at), n.read, n.lead_id)
            for n in q.order_by(Notification.at.desc(), Notification.id.desc()).limit(limit)]


def mark_read(ctx: Session, ids: list[int] | None = None) -> None:
    q = Notification.update(read=True).where(Notification.user == ctx.actor.id)
    if ids is not None:
        q = q.where(Notification.id.in_(ids))
    q.execute()
