"""One import row to one lead record (pure conversion; no writes).

``RowConverter.convert(line, cells)`` returns ``None`` for a blank row, a
:class:`Refusal` for a row the import refuses (a missing company, an unreadable value, an unknown owner or stage), or a :class:`Record`.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from ...domain import rules
from ...domain.contact import normalize_email
from ...domain.errors import InvalidValue
from ...domain.parse import parse_amount, parse_datetime, parse_percent
from ...domain.vocab import METHODS, OUTCOMES, PRIORITIES, SOURCES, STATUSES, norm_key, resolve
from ...i18n import _
from .cells import DATETIME_FIELDS, DATE_HEAD, IDENTIFYING, LIMITS, METHOD_ALIASES, TEXT_FIELDS, cell_text, fast_phone
from .columns import parse_pairs
from .refusals import Refusal

@dataclass
class Record:
    line: int
    lead: dict
    owner: int | str  # a user id, or a name to create with --create-owners
    followup: dict | None = None
    plan: tuple[int, str] | None = None  # (due, title) of 下次跟进计划
    new_source: str | None = None
    extra: dict = field(default_factory=dict)


class Bad(Exception):
    def __init__(self, column: str, value, reason: str, kind: str = ""):
        super().__init__(reason)
        self.column, self.value, self.reason, self.kind = column, value, reason, kind


class RowConverter:
    def __init__(self, ctx, headers: list[str], fields: list[str | None], *, stage_map: list[str] | None = None,
                 create_owners: bool = False, keep_unmapped: bool = False, users: list[tuple] | None = None):
        self.ctx = ctx
        self.headers = headers
        self.tz = ctx.tz
        self.now = ctx.now()
        self.now_ts = int(self.now.timestamp())
        self.region = ctx.settings.default_region
        self.cols = [(i, f, headers[i]) for i, f in enumerate(fields) if f and f != "ignore"]
        self.unmapped = [(i, headers[i]) for i, f in enumerate(fields) if f is None] if keep_unmapped else []
        self.create_owners = create_owners
        self.stages = ctx.stage_keys
        self.stage_labels = {s.key: (s.label_en, s.label_zh) for s in ctx.stages}
        self.stage_map = {}
        for value, target in parse_pairs(stage_map or [], _("stage map")):
            self.stage_map[norm_key(value)] = self._stage_target(target)
        self.source_labels = dict(SOURCES)
        self.source_labels.update(ctx.sources)
        self.users = {}
        self.user_team = {}
        for uid, login, name, team_id, active in users or []:
            self.users.setdefault(norm_key(login), uid)
            self.users.setdefault(norm_key(name), uid)
            self.user_team[uid] = team_id
        self.new_owners: dict[str, str] = {}  # norm -> name as written
        self.new_sources: dict[str, str] = {}
        self._dates: dict = {}
        self._cache: dict = {}

    # ------------------------------------------------------------ resolvers
    def _stage_target(self, target: str) -> tuple[str, str]:
        t = norm_key(target)
        key = resolve("stage", target, self.stage_labels)
        if key:
            return ("stage", key)
        st = resolve("status", target, STATUSES)
        if st and t:
            return ("status", st)
        from ..errors import ValidationError

        raise ValidationError(_("stage map: unknown stage {value} (stages: {stages})", value=target,
                                stages=", ".join(self.stages)))

    def stage_of(self, text: str, column: str) -> tuple[str, str]:
        ck = ("stage", text)
        hit = self._cache.get(ck)
        if hit is None:
            n = norm_key(text)
            hit = self.stage_map.get(n)
            if hit is None:
                key = resolve("stage", text, self.stage_labels)
                if key:
                    hit = ("stage", key)
                else:
                    st = resolve("status", text, STATUSES) or resolve("status", text, OUTCOMES)
                    hit = ("status", st) if st else ("?", "")
            self._cache[ck] = hit
        if hit[0] == "?":
            raise Bad(column, text, _("unknown stage (stages: {stages}; or map this value to one of them)",
                                      stages=", ".join(self.stages)), "stage")
        return hit

    def owner_of(self, text: str, column: str) -> int | str:
        n = norm_key(text)
        uid = self.users.get(n)
        if uid is not None:
            return uid
        if not self.create_owners:
            raise Bad(column, text, _("unknown owner (add the user, or create missing owners)"), "owner")
        self.new_owners.setdefault(n, text.strip())
        return text.strip()

    def source_of(self, text: str) -> str:
        ck = ("source", text)
        key = self._cache.get(ck)
        if key is None:
            key = resolve("source", text, self.source_labels)
            if key is None:
                key = text.strip()[:64]
                self.new_sources[key] = key
                self.source_labels[key] = (key, key)
            self._cache[ck] = key
        return key

    def when(self, value, column: str) -> int:
        hit = self._dates.get(value) if not isinstance(value, (dt.datetime, dt.date)) else None
        if hit is not None:
            return hit
        try:
            ts = int(parse_datetime(value, self.tz, self.now, allow_serial=not isinstance(value, str)).timestamp())
        except (InvalidValue, ValueError, OverflowError):
            raise Bad(column, value, _("not a date or time")) from None
        if isinstance(value, str) and len(self._dates) < 500_000:
            self._dates[value] = ts
        return ts

    def day(self, value, column: str) -> str:
        ts = self.when(value, column)
        return dt.datetime.fromtimestamp(ts, self.tz).strftime("%Y-%m-%d")

    def money(self, value, column: str) -> int:
        try:
            return parse_amount(value)
        except (InvalidValue, ValueError):
            raise Bad(column, value, _("not an amount")) from None

    # ------------------------------------------------------------ a row
    def convert(self, line: int, cells: list) -> Record | Refusal | None:
        texts = [cell_text(c) for c in cells]
        filled = len(texts) - texts.count("")
        if not filled:
            return None
        if filled == 1 and len(self.headers) > 1:
            i = next(i for i, t in enumerate(texts) if t)
            return Refusal(line, self._header(i), texts[i], _("a single stray value: the row holds nothing else"))
        try:
            return self._convert(line, cells, texts)
        except Bad as bad:
            return Refusal(line, bad.column, cell_text(bad.value), bad.reason, bad.kind)

    def _header(self, i: int) -> str:
        return self.headers[i] if i < len(self.headers) and self.headers[i] else f"#{i + 1}"

    def _convert(self, line: int, cells: list, texts: list[str]) -> Record:
        v: dict = {}
        raw: dict = {}
        n = len(cells)
        for i, f, header in self.cols:
            if i >= n:
                continue
            text = texts[i]
            if not text:
                continue
            c = cells[i]
            col = header or f"#{i + 1}"
            if f in ("phone", "email") and "**" in text:
                continue  # a masked value from an export: nothing to import
            raw[f] = (col, c)
            if f in TEXT_FIELDS:
                v[f] = text[:LIMITS[f]] if f in LIMITS else text
            elif f in DATETIME_FIELDS:
                v[f] = self.when(c if not isinstance(c, str) else text, col)
            elif f == "phone":
                try:
                    v["phone"] = fast_phone(text, self.region)
                except InvalidValue:
                    raise Bad(col, text, _("not a phone number")) from None
            elif f == "email":
                try:
                    v["email"] = normalize_email(text)
                except InvalidValue:
                    raise Bad(col, text, _("not an email address")) from None
            elif f == "contact":
                self._contact(text, v, col)
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
                    v["won_amount"] = parse_amount(left)
                    if right.strip():
                        v["product"] = right.strip()[:200]
                except InvalidValue:
                    if sep:
                        raise Bad(col, text, _("not an amount")) from None
                    v["product"] = text[:200]
            elif f in ("amount", "won_amount"):
                if text.isascii() and text.isdigit() and len(text) < 16:  # fast path: plain whole yuan
                    v[f] = int(text) * 100
                    continue
                v[f] = self.money(c if isinstance(c, (int, float)) else text, col)
            elif f == "probability":
                if text[-1:] == "%" and text[:-1].isascii() and text[:-1].isdigit() and int(text[:-1]) <= 100:
                    v["probability"] = int(text[:-1])  # fast path: "65%"
                    continue
                try:
                    pct = parse_percent(c if isinstance(c, (int, float)) else text) * 100
                except (InvalidValue, ValueError):
                    raise Bad(col, text, _("not a percentage")) from None
                v["probability"] = int(pct.to_integral_value())
            elif f == "follow_up_days":
                if not text.isdigit():
                    raise Bad(col, text, _("not a whole number of days"))
                v[f] = int(text)
            elif f == "expected_close_date":
                v[f] = self.day(c if not isinstance(c, str) else text, col)
            elif f == "next_plan":
                self._plan(text, v, col)
            elif f == "stage":
                kind, key = self.stage_of(text, col)
                v["stage" if kind == "stage" else "status"] = key
            elif f == "status":
                st = resolve("status", text, STATUSES)
                if st is None:
                    kind, key = self.stage_of(text, col)
                    if kind == "stage":
                        v.setdefault("stage", key)
                    else:
                        st = key
                if st:
                    v["status"] = st
            elif f == "priority":
                p = resolve("priority", text, PRIORITIES)
                if p is None:
                    raise Bad(col, text, _("unknown priority (high, medium, low)"))
                v["priority"] = p
            elif f == "source":
                v["source"] = self.source_of(text)
            elif f == "owner":
                v["owner"] = self.owner_of(text, col)
            elif f == "contact_method":
                m = resolve("method", text, METHODS) or METHOD_ALIASES.get(norm_key(text))
                if m is None:
                    raise Bad(col, text, _("unknown follow-up method (phone, visit, email, wechat, meeting)"))
                v["contact_method"] = m
        if not any(v.get(k) for k in IDENTIFYING):
            i = next((i for i, c in enumerate(cells) if cell_text(c)), 0)
            return Refusal(line, self._header(i), cell_text(cells[i]) if cells else "",
                           _("nothing identifies a lead (no code, company, contact, phone or email)"))
        if self.unmapped:
            extra = [f"{h or '#' + str(i + 1)}: {cell_text(cells[i])}" for i, h in self.unmapped
                     if i < n and cell_text(cells[i])]
            if extra:
                v["remarks"] = "\n".join(([v["remarks"]] if v.get("remarks") else []) + extra)
        return self._build(line, v)

    def _contact(self, text: str, v: dict, col: str) -> None:
        parts = [text] + [p.strip() for p in re.split(r"[/,，;；、|]+", text) if p.strip()]
        others = []
        for k, part in enumerate(parts):
            if "@" in part and "phone" != part:
                try:
                    v.setdefault("email", normalize_email(part))
                    if k == 0:
                        return
                    continue
                except InvalidValue:
                    pass
            if len(re.sub(r"\D", "", part)) >= 5 and not re.search(r"[A-Za-z\u4e00-\u9fff]{2}", part):
                try:
                    v.setdefault("phone", fast_phone(part, self.region))
                    if k == 0:
                        return
                    continue
                except InvalidValue:
                    pass
            if k:
                others.append(part)
        if others:
            v.setdefault("other_contact", ", ".join(others)[:200])

    def _plan(self, text: str, v: dict, col: str) -> None:
        m = DATE_HEAD.match(text)
        due = None
        rest = text
        if m:
            try:
                due = int(parse_datetime(m.group(1), self.tz, self.now).timestamp())
                rest = text[m.end():]
            except InvalidValue:
                due = None
        else:
            head, _sep, tail = text.partition(" ")
            try:
                due = int(parse_datetime(head, self.tz, self.now).timestamp())
                rest = tail
            except InvalidValue:
                due = None
        rest = rest.strip(" ,，:：;；-—")
        if due is not None:
            v["next_follow_up_at"] = due
        if rest:
            v.setdefault("next_action", rest)

    # ------------------------------------------------------------ the lead
    def _build(self, line: int, v: dict) -> Record:
        now = self.now_ts
        status = v.get("status")
        stage = v.get("stage")
        contacted = bool(v.get("last_contact_at") or v.get("first_contact_at") or v.get("contact_summary"))
        if status is None:
            status = "in_progress" if contacted or (stage and self.stages.index(stage) > 0) else "pending"
        if stage is None:
            stage = self.stages[-1] if status == "won" else self.stages[0]
        closed_at = v.get("closed_at")
        if status in ("won", "lost") and closed_at is None and v.get("expected_close_date"):
            closed_at = self.when(v["expected_close_date"], "expected_close_date")
        won_at = v.get("won_at") or (closed_at if status == "won" else None)
        lost_at = v.get("lost_at") or (closed_at if status == "lost" else None)
        end = won_at or lost_at
        first = v.get("first_contact_at")
        created = v.get("created_at") or first or v.get("last_contact_at") or now
        candidates = [t for t in (created, first, v.get("stage_entered_at"), end) if t]
        created = min(candidates)
        entered = v.get("stage_entered_at") or created
        last_act = max([t for t in (first, v.get("last_contact_at")) if t], default=None)
        won_amount = v.get("won_amount")
        if status == "won" and won_amount is None:
            won_amount = v.get("amount")
        amount = v.get("amount")
        owner = v.get("owner")
        lead = {
            "code": v.get("code"), "company": v.get("company", ""), "contact_name": v.get("contact_name", ""),
            "title": v.get("title"), "phone": v.get("phone"), "email": v.get("email"),
            "other_contact": v.get("other_contact"), "source": v.get("source", "other"),
            "industry": v.get("industry"), "company_size": v.get("company_size"), "region": v.get("region"),
            "first_contact_at": first, "need": v.get("need", ""), "pain_points": v.get("pain_points"),
            "budget": v.get("budget"), "decision_maker": v.get("decision_maker"), "obstacle": v.get("obstacle"),
            "priority": v.get("priority", "medium"), "follow_up_days": v.get("follow_up_days"),
            "amount_cents": amount, "probability": v.get("probability"),
            "expected_close_date": v.get("expected_close_date"), "stage": stage, "status": status,
            "stage_entered_at": entered, "last_activity_at": last_act, "stay_reason": v.get("stay_reason"),
            "remarks": v.get("remarks"), "next_action": v.get("next_action"),
            "won_amount_cents": won_amount if status == "won" else None,
            "product": v.get("product"), "won_at": won_at, "lost_reason": v.get("lost_reason"),
            "lost_at": lost_at, "wake_up_at": v.get("wake_up_at"), "pause_reason": v.get("pause_reason"),
            "created_at": created,
        }
        missing = rules.missing_required({**lead, "owner": True, "source": v.get("source"),
                                          "won_at": won_at})
        lead["incomplete"] = ",".join(missing)
        fu = None
        if v.get("last_contact_at") or v.get("contact_summary") or v.get("contact_method") \
                or v.get("customer_feedback"):
            fu = {"at": v.get("last_contact_at") or first or created, "method": v.get("contact_method", "phone"),
                  "summary": v.get("contact_summary", ""), "customer_words": v.get("customer_feedback")}
        plan = None
        if v.get("next_follow_up_at"):
            plan = (v["next_follow_up_at"], (v.get("next_action") or _("Follow up"))[:200])
        rec = Record(line, lead, owner if owner is not None else self.ctx.actor.id, fu, plan)
        rec.extra["tags"] = v.get("tags")
        rec.extra["contacted"] = contacted
        return rec
