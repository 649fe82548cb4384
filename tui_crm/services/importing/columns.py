"""Import column mapping: the field of each column, decided per file from all its headers and a sample
of its values, then ``--map COL=FIELD`` overrides.

The mapping never depends on the order of the columns: where several columns want one field the
header's rank decides (then its spelling), not its position. A column of e-mail addresses (or of
``Name (email)`` people, or of phone numbers) is read as such whatever its header says, when the
header alone says nothing more specific. ``Name``-like headers are decided from the other columns:
beside a company and a deal's stage or amount it is the deal's title (the lead's need); beside a
contact column it is the company; else the contact's name.
"""
from __future__ import annotations

from ...i18n import _
from ..context import Session
from ..errors import ValidationError
from .cells import cell_text
from .contacts import column_shape
from .headers import FIELDS, HEADER_INDEX, MULTI, NAME, PERSON, RANK, REVENUE, TITLE, field_for, norm_header, vendor_of
from .read import open_table

__all__ = ["FIELDS", "map_headers", "parse_pairs", "preview", "vendor_of", "SAMPLE_ROWS"]

SAMPLE_ROWS = 200  # rows whose values help decide the mapping
# a column mapped to one of these by its header may still be read by its values
_LOOSE = {None, NAME, PERSON, TITLE, "contact_name", "company", "title", "remarks", "need", "contact_person"}
_DEAL = {"stage", "amount", "expected_close_date", "is_won", "is_closed", "won_at", "lost_at", "probability"}
_CONTACT = {"contact_name", "contact_person"}
_COMPANY = {"company", "company_contact"}
_ACCOUNT_IDS = {"accountid", "account.id", "partnerid/id"}
# where a second phone or e-mail column goes instead of being dropped
_SPILL = {"phone": "other_contact", "email": "other_contact", "contact_name": None}


def parse_pairs(items: list[str], what: str) -> list[tuple[str, str]]:
    out = []
    for item in items or []:
        left, sep, right = item.rpartition("=")
        if not sep or not left.strip():
            raise ValidationError(_("{what} needs COL=VALUE, got: {item}", what=what, item=item))
        out.append((left.strip(), right.strip()))
    return out


def _forced(headers: list[str], overrides: list[str] | None) -> dict[int, str]:
    by_norm: dict[str, int] = {}
    for i, h in enumerate(headers):
        by_norm.setdefault(norm_header(h), i)
        by_norm.setdefault(str(h).strip(), i)
    forced: dict[int, str] = {}
    for col, target in parse_pairs(overrides or [], "--map"):
        idx = by_norm.get(col.strip(), by_norm.get(norm_header(col)))
        if idx is None and col.isdigit() and 1 <= int(col) <= len(headers):
            idx = int(col) - 1
        if idx is None:
            raise ValidationError(_("--map: no column {col} in the file (columns: {cols})", col=col,
                                    cols=", ".join(h for h in headers if h)))
        f = target.strip().lower().replace(" ", "_").replace("-", "_") or "ignore"
        f = f if f in FIELDS else HEADER_INDEX.get(norm_header(target))
        if f is None or f.startswith("?"):
            raise ValidationError(_("--map: unknown field {field} (fields: {fields})", field=target,
                                    fields=", ".join(FIELDS)))
        forced[idx] = f
    return forced


def _by_values(field: str | None, header: str, shape: str | None) -> str | None:
    """A column's field once its values are seen: e-mails are e-mail, ``Name (email)`` a person, phones a
    phone (only where the header did not say otherwise), booleans under ``Won``/``Closed`` flags."""
    if shape == "email" and field in _LOOSE | {"other_contact"}:
        return "email"
    if shape == "person" and field in _LOOSE:
        return "contact_person"
    if shape == "phone" and field in (None, NAME, PERSON, "contact_name"):
        return "phone"
    if field in ("is_won", "is_closed") and shape != "bool":
        return "won_at" if field == "is_won" else "closed_at"
    return field


