"""The saved filter ``invalid`` of the monthly clean-up (seed 003) as SQL: what :mod:`leads.cleanup` marks lost.

An open lead is invalid when it cannot be reached or does not want to be: no phone that is a real number and no
email (a wrong number), the last ``missed_calls_for_lost`` calls in a row unreached (rule 7), or the customer's
latest recorded sentiment is resistant (明确拒绝, refused)."""
from __future__ import annotations

import phonenumbers
import peewee as pw

from ...domain.vocab import CLOSED_STATUSES
from ...store.models import FollowUp, Lead
from .. import scope
from ..context import Session


def real_phone(phone: str | None) -> bool:
    """Whether a stored phone is a number that can be dialled (an import stores an odd one as read)."""
    if not phone:
        return False
    try:
        return phonenumbers.is_valid_number(phonenumbers.parse(phone, None))
    except phonenumbers.NumberParseException:
        return False


def invalid_expr(ctx: Session) -> pw.Expression:
    """The ``invalid`` filter as SQL (within whatever scope the query has)."""
    open_ = Lead.status.not_in(CLOSED_STATUSES)
    latest = FollowUp.select(pw.fn.MAX(FollowUp.at)).where(FollowUp.lead == Lead.id)
    refused = FollowUp.select(FollowUp.id).where((FollowUp.lead == Lead.id) & (FollowUp.sentiment == "resistant")
                                                 & (FollowUp.at == latest))
    # no email and no phone that is a number: the phones are judged here, in Python, on the actor's leads only
    unreachable = [lid for lid, phone in Lead.select(Lead.id, Lead.phone).where(
        open_ & Lead.email.is_null() & scope.scope_expr(ctx.actor)).tuples() if not real_phone(phone)]
    expr = (Lead.missed_calls >= ctx.settings.missed_calls_for_lost) | pw.fn.EXISTS(refused)
    if unreachable:
        expr |= Lead.id.in_(unreachable)
    return open_ & expr
