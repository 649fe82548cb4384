"""Export the leads in the acting user's scope (PRODUCT.md §4), in the layout import reads back.

Headers are the import field names, so ``import`` maps every column by
itself. Times are ISO 8601 with the user's offset, money plain decimals,
probability ``NN%``. Phones and emails the actor sees masked stay masked
(import ignores masked values) unless ``reveal``, which writes one audit
entry per revealed lead.
"""
from __future__ import annotations

import csv
import json
from datetime import datetime, timezone

import peewee as pw

from ..domain.contact import mask_email, mask_phone
from ..store import bulk
from ..store.models import FollowUp, Lead, LeadTag, Tag, User
from . import scope
from .context import Session
from .views import cents_to_str

COLUMNS = ("code", "company", "contact_name", "title", "phone", "email", "other_contact", "source", "industry",
           "company_size", "region", "first_contact_at", "created_at", "need", "pain_points", "budget",
           "decision_maker", "obstacle", "owner", "priority", "tags", "follow_up_days", "stage", "status",
           "stage_entered_at", "amount", "probability", "expected_close_date", "won_amount", "product", "won_at",
           "lost_reason", "lost_at", "wake_up_at", "pause_reason", "stay_reason", "next_action", "remarks",
           "last_contact_at", "contact_method", "contact_summary", "customer_feedback")
TIMES = {"first_contact_at", "created_at", "stage_entered_at", "won_at", "lost_at", "wake_up_at", "last_contact_at"}
CHUNK = 5000


def _iso(ts: int | None, tz) -> str:
    return "" if ts is None else datetime.fromtimestamp(ts, timezone.utc).astimezone(tz).isoformat()


def rows(ctx: Session, reveal: bool = False):
    """Yield one list per lead in scope (keyset pages by id); records reveals when asked."""
    cond = scope.scope_expr(ctx.actor)
    full = scope.full_contact_expr(ctx.actor)
    logins = {u.id: u.login for u in User.select(User.id, User.login)}
    last = 0
    while True:
        page = list(Lead.select(Lead, full.alias("full")).where(cond & (Lead.id > last))
                    .order_by(Lead.id).limit(CHUNK).objects())
        if not page:
            return
        last = page[-1].id
        ids = [p.id for p in page]
        tags: dict[int, list[str]] = {}
        for lid, name in (LeadTag.select(LeadTag.lead, Tag.name).join(Tag).where(LeadTag.lead.in_(ids)).tuples()):
            tags.setdefault(lid, []).append(name)
        latest = (FollowUp.select(FollowUp.lead, pw.fn.MAX(FollowUp.id).alias("fid"))
                  .where(FollowUp.lead.in_(ids)).group_by(FollowUp.lead))
        fus = {f.lead_id: f for f in FollowUp.select().where(FollowUp.id.in_([r.fid for r in latest]))}
        revealed = []
        for p in page:
            masked = not bool(p.full)
            phone, email = p.phone or "", p.email or ""
            if masked and not reveal:
                phone = mask_phone(phone) if phone else ""
                email = mask_email(email) if email else ""
            elif masked and (phone or email):
                revealed.append(p.id)
            f = fus.get(p.id)
            yield [
                p.code, p.company, p.contact_name, p.title or "", phone, email, p.other_contact or "", p.source,
                p.industry or "", p.company_size or "", p.region or "", _iso(p.first_contact_at, ctx.tz),
                _iso(p.created_at, ctx.tz), p.need, p.pain_points or "", p.budget or "", p.decision_maker or "",
                p.obstacle or "", logins.get(p.owner_id, ""), p.priority, ", ".join(sorted(tags.get(p.id, []))),
                "" if p.follow_up_days is None else str(p.follow_up_days), p.stage, p.status,
                _iso(p.stage_entered_at, ctx.tz), cents_to_str(p.amount_cents) or "",
                "" if p.probability is None else f"{p.probability}%", p.expected_close_date or "",
                cents_to_str(p.won_amount_cents) or "", p.product or "", _iso(p.won_at, ctx.tz), p.lost_reason or "",
                _iso(p.lost_at, ctx.tz), _iso(p.wake_up_at, ctx.tz), p.pause_reason or "", p.stay_reason or "",
                p.next_action or "", p.remarks or "",
                _iso(f.at, ctx.tz) if f else "", f.method if f else "", f.summary if f else "",
                (f.customer_words or "") if f else "",
            ]
        if revealed:
            now = int(ctx.now().timestamp())
            with ctx.db.atomic():
                bulk.insert_rows(ctx.db, "change", ("at", "user_id", "entity", "entity_id", "lead_id", "action", "diff"),
                                 [(now, ctx.actor.id, "lead", lid, lid, "reveal", json.dumps({"via": "export"}))
                                  for lid in revealed])


def export(ctx: Session, path: str, fmt: str | None = None, reveal: bool = False) -> int:
    fmt = fmt or ("xlsx" if path.lower().endswith(".xlsx") else "csv")
    n = 0
    if fmt == "xlsx":
        from openpyxl import Workbook

        wb = Workbook(write_only=True)
        ws = wb.create_sheet("leads")
        ws.append(list(COLUMNS))
        for row in rows(ctx, reveal):
            ws.append(row)
            n += 1
        wb.save(path)
        return n
    with open(path, "w", newline="", encoding="utf-8-sig") as fh:
        w = csv.writer(fh)
        w.writerow(COLUMNS)
        for row in rows(ctx, reveal):
            w.writerow(row)
            n += 1
    return n
