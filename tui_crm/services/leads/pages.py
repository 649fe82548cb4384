"""Keyset pages of leads for the virtual lead list, and the small indexed
questions its timer and live refresh ask about the rows on screen.

The list never asks for all rows: it asks for ``n`` rows after (or before)
the sort key of a row it already has. Every sort is ``(column, id)`` on an
indexed column, with NULLs as a separate segment shown last, so each page is
an index range read whose cost does not grow with the number of leads.
``STATS`` counts rows fetched (tests and bench read it).

"""
from __future__ import annotations

from dataclasses import dataclass, field

import peewee as pw

from ...store import schema
from ...store.models import Lead
from .. import leads, scope
from ..context import Session
from ..records import LeadView, apply_due, dt

# sort name -> (column, nullable)


SORTS: dict[str, tuple[pw.Field, bool]] = {
    "next": (Lead.next_follow_up_at, True),
    "code": (Lead.code, False),
    "company": (Lead.company, False),
    "amount": (Lead.amount_cents, True),
    "created": (Lead.created_at, False),
    "stage": (Lead.stage, False),
    "owner": (Lead.owner, False),
}
# indexes the sorts read in order (SQLite appends the rowid, so (col) serves ORDER BY col, id)
SORT_INDEXES = schema.LIST_INDEXES  # created by the schema (v6); ensure_indexes only repairs

STATS = {"rows": 0, "queries": 0}

Key = tuple  # (segment, value, id): segments are rank groups x (values, NULLs), see _segments


@dataclass(frozen=True)
class ListQuery:
    """What the list shows: quick filters (leads.FILTERS, ``stage:x``, ``source:x``), search text, sort."""
    filters: tuple[str, ...] = ()
    search: str = ""
    sort: str = "next"
    desc: bool = False
    extra: dict = field(default_factory=dict, compare=False, hash=False)


def ensure_indexes(ctx: Session) -> list[str]:
    """Create the sort indexes if missing (idempotent; returns the names created)."""
    made = []
    for name, col in SORT_INDEXES.items():
        if ctx.is_postgres:
            ctx.db.execute_sql(f"CREATE INDEX IF NOT EXISTS {name} ON lead ({col}, id)")
            continue
        exists = ctx.db.execute_sql("SELECT 1 FROM sqlite_master WHERE type='index' AND name=?", (name,)).fetchone()
        if not exists:
            ctx.db.execute_sql(f"CREATE INDEX IF NOT EXISTS {name} ON lead ({col})")
            made.append(name)
    return made


SORT_INDEX_OF = {"next": "lead_sort_next", "company": "lead_sort_company", "amount": "lead_sort_amount",
                 "stage": "lead_sort_stage"}
SORTED_MAX = 3000  # a search's visible matches up to this many are read and sorted; more: the sort index walked


def _plan(ctx: Session, q: ListQuery) -> tuple[pw.ModelSelect, pw.Expression]:
    """The SELECT to start from and its condition, shaped so SQLite reads few rows.

    Without search text: walk the sort's index in order (SQLite's planner would
    otherwise start from a filter index, e.g. the owner's, and sort every match:
    0.7 s for a rep's 125k leads at 1M) and stop after one page. With search text:
    search_ids.plan decides: few matches are read from the text indexes by primary key
    and sorted; more, for an actor with a scope, are first joined to the actor's own in
    the owner index; a text common in the whole table walks the sort index and matches
    each row (a page is found within a few thousand rows).
    """
    cond = scope.scope_expr(ctx.actor)
    for f in q.filters:
        e = leads.filter_expr(ctx, f)
        if e is not None:
            cond &= e
    force = True
    if not (q.search or "").strip():
        pass
    elif leads.scoped_scan(ctx):  # a small scope: read it, match row by row
        cond &= leads.search_expr(ctx, q.search)
        force = False
    else:  # (the guarded form once: a full phone or email that reveals is audited as it is built)
        from ...store.bulk import ids_in
        from . import search_ids

        ids = search_ids.visible(ctx, q.search)
        if ids is None:  # common anywhere: each row in sort order matched as it is read
            cond &= leads.search_expr(ctx, q.search, rows=True)
        else:  # the visible matches only: by primary key and sorted, or (many) their ids checked on the sort index
            cond &= Lead.id.in_(ids_in(ids)) & leads.search_expr(ctx, q.search, rows=True if ctx.is_postgres else None)
            force = len(ids) > SORTED_MAX
            if not force and not ctx.is_postgres:  # not the owner's index range: the planner would walk it
                return Lead.select().from_(pw.NodeList((Lead, pw.SQL("NOT INDEXED")))), cond
    name = SORT_INDEX_OF.get(q.sort)
    if ctx.is_postgres or name is None or not force:
        return Lead.select(), cond
    return Lead.select().from_(pw.NodeList((Lead, pw.SQL(f"INDEXED BY {name}")))), cond


