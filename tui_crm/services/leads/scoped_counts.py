"""The list's counts per part of the actor's scope: the owners' own leads (from the report's summary
tables, store/summaries.py, or along one covering index range), then the leads others share with the
actor (their rows). The parts are disjoint and together exactly ``scope.scope_expr``: no import of the
report package, so the list's first screen stays light (tests/test_startup_imports.py)."""
from __future__ import annotations

import peewee as pw

from ...store import summaries
from ...store.models import Lead, LeadShare, User
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
