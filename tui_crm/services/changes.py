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


def claim_order(ctx: Session) -> None:
    """Call before appending to the log in a transaction (``record`` does). On PostgreSQL it gives the
    transaction its id now, before the entry's id is drawn from the sequence, so that from that moment
    a snapshot lists the transaction as in flight: :class:`ChangeFeed` relies on that to know which
    missing ids may still arrive. (A transaction's id is otherwise given at its first write, which
    for an entry is just after its sequence value.)"""
    if ctx.is_postgres:
        ctx.db.execute_sql("SELECT pg_current_xact_id()")


def record(ctx: Session, entity: str, entity_id: int | None, action: str, diff: dict | None = None,
           lead_id: int | None = None, user_id: int | None = None, system: bool = False) -> int:
    """Append one entry; call inside the write's transaction. ``system``: done by a rule on its own (the
    escalation sweep), not by the acting user, whoever's session happened to run it."""
    uid = None if system else user_id if user_id is not None else (ctx.actor.id if ctx.actor else None)
    payload = {k: ([_plain(x) for x in v] if isinstance(v, (list, tuple)) else _plain(v))
               for k, v in (diff or {}).items()}
    claim_order(ctx)
    return Change.insert(at=int(ctx.now().timestamp()), user=uid, entity=entity, entity_id=entity_id,
                         lead_id=lead_id, action=action,
                         diff=json.dumps(payload, ensure_ascii=False, default=str)).execute()


CHANGE_COLUMNS = ("at", "user_id", "entity", "entity_id", "lead_id", "action", "diff")


def record_leads(ctx: Session, action: str, diffs, *, system: bool = False) -> int:
    """One entry per lead (``diffs``: lead id -> diff, or (lead id, diff) pairs) in one bulk insert, as
    :func:`record` writes each (the entity ``lead``, the acting user unless ``system``); call inside the
    write's transaction. A batch on thousands of leads costs a statement, not one per lead."""
    from ..store import bulk

    items = list(diffs.items() if isinstance(diffs, dict) else diffs)
    if not items:
        return 0
    claim_order(ctx)
    at, uid = int(ctx.now().timestamp()), None if system else (ctx.actor.id if ctx.actor else None)
    return bulk.insert_rows(ctx.db, Change._meta.table_name, CHANGE_COLUMNS, (
        (at, uid, "lead", lid, lid, action, json.dumps({k: ([_plain(x) for x in v] if isinstance(v, (list, tuple))
                                                            else _plain(v)) for k, v in d.items()},
                                                        ensure_ascii=False, default=str)) for lid, d in items))


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


def _entry(r) -> ChangeEntry:
    return ChangeEntry(r[0], datetime.fromtimestamp(r[1], timezone.utc), r[2], r[3], r[4], r[5], r[6],
                       json.loads(r[7] or "{}"))


