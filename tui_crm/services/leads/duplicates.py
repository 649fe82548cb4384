"""Possible duplicates of a lead: the same phone or email, or a similar company and contact."""
from __future__ import annotations

from dataclasses import dataclass


from ...domain.similar import is_suspected_duplicate
from ...i18n import _
from ...store.models import Lead
from .. import changes, scope
from ..context import Session


def exact_duplicates(ctx: Session, phone: str | None, email: str | None, exclude: int | None = None) -> list[Lead]:
    cond = None
    if phone:
        cond = Lead.phone == phone
    if email:
        cond = (Lead.email == email) if cond is None else (cond | (Lead.email == email))
    if cond is None:
        return []
    q = Lead.select(Lead.id, Lead.code, Lead.company, Lead.owner, Lead.phone).where(cond & scope.committed())
    if exclude:
        q = q.where(Lead.id != exclude)
    return list(q.limit(5))


def similar_leads(ctx: Session, company: str, contact: str, exclude: int | None = None, limit: int = 5) -> list[Lead]:
    """Leads whose company+contact is ≥90% similar (candidates from the search index)."""
    from .queries import substring_expr

    probe = (company or "").strip()[:6]
    if len(probe) < 2:
        return []
    expr = substring_expr(ctx, probe, in_scope=False)  # a company, never a phone: no contact matching
    q = Lead.select(Lead.id, Lead.code, Lead.company, Lead.contact_name).where(expr & scope.committed())
    if exclude:
        q = q.where(Lead.id != exclude)
    return [lead for lead in q.limit(200)
            if is_suspected_duplicate(company, contact, lead.company, lead.contact_name,
                                      ctx.settings.duplicate_similarity)][:limit]


@dataclass
class Duplicate:
    id: int | None  # None: a lead the actor cannot see (nothing of it is told)
    code: str
    company: str
    reason: str  # "same phone or email" | "similar company and contact" | the unseen lead's line

    @property
    def visible(self) -> bool:
        return self.id is not None


def unseen_reason(phone_matches: bool) -> str:
    """What is said of a duplicate outside the actor's scope: which contact, never its code, company or owner."""
    return (_("a lead you cannot see already has this phone") if phone_matches
            else _("a lead you cannot see already has this email"))


def answers_spent() -> str:
    """What is said, whether or not a lead beyond the actor's scope holds the contact, once the actor has had
    ``changes.DUPLICATE_ANSWERS_PER_HOUR`` answers about such leads this hour."""
    return _("you have had {n} answers this hour about leads you cannot see; try again later, or ask a supervisor",
             n=changes.DUPLICATE_ANSWERS_PER_HOUR)


def split_by_scope(ctx: Session, dups: list[Lead]) -> tuple[list[Lead], list[Lead]]:
    """``dups`` as (those the actor may see, those they may not)."""
    if not dups:
        return [], []
    seen = {i for (i,) in Lead.select(Lead.id).where(Lead.id.in_([d.id for d in dups])
                                                       & scope.scope_expr(ctx.actor)).tuples()}
    return [d for d in dups if d.id in seen], [d for d in dups if d.id not in seen]


def find_duplicates(ctx: Session, phone: str | None, email: str | None, company: str, contact: str,
               exclude: int | None = None) -> list[Duplicate]:
    """Possible duplicates to show before saving: the ones the actor may see (exact first, then suspected),
    then at most one line for those outside their scope (exact ones only; similar ones are not told)."""
    seen, unseen = split_by_scope(ctx, exact_duplicates(ctx, phone, email, exclude))
    out = [Duplicate(d.id, d.code, d.company, "same phone or email") for d in seen]
    ids = {d.id for d in out}
    if company:
        similar = [d for d in similar_leads(ctx, company, contact, exclude) if d.id not in ids]
        visible, _hidden = split_by_scope(ctx, similar)
        out += [Duplicate(d.id, d.code, d.company, "similar company and contact") for d in visible]
    if (phone or email) and changes.unseen_answers_left(ctx) == 0:
        out.append(Duplicate(None, "", "", answers_spent()))  # said with or without such a lead: no oracle
    elif unseen:
        by_phone = bool(phone) and any(d.phone == phone for d in unseen)
        with ctx.db.atomic():
            changes.audit_unseen_duplicate(ctx, "phone" if by_phone else "email", unseen[0].id, "form")
        out.append(Duplicate(None, "", "", unseen_reason(by_phone)))
    return out
