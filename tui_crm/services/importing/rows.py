"""One import row to one lead record (pure conversion; no writes).

``RowConverter.convert(line, cells)`` returns ``None`` for a blank row, a tuple of
:class:`Refusal` (every problem of the row, one each) for a row the import refuses, or a
:class:`Record` (with its warnings, if any).
"""
from __future__ import annotations

import datetime as dt
import re

from ...domain.contact import normalize_email
from ...domain.errors import InvalidValue
from ...domain.money import currency_code, looks_decimal_comma, parse_money
from ...domain.parse import parse_datetime, parse_percent
from ...domain.text import clean, has_controls
from ...domain.vocab import METHODS, PRIORITIES, TASK_KINDS, norm_key, resolve
from ...i18n import _
from .build import Record, build
from .cells import (DATETIME_FIELDS, IDENTIFYING, METHOD_ALIASES, TEXT_FIELDS, cell_text, fast_phone,
                    limit_of)
from .contacts import TRUE, emails_in, person, phones_in
from .csvrows import Malformed
from .headers import MULTI, RANK, norm_header
from ..errors import ValidationError
from .phones import phone_note, region_known
from .plans import plan_of
from .refusals import Refusal
from .values import Bad, Values

__all__ = ["Record", "RowConverter", "Bad"]

# combined columns run after the plain ones, so that a plain column's value wins (setdefault)
# the text fields' length limits, looked up once per cell (an import converts ~10 cells a row)
_TEXT_LIMITS = {f: limit_of(f) for f in TEXT_FIELDS}
_LATE = {"company_contact", "contact", "contact_person", "amount_product", "next_plan", "first_name", "last_name"}
_CN_MOBILE = re.compile(r"^\+861[3-9]\d{9}$")
_IDENTIFYING_COLS = {"code", "company", "contact_name", "phone", "email", "company_contact", "contact",
                     "contact_person", "first_name", "last_name"}
_PRIORITY_WORDS = {"hot": "high", "warm": "medium", "cold": "low", "very high": "high", "urgent": "high",
                   "normal": "medium"}


