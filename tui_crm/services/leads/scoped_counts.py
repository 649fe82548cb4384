"""The list's counts per part of the actor's scope: the owners' own leads (from the report's summary
tables, store/summaries.py, or along one covering index range), then the leads others share with the
actor (their rows). The parts are disjoint and together exactly ``scope.scope_expr``: no import of the
report package, so the list's first screen stays light (tests/test_startup_imports.py).

Overdue and due today (a working lead whose next follow-up is before now, or between now and the user's
midnight) move with the clock: the whole hours come from ``report_due`` and the partial hours at the ends
from the rows (:func:`due_counts`), so the count is exact at any moment and reads at most about two hours
of follow-ups."""
from __future__ import annotations

import peewee as pw

from ...domain.vocab import WORKING_STATUSES
from ...store import summaries
from ...store.models import Lead, LeadShare, User
from ...store.summaries import HOUR
from ...store.summary_ranges import SummaryPart, split_days, summed_rows
from .. import scope
from ..context import Session


def parts(ctx: Session, mine: bool) -> tuple[list[int] | None, pw.Expression | None]:
    """(owners or None for every owner, the shared leads of other owners or None)."""
    actor = ctx.actor
    if actor.is_admin and not mine:
        return None, None
    if mine:
        owners = [actor.id]
    elif actor.is_supervisor and actor.team_id is not None:
        owners = sorted(u.id for u in User.select(User.id).where((User.team == actor.team_id) | (User.id == actor.id)))
    else:
        owners = [actor.id]
    if mine:
        return owners, None
    shared = LeadShare.select(LeadShare.lead).where(LeadShare.user == actor.id)
    if not shared.exists():  # (the planner would walk the clock filter's range checking each id against none)
        return owners, None
    return owners, scope.committed() & Lead.id.in_(shared) & Lead.owner.not_in(owners)


def all_leads(ctx: Session, mine: bool) -> int:
    owners, shared = parts(ctx, mine)
    n = summaries.count(ctx.db, owners)
    return n + (Lead.select().where(shared).count() if shared is not None else 0)


def clock_count(ctx: Session, mine: bool, extra: pw.Expression) -> int:
    owners, shared = parts(ctx, mine)
    own = scope.committed() if owners is None else scope.committed() & Lead.owner.in_(owners)
    n = Lead.select().where(own & extra).count()
    return n + (Lead.select().where(shared & extra).count() if shared is not None else 0)


def stalled_count(ctx: Session, mine: bool) -> int:
    """The list's stalled count of the scope (or of the actor's own leads): the two disjoint ranges of
    ``lead_stall`` (store/plan.py) the rule is, each counted per part of the scope from the index alone (their
    OR is one bitmap scan of the lead rows on PostgreSQL)."""
    from .queries import stalled_parts

    return sum(clock_count(ctx, mine, cond) for cond in stalled_parts(ctx))


def due_counts(ctx: Session, owners: list[int] | None, start: int | None, end: int,
               stages: list[str] | None = None) -> dict[str | None, int]:
    """stage -> the committed working leads of ``owners`` (None: everyone's) whose next follow-up is in
    [start, end) (start None: any time before end): whole hours from ``report_due``, the partial hours
    at the ends from the lead rows. ``stages``: the board's, by stage; None: the list's, where the rows'
    part comes under the key None (their sum is the count)."""
    if owners is not None and not owners:
        return {}
    out: dict[str, int] = {}
    hours, edges = split_days(start, end, HOUR)
    if hours is not None:
        part = SummaryPart(owners, *hours, col="hour")
        for stage, n in summed_rows(ctx.db, part, summaries.DUE.table, "stage, SUM(n)", "stage", "SUM(n) <> 0"):
            out[stage] = out.get(stage, 0) + int(n)
    due = Lead.next_follow_up_at
    own = scope.committed() if owners is None else scope.committed() & Lead.owner.in_(owners)
    own &= Lead.status.in_(WORKING_STATUSES)
    if stages is not None:
        own &= Lead.stage.in_(stages)
    for lo, hi in edges:
        cond = own & (due >= lo) & (due < hi)
        if stages is None:  # the list: one count along (owner_id | status, next_follow_up_at, batch_id)
            out[None] = out.get(None, 0) + Lead.select().where(cond).count()
            continue
        # COUNT(*), not COUNT(id): PostgreSQL reads it from the index alone (id is in no index but the key)
        q = Lead.select(Lead.stage, pw.fn.COUNT(pw.SQL("*"))).where(cond).group_by(Lead.stage)
        if not ctx.is_postgres:  # the covering (stage, status, next_follow_up_at, ..., owner_id, batch_id)
            q = q.from_(pw.SQL('"lead" AS "t1" INDEXED BY "lead_board_column"'))
        for stage, n in q.tuples():
            out[stage] = out.get(stage, 0) + int(n)
    return out


def clock_bounds(ctx: Session, name: str) -> tuple[int | None, int]:
    """The follow-up times of the list's quick filter ``name`` (overdue: before now; today: from now to
    the user's next midnight), as ``filter_expr`` reads them."""
    from ...domain import rules

    now = ctx.now()
    now_ts = int(now.timestamp())
    if name == "overdue":
        return None, now_ts
    return now_ts, int(rules.day_bounds(now, ctx.tz)[1].timestamp())


def due_count(ctx: Session, mine: bool, name: str) -> int:
    """The list's overdue or due-today count of the scope (or of the actor's own leads)."""
    owners, shared = parts(ctx, mine)
    start, end = clock_bounds(ctx, name)
    n = sum(due_counts(ctx, owners, start, end).values())
    if shared is not None:
        due = Lead.next_follow_up_at
        cond = shared & Lead.status.in_(WORKING_STATUSES) & (due < end)
        n += Lead.select().where(cond if start is None else cond & (due >= start)).count()
    return n