def condition(ctx: Session, q: ListQuery) -> pw.Expression:
    return _plan(ctx, q)[1]


def _groups(q: ListQuery) -> list[pw.Expression | None]:
    """The search's rank groups, in display order: leads whose own words hold the text come before those
    found by the pinyin of their names alone (``teng`` finds Tengda Ltd before 腾飞科技). One group
    otherwise."""
    written = leads.written_match(q.search)
    return [None] if written is None else [written, ~written]


def _group_of(q: ListQuery, view: LeadView) -> int:
    if not leads.spelled(q.search):
        return 0
    low = q.search.strip().lower()
    return 0 if any(low in (getattr(view, name, None) or "").lower() for name in leads.WRITTEN) else 1


def _segments(q: ListQuery) -> list[tuple[pw.Expression | None, bool]]:
    """(group condition, NULL sort values?) per segment, in display order; a key's first item is its index."""
    nullable = SORTS[q.sort][1]
    return [(g, null) for g in _groups(q) for null in ((False, True) if nullable else (False,))]


def key_of(q: ListQuery, view: LeadView) -> Key:
    col, nullable = SORTS[q.sort]
    name = col.name
    value = {"next_follow_up_at": view.next_follow_up_at, "owner": view.owner_id}.get(name, getattr(view, name, None))
    if hasattr(value, "timestamp"):
        value = int(value.timestamp())
    seg = _group_of(q, view) * (2 if nullable else 1) + (1 if value is None else 0)
    return (seg, value, view.id)


def _run(ctx: Session, query: pw.ModelSelect) -> list[LeadView]:
    try:
        rows = list(query.dicts())
    except pw.OperationalError as exc:  # a database replaced under the same path: indexes again
        if "no such index" not in str(exc):
            raise
        ensure_indexes(ctx)
        rows = list(query.dicts())
    STATS["queries"] += 1
    STATS["rows"] += len(rows)
    return leads.views_for(ctx, rows)


def _where(q: ListQuery, plan, seg: tuple) -> pw.Expression:
    col, _ = SORTS[q.sort]
    group, null = seg
    where = plan[1] & (col.is_null() if null else col.is_null(False))
    return where if group is None else where & group


def _segment(ctx, q, plan, seg: tuple, bound: Key | None, forward: bool, n: int) -> list[LeadView]:
    """Rows of one segment strictly after/before ``bound`` in display order."""
    col, _ = SORTS[q.sort]
    null = seg[1]
    up = (not q.desc) == forward  # reading the index upwards?
    where = _where(q, plan, seg)
    if bound is not None:
        _seg, value, lid = bound
        if null:
            where &= (Lead.id > lid) if up else (Lead.id < lid)
        else:
            where &= ((col >= value) & ((col > value) | (Lead.id > lid))) if up else \
                     ((col <= value) & ((col < value) | (Lead.id < lid)))
    order = [Lead.id.asc() if up else Lead.id.desc()] if null else \
        ([col.asc(), Lead.id.asc()] if up else [col.desc(), Lead.id.desc()])
    out = _run(ctx, plan[0].where(where).order_by(*order).limit(n))
    return out if forward else out[::-1]


def after(ctx: Session, q: ListQuery, key: Key | None, n: int) -> list[LeadView]:
    """Up to ``n`` rows following ``key`` (None: the first rows), in display order."""
    plan, segs = _plan(ctx, q), _segments(q)
    first = min(int(key[0]), len(segs) - 1) if key is not None else 0
    rows: list[LeadView] = []
    for i in range(first, len(segs)):
        rows += _segment(ctx, q, plan, segs[i], key if i == first else None, True, n - len(rows))
        if len(rows) >= n:
            break
    return rows


def before(ctx: Session, q: ListQuery, key: Key | None, n: int) -> list[LeadView]:
    """Up to ``n`` rows preceding ``key`` (None: the last rows), in display order."""
    plan, segs = _plan(ctx, q), _segments(q)
    last = min(int(key[0]), len(segs) - 1) if key is not None else len(segs) - 1
    rows: list[LeadView] = []
    for i in range(last, -1, -1):
        rows = _segment(ctx, q, plan, segs[i], key if (i == last and key is not None) else None, False,
                        n - len(rows)) + rows
        if len(rows) >= n:
            break
    return rows