def _decide(kind: str, header: str, others: set[str], account: bool) -> str | None:
    """The field of an ambiguous header, from the fields of the file's other columns."""
    deal = bool(others & _DEAL)
    company = bool(others & _COMPANY) or account
    contact = bool(others & _CONTACT)
    free_need = "need" not in others
    if kind == REVENUE:  # Odoo's deal value; elsewhere amount × probability beside the amount
        return "ignore" if "amount" in others else "amount"
    if kind == TITLE:
        return "need" if deal and company and free_need else "title"
    if kind == PERSON:
        return ("company" if not company else None) if contact else "contact_name"
    if deal and (company or contact) and free_need:
        return "need"
    if norm_header(header) == norm_header("名称"):
        return "company" if not company else ("need" if free_need else None)
    if contact:
        return "company" if not company else None
    return "contact_name"


def _key(headers: list[str], i: int) -> tuple:
    n = norm_header(headers[i])
    return (RANK.get(n, 0), n, str(headers[i]), i)


def map_headers(headers: list[str], overrides: list[str] | None = None, rows: list[list] | None = None,
                region: str = "CN") -> list[str | None]:
    """The field of each column (None: not read). ``rows`` (a sample of the file's first rows) lets the
    values decide where the header is ambiguous. ``--map COL=FIELD`` wins; FIELD ``ignore`` drops a column
    and hands its field to no other column."""
    forced = _forced(headers, overrides)
    auto: list[str | None] = [field_for(h) for h in headers]
    if rows:
        for i, f in enumerate(auto):
            if i in forced:
                continue
            shape = column_shape([cell_text(r[i]) for r in rows if i < len(r)], region)
            auto[i] = _by_values(f, headers[i], shape)
    account = any(norm_header(h) in _ACCOUNT_IDS for h in headers)
    known = {i: forced.get(i, f) for i, f in enumerate(auto)}
    settled = {f for i, f in known.items() if f and not f.startswith("?")}
    for i, f in enumerate(auto):
        if f and f.startswith("?") and i not in forced:
            auto[i] = _decide(f, headers[i], settled, account)
    # one column per field: forced columns first, then by rank; a column forced to ignore keeps its
    # automatic field from everyone else
    fields: list[str | None] = [forced.get(i, f) for i, f in enumerate(auto)]
    claims: dict[str, list[int]] = {}
    for i, f in enumerate(auto):
        if f and f != "ignore" and f not in MULTI and (i not in forced or forced[i] == "ignore"):
            claims.setdefault(f, []).append(i)
    taken = {f for i, f in forced.items() if f != "ignore" and f not in MULTI}
    for f, cols in claims.items():
        cols = sorted(cols, key=lambda i: _key(headers, i))
        winners = [] if f in taken else cols[:1]
        for i in cols:
            if i in forced or i in winners:
                continue
            spill = _SPILL.get(f)
            fields[i] = spill if spill and spill not in taken else None
    return fields


def samples(rows: list[list], width: int, k: int = 2) -> list[list[str]]:
    """The first ``k`` non-empty values of each column (for the dry run's mapping)."""
    out: list[list[str]] = [[] for _ in range(width)]
    for r in rows:
        for i in range(min(width, len(r))):
            t = cell_text(r[i])
            if t and len(out[i]) < k:
                out[i].append(t)
    return out


def preview(ctx: Session, path: str, fmt: str | None = None, sheet: str | None = None,
            maps: list[str] | None = None, sample: int = 5,
            encoding: str | None = None) -> tuple[list[str], list[str | None], list[list]]:
    """Headers, the detected field of each column, and the first rows (for the import screen; a remote
    session reads no server file)."""
    table = open_table(ctx.host_file(path), fmt, sheet, encoding=encoding)
    try:
        rows = []
        for _line, cells in table.rows:
            rows.append(cells)
            if len(rows) >= SAMPLE_ROWS:
                break
        fields = map_headers(table.headers, maps, rows, ctx.settings.default_region)
    finally:
        table.close()
    return table.headers, fields, rows[:sample]
