"""The board's column headers from the report's summary tables (store/summaries.py), exact.

Counts, amounts, weighted amounts and "nothing planned" of each column come from ``report_people``
(every day, the owners of the board's scope); the overdue and due-today counts, which move with the
clock, from ``report_due``'s whole hours and the rows of the partial hours at the ends
(:func:`_clock_counts`); the leads others share with the actor, from their rows. A filter the summaries do
not know (a search, source, priority, tag) leaves the headers to ``board.row_columns``.
"""
from __future__ import annotations

from ..context import Session


def split(ctx: Session, f) -> tuple[list[int] | None, list] | None:
    """The board's scope as (owners or None for everyone, the parts of leads others share with the actor),
    or None when the filter needs the rows (a search, source, priority, tag)."""
    from ...store.models import LeadShare
    from ..reports.sql import OwnedPart, scope_parts

    if f.text or f.source or f.priority or f.tag or (f.mine and f.owner and f.owner != ctx.actor.login):
        return None
    owner = ctx.actor.login if f.mine else (f.owner or None)
    if ctx.actor.is_admin and not owner and not f.team:
        return None, []
    parts = scope_parts(ctx, owner, f.team or None)
    owned = [c for c in parts if isinstance(c, OwnedPart)]
    shared = [c for c in parts if not isinstance(c, OwnedPart)]
    if shared and not LeadShare.select().where(LeadShare.user == ctx.actor.id).exists():
        shared = []  # nothing shared with the actor: no query that walks the open leads to find none
    return (owned[0].owners if owned else []), shared


def summed_outcome(ctx: Session, f, status: str, start: int) -> tuple[int, int] | None:
    """Won (count, won amount) or lost (count, expected amount) since ``start``, as ``board.outcome`` gives
    them, one covering range per part of the scope (never the scope's OR, which PostgreSQL plans as a scan of
    every closed lead); None when the filter needs the rows."""
    import peewee as pw

    from ...store.models import Lead
    from ..reports.sql import OwnedPart

    got = split(ctx, f)
    if got is None:
        return None
    owners, shared = got
    at = Lead.won_at if status == "won" else Lead.lost_at
    money = Lead.won_amount_cents if status == "won" else Lead.amount_cents
    n = amt = 0
    for part in ([OwnedPart(owners)] if owners is None or owners else []) + shared:
        # COUNT(*): PostgreSQL reads lead_report_closed / lead_board_lost alone (no heap row for the id)
        c, a = (Lead.select(pw.fn.COUNT(pw.SQL("*")), pw.fn.SUM(pw.fn.COALESCE(money, 0)))
                .where(part & (Lead.status == status) & (at >= start)).tuples().get())
        n, amt = n + int(c or 0), amt + int(a or 0)
    return n, amt


def summed_columns(ctx: Session, f, bounds: tuple[int, int], column, row_sums):
    """The headers as ``board.row_columns`` gives them, or None when the filter needs the rows (``column``:
    board.ColumnSummary, ``row_sums``: board.row_sums, handed in: this module is board's helper)."""
    from ..reports import summed
    from ..reports.sql import SummaryPart

    got = split(ctx, f)
    if got is None:
        return None
    owners, shared = got
    keys = ctx.stage_keys
    cols = {k: column(k) for k in keys}
    weighted = dict.fromkeys(keys, 0)
    due = dict.fromkeys(keys, 0)
    if owners is None or owners:
        for stage, (n, amt, w, d) in summed.open_columns(ctx, SummaryPart(owners, None, None)).items():
            if stage in cols:
                cols[stage].count += n
                cols[stage].amount_cents += amt
                weighted[stage] += w
                due[stage] += d
        _clock_counts(ctx, owners, bounds, cols)
    for part in shared:
        for stage, n, amt, w, od, td, d, _nothing in row_sums(ctx, part, bounds):
            c = cols[stage]
            c.count += int(n or 0)
            c.amount_cents += int(amt or 0)
            c.overdue += int(od or 0)
            c.today += int(td or 0)
            weighted[stage] += int(w or 0)
            due[stage] += int(d or 0)
    for k, c in cols.items():
        c.weighted_cents = (weighted[k] + 50) // 100
        c.planned = due[k] - c.overdue - c.today
        c.nothing = c.count - due[k]
    return [cols[k] for k in keys]


def _clock_counts(ctx: Session, owners: list[int] | None, bounds: tuple[int, int], cols: dict) -> None:
    """Overdue (before now) and due today (from now to the user's midnight) from ``report_due``'s whole
    hours and the rows of the partial hours at the ends (scoped_counts.due_counts)."""
    from .scoped_counts import due_counts

    now_ts, tomorrow_ts = bounds
    for field, start, end in (("overdue", None, now_ts), ("today", now_ts, tomorrow_ts)):
        for stage, n in due_counts(ctx, owners, start, end, list(cols)).items():
            if stage in cols:
                setattr(cols[stage], field, getattr(cols[stage], field) + n)
