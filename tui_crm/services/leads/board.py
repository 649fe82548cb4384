"""The funnel board's questions, all within the acting user's scope.

- :func:`summary`: one GROUP BY over the open leads for every column header
  (count, amount, weighted amount, follow-up-state counts), plus won and
  lost this month (two indexed aggregates).
- :func:`page`: a page of cards of one column in board order, by keyset:
  overdue first (most overdue first), then by next follow-up, then nothing
  planned; ties by amount (largest first), then id. Each segment is read per
  status along an index (``status, next_follow_up_at`` or
  ``status, stage, amount_cents``) and merged, so a page costs about the same
  at any table size and any depth.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import peewee as pw

from ...domain import rules
from ...domain.vocab import WORKING_STATUSES
from ...store.models import Lead, User
from .. import scope
from ..context import Session
from .queries import search_expr, views_for
from ..records import LeadView

OPEN_STATUSES = ("pending", "in_progress", "paused")  # dormant leads are outside the pipeline
OVERDUE_SEG, PLANNED_SEG, NOTHING_SEG = 0, 1, 2


@dataclass
class BoardFilter:
    """What narrows the board (all within access)."""
    text: str = ""
    owner: str | None = None  # login
    team: str | None = None  # team name
    source: str | None = None
    priority: str | None = None
    mine: bool = False
    tag: str | None = None  # leads carrying this tag

    def describe(self) -> list[tuple[str, str]]:
        out = []
        for name in ("text", "owner", "team", "source", "priority", "tag"):
            if getattr(self, name):
                out.append((name, str(getattr(self, name))))
        if self.mine:
            out.append(("mine", ""))
        return out


@dataclass
class ColumnSummary:
    stage: str
    count: int = 0
    amount_cents: int = 0
    weighted_cents: int = 0
    overdue: int = 0
    today: int = 0
    planned: int = 0
    nothing: int = 0


@dataclass
class OutcomeSummary:
    status: str  # won | lost
    count: int = 0
    amount_cents: int = 0


@dataclass
class BoardSummary:
    columns: list[ColumnSummary]
    won: OutcomeSummary
    lost: OutcomeSummary


@dataclass(frozen=True)
class CardKey:
    """A card's place in its column's order (keyset cursor)."""
    seg: int
    due: int
    neg_amount: int
    id: int

    def as_tuple(self) -> tuple:
        return (self.seg, self.due, self.neg_amount, self.id)


@dataclass
class CardPage:
    cards: list[LeadView]
    keys: list[CardKey]
    has_before: bool = False
    has_after: bool = False
    extra: dict = field(default_factory=dict)


# ------------------------------------------------------------------ conditions
def condition(ctx: Session, f: BoardFilter | None) -> pw.Expression:
    """Scope (narrowed by owner/team) plus the board's filters."""
    f = f or BoardFilter()
    expr = scope.narrow(ctx, f.owner or None, f.team or None)
    if f.mine:
        expr &= Lead.owner == ctx.actor.id
    if f.source:
        expr &= Lead.source == f.source
    if f.priority:
        expr &= Lead.priority == f.priority
    if f.tag:
        from .tags import tag_expr

        expr &= tag_expr(f.tag)
    text = search_expr(ctx, f.text) if f.text else None
    if text is not None:
        expr &= text
    return expr


def _bounds(ctx: Session) -> tuple[int, int]:
    now = ctx.now()
    _start, tomorrow = rules.day_bounds(now, ctx.tz)
    return int(now.timestamp()), int(tomorrow.timestamp())


def _num(value) -> int:
    return int(value or 0)


# ------------------------------------------------------------------ headers
def summary(ctx: Session, f: BoardFilter | None = None) -> BoardSummary:
    """Every column header, plus won/lost this month: from the report's summary tables for the board's
    scope (narrowed by owner, team or mine; board_sums), else from one GROUP BY over the open leads."""
    from .board_sums import summed_columns

    f = f or BoardFilter()
    columns = summed_columns(ctx, f, _bounds(ctx), ColumnSummary, row_sums)
    if columns is not None:
        return BoardSummary(columns, summed_outcome(ctx, "won", f), summed_outcome(ctx, "lost", f))
    cond = condition(ctx, f)
    return BoardSummary(row_columns(ctx, cond, _bounds(ctx)), outcome(ctx, "won", f, cond),
                        outcome(ctx, "lost", f, cond))


def summed_outcome(ctx: Session, status: str, f: BoardFilter) -> OutcomeSummary:
    """:func:`outcome` read per part of the scope (board_sums.summed_outcome), the same figures."""
    from .board_sums import summed_outcome as by_parts

    got = by_parts(ctx, f, status, month_start(ctx))
    return outcome(ctx, status, f) if got is None else OutcomeSummary(status, *got)


