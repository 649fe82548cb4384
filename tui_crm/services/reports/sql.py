"""SQL building blocks of the report, and a scope split into parts that read covering indexes.

Rates, exact rounding, range conditions, forced index choice on SQLite, and
:func:`scope_parts` (a non-admin or narrowed scope as disjoint conditions).
"""
from __future__ import annotations

from fractions import Fraction

import peewee as pw

from ...store.models import Lead, LeadShare, User
from ...store.summary_ranges import DAY, SummaryPart, split_days  # noqa: F401 (the report's names)
from .. import scope
from ..context import Session


def rate_of(num, den):
    return None if not den else num / den


def half_up(value: Fraction | int) -> int:
    """Round a non-negative exact amount of cents half up (negative: half away from zero)."""
    value = Fraction(value)
    if value < 0:
        return -half_up(-value)
    return int(value + Fraction(1, 2))


def time_range(col, start: int | None, end: int | None) -> pw.Expression | None:
    expr = None
    if start is not None:
        expr = col >= start
    if end is not None:
        e = col < end
        expr = e if expr is None else expr & e
    return expr


def both(a, b):
    return a if b is None else (b if a is None else a & b)


def sum_if(expr, value):
    return pw.fn.SUM(pw.Case(None, [(expr, value)], 0))


def indexed(ctx: Session, query, model, index: str):
    """On SQLite, read ``model`` through ``index`` (INDEXED BY): with an ``owner_id IN (...)`` list the
    planner, whose statistics may be missing or sampled, otherwise picks a non-covering index and reads
    the table row by row. PostgreSQL plans it well on its own."""
    if ctx.is_postgres:
        return query
    return query.from_(pw.SQL(f'"{model._meta.table_name}" AS "t1" INDEXED BY "{index}"'))


def conditions(cond) -> list:
    """A scope as a list of disjoint conditions (see :func:`scope_parts`); a single one as is."""
    return cond if isinstance(cond, list) else [cond]


class OwnedPart(pw.Expression):
    """The part of a scope that is ``committed & owner_id IN owners`` (``owners`` None: every owner) plus
    the period on creation time: an ordinary condition for the lead queries, which also tells
    :func:`_stays` to read the lead copies on stage_history instead of joining lead row by row."""

    def __init__(self, owners: list[int] | None, start: int | None = None, end: int | None = None):
        self.owners, self.start, self.end = owners, start, end
        expr = scope.committed() if owners is None else scope.committed() & Lead.owner.in_(owners)
        expr = both(expr, time_range(Lead.created_at, start, end))
        super().__init__(expr.lhs, expr.op, expr.rhs)

    @property
    def edge(self) -> bool:
        """A partial day at a period's edge (read along ``lead_created_at``), not a whole period."""
        return self.start is not None and self.end is not None


def summary_parts(ctx: Session, owner: str | None, team: str | None, start: int | None,
                  end: int | None) -> list:
    """The scope and period as a :class:`SummaryPart` for the whole days, an :class:`OwnedPart` for each
    partial day at an edge, and (not an admin) the shared leads of other owners, from their rows."""
    actor = ctx.actor
    if actor is None or (actor.is_admin and not owner and not team):
        owners, shared = None, []
    else:
        got = scope_parts(ctx, owner, team, start, end)
        owned = [c for c in got if isinstance(c, OwnedPart)]
        owners, shared = (owned[0].owners if owned else []), [c for c in got if not isinstance(c, OwnedPart)]
    parts: list = []
    if owners is None or owners:
        days, edges = split_days(start, end)
        if days is not None:
            parts.append(SummaryPart(owners, *days))
        parts += [OwnedPart(owners, s, e) for s, e in edges]
    return parts + shared


def scope_parts(ctx: Session, owner: str | None, team: str | None, start: int | None = None,
                end: int | None = None) -> list:
    """The narrowed scope (``scope.narrow``) of a non-admin or narrowed report as disjoint conditions:
    the leads owned by an explicit, small list of owners (so every query reads its covering index led by
    owner_id, one range per owner) and the leads shared with the actor whose owner is not in that list
    (usually few). Their union is exactly ``scope.narrow(ctx, owner, team)`` (and the period)."""
    actor = ctx.actor
    narrowed = scope.narrow(ctx, owner, team)  # also validates the login and the team name
    if actor.is_admin:
        users = User.select(User.id)
    elif actor.is_supervisor and actor.team_id is not None:
        users = User.select(User.id).where((User.team == actor.team_id) | (User.id == actor.id))
    else:
        users = User.select(User.id).where(User.id == actor.id)
    if owner:
        users = users.where(User.login == owner)
    if team:
        from ..context import team_by_name
        users = users.where(User.team == team_by_name(team).id)
    owners = sorted(u.id for u in users)
    parts: list = [OwnedPart(owners, start, end)] if owners else []
    if not actor.is_admin:
        shared = LeadShare.select(LeadShare.lead).where(LeadShare.user == actor.id)
        parts.append(both(narrowed & Lead.id.in_(shared) & Lead.owner.not_in(owners),
                          time_range(Lead.created_at, start, end)))
    return parts
