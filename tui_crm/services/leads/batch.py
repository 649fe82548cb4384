"""Batch work on marked leads: one task for all of them, reassign, tag / untag, move stage, mark lost.

A selection is either leads marked one by one (``ids``) or everything a list query or board filter shows
(``*``; minus the ones unmarked after), and the batch never loads it into Python as a whole: it walks the
selection's SQL condition by lead id in chunks. Each chunk is one short transaction (about
``TXN_SECONDS``, the rows locked FOR UPDATE on PostgreSQL; SQLite's BEGIN IMMEDIATE holds the file) that
updates its leads with a few set-based statements and writes one change entry per lead; between two
chunks the lock stays free for ``LOCK_GAP`` (as an import does, services/importing/run.py), so no other
user's write waits for more than about one chunk.

The batch is itself a change entry (entity ``batch``, its id the batch's id); each lead's entry names it
(``"batch": id`` in its diff), which is what ``batch_undo.undo`` walks back. A lead the batch may not
change (closed, outside what the actor may reassign, already so) is skipped and counted.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable

import peewee as pw

from ...i18n import _
from ...store.db import WRITE_GAP_SECONDS
from ...store.models import Lead, Stage
from .. import changes, scope
from ..context import Session
from ..errors import NotFound, ValidationError
from ..records import ts
from . import pages

TXN_SECONDS, CHUNK_MIN, CHUNK_MAX, CHUNK_FIRST = 0.4, 100, 20000, 500
LOCK_GAP = WRITE_GAP_SECONDS  # SQLite: a waiting writer (polling every 5 ms: store/db.py) lands in the gap
HISTORY_COLUMNS = ("lead_id", "stage", "entered_at", "user_id")
ACTIONS = ("task", "reassign", "tag", "untag", "move", "lost")
# what each action (and its undo) may change of its leads: their columns, and whether their stage history
# (store/summary_chunks.adjusted keeps the summaries that read them per chunk; tags change no lead row)
_NEXT = ("next_follow_up_at", "plan_until")
LEAD_CHANGES: dict[str, tuple[tuple[str, ...], bool]] = {
    "reassign": (("owner_id", "assigned_at"), True),  # the history's copy of the owner follows (a trigger)
    "move": (("stage", "stage_entered_at", "stay_reason", "probability", "last_activity_at", "stages_seen")
             + _NEXT, True),
    "lost": (("status", "lost_at", "lost_reason", "last_activity_at", "stages_seen") + _NEXT, True),
    "task": (_NEXT, False)}


@dataclass(frozen=True)
class Selection:
    """What is marked: ``ids`` one by one, or everything ``query`` (the list) / ``board`` (the board's
    open leads) shows, less ``excluded``."""
    ids: tuple[int, ...] = ()
    query: pages.ListQuery | None = None
    board: object | None = None  # a board.BoardFilter
    excluded: tuple[int, ...] = ()

    @property
    def everything(self) -> bool:
        return self.query is not None or self.board is not None


@dataclass
class BatchResult:
    batch_id: int | None
    action: str
    done: int = 0
    skipped: int = 0
    why: dict[str, int] = field(default_factory=dict)  # skip reason -> count

    def skip(self, reason: str, n: int = 1) -> None:
        if n:
            self.skipped += n
            self.why[reason] = self.why.get(reason, 0) + n


def condition(ctx: Session, sel: Selection) -> pw.Expression:
    """The selection as SQL, within the actor's scope (built once per batch: a search's reveals are
    audited when it is built, not again per chunk)."""
    from ...store.bulk import ids_in  # here: not before the first screen
    from . import board as board_query  # here: the list's first page does not import the board

    if sel.query is not None:
        cond = pages.condition(ctx, sel.query)
    elif sel.board is not None:
        cond = board_query.condition(ctx, sel.board) & Lead.status.in_(board_query.OPEN_STATUSES)
    else:
        cond = scope.scope_expr(ctx.actor) & Lead.id.in_(ids_in(sorted(set(sel.ids))))
    if sel.excluded:  # ids as literals: 100,000 marked leads are one string, not as many parameters per chunk
        cond &= Lead.id.not_in(ids_in(sorted(set(sel.excluded))))
    return cond


def summaries_kept(ctx: Session, action: str, lead_ids: list[int]):
    """The context a chunk of ``action`` (or of its undo) runs its statements in."""
    from ...store import summary_chunks
    columns, history = LEAD_CHANGES.get(action, ((), False))
    return summary_chunks.adjusted(ctx.db, lead_ids, columns, history)


def count(ctx: Session, sel: Selection) -> int:
    """How many leads the selection holds now (the status line's count of marked leads)."""
    return Lead.select(Lead.id).where(condition(ctx, sel)).count()


# ------------------------------------------------------------------ the actions
def refresh_next_many(lead_ids: list[int]) -> None:
    """next_follow_up_at and plan_until of these leads from their open tasks (a task on several leads counts for
    each), in one statement."""
    from ...store import next_due  # not at import: the list (first screen) imports batch
    next_due.refresh(lead_ids)


def touch(ctx: Session, ids: list[int], values: dict) -> None:
    from ...store.bulk import ids_in
    values.update(updated_at=ts(ctx.now()), version=Lead.version + 1)
    Lead.update(**values).where(Lead.id.in_(ids_in(ids))).execute()


def seen_with(key: str):
    """``lead.stages_seen`` with the bit of stage (or outcome) ``key`` added, for a batch's own UPDATE of the leads
    it moves: the stage history's trigger (store/trigger_plans.py) then finds the bit already set and leaves the
    lead alone. Else the trigger wrote every moved lead a second time, each into all of lead's indexes on
    PostgreSQL: 10.6 s of a 34 s batch move of 57,000 leads (pg_stat_statements). ``stages_seen`` as it is for a
    stage whose id has no bit (>= 63)."""
    row = Stage.select(Stage.id).where(Stage.key == key).tuples().first()
    if row is None or row[0] >= 63:
        return Lead.stages_seen
    return Lead.stages_seen.bin_or(1 << row[0])


def set_each(ctx: Session, rows: list[tuple], casts: dict[str, str], values: dict | None = None,
             computed: tuple[str, ...] = ()) -> None:
    """A value of its own for each lead in one statement: ``UPDATE lead SET c = v.columnN … FROM (VALUES …) v``
    (``rows``: ``(id, *values in the order of casts)``; ``casts``: column -> SQL type, which PostgreSQL
    needs for a column of NULLs); ``values`` (plain values) are set on all of them alike; ``computed``: SET
    clauses of SQL over the row (``"lead"``), written in the same write of each lead."""
    if not rows:
        return
    p = ctx.db.param
    sets = [f'"{c}" = CAST(v.column{i} AS {t})' for i, (c, t) in enumerate(casts.items(), start=2)] + list(computed)
    params: list = []
    for k, v in {**(values or {}), "updated_at": ts(ctx.now())}.items():
        sets.append(f'"{k}" = {p}')
        params.append(v)
    sets.append('"version" = "version" + 1')
    one = "(" + ", ".join([f"CAST({p} AS BIGINT)"] + [p] * len(casts)) + ")"
    for r in rows:
        params.extend(r)
    ctx.db.execute_sql(f'UPDATE "lead" SET {", ".join(sets)} FROM (VALUES {", ".join([one] * len(rows))}) AS v '
                       f'WHERE "lead"."id" = v.column1', params)


class Action:
    """One batch action: ``check`` its parameters once, ``apply`` to a chunk of locked rows (returns the
    per-lead diffs written), ``finish`` after the last chunk."""
    name = ""
    entry = ""  # the per-lead change entry's action

    def __init__(self, ctx: Session, params: dict):
        self.ctx, self.params = ctx, params
        self.now = ctx.now()
        self.batch_id: int | None = None  # set once the batch's own entry is written

    def apply(self, rows: list[dict], res: BatchResult) -> dict[int, dict] | int:
        """The per-lead diffs to record, or how many leads changed when the action recorded them itself."""
        raise NotImplementedError

    def start(self, cond: pw.Expression) -> None:
        """Before the first chunk, with the selection's condition (what the action asks of the whole batch)."""

    def head(self) -> dict:
        return {}

    def head_entry(self) -> dict:
        return {**self.head(), "at": ts(self.now)}

    def finish(self, res: BatchResult) -> None:
        pass


ACTION_CLASSES: dict[str, type] = {}


def register(name: str, cls: type) -> None:
    """A batch action under ``name`` (batch_actions.py, batch_tags.py: importing them registers theirs)."""
    ACTION_CLASSES[name] = cls


ROW_FIELDS = (Lead.id, Lead.owner, Lead.stage, Lead.status, Lead.stage_entered_at, Lead.stay_reason,
              Lead.priority, Lead.probability, Lead.lost_reason, Lead.version)


# ------------------------------------------------------------------ the run
def run(ctx: Session, sel: Selection, action: str, params: dict | None = None,
        progress: Callable[[int, int], None] | None = None) -> BatchResult:
    """Apply ``action`` to every lead of ``sel``; ``progress(seen, total)`` after each chunk."""
    from ...store import checkpoints
    if action not in ACTION_CLASSES:
        raise ValidationError(_("unknown batch action: {action}", action=action))
    act = ACTION_CLASSES[action](ctx, dict(params or {}))
    cond = condition(ctx, sel)
    total = Lead.select(Lead.id).where(cond).count()
    if total == 0:
        raise NotFound(_("no marked lead that you can see"))
    act.start(cond)
    with ctx.db.atomic():
        bid = changes.record(ctx, "batch", None, action, {**act.head_entry(), "leads": total})
    res = BatchResult(bid, action)
    act.batch_id = bid
    last, n, seen = 0, CHUNK_FIRST, 0
    with checkpoints.SideCheckpointer(ctx.db) as side:
        while True:
            started, limit = time.monotonic(), n
            with ctx.db.atomic():
                q = Lead.select(*ROW_FIELDS).where(cond & (Lead.id > last)).order_by(Lead.id).limit(limit)
                rows = list((q.for_update() if ctx.is_postgres else q).dicts())
                if not rows:
                    break
                last = rows[-1]["id"]
                with summaries_kept(ctx, action, [r["id"] for r in rows]):
                    diffs = act.apply(rows, res)
                if isinstance(diffs, int):
                    res.done += diffs
                else:
                    _record_many(ctx, act.entry, bid, diffs)
                    res.done += len(diffs)
            held = time.monotonic() - started  # with the commit: the lock is held until it is written
            side.committed()
            seen += len(rows)
            if progress:
                progress(min(seen, total), total)
            n = next_chunk(n, held)
            if len(rows) < limit:
                break
            time.sleep(LOCK_GAP)  # the lock free for any other writer waiting
    with ctx.db.atomic():
        act.finish(res)
        changes.record(ctx, "batch", bid, "done", {"done": res.done, "skipped": res.skipped})
    return res


def next_chunk(n: int, held: float) -> int:
    """The next chunk's size from how long this one's ``n`` leads held the write lock, to the end of its commit
    (the log's checkpoint runs on the side, after it, with the lock free: store/checkpoints.py); at most twice
    the last, as a chunk's time is not quite in proportion to its size (its summary rows, the pages it dirties)."""
    if held <= 0:
        return min(CHUNK_MAX, 2 * n)
    return max(CHUNK_MIN, min(CHUNK_MAX, 2 * n, int(n * TXN_SECONDS / held)))


def _record_many(ctx: Session, action: str, bid: int, diffs: dict[int, dict]) -> None:
    """One change entry per lead, in one statement (``changes.record``'s row, ``batch`` in the diff)."""
    changes.record_leads(ctx, action, ((lid, {**d, "batch": bid}) for lid, d in diffs.items()))
