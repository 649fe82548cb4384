"""The funnel: reached counts per stage and the completed stays in each stage."""
from __future__ import annotations

from fractions import Fraction

import peewee as pw

from ...store.models import ImportBatch, Lead, Stage, StageHistory
from .. import scope
from ..context import Session
from . import summed
from .sql import OwnedPart, SummaryPart, both, conditions, half_up, indexed, time_range, rate_of


def stage_bits(ctx: Session) -> dict[int, int] | None:
    """stage id -> position of the active stages; None when an id does not fit ``stages_seen`` (>= 63)."""
    pos = {k: i for i, k in enumerate(ctx.stage_keys)}
    ids = {s.id: pos[s.key] for s in Stage.select(Stage.id, Stage.key).where(Stage.key.in_(list(pos)))} if pos else {}
    return None if any(i >= 63 for i in ids) else ids


def reached_from_rows(ctx: Session, rows: list[dict], bits: dict[int, int]) -> list[int]:
    """reached[i] per open stage from the (stage, status, stages_seen) groups: won leads reached every
    stage; others the furthest of the stages they were ever in (``stages_seen``) and their current one."""
    keys = ctx.stage_keys
    last = len(keys)
    pos = {k: i for i, k in enumerate(keys)}
    furthest_of: dict[int, int] = {}
    counts = [0] * (last + 1)  # by furthest position + 1 (index 0: none)
    for r in rows:
        n = int(r["leads"] or 0)
        if r["status"] == "won":
            counts[last] += n
            continue
        mask = int(r["stages_seen"] or 0)
        if mask not in furthest_of:
            furthest_of[mask] = max([p for i, p in bits.items() if mask >> i & 1], default=-1)
        p = max(furthest_of[mask], pos.get(r["stage"], -1))
        counts[p + 1] += n
    reached = [0] * last
    running = 0
    for i in range(last - 1, -1, -1):
        running += counts[i + 1]
        reached[i] = running
    return reached


def reached_from_history(ctx: Session, cond) -> list[int]:
    """The same from the stage history itself (slower; when stage ids outgrow ``stages_seen``)."""
    keys = ctx.stage_keys
    last = len(keys)
    positions = [(k, i) for i, k in enumerate(keys)]
    stay_pos = pw.Case(StageHistory.stage, positions, -1)
    furthest = (StageHistory.select(pw.fn.MAX(stay_pos)).where(StageHistory.lead == Lead.id))
    cur_pos = pw.Case(Lead.stage, positions, -1)
    greatest = pw.fn.GREATEST if ctx.is_postgres else pw.fn.MAX
    p = pw.Case(None, [(Lead.status == "won", last - 1)], greatest(pw.fn.COALESCE(furthest, -1), cur_pos))
    reached = [0] * last
    for r in (r for c in conditions(cond)
              for r in Lead.select(p.alias("p"), pw.fn.COUNT(Lead.id).alias("n")).where(c).group_by(pw.SQL("1")).dicts()):
        for i in range(0, min(int(r["p"]), last - 1) + 1):
            reached[i] += int(r["n"])
    return reached


def _owned_stays(ctx: Session, part: "OwnedPart") -> dict:
    """Completed stays of the leads owned by ``part.owners`` (committed, created in the period), from the
    lead copies on stage_history (schema v5): one range of ``stage_history_owner_stays`` per owner."""
    keys = ctx.stage_keys
    h = StageHistory
    owner, created, batch = (pw.Column(h._meta.table, c) for c in ("lead_owner_id", "lead_created_at",
                                                                     "lead_batch_id"))
    done = ImportBatch.select(ImportBatch.id).where(ImportBatch.state == "committed")
    where = (owner.in_(part.owners) & h.stage.in_(keys) & h.left_at.is_null(False)
             & (batch.is_null() | batch.in_(done)))
    where = both(where, time_range(created, part.start, part.end))
    q = (h.select(h.stage, pw.fn.SUM(h.left_at - h.entered_at).alias("total"), pw.fn.COUNT(h.id).alias("n"))
         .where(where).group_by(h.stage))
    q = indexed(ctx, q, h, "stage_history_owner_stays")
    return {r["stage"]: r for r in q.dicts()}


def _stays(ctx: Session, cond, whole: bool) -> dict:
    """Σ and count of completed stays per open stage, for the leads of ``cond``.

    ``whole``: cond is every committed lead (an admin, no filter); then the stays are read from the
    ``stage_history_stays`` index alone, leaving out only leads of imports not committed."""
    keys = ctx.stage_keys
    if not keys:
        return {}
    if isinstance(cond, list):
        out: dict = {}
        for c in cond:
            if isinstance(c, SummaryPart):
                got = summed.stays(ctx, c)
            elif isinstance(c, OwnedPart) and c.owners is not None and not c.edge:
                got = _owned_stays(ctx, c)
            else:
                got = _stays(ctx, c, False)
            for stage, r in got.items():
                acc = out.setdefault(stage, {"stage": stage, "total": 0, "n": 0})
                acc["total"] += int(r["total"] or 0)
                acc["n"] += int(r["n"] or 0)
        return out
    q = StageHistory.select(StageHistory.stage, pw.fn.SUM(StageHistory.left_at - StageHistory.entered_at).alias("total"),
                            pw.fn.COUNT(StageHistory.id).alias("n"))
    where = StageHistory.stage.in_(keys) & StageHistory.left_at.is_null(False)
    if whole:
        hidden = Lead.select(Lead.id).where(Lead.batch.is_null(False) & ~scope.committed())
        q = q.where(where & StageHistory.lead.not_in(hidden))
    else:
        q = q.join(Lead, on=(StageHistory.lead == Lead.id)).where(where & cond)
    return {r["stage"]: r for r in q.group_by(StageHistory.stage).dicts()}


def funnel(ctx: Session, cond, rows: list[dict], whole: bool = False) -> tuple[list[dict], int]:
    """One row per open stage plus won (from the owner/stage groups); also the exact historical forecast."""
    keys = ctx.stage_keys
    bits = stage_bits(ctx)
    reached = reached_from_rows(ctx, rows, bits) if bits is not None else reached_from_history(ctx, cond)
    won = sum(int(r["won"] or 0) for r in rows)
    open_n: dict = {}
    open_amt: dict = {}
    for r in rows:
        open_n[r["stage"]] = open_n.get(r["stage"], 0) + int(r["open"] or 0)
        open_amt[r["stage"]] = open_amt.get(r["stage"], 0) + int(r["pipeline_cents"] or 0)
    stays = _stays(ctx, cond, whole)
    out = []
    historical = Fraction(0)
    counts = reached + [won]
    for i, key in enumerate(keys + ["won"]):
        s = stays.get(key)
        amt = open_amt.get(key, 0) if key != "won" else 0
        if key != "won" and counts[i]:
            historical += Fraction(amt * won, counts[i])
        out.append({
            "stage": key, "reached": counts[i],
            "conversion_to_next": rate_of(counts[i + 1], counts[i]) if i + 1 < len(counts) else None,
            "avg_days_in_stage": (int(s["total"] or 0) / int(s["n"]) / 86400) if s and s["n"] else None,
            "open_count": open_n.get(key, 0) if key != "won" else 0, "open_amount_cents": amt,
        })
    return out, half_up(historical)
