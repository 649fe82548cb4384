"""Export the leads in the acting user's scope, in the layout import reads back.

Headers are the import field names, so ``import`` maps every column by
itself. Times are ISO 8601 with the user's offset, money plain decimals,
probability ``NN%``. Phones and emails the actor sees masked stay masked
(import ignores masked values) unless ``reveal``, which writes one audit
entry per revealed lead. A cell a spreadsheet would run as a formula is written with a leading ``'``.
"""
from __future__ import annotations

import csv
import io
import json
from contextlib import contextmanager
from datetime import datetime, timezone
from typing import BinaryIO, Callable

import peewee as pw

from ..domain.contact import mask_email, mask_other, mask_phone
from ..domain.text import sheet_cell
from ..domain.vocab import OPEN_TASK_STATUSES
from ..files import open_private
from ..i18n import _
from ..store import bulk
from ..store.models import FollowUp, Lead, LeadTag, Tag, Task, User
from . import changes, scope
from .context import Session
from .errors import ValidationError
from .records import cents_to_str

COLUMNS = ("code", "company", "contact_name", "title", "phone", "email", "other_contact", "source", "industry",
           "company_size", "region", "first_contact_at", "created_at", "need", "pain_points", "budget",
           "decision_maker", "obstacle", "owner", "owner_name", "priority", "tags", "follow_up_days", "stage", "status",
           "stage_entered_at", "amount", "currency", "probability", "expected_close_date", "won_amount", "product", "won_at",
           "lost_reason", "lost_at", "wake_up_at", "pause_reason", "stay_reason", "next_action", "remarks",
           "last_contact_at", "contact_method", "contact_summary", "customer_feedback", "next_follow_up_at",
           "next_follow_up_task", "next_follow_up_kind")
FOLLOW_UP_COLUMNS = ("lead_code", "at", "user", "method", "reached", "summary", "customer_words", "reading",
                     "sentiment", "objection", "handling", "next_action", "next_at")
TASK_COLUMNS = ("lead_code", "owner", "kind", "title", "priority", "due_at", "remind_minutes", "status", "result",
                "created_at", "done_at")
TIMES = {"first_contact_at", "created_at", "stage_entered_at", "won_at", "lost_at", "wake_up_at", "last_contact_at",
         "next_follow_up_at"}
CHUNK = 5000


def _iso(ts: int | None, tz) -> str:
    return "" if ts is None else datetime.fromtimestamp(ts, timezone.utc).astimezone(tz).isoformat()


def _logins() -> dict[int, str]:
    return {u.id: u.login for u in User.select(User.id, User.login)}


def _names() -> dict[int, str]:
    return {u.id: u.name for u in User.select(User.id, User.name)}


def _next_tasks(ids: list[int]) -> dict[int, Task]:
    """Each lead's next follow-up: its open task due first (the lead's next_follow_up_at)."""
    out: dict[int, Task] = {}
    for t in (Task.select(Task.lead, Task.kind, Task.title, Task.due_at)
              .where(Task.lead.in_(ids) & Task.status.in_(OPEN_TASK_STATUSES)).order_by(Task.due_at, Task.id)):
        out.setdefault(t.lead_id, t)
    return out


def rows(ctx: Session, reveal: bool = False, logins: dict[int, str] | None = None):
    """Yield one list per lead in scope (keyset pages by id); records reveals when asked."""
    if reveal:
        scope.may_reveal_here(ctx)
    cond = scope.scope_expr(ctx.actor)
    full = scope.full_contact_expr(ctx.actor)
    logins = logins if logins is not None else _logins()
    names = _names()
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
        plans = _next_tasks(ids)
        if reveal:  # audited before one value of the page is handed on: a reader that stops early saw none unaudited
            _audit_reveals(ctx, [p.id for p in page if not p.full and (p.phone or p.email or p.other_contact)])
        for p in page:
            masked = not bool(p.full)
            phone, email, other = p.phone or "", p.email or "", p.other_contact or ""
            if masked and not reveal:
                phone = mask_phone(phone) if phone else ""
                email = mask_email(email) if email else ""
                other = mask_other(other) if other else ""
            f, t = fus.get(p.id), plans.get(p.id)
            # a source the lead lacks is written as missing, not as the default it was stored under
            source = "" if "source" in (p.incomplete or "").split(",") else p.source
            # the last contact without a follow-up of it (an import's "Last Contacted") is still a contact
            contact_at = f.at if f else p.last_activity_at
            yield [
                p.code, p.company, p.contact_name, p.title or "", phone, email, other, source,
                p.industry or "", p.company_size or "", p.region or "", _iso(p.first_contact_at, ctx.tz),
                _iso(p.created_at, ctx.tz), p.need, p.pain_points or "", p.budget or "", p.decision_maker or "",
                p.obstacle or "", logins.get(p.owner_id, ""), names.get(p.owner_id, ""), p.priority, ", ".join(sorted(tags.get(p.id, []))),
                "" if p.follow_up_days is None else str(p.follow_up_days), p.stage, p.status,
                _iso(p.stage_entered_at, ctx.tz), cents_to_str(p.amount_cents) or "", p.currency or "",
                "" if p.probability is None else f"{p.probability}%", p.expected_close_date or "",
                cents_to_str(p.won_amount_cents) or "", p.product or "", _iso(p.won_at, ctx.tz), p.lost_reason or "",
                _iso(p.lost_at, ctx.tz), _iso(p.wake_up_at, ctx.tz), p.pause_reason or "", p.stay_reason or "",
                p.next_action or "", p.remarks or "",
                _iso(contact_at, ctx.tz), f.method if f else "", f.summary if f else "",
                (f.customer_words or "") if f else "", _iso(t.due_at, ctx.tz) if t else "", t.title if t else "",
                t.kind if t else "",
            ]


