"""The report's figures for whole days, read from the summary tables (store/summaries.py).

Each function answers for one :class:`~.sql.SummaryPart` what the lead-row queries of figures.py and
funnel.py answer for a condition, in the same shapes, so the two kinds of parts simply add up.
"""
from __future__ import annotations

from datetime import datetime

from ...domain.vocab import OPEN_STATUSES
from ...store.models import Lead
from .. import scope
from ..context import Session
from ...store.summary_ranges import summed_rows
from .sql import DAY, SummaryPart


def _rows(ctx: Session, part: SummaryPart, table: str, select: str, group: str, having: str,
          extra: str = "") -> list[tuple]:
    return summed_rows(ctx.db, part, table, select, group, having, extra)


def people(ctx: Session, part: SummaryPart) -> list[dict]:
    """Rows as ``figures._people_query`` gives them: owner, stage, status, stages_seen and the sums."""
    probs = {s.key: s.probability for s in ctx.stages}
    out = []
    for (owner, stage, status, seen, n, won_c, amt, known, noprob, cyc_s, cyc_n) in _rows(
            ctx, part, "report_people",
            "owner_id, stage, status, stages_seen, SUM(leads), SUM(won_cents), SUM(amount_cents), SUM(known_x100), "
            "SUM(noprob_cents), SUM(cycle_s), SUM(cycle_n)", "owner_id, stage, status, stages_seen",
            "SUM(leads) <> 0"):
        n = int(n)
        is_open, is_won = status in OPEN_STATUSES, status == "won"
        out.append({
            "owner_id": owner, "stage": stage, "status": status, "stages_seen": int(seen), "leads": n,
            "open": n if is_open else 0, "won": n if is_won else 0, "lost": n if status == "lost" else 0,
            "dormant": n if status == "dormant" else 0, "won_cents": int(won_c) if is_won else 0,
            "pipeline_cents": int(amt) if is_open else 0,
            "weighted_x100": int(known) + int(noprob) * probs.get(stage, 0) if is_open else 0,
            "cycle_s": int(cyc_s) if is_won else 0, "cycle_n": int(cyc_n) if is_won else 0})
    return out


def open_columns(ctx: Session, part: SummaryPart) -> dict[str, list[int]]:
    """stage -> [leads, amount, weighted x100, with a follow-up planned] of the open leads (the board)."""
    probs = {s.key: s.probability for s in ctx.stages}
    out: dict[str, list[int]] = {}
    for stage, n, amt, known, noprob, due in _rows(
            ctx, part, "report_people", "stage, SUM(leads), SUM(amount_cents), SUM(known_x100), SUM(noprob_cents), "
            "SUM(due_n)", "stage", "SUM(leads) <> 0", " AND status IN ('" + "', '".join(OPEN_STATUSES) + "')"):
        out[stage] = [int(n), int(amt), int(known) + int(noprob) * probs.get(stage, 0), int(due)]
    return out


DIM_SUMS = ("leads", "open", "won", "lost", "dormant", "won_cents", "pipeline_cents", "weighted_x100", "cycle_s",
            "cycle_n")


def dims(ctx: Session, part: SummaryPart) -> list[dict]:
    rows = _rows(ctx, part, "report_dims", "source, industry, " + ", ".join(f"SUM({c})" for c in DIM_SUMS),
                 "source, industry", "SUM(leads) <> 0")
    return [{"source": r[0], "industry": r[1] or None, **{c: int(v) for c, v in zip(DIM_SUMS, r[2:])}}
            for r in rows]


def lost(ctx: Session, part: SummaryPart) -> dict[str, int]:
    return {reason: int(n) for reason, n in _rows(ctx, part, "report_lost", "reason, SUM(n)", "reason",
                                                  "SUM(n) <> 0")}


def stays(ctx: Session, part: SummaryPart) -> dict[str, dict]:
    keys = set(ctx.stage_keys)
    return {stage: {"stage": stage, "total": int(total), "n": int(n)}
            for stage, total, n in _rows(ctx, part, "report_stays", "stage, SUM(total_s), SUM(n)", "stage",
                                         "SUM(n) <> 0") if stage in keys}


def _month(ctx: Session, ts: int) -> str:
    d = datetime.fromtimestamp(ts, ctx.tz)
    return f"{d.year:04d}-{d.month:02d}"


def won_months(ctx: Session, part: SummaryPart, got: dict) -> None:
    """Add to ``got`` (month -> {n, amt}) the won leads of ``part`` by the local month they were won in:
    a UTC day wholly in one local month from the summary, a day holding a month's start from the leads."""
    split = []
    for won_day, n, amt in _rows(ctx, part, "report_won", "won_day, SUM(n), SUM(amount_cents)", "won_day",
                                 "SUM(n) <> 0"):
        first, last = _month(ctx, won_day * DAY), _month(ctx, won_day * DAY + DAY - 1)
        if first != last:
            split.append(int(won_day))
            continue
        acc = got.setdefault(first, {"n": 0, "amt": 0})
        acc["n"] += int(n)
        acc["amt"] += int(amt)
    for won_day in split:
        cond = (scope.committed() & (Lead.status == "won") & (Lead.won_at >= won_day * DAY)
                & (Lead.won_at < (won_day + 1) * DAY))
        if part.owners is not None:
            cond &= Lead.owner.in_(part.owners)
        if part.day_lo is not None:
            cond &= Lead.created_at >= part.day_lo * DAY
        if part.day_hi is not None:
            cond &= Lead.created_at < part.day_hi * DAY
        for at, amount in Lead.select(Lead.won_at, Lead.won_amount_cents).where(cond).tuples():
            acc = got.setdefault(_month(ctx, int(at)), {"n": 0, "amt": 0})
            acc["n"] += 1
            acc["amt"] += int(amount or 0)
