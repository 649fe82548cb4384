"""The monthly clean-up of invalid leads (seed 003: 每月末进行一次"无效线索清理"): why a lead is in the saved
filter ``invalid`` (``leads.invalid``), and marking its leads lost as invalid."""
from __future__ import annotations

from ...domain.vocab import CLOSED_STATUSES
from ...i18n import N_, _
from ...store.models import FollowUp, Lead
from .. import scope
from ..context import Session
from .invalid import invalid_expr, real_phone

INVALID_REASON = N_("invalid lead")  # the lost reason the clean-up gives (stored in the actor's language)


def why_invalid(ctx: Session, lead) -> list[str]:
    """The reasons a lead (a row or a view) is in the clean-up, in words."""
    out = []
    if not lead.email and not real_phone(lead.phone):
        out.append(_("no working phone or email"))
    if (lead.missed_calls or 0) >= ctx.settings.missed_calls_for_lost:
        out.append(_("{n} calls in a row unreached", n=lead.missed_calls))
    last = (FollowUp.select(FollowUp.sentiment).where(FollowUp.lead == lead.id)
            .order_by(FollowUp.at.desc(), FollowUp.id.desc()).scalar())
    if last == "resistant":
        out.append(_("the customer refused"))
    return out


def mark_invalid(ctx: Session, codes: list[str | int]) -> list[str]:
    """Mark the given leads lost as invalid (one audited ``lost`` entry each; a stay reason is not asked for:
    the clean-up is the reason). Leads that are closed already are left as they are. Returns the codes marked."""
    from .writes import set_outcome

    reason = _(INVALID_REASON)
    done = []
    for code in codes:
        lead = scope.get_visible(ctx, code)
        if lead.status in CLOSED_STATUSES:
            continue
        set_outcome(ctx, lead.id, "lost", {"lost_reason": reason, "reason": reason})
        done.append(lead.code)
    return done


def clean_up(ctx: Session) -> list[str]:
    """Every invalid lead the actor sees, marked lost as invalid (supervisors and admins)."""
    scope.require_supervisor(ctx.actor)
    ids = [i for (i,) in Lead.select(Lead.id).where(scope.scope_expr(ctx.actor) & invalid_expr(ctx))
           .order_by(Lead.id).tuples()]
    return mark_invalid(ctx, ids)