def _audit_reveals(ctx: Session, lead_ids: list[int]) -> None:
    """One reveal entry per lead, committed before the values are written."""
    if not lead_ids:
        return
    now = int(ctx.now().timestamp())
    with ctx.db.atomic():
        changes.claim_order(ctx)  # the change feed's order, as record() does
        bulk.insert_rows(ctx.db, "change", ("at", "user_id", "entity", "entity_id", "lead_id", "action", "diff"),
                         [(now, ctx.actor.id, "lead", lid, lid, "reveal", json.dumps({"via": "export"}))
                          for lid in lead_ids])


def _activity(ctx: Session, model, columns: tuple[str, ...], logins: dict[int, str]):
    """Follow-ups or tasks of the leads in scope (and, for tasks, the actor's own without a lead), by id;
    each row names its lead by code, as the leads sheet does."""
    person = model.user if model is FollowUp else model.owner
    cond = scope.scope_expr(ctx.actor)
    if model is Task:
        cond = cond | (Task.lead.is_null() & (Task.owner == ctx.actor.id))
    last = 0
    while True:
        page = list(model.select(model, Lead.code.alias("lead_code")).join(Lead, pw.JOIN.LEFT_OUTER)
                    .where(cond & (model.id > last)).order_by(model.id).limit(CHUNK).objects())
        if not page:
            return
        last = page[-1].id
        for r in page:
            out = []
            for col in columns:
                if col == "lead_code":
                    out.append(r.lead_code or "")
                elif col in ("user", "owner"):
                    out.append(logins.get(getattr(r, person.column_name), ""))
                elif col in ("at", "next_at", "due_at", "created_at", "done_at"):
                    out.append(_iso(getattr(r, col), ctx.tz))
                elif col == "reached":
                    out.append("yes" if r.reached else "no")
                else:
                    v = getattr(r, col)
                    out.append("" if v is None else str(v))
            yield out


def export(ctx: Session, target: str | BinaryIO, fmt: str | None = None, reveal: bool = False,
           activity: bool = False, progress: Callable[[int, int], None] | None = None) -> dict[str, int]:
    """Write the leads to the file ``target`` (mode 0600) or to a binary stream (standard output), and
    with ``activity`` their follow-ups and tasks: extra sheets of the XLSX, or ``NAME.follow_ups.csv`` /
    ``NAME.tasks.csv`` beside a CSV file. Returns the row count of each part; ``progress(leads written,
    leads in scope)`` every few thousand leads. A remote session exports to streams only."""
    to_file = isinstance(target, str)
    path = ctx.host_file(target) if to_file else ""
    fmt = fmt or ("xlsx" if path.lower().endswith(".xlsx") else "csv")
    if activity and fmt == "csv" and not to_file:
        raise ValidationError(_("a CSV export with its activity is three files: give a file name, or use "
                                "--format xlsx"))
    total = Lead.select().where(scope.scope_expr(ctx.actor)).count() if progress else 0
    written = 0

    def tick(name: str) -> None:
        nonlocal written
        if name == "leads" and progress:
            written += 1
            if written % 2000 == 0 or written == total:
                progress(written, total)

    logins = _logins()
    parts = [("leads", path, COLUMNS, lambda: rows(ctx, reveal, logins))]
    if activity:
        stem = path[:-4] if path.lower().endswith(".csv") else path
        parts += [("follow_ups", f"{stem}.follow_ups.csv", FOLLOW_UP_COLUMNS,
                   lambda: _activity(ctx, FollowUp, FOLLOW_UP_COLUMNS, logins)),
                  ("tasks", f"{stem}.tasks.csv", TASK_COLUMNS, lambda: _activity(ctx, Task, TASK_COLUMNS, logins))]
    counts: dict[str, int] = {}
    if fmt == "xlsx":
        from openpyxl import Workbook

        wb = Workbook(write_only=True)
        for name, _file, columns, make in parts:
            ws = wb.create_sheet(name)
            ws.append(list(columns))
            counts[name] = 0
            for row in make():
                ws.append([sheet_cell(v) for v in row])
                counts[name] += 1
                tick(name)
        with _output(target, "wb") as out:
            wb.save(out)
        return counts
    for name, file, columns, make in parts:
        counts[name] = 0
        with _output(file if to_file else target, "w") as fh:
            w = csv.writer(fh)
            w.writerow(columns)
            for row in make():
                w.writerow([sheet_cell(v) for v in row])
                counts[name] += 1
                tick(name)
    return counts


@contextmanager
def _output(target: str | BinaryIO, mode: str):
    """A private file by name, or the stream itself (as text for ``w``: UTF-8 with a BOM, which
    spreadsheet programs need to read Chinese, and which import reads back)."""
    if isinstance(target, str):
        with open_private(target, mode, **({"newline": "", "encoding": "utf-8-sig"} if mode == "w" else {})) as fh:
            yield fh
        return
    if mode == "wb":
        yield target
        target.flush()
        return
    text = io.TextIOWrapper(target, encoding="utf-8-sig", newline="", write_through=True)
    try:
        yield text
        text.flush()
    finally:
        text.detach()
