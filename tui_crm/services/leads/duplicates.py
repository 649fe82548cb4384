"""Possible duplicates of a lead: the same phone or email, or a similar company and contact."""
from __future__ import annotations

from dataclasses import dataclass


from ...domain.similar import is_suspected_duplicate
from ...store.models import Lead
from .. import scope
from ..context import Session


def exact_duplicates(ctx: Session, phone: str | None, email: str | None, exclude: int | None = None) -> list[Lead]:
    cond = None
    if phone:
        cond = Lead.phone == phone
    if email:
        cond = (Lead.email == email) if cond is None else (cond | (Lead.email == email))
    if cond is None:
        return []
    q = Lead.select(Lead.id, Lead.code, Lead.company, Lead.owner).where(cond & scope.committed())
    if exclude:
        q = q.where(Lead.id != exclude)
    return list(q.limit(5))


def similar_leads(ctx: Session, company: str, contact: str, exclude: int | None = None, limit: int = 5) -> list[Lead]:
    """Leads whose company+contact is ≥90% similar (candidates from the search index)."""
    from .queries import search_expr

    probe = (company or "").strip()[:6]
    if len(probe) < 2:
        return []
    expr = search_expr(ctx, probe)
    q = Lead.select(Lead.id, Lead.code, Lead.company, Lead.contact_name).where(expr & scope.committed())
    if exclude:
        q = q.where(Lead.id != exclude)
    return [lead for lead in q.limit(200)
            if is_suspected_duplicate(company, contact, lead.company, lead.contact_name,
                                      ctx.settings.duplicate_similarity)][:limit]


@dataclass
class Duplicate:
    id: int
    code: str
    company: str
    reason: str  # "same phone or email" | "similar company and contact"


def find_duplicates(ctx: Session, phone: str | None, email: str | None, company: str, contact: str,
               exclude: int | None = None) -> list[Duplicate]:
    """Possible duplicates to show before saving (exact first, then suspected)."""
    out = [Duplicate(d.id, d.code, d.company, "same phone or email")
           for d in exact_duplicates(ctx, phone, email, exclude)]
    seen = {d.id for d in out}
    if company:
        for d in similar_leads(ctx, company, contact, exclude):
            if d.id not in seen:
                out.append(Duplicate(d.id, d.code, d.company, "similar company and contact"))
    return out
