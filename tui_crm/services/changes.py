"""The change log: written in the same transaction as every write; polled by screens."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone

import peewee as pw

from ..store.models import Change
from .context import Session
from .records import LeadView


def _plain(value):
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def record(ctx: Session, entity: str, entity_id: int | None, action: str, diff: dict | None = None,
           lead_id: int | None = None, user_id: int | None = None, system: bool = False) -> int:
    """Append one entry; call inside the write's transaction. ``system``: done by a rule on its own (the
    escalation sweep), not by the acting user, whoever's session happened to run it."""
    uid = None if system else user_id if user_id is not None else (ctx.actor.id if ctx.actor else None)
    payload = {k: ([_plain(x) for x in v] if isinstance(v, (list, tuple)) else _plain(v))
               for k, v in (diff or {}).items()}
    return Change.insert(at=int(ctx.now().timestamp()), user=uid, entity=entity, entity_id=entity_id,
                         lead_id=lead_id, action=action,
                         diff=json.dumps(payload, ensure_ascii=False, default=str)).execute()


@dataclass
class ChangeEntry:
    id: int
    at: datetime
    user_id: int | None
    entity: str
    entity_id: int | None
    lead_id: int | None
    action: str
    diff: dict


def latest_id(ctx: Session) -> int:
    return Change.select(pw.fn.MAX(Change.id)).scalar() or 0


def since(ctx: Session, after_id: int, limit: int = 500) -> list[ChangeEntry]:
    """Entries after ``after_id``, oldest first (one indexed range read)."""
    rows = (Change.select().where(Change.id > after_id).order_by(Change.id).limit(limit))
    return [ChangeEntry(r.id, datetime.fromtimestamp(r.at, timezone.utc), r.user_id, r.entity,
                        r.entity_id, r.lead_id, r.action, json.loads(r.diff or "{}")) for r in rows]


class ChangeFeed:
    """What a live screen polls from a worker thread.

    ``poll()`` returns the new entries since the last call. On SQLite it
    first asks ``PRAGMA data_version`` (microseconds) and reads the log only
    when another connection committed; on PostgreSQL it reads the max id.
    """

    def __init__(self, ctx: Session):
        self.ctx = ctx
        self.last_id = latest_id(ctx)
        self._data_version: int | None = None

    def invalidate(self) -> None:
        """Read the log on the next poll (this connection's own commits do not move data_version)."""
        self._data_version = None

    def _sqlite_unchanged(self) -> bool:
        db = self.ctx.db
        if not isinstance(db, pw.SqliteDatabase):
            return False
        version = db.execute_sql("PRAGMA data_version").fetchone()[0]
        unchanged = version == self._data_version
        self._data_version = version
        return unchanged

    def poll(self, limit: int = 500) -> list[ChangeEntry]:
        if self._sqlite_unchanged():
            return []
        entries = since(self.ctx, self.last_id, limit)
        if entries:
            self.last_id = entries[-1].id
        if len(entries) >= limit:
            # more than one page was committed (a sweep, a bulk change): read on at the next poll even
            # though nothing new is committed by then; else the rest waited for some later commit and
            # every screen stayed that many entries behind (an open detail missed its lead's changes)
            self._data_version = None
        return entries


def audit_reveal(ctx: Session, views: list[LeadView], via: str) -> None:
    """Record that the actor saw contacts they would otherwise see masked."""
    revealed = [v for v in views if v.masked is False and (v.phone or v.email)]
    with ctx.db.atomic():
        for v in revealed:
            record(ctx, "lead", v.id, "reveal", {"via": via}, lead_id=v.id)


# ------------------------------------------------------------------ create