def row_columns(ctx: Session, cond, bounds: tuple[int, int]) -> list[ColumnSummary]:
    """The column headers of the open leads of ``cond`` from their rows (one GROUP BY)."""
    by_stage = {}
    for stage, n, amt, weighted, od, td, due, nothing in row_sums(ctx, cond, bounds):
        col = ColumnSummary(stage, _num(n), _num(amt), (_num(weighted) + 50) // 100, _num(od), _num(td))
        col.planned = _num(due) - col.overdue - col.today
        col.nothing = _num(nothing)
        by_stage[stage] = col
    return [by_stage.get(k, ColumnSummary(k)) for k in ctx.stage_keys]


def row_sums(ctx: Session, cond, bounds: tuple[int, int]):
    """Per stage: count, amount, weighted amount x 100, overdue, today, planned at all, nothing planned."""
    now_ts, tomorrow_ts = bounds
    keys = ctx.stage_keys
    stage_prob = pw.Case(Lead.stage, [(s.key, s.probability) for s in ctx.stages], 0) if ctx.stages else pw.Value(0)
    prob = pw.fn.COALESCE(Lead.probability, stage_prob)
    amount = pw.fn.COALESCE(Lead.amount_cents, 0)
    working = Lead.status.in_(WORKING_STATUSES)
    has_due = Lead.next_follow_up_at.is_null(False)
    overdue = working & (Lead.next_follow_up_at < now_ts)
    today = working & (Lead.next_follow_up_at >= now_ts) & (Lead.next_follow_up_at < tomorrow_ts)

    def count_if(expr):
        return pw.fn.SUM(pw.Case(None, [(expr, 1)], 0))

    return (Lead.select(Lead.stage, pw.fn.COUNT(Lead.id), pw.fn.SUM(amount), pw.fn.SUM(amount * prob),
                        count_if(overdue), count_if(today), count_if(has_due), count_if(Lead.next_follow_up_at.is_null()))
            .where(cond & Lead.status.in_(OPEN_STATUSES) & Lead.stage.in_(keys))
            .group_by(Lead.stage).tuples())


def month_start(ctx: Session) -> int:
    from datetime import datetime

    local = ctx.now().astimezone(ctx.tz)
    return int(datetime(local.year, local.month, 1, tzinfo=ctx.tz).timestamp())


def outcome(ctx: Session, status: str, f: BoardFilter | None = None, cond: pw.Expression | None = None
            ) -> OutcomeSummary:
    """Won (count, won amount) or lost (count, expected amount) this month, local time."""
    cond = condition(ctx, f) if cond is None else cond
    start = month_start(ctx)
    at = Lead.won_at if status == "won" else Lead.lost_at
    money = Lead.won_amount_cents if status == "won" else Lead.amount_cents
    n, amt = (Lead.select(pw.fn.COUNT(Lead.id), pw.fn.SUM(pw.fn.COALESCE(money, 0)))
              .where(cond & (Lead.status == status) & (at >= start)).tuples().get())
    return OutcomeSummary(status, _num(n), _num(amt))


# ------------------------------------------------------------------ cards
def key_of(ctx: Session, view: LeadView, now_ts: int | None = None) -> CardKey:
    now_ts = now_ts if now_ts is not None else _bounds(ctx)[0]
    due = int(view.next_follow_up_at.timestamp()) if view.next_follow_up_at else None
    if due is None:
        seg = NOTHING_SEG
    elif view.status in WORKING_STATUSES and due < now_ts:
        seg = OVERDUE_SEG
    else:
        seg = PLANNED_SEG
    return CardKey(seg, due or 0, -(view.amount_cents or 0), view.id)


def _segment_query(ctx: Session, cond: pw.Expression, stage: str, seg: int, status: str, now_ts: int,
                   cursor: CardKey | None, forward: bool):
    """Leads of one segment and one status, in (or against) board order, past ``cursor``."""
    due = Lead.next_follow_up_at
    amt = pw.fn.COALESCE(Lead.amount_cents, 0)
    where = cond & (Lead.status == status) & (Lead.stage == stage)
    if seg == OVERDUE_SEG:
        if status not in WORKING_STATUSES:
            return None
        where &= due.is_null(False) & (due < now_ts)
    elif seg == PLANNED_SEG:
        where &= due.is_null(False)
        if status in WORKING_STATUSES:
            where &= due >= now_ts
    else:
        where &= due.is_null()
    if cursor is not None and cursor.seg == seg:
        if forward:
            tail = (amt < -cursor.neg_amount) | ((amt == -cursor.neg_amount) & (Lead.id > cursor.id))
            if seg == NOTHING_SEG:
                where &= tail
            else:
                where &= (due >= cursor.due) & ((due > cursor.due) | ((due == cursor.due) & tail))
        else:
            head = (amt > -cursor.neg_amount) | ((amt == -cursor.neg_amount) & (Lead.id < cursor.id))
            if seg == NOTHING_SEG:
                where &= head
            else:
                where &= (due <= cursor.due) & ((due < cursor.due) | ((due == cursor.due) & head))
    if seg == NOTHING_SEG:
        order = [amt.desc(), Lead.id] if forward else [amt, Lead.id.desc()]
    else:
        order = [due, amt.desc(), Lead.id] if forward else [due.desc(), amt, Lead.id.desc()]
    return Lead.select().where(where).order_by(*order)


def _segment_rows(ctx, cond, stage, seg, status, now_ts, cursor, forward, limit) -> list[dict]:
    q = _segment_query(ctx, cond, stage, seg, status, now_ts, cursor, forward)
    return [] if q is None else list(q.limit(limit).dicts())


def rank(ctx: Session, stage: str, key: CardKey, f: BoardFilter | None = None) -> int:
    """How many cards come before ``key`` in its column (to say "N above" after a jump)."""
    now_ts, _ = _bounds(ctx)
    cond = condition(ctx, f)
    total = 0
    for seg in range(key.seg + 1):
        for status in OPEN_STATUSES:
            q = _segment_query(ctx, cond, stage, seg, status, now_ts, key if seg == key.seg else None, False)
            if q is not None:
                total += q.order_by().count()
    return total


def page(ctx: Session, stage: str, f: BoardFilter | None = None, *, after: CardKey | None = None,
         before: CardKey | None = None, start: CardKey | None = None, limit: int = 10) -> CardPage:
    """Up to ``limit`` cards of ``stage`` in board order.

    ``after``: the cards following that key; ``before``: the cards preceding it
    (returned in board order); ``start``: from that key inclusive (used to show
    a card that just moved in); none: the first page.
    """
    now_ts, _ = _bounds(ctx)
    cond = condition(ctx, f)
    forward = before is None
    cursor = before or after
    if start is not None:
        cursor = CardKey(start.seg, start.due, start.neg_amount, start.id - 1)  # inclusive of start
    segs = [OVERDUE_SEG, PLANNED_SEG, NOTHING_SEG]
    if not forward:
        segs.reverse()
    rows: list[tuple[CardKey, dict]] = []
    for seg in segs:
        if cursor is not None and ((forward and seg < cursor.seg) or (not forward and seg > cursor.seg)):
            continue
        need = limit + 1 - len(rows)
        if need <= 0:
            break
        found = []
        for status in OPEN_STATUSES:
            for r in _segment_rows(ctx, cond, stage, seg, status, now_ts, cursor, forward, need):
                due = r["next_follow_up_at"]
                found.append((CardKey(seg, due or 0, -(r["amount_cents"] or 0), r["id"]), r))
        found.sort(key=lambda kr: kr[0].as_tuple(), reverse=not forward)
        rows.extend(found[:need])
    more = len(rows) > limit
    rows = rows[:limit]
    if not forward:
        rows.reverse()
    views = views_for(ctx, [r for _k, r in rows])  # also clears "stalled" where a later task is planned
    keys = [k for k, _r in rows]
    out = CardPage(views, keys)
    if forward:
        out.has_after = more
        out.has_before = cursor is not None and bool(keys) and _exists(ctx, stage, f, before=keys[0])
    else:
        out.has_before = more
        out.has_after = True
    return out


def _exists(ctx: Session, stage: str, f: BoardFilter | None, *, before: CardKey) -> bool:
    return bool(page(ctx, stage, f, before=before, limit=1).cards)


def owners(ctx: Session) -> list[tuple[str, str]]:
    """(login, name) of the users whose leads the actor may see by owner filter."""
    a = ctx.actor
    q = User.select(User.login, User.name).where(User.active == True)  # noqa: E712
    if not a.is_admin:
        q = q.where((User.team == a.team_id) if (a.is_supervisor and a.team_id) else (User.id == a.id))
    return [(u.login, u.name) for u in q.order_by(User.login)]


def teams(ctx: Session) -> list[str]:
    from ...store.models import Team

    a = ctx.actor
    q = Team.select(Team.name)
    if not a.is_admin:
        if a.team_id is None:
            return []
        q = q.where(Team.id == a.team_id)
    return [t.name for t in q.order_by(Team.name)]