class ChangeFeed:
    """What a live screen polls from a worker thread: ``poll()`` returns each entry committed since
    the feed was made exactly once, whatever order the writers commit in. Poll outside any
    transaction (each poll's statements must see the commits made before them).

    SQLite has one writer at a time and draws an entry's id inside its write lock, so ids commit in
    order: after ``PRAGMA data_version`` (microseconds) says another connection committed, the feed
    reads ``id > last``.

    PostgreSQL draws ids from a sequence before commit, so a later id can commit first and
    ``id > last`` would skip the earlier one for good. Each poll therefore reads, in one statement
    and one snapshot, the new entries, the ids it is still waiting for (gaps) and the snapshot. An
    id below the highest seen that is not there is a gap: held by a transaction in flight or burned
    by a rollback. Its holder took its transaction id before drawing the entry's (``claim_order``),
    so before the snapshot: it is one the snapshot lists as in flight, or one given an id at or
    above the snapshot's ``xmax`` but below an id the feed draws right after the read. From the
    next poll on every such transaction still running is listed, and a gap is dropped once none
    is: by then its entry, if it ever commits, has been read.
    """

    MAX_GAPS = 5000  # ids waited for at once; beyond it the oldest are given up
    START_WINDOW = 2000  # at start, ids this far below the top may be in flight
    BEHIND = 2000  # more entries than this still waiting after a full page: ``catch_up`` jumps over them

    def __init__(self, ctx: Session):
        self.ctx = ctx
        self._data_version: int | None = None
        # id not read yet -> (transactions that may hold it, and [lo, hi) of ids that may too)
        self._gaps: dict[int, tuple[frozenset[int], int, int]] = {}
        self.last_id = self._pg_start() if ctx.is_postgres else latest_id(ctx)

    def invalidate(self) -> None:
        """Read the log on the next poll (this connection's own commits do not move data_version)."""
        self._data_version = None

    @property
    def waiting_for(self) -> list[int]:
        """The ids a poll still looks for (PostgreSQL: entries of transactions in flight)."""
        return sorted(self._gaps)

    def _sqlite_unchanged(self) -> bool:
        db = self.ctx.db
        if not isinstance(db, pw.SqliteDatabase):
            return False
        version = db.execute_sql("PRAGMA data_version").fetchone()[0]
        unchanged = version == self._data_version
        self._data_version = version
        return unchanged

    def poll(self, limit: int = 500) -> list[ChangeEntry]:
        if self.ctx.is_postgres:
            return self._pg_poll(limit)
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

    def catch_up(self, limit: int = 500) -> tuple[list[ChangeEntry], bool]:
        """What an open app polls: :meth:`poll`, and when more than ``BEHIND`` entries wait beyond the page
        read (a batch on 100,000 leads writes an entry for each; read a page a second, the feed fell minutes
        behind everyone's other changes), the feed jumps to the newest entry: ``(entries, True)`` says that
        the entries jumped over are not told one by one, and every screen reads what it shows again. The
        change log itself keeps every entry (the audit, the timeline, a batch's undo read it there).

        On PostgreSQL the ids of the jumped range that are not committed yet (a transaction in flight,
        up to ``MAX_GAPS`` below the top) are waited for as gaps, like any other: their entries come later."""
        entries = self.poll(limit)
        if len(entries) < limit:
            return entries, False
        return entries, self._pg_jump() if self.ctx.is_postgres else self._sqlite_jump()

    def _sqlite_jump(self) -> bool:
        top = latest_id(self.ctx)
        if top - self.last_id <= self.BEHIND:
            return False
        self.last_id, self._data_version = top, None
        return True

    # ------------------------------------------------------------ PostgreSQL
    def _pg_jump(self) -> bool:
        table = Change._meta.table_name
        snap, top, missing = self.ctx.db.execute_sql(
            f'SELECT pg_current_snapshot()::text, m.top, ARRAY(SELECT g FROM generate_series('
            f'GREATEST(m.top - %s, %s) + 1, m.top) g WHERE NOT EXISTS (SELECT 1 FROM "{table}" c WHERE c.id = g)) '
            f'FROM (SELECT COALESCE(MAX(id), 0) AS top FROM "{table}") m',
            (self.MAX_GAPS, self.last_id)).fetchone()
        if top - self.last_id <= self.BEHIND:
            return False
        if missing:
            xmax, in_flight = self._snapshot(snap)
            holders = (in_flight, xmax, self._drawn_after())
            self._gaps.update((g, holders) for g in missing)
            if len(self._gaps) > self.MAX_GAPS:
                self._gaps = dict(sorted(self._gaps.items())[-self.MAX_GAPS:])
        self.last_id = top
        return True

    @staticmethod
    def _snapshot(text: str) -> tuple[int, frozenset[int]]:
        """(xmax, in-flight ids) of a ``pg_snapshot`` text ``xmin:xmax:xip,xip``."""
        _xmin, xmax, xip = text.split(":")
        return int(xmax), frozenset(int(x) for x in xip.split(",") if x)

    def _drawn_after(self) -> int:
        """A transaction id given now (and ended at once): above every id given before the last read."""
        return int(self.ctx.db.execute_sql("SELECT pg_current_xact_id()::text").fetchone()[0])

    def _pg_start(self) -> int:
        table = Change._meta.table_name
        snap, top, missing = self.ctx.db.execute_sql(
            f'SELECT pg_current_snapshot()::text, m.top, ARRAY(SELECT g FROM generate_series('
            f'GREATEST(m.top - %s, 0) + 1, m.top) g WHERE NOT EXISTS (SELECT 1 FROM "{table}" c WHERE c.id = g)) '
            f'FROM (SELECT COALESCE(MAX(id), 0) AS top FROM "{table}") m', (self.START_WINDOW,)).fetchone()
        if missing:
            xmax, in_flight = self._snapshot(snap)
            holders = (in_flight, xmax, self._drawn_after())
            self._gaps = {g: holders for g in missing}
        return top

    def _pg_poll(self, limit: int) -> list[ChangeEntry]:
        table = Change._meta.table_name
        cols = "id, at, user_id, entity, entity_id, lead_id, action, diff"
        rows = self.ctx.db.execute_sql(
            f"SELECT pg_current_snapshot()::text, c.* FROM (SELECT 1) one LEFT JOIN LATERAL ("
            f'(SELECT {cols} FROM "{table}" WHERE id = ANY(%s::bigint[])) UNION ALL '
            f'(SELECT {cols} FROM "{table}" WHERE id > %s ORDER BY id LIMIT %s)) c ON true ORDER BY c.id',
            (list(self._gaps), self.last_id, limit)).fetchall()
        xmax, in_flight = self._snapshot(rows[0][0])
        entries, ids, top = [], set(), self.last_id
        for r in (r[1:] for r in rows if r[1] is not None):
            ids.add(r[0])
            if r[0] in self._gaps or r[0] > self.last_id:
                entries.append(_entry(r))
            top = max(top, r[0])
        gaps = {}
        for g, (xids, lo, hi) in self._gaps.items():
            if g not in ids:
                running = frozenset(x for x in in_flight if x in xids or lo <= x < hi)
                if running:
                    gaps[g] = (running, 0, 0)
        new = [g for g in range(max(self.last_id + 1, top - self.MAX_GAPS), top) if g not in ids]
        if new:
            holders = (in_flight, xmax, self._drawn_after())
            gaps.update((g, holders) for g in new)
        if len(gaps) > self.MAX_GAPS:
            gaps = dict(sorted(gaps.items())[-self.MAX_GAPS:])
        self._gaps = gaps
        self.last_id = top
        return entries