class RowConverter:
    def __init__(self, ctx, headers: list[str], fields: list[str | None], *, stage_map: list[str] | None = None,
                 create_owners: bool = False, create_stages: bool = False, keep_unmapped: bool = False,
                 users: list[tuple] | None = None, region: str | None = None, decimal_comma: bool = False,
                 percent_scale: set[int] | None = None, day_first: bool = False):
        self.ctx = ctx
        self.headers = headers
        self.tz = ctx.tz
        self.now = ctx.now()
        self.now_ts = int(self.now.timestamp())
        self.region = (region or ctx.settings.default_region).upper()
        if not region_known(self.region):
            raise ValidationError(_("unknown phone region {region} (a two-letter country code such as CN, US, GB)",
                                    region=self.region))
        self.decimal_comma, self.day_first = decimal_comma, day_first
        self.percent_cols = percent_scale or set()
        cols = [(i, f, headers[i]) for i, f in enumerate(fields) if f and f != "ignore"]
        self.cols = sorted(cols, key=lambda c: (c[1] in _LATE, c[1] in MULTI,
                                                RANK.get(norm_header(c[2]), 0), norm_header(c[2]), c[0]))
        self.identifying = {h or f"#{i + 1}" for i, f, h in cols if f in _IDENTIFYING_COLS}
        self.order = {(h or f"#{i + 1}"): i for i, h in enumerate(headers)}
        self.unmapped = [(i, headers[i]) for i, f in enumerate(fields) if f is None] if keep_unmapped else []
        self.values = Values(ctx, stage_map=stage_map, create_owners=create_owners, create_stages=create_stages,
                             users=users)
        self.stages = self.values.stages
        self._dates: dict = {}

    # the resolvers' state, read by the run
    @property
    def new_owners(self) -> dict[str, str]:
        return self.values.new_owners

    @property
    def new_sources(self) -> dict[str, str]:
        return self.values.new_sources

    @property
    def user_team(self) -> dict:
        return self.values.user_team

    # ------------------------------------------------------------ readers
    def when(self, value, column: str) -> int:
        hit = self._dates.get(value) if not isinstance(value, (dt.datetime, dt.date)) else None
        if hit is not None:
            return hit
        try:
            ts = int(parse_datetime(value, self.tz, self.now, allow_serial=not isinstance(value, str),
                                    day_first=self.day_first).timestamp())
        except (InvalidValue, ValueError, OverflowError):
            raise Bad(column, value, _("not a date or time")) from None
        if isinstance(value, str) and len(self._dates) < 500_000:
            self._dates[value] = ts
        return ts

    def money(self, value, column: str, v: dict) -> int:
        try:
            cents, cur = parse_money(value, self.decimal_comma)
        except (InvalidValue, ValueError):
            if not self.decimal_comma and looks_decimal_comma(value):
                raise Bad(column, value, _("not an amount (decimal commas? then use --decimal-comma)")) from None
            raise Bad(column, value, _("not an amount")) from None
        if cur:
            self._currency(cur, column, value, v)
        return cents

    def _currency(self, code: str, column: str, value, v: dict) -> None:
        if v.setdefault("currency", code) != code:
            raise Bad(column, value, _("a second currency in one row ({a} and {b})", a=v["currency"], b=code),
                      "currency")

    # ------------------------------------------------------------ a row
    def convert(self, line: int, cells: list) -> Record | tuple[Refusal, ...] | None:
        if cells.__class__ is Malformed:  # a record the reader could not take as written
            column = self._header(cells.index) if cells.index is not None else ""
            return (Refusal(line, column, cells.value, cells.reason),)
        texts = [cell_text(c) for c in cells]
        if has_controls("".join(texts)):  # one scan per row; the rare row with control characters is cleaned
            texts = [clean(t) for t in texts]
        filled = len(texts) - texts.count("")
        if not filled:
            return None
        if filled == 1 and len(self.headers) > 1:
            i = next(i for i, t in enumerate(texts) if t)
            return (Refusal(line, self._header(i), texts[i], _("a single stray value: the row holds nothing else")),)
        return self._convert(line, cells, texts)

    def _header(self, i: int) -> str:
        return self.headers[i] if i < len(self.headers) and self.headers[i] else f"#{i + 1}"

    def _convert(self, line: int, cells: list, texts: list[str]):
        v: dict = {}
        problems: list[Refusal] = []
        notes: list[Refusal] = []
        n = len(cells)
        for i, f, header in self.cols:
            if i >= n or not texts[i]:
                continue
            text = texts[i]
            col = header or f"#{i + 1}"
            try:
                self._cell(f, cells[i], text, col, i, line, v, notes)
            except Bad as bad:
                problems.append(Refusal(line, bad.column, cell_text(bad.value), bad.reason, bad.kind))
        if not any(v.get(k) for k in IDENTIFYING) and not any(p.column in self.identifying for p in problems):
            i = next((i for i, c in enumerate(cells) if cell_text(c)), 0)
            problems.insert(0, Refusal(line, self._header(i), cell_text(cells[i]) if cells else "",
                                       _("nothing identifies a lead (no code, company, contact, phone or email)")))
        if problems:
            return tuple(sorted(problems, key=lambda p: self.order.get(p.column, 0)))
        if self.unmapped:
            extra = [f"{h or '#' + str(i + 1)}: {cell_text(cells[i])}" for i, h in self.unmapped
                     if i < n and cell_text(cells[i])]
            if extra:
                v["remarks"] = "\n".join(([v["remarks"]] if v.get("remarks") else []) + extra)
        try:
            rec = build(self, line, v)
        except Bad as bad:
            return (Refusal(line, bad.column, cell_text(bad.value), bad.reason, bad.kind),)
        rec.notes.extend(notes)
        return rec

    def _cell(self, f: str, c, text: str, col: str, i: int, line: int, v: dict, notes: list) -> None:
        if f in ("phone", "email", "other_contact", "contact", "contact_person") and "**" in text:
            return  # a masked value from an export: nothing to import
        if f == "contact_name" and "@" in text:
            f = "contact_person"  # 'Ken Brown (ken@x.com)', 'Ken <ken@x.com>' in a plain contact column
        limit = _TEXT_LIMITS.get(f)
        if limit is not None:
            if f in MULTI and v.get(f):
                v[f] = f"{v[f]}, {text}" if f in ("other_contact", "tags") else f"{v[f]}\n{text}"
            else:
                v[f] = text
            if len(v[f]) > limit:  # refused, never cut: the row goes to the errors file whole
                raise Bad(col, text, _("longer than {limit} characters", limit=limit))
        elif f in DATETIME_FIELDS:
            v[f] = self.when(c if not isinstance(c, str) else text, col)
        elif f == "phone":
            parts = phones_in(text)
            self._phone(parts[0], col, line, v, notes)
            self._other(v, parts[1:])
        elif f == "email":
            try:
                found = emails_in(text)
            except InvalidValue:
                raise Bad(col, text, _("not an email address")) from None
            v.setdefault("email", found[0])
            self._other(v, found[1:] if v["email"] == found[0] else found)
        elif f == "contact":
            self._contact(text, v, col, line, notes)
        elif f == "contact_person":
            name, mails, rest = person(text)
            if name:
                v.setdefault("contact_name", name[:100])
            try:
                mails = [normalize_email(m) for m in mails]
            except InvalidValue:
                raise Bad(col, text, _("not an email address")) from None
            if mails:
                v.setdefault("email", mails[0])
            self._other(v, [m for m in mails if m != v.get("email")] + rest)
        elif f in ("first_name", "last_name"):
            v[f] = text
        elif f == "company_contact":
            left, sep, right = text.partition("/")
            if not sep:
                left, sep, right = text.partition("／")
            if left.strip():
                v.setdefault("company", left.strip()[:200])
            if right.strip():
                v.setdefault("contact_name", right.strip()[:100])
        elif f == "amount_product":
            left, sep, right = text.partition("/")
            try:
                cents, cur = parse_money(left, self.decimal_comma)
            except InvalidValue:
                if sep:
                    raise Bad(col, text, _("not an amount")) from None
                v["product"] = text[:200]
                return
            v["won_amount"] = cents
            if cur:
                self._currency(cur, col, text, v)
            if right.strip():
                v["product"] = right.strip()[:200]
        elif f in ("amount", "won_amount"):
            if text.isascii() and text.isdigit() and len(text) < 16:  # fast path: plain whole units
                v[f] = int(text) * 100
                return
            v[f] = self.money(c if isinstance(c, (int, float)) else text, col, v)
        elif f == "currency":
            code = currency_code(text)
            if code is None:
                if text.strip() == "-99":  # SuiteCRM's id of the system's default currency
                    return
                raise Bad(col, text, _("not a currency (an ISO code such as CNY, USD, EUR)"), "currency")
            self._currency(code, col, text, v)
        elif f == "probability":
            v["probability"] = self._percent(c, text, col, i)
        elif f == "follow_up_days":
            if not text.isdigit():
                raise Bad(col, text, _("not a whole number of days"))
            v[f] = int(text)
        elif f == "expected_close_date":
            ts = self.when(c if not isinstance(c, str) else text, col)
            v["expected_close_date"] = dt.datetime.fromtimestamp(ts, self.tz).strftime("%Y-%m-%d")
            v["close_ts"] = ts  # the time of day, for a closed lead's won or lost time
        elif f == "next_plan":
            plan_of(text, self.tz, self.now, v)
        elif f == "next_follow_up_kind":
            kind = resolve("kind", text, TASK_KINDS)
            if kind is None:
                raise Bad(col, text, _("unknown task kind ({names})", names=", ".join(TASK_KINDS)))
            v[f] = kind
        elif f in ("is_won", "is_closed"):
            v[f] = text.strip().lower() in TRUE
        elif f == "stage":
            kind, key = self.values.stage_of(text, col, line)
            v["stage" if kind == "stage" else "status"] = key
        elif f == "status":
            kind, key = self.values.status_of(text, col, line)
            if kind == "stage":
                v.setdefault("stage", key)
            else:
                v["status"] = key
        elif f == "priority":
            p = resolve("priority", text, PRIORITIES) or _PRIORITY_WORDS.get(norm_key(text))
            if p is None:
                raise Bad(col, text, _("unknown priority (high, medium, low)"), "priority")
            v["priority"] = p
        elif f == "source":
            v["source"] = self.values.source_of(text, line)
        elif f == "owner":
            v["owner"] = self.values.owner_of(text, col, line)
        elif f == "owner_name":
            v["owner_name"] = text
        elif f == "contact_method":
            m = resolve("method", text, METHODS) or METHOD_ALIASES.get(norm_key(text))
            if m is None:
                raise Bad(col, text, _("unknown follow-up method (phone, visit, email, wechat, meeting)"), "method")
            v["contact_method"] = m

    def _percent(self, c, text: str, col: str, i: int) -> int:
        if text[-1:] == "%" and text[:-1].isascii() and text[:-1].isdigit() and int(text[:-1]) <= 100:
            return int(text[:-1])  # fast path: "65%"
        raw = c if isinstance(c, (int, float)) else text
        try:
            if i in self.percent_cols and text[-1:] != "%":  # a column written in percent: 1 means 1 %
                pct = parse_percent(f"{text}%") * 100
            else:
                pct = parse_percent(raw) * 100
        except (InvalidValue, ValueError):
            raise Bad(col, text, _("not a percentage")) from None
        return int(pct.to_integral_value())

    def _phone(self, text: str, col: str, line: int, v: dict, notes: list) -> None:
        try:
            phone = fast_phone(text, self.region)
        except InvalidValue:
            raise Bad(col, text, _("not a phone number")) from None
        if "phone" in v:
            self._other(v, [phone])
            return
        v["phone"] = phone
        note = None if self.region == "CN" and _CN_MOBILE.match(phone) else phone_note(text, phone, self.region)
        if note:
            notes.append(Refusal(line, col, text, note, "", "warning"))

    def _other(self, v: dict, parts: list[str]) -> None:
        parts = [p for p in parts if p]
        if parts:
            joined = ", ".join(([v["other_contact"]] if v.get("other_contact") else []) + parts)
            v["other_contact"] = joined[:200]

    def _contact(self, text: str, v: dict, col: str, line: int, notes: list) -> None:
        """联系方式: each part by its shape — e-mail, phone, or other contact (WeChat and the like)."""
        parts = [text] + [p.strip() for p in re.split(r"[/,，;；、|]+", text) if p.strip()]
        others = []
        for k, part in enumerate(parts):
            if "@" in part:
                try:
                    mail = normalize_email(part)
                    if "email" in v:
                        others.append(mail)
                    else:
                        v["email"] = mail
                    if k == 0:
                        return
                    continue
                except InvalidValue:
                    pass
            if len(re.sub(r"\D", "", part)) >= 5 and not re.search(r"[A-Za-z\u4e00-\u9fff]{2}", part):
                try:
                    fast_phone(part, self.region)
                    self._phone(part, col, line, v, notes)
                    if k == 0:
                        return
                    continue
                except (InvalidValue, Bad):
                    pass
            if k:
                others.append(part)
        self._other(v, others)