def at_offset(ctx: Session, q: ListQuery, offset: int, n: int) -> list[LeadView]:
    """Rows from position ``offset`` (a jump, e.g. dragging the scrollbar): an index skip, not a sort."""
    plan = _plan(ctx, q)
    col, _ = SORTS[q.sort]
    rows: list[LeadView] = []
    for seg in _segments(q):
        where = _where(q, plan, seg)
        if not rows:
            size = plan[0].where(where).count() if offset else None
            if size is not None and offset >= size:
                offset -= size
                continue
        if seg[1]:
            order = [Lead.id.desc() if q.desc else Lead.id.asc()]
        else:
            order = [col.desc(), Lead.id.desc()] if q.desc else [col.asc(), Lead.id.asc()]
        rows += _run(ctx, plan[0].where(where).order_by(*order).limit(n - len(rows)).offset(offset if not rows else 0))
        offset = 0
        if len(rows) >= n:
            break
    return rows


def count(ctx: Session, q: ListQuery) -> int:
    if not q.search.strip() and q.filters in ((), ("mine",)):
        from .scoped_counts import all_leads

        return all_leads(ctx, mine=bool(q.filters))
    clock = set(q.filters) - {"mine"}
    if not q.search.strip() and len(clock) == 1 and clock <= {"overdue", "today"}:
        from .scoped_counts import due_count

        return due_count(ctx, "mine" in q.filters, clock.pop())
    if not q.search.strip() and clock == {"stalled"}:
        from .scoped_counts import stalled_count

        return stalled_count(ctx, "mine" in q.filters)
    if not q.search.strip() and set(q.filters) <= {"mine", "overdue", "today"}:
        return _count_by_parts(ctx, q)
    return Lead.select().where(condition(ctx, q)).count()


def _count_by_parts(ctx: Session, q: ListQuery) -> int:
    """A clock filter's count per part of the scope, each one covering index range (not the scope's OR)."""
    from .scoped_counts import clock_count

    extra = None
    for f in q.filters:
        if f != "mine":
            e = leads.filter_expr(ctx, f)
            extra = e if extra is None else extra & e
    return clock_count(ctx, "mine" in q.filters, extra)


def status_counts(ctx: Session, q: ListQuery) -> dict[str, int]:
    """The status line: rows shown, and of the unfiltered-by-state scope how many are overdue / due today / stalled."""
    base = ListQuery(tuple(f for f in q.filters if f not in ("overdue", "today", "stalled")), q.search)
    out = {"shown": count(ctx, q)}
    for name in ("overdue", "today", "stalled"):
        out[name] = count(ctx, ListQuery(base.filters + (name,), base.search))
    return out


def rows_by_id(ctx: Session, ids: list[int]) -> dict[int, LeadView]:
    """Fresh views of these leads (those still visible to the actor)."""
    if not ids:
        return {}
    views = _run(ctx, Lead.select().where(Lead.id.in_(list(ids)) & scope.scope_expr(ctx.actor)))
    return {v.id: v for v in views}


@dataclass
class DueProbe:
    status: str
    next_follow_up_at: int | None
    stage_entered_at: int | None
    version: int
    plan_until: int | None = None


def due_probe(ctx: Session, ids: list[int]) -> dict[int, DueProbe]:
    """The timer's one indexed question about the rows on screen (primary-key lookups)."""
    if not ids:
        return {}
    q = (Lead.select(Lead.id, Lead.status, Lead.next_follow_up_at, Lead.stage_entered_at, Lead.version,
                     Lead.plan_until).where(Lead.id.in_(list(ids))).tuples())
    STATS["queries"] += 1
    return {i: DueProbe(s, n, e, v, p) for i, s, n, e, v, p in q}


def reapply_due(ctx: Session, view: LeadView, probe: DueProbe | None = None) -> tuple:
    """Recompute ``view``'s time-dependent flags (optionally from a probe); returns its state tuple."""
    if probe is not None:
        view.status = probe.status
        view.next_follow_up_at = dt(probe.next_follow_up_at)
        view.stage_entered_at = dt(probe.stage_entered_at)
        view.last_due_at = dt(probe.plan_until)
    apply_due(ctx, view)
    return due_signature(view)


def due_signature(view: LeadView) -> tuple:
    return (view.due_state, view.overdue_days, view.stalled, view.status)