SEARCH_REVEALS_PER_HOUR = 20


def search_reveals(ctx: Session, lead_ids: list[int]) -> tuple[set[int], bool]:
    """A search by a full phone or email found these leads, whose contacts the actor sees masked: finding
    them tells the number, so each is a reveal, audited once an hour, and at most SEARCH_REVEALS_PER_HOUR
    leads an hour may be found so. Returns the leads the search may show and whether the actor is at the
    limit (said whether or not this search found anything, so the notice tells nothing about the number)."""
    since = int(ctx.now().timestamp()) - 3600
    recent = {lid for (lid,) in Change.select(Change.lead_id).where(
        (Change.user == ctx.actor.id) & (Change.action == "reveal") & (Change.at >= since)
        & Change.diff.contains('"via": "search"')).tuples()}
    fresh = [i for i in dict.fromkeys(lead_ids) if i not in recent]
    take = fresh[:max(0, SEARCH_REVEALS_PER_HOUR - len(recent))]
    if take:
        with ctx.db.atomic():
            for lid in take:
                record(ctx, "lead", lid, "reveal", {"via": "search"}, lead_id=lid)
    return (recent & set(lead_ids)) | set(take), len(recent) + len(take) >= SEARCH_REVEALS_PER_HOUR


def audit_reveal(ctx: Session, views: list[LeadView], via: str) -> None:
    """Record that the actor saw contacts they would otherwise see masked (call before showing them)."""
    revealed = [v for v in views if v.revealed]
    with ctx.db.atomic():
        for v in revealed:
            record(ctx, "lead", v.id, "reveal", {"via": via}, lead_id=v.id)


# ------------------------------------------------------------------ create


DUPLICATE_ANSWERS_PER_HOUR = 20


def unseen_answers_left(ctx: Session) -> int:
    """How many more answers "a lead you cannot see already has this phone/email/code" the actor may have this
    hour. Each such answer tells that a number is a customer's (a reveal of something beyond the actor's
    scope), so like a search by a full number it is audited and limited: a file of guessed numbers cannot
    turn the duplicate check of an import, `leads add` or the new-lead form into a directory."""
    if ctx.actor is None or ctx.actor.is_admin:
        return DUPLICATE_ANSWERS_PER_HOUR  # an admin sees every lead: nothing is beyond their scope
    since = int(ctx.now().timestamp()) - 3600
    told = Change.select().where((Change.user == ctx.actor.id) & (Change.action == "reveal")
                                 & (Change.at >= since) & Change.diff.contains('"via": "duplicate"')).count()
    return max(0, DUPLICATE_ANSWERS_PER_HOUR - told)


def audit_unseen_duplicate(ctx: Session, key: str, lead_id: int | None, where: str) -> None:
    """Record one such answer (call inside the transaction that gives it). The entry names no lead (its
    ``lead_id`` is empty: the actor may not see it, and a role may not write an entry of a lead beyond its
    reach); ``entity_id`` keeps the lead's id where the session knows it, for an admin's audit."""
    record(ctx, "lead", lead_id, "reveal", {"via": "duplicate", "match": key, "in": where})
