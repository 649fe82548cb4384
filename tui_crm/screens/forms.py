"""Forms: new lead, edit, follow-up, outcomes, stay reason, reassign (built on form_base; task forms: task_forms).

Every form: ``tab``/``shift+tab`` between fields, ``ctrl+s`` saves, ``escape``
cancels (asking first if something was typed). Values are checked in words,
field by field, before anything is written; the write runs on the database
thread; a refused write keeps what was typed. The lead form is dismissed with the
saved ``LeadView``, None, or an ``OpenLead`` (ctrl+o on a possible duplicate).
"""
from __future__ import annotations

from datetime import timedelta

from textual.binding import Binding
from textual.widgets import Static

from ..domain import limits, rules
from ..domain.contact import normalize_email, normalize_phone
from ..domain.errors import InvalidValue
from ..domain.parse import format_amount, parse_amount, parse_date
from ..domain.vocab import LEAD_FIELDS, METHODS, PRIORITIES, SENTIMENTS, SOURCES
from ..i18n import _, pgettext
from ..services import activity, leads
from ..services.context import settings_for_team
from .form_base import (KEEP_OPEN, NO, YES, Field, FormScreen, choice_hint, follow_reached, read_choice, read_when,
                        when_text)
from .messages import OpenLead
from .picklists import lost_reason_field, read_lost_reason


# ------------------------------------------------------------------ follow-up
class FollowUpForm(FormScreen):
    LIMITS = limits.FOLLOW_UP
    TITLE = "Log a follow-up"
    FOCUS = "summary"

    def __init__(self, ctx, lead, method: str = "phone"):
        self.lead = lead
        self.method = method
        super().__init__(ctx)

    def title_text(self) -> str:
        return _("Log a follow-up: {code} {company}", code=self.lead.code, company=self.lead.company)

    def make_fields(self) -> list[Field]:
        ctx, lead = self.ctx, self.lead
        now = ctx.now()
        status = "in_progress" if lead.status == "pending" else lead.status
        team = settings_for_team(ctx, lead.owner_team_id, read=False)  # the team's cadence (§8), as last read
        self._proposals = {ok: when_text(ctx, activity.proposed_next(ctx, now, lead.stage, status,
                                                                     lead.follow_up_days, ok, settings=team))
                           for ok in (True, False)}
        nxt = rules.next_follow_up(now, lead.stage, status, lead.follow_up_days, team)
        return [
            Field("method", _("method"), self.method, choice_hint(METHODS), METHODS),
            Field("summary", _("summary"), "", _("what was said, in a line")),
            Field("reached", pgettext("follow-up", "reached"), _("yes"), _("yes / no")),
            Field("at", _("time"), when_text(ctx, now)),
            Field("next_at", _("next follow-up"), when_text(ctx, nxt), _("date and time, +3d, tomorrow")),
            Field("next_action", _("next action"), ""),
            Field("customer_words", _("customer's words"), ""),
            Field("reading", _("your reading"), ""),
            Field("sentiment", _("sentiment"), "", choice_hint(SENTIMENTS), SENTIMENTS),
            Field("objection", _("objection"), ""),
            Field("handling", _("handled by"), ""),
        ]

    def on_input_changed(self, event) -> None:
        super().on_input_changed(event)
        follow_reached(self, event, self._proposals)  # not reached: the proposed next call is the retry

    def check(self, v):
        errors: dict[str, str] = {}
        out = dict(v)
        out["method"] = read_choice("method", v["method"], METHODS, errors, "method")
        if not v["summary"]:
            errors["summary"] = _("required: what was said")
        low = v["reached"].lower()
        if low in YES or low == _("yes").lower():
            out["reached"] = True
        elif low in NO or low == _("no").lower():
            out["reached"] = False
        else:
            errors["reached"] = _("yes or no")
        out["at"] = self.when(v, "at", errors) or self.ctx.now()
        out["next_at"] = read_when(self.ctx, v["next_at"], errors, "next_at")
        if out["next_at"] is not None and "at" not in errors and out["next_at"] <= out["at"]:
            errors["next_at"] = _("must be after the time of this follow-up")
        out["sentiment"] = read_choice("sentiment", v["sentiment"], SENTIMENTS, errors, "sentiment", required=False)
        return out, errors

    async def save(self, c):
        data = activity.FollowUpInput(
            method=c["method"], summary=c["summary"], reached=c["reached"], at=c["at"], sentiment=c["sentiment"],
            customer_words=c["customer_words"] or None, reading=c["reading"] or None,
            objection=c["objection"] or None, handling=c["handling"] or None,
            next_action=c["next_action"] or None, next_at=c["next_at"])
        await self.app.write(activity.log_followup, self.ctx, self.lead.id, data)
        self.app.notify(_("follow-up logged for {code}", code=self.lead.code))
        return True


# ------------------------------------------------------------------ new / edit lead
class LeadForm(FormScreen):
    """``lead`` None: a new lead; else edit it (optimistic locking on its version)."""
    LIMITS = limits.LEAD

    def __init__(self, ctx, lead):
        self.lead = lead
        self._dup_shown: list = []
        super().__init__(ctx)

    def title_text(self) -> str:
        if self.lead is None:
            return _("New lead")
        return _("Edit {code} {company}", code=self.lead.code, company=self.lead.company)

    def make_fields(self) -> list[Field]:
        lead = self.lead
        fields = []
        labels = self.ctx.active_sources(keep=lead.source if lead is not None else None) or dict(SOURCES)
        for name, title in LEAD_FIELDS:
            value = ""
            if lead is not None:
                if name == "amount":
                    value = format_amount(lead.amount_cents) if lead.amount_cents is not None else ""
                else:
                    raw = getattr(lead, name, None)
                    value = "" if raw is None else str(raw)
                if name in ("phone", "email") and lead.masked:
                    value = ""
            elif name == "priority":
                value = "medium"
            f = Field(name, _(title), value)
            if name == "source":
                f.choices, f.hint = labels, choice_hint(labels)
            if name == "priority":
                f.choices, f.hint = PRIORITIES, choice_hint(PRIORITIES)
            if name == "amount":
                f.hint = _("e.g. 80000, ¥80,000, 8万")
            if name == "phone":
                f.hint = _("hidden: type a new one to replace it") if lead is not None and lead.masked else ""
            fields.append(f)
        if lead is not None:
            fields.append(Field("stay_reason", _("stay reason"), lead.stay_reason or ""))
            if lead.escalated or lead.escalation_note:  # rule 2: the rep records why it was not contacted in time
                f = Field("escalation_note", _("escalation note"), lead.escalation_note or "")
                f.hint = _("why it was not contacted in time")
                fields.append(f)
        return fields

    def check(self, v):
        errors: dict[str, str] = {}
        out: dict = {}
        region = self.ctx.settings.default_region
        for name, value in v.items():
            out[name] = value or None
        if self.lead is None or "company" in v:
            if not v["company"] and not v["contact_name"]:
                errors["company"] = _("a company or a contact name is required")
        if not v["need"]:
            errors["need"] = _("required: what the customer needs, e.g. 10 servers next quarter")
        if v["phone"]:
            try:
                out["phone"] = normalize_phone(v["phone"], region)
            except InvalidValue:
                errors["phone"] = _("not a phone number: {value}", value=v["phone"])
        if v["email"]:
            try:
                out["email"] = normalize_email(v["email"])
            except InvalidValue:
                errors["email"] = _("not an email address: {value}", value=v["email"])
        masked_kept = self.lead is not None and self.lead.masked
        if not (v["phone"] or v["email"] or v["other_contact"]) and not masked_kept:
            errors["phone"] = _("give at least one way to reach the contact: phone, email or other")
        if not v["source"]:
            errors["source"] = _("required")
        else:
            out["source"] = read_choice("source", v["source"], {**SOURCES, **self.ctx.sources}, errors, "source") \
                or v["source"]
            errors.pop("source", None)  # a new source is allowed (added to the list)
        out["priority"] = read_choice("priority", v["priority"] or "medium", PRIORITIES, errors, "priority")
        if v["amount"]:
            try:
                out["amount_cents"] = parse_amount(v["amount"])
            except InvalidValue:
                errors["amount"] = _("not an amount: {value} (e.g. 80000, ¥80,000, 8万)", value=v["amount"])
        else:
            out["amount_cents"] = None
        out.pop("amount", None)
        if v["follow_up_days"]:
            if not v["follow_up_days"].isdigit() or int(v["follow_up_days"]) < 1:
                errors["follow_up_days"] = _("a whole number of days, 1 or more")
            else:
                out["follow_up_days"] = int(v["follow_up_days"])
        if v["expected_close_date"]:
            try:
                out["expected_close_date"] = parse_date(v["expected_close_date"],
                                                         self.ctx.now().astimezone(self.ctx.tz)).isoformat()
            except InvalidValue:
                errors["expected_close_date"] = _("not a date: {value} (e.g. 2024-12-31, 2024年12月31日)",
                                                   value=v["expected_close_date"])
        return out, errors

    def _changes(self, c: dict) -> dict:
        lead = self.lead
        out = {}
        for k, v in c.items():
            if k in ("phone", "email") and lead.masked and not v:
                continue
            old = getattr(lead, k, None)
            if (old or None) != (v if v not in ("",) else None):
                out[k] = v
        return out

    async def save(self, c):
        lead = self.lead
        phone, email = c.get("phone"), c.get("email")
        check_dups = lead is None or (phone and phone != lead.phone) or (email and email != lead.email)
        if check_dups and not self._dup_shown:
            dups = await self.app.db(leads.find_duplicates, self.ctx, phone, email, c.get("company") or "",
                                     c.get("contact_name") or "", lead.id if lead else None)
            if dups:
                self._dup_shown = dups
                # a lead outside the user's scope is told by its reason alone: no code, company or owner
                lines = [_("possible duplicate: {code} {company} ({why})", code=d.code, company=d.company,
                           why=_(d.reason)) if d.visible else d.reason for d in dups[:3]]
                first = next((d for d in dups if d.visible), None)
                lines.append(_("ctrl+o opens {code} · ctrl+s saves anyway", code=first.code) if first
                             else _("ctrl+s saves anyway"))
                self.query_one("#form-error", Static).update("\n".join(lines))
                return KEEP_OPEN
        if lead is None:
            values = {k: v for k, v in c.items() if v not in (None, "") and k != "stay_reason"}
            view = await self.app.write(leads.add_lead, self.ctx, values,
                                        allow_duplicate=bool(self._dup_shown))
            self.app.notify(_("lead {code} created", code=view.code))
            return view
        changes = self._changes(c)
        if not changes:
            return None
        view = await self.app.write(leads.update_lead, self.ctx, lead.id, changes, lead.version)
        self.app.notify(_("{code} saved", code=view.code))
        return view

    BINDINGS = FormScreen.BINDINGS + [Binding("ctrl+o", "open_duplicate", _("Open duplicate"), id="form.dup")]

    def action_open_duplicate(self) -> None:
        """ctrl+o: leave the form with an ``OpenLead`` for the duplicate (the caller passes it on)."""
        first = next((d for d in self._dup_shown if d.visible), None)
        if first is not None:
            self.dismiss(OpenLead(first.id))


# ------------------------------------------------------------------ outcomes
class OutcomeForm(FormScreen):
    """won: amount, product, time · lost: reason, time · dormant: wake-up date · paused: reason."""
    LIMITS = limits.OUTCOME

    def __init__(self, ctx, lead, status: str):
        self.lead, self.status = lead, status
        super().__init__(ctx)

    def title_text(self) -> str:
        code, company = self.lead.code, self.lead.company  # one message per title: zh writes its own colon (：)
        names = {"won": _("Mark won: {code} {company}", code=code, company=company),
                 "lost": _("Mark lost: {code} {company}", code=code, company=company),
                 "dormant": _("Make dormant: {code} {company}", code=code, company=company),
                 "paused": _("Pause: {code} {company}", code=code, company=company),
                 "in_progress": _("Reopen: {code} {company}", code=code, company=company)}
        return names.get(self.status) or f"{self.status} {code} {company}"

    def make_fields(self) -> list[Field]:
        ctx, lead = self.ctx, self.lead
        now = when_text(ctx, ctx.now())
        out = {
            "won": [Field("won_amount", _("amount won"), format_amount(lead.amount_cents) if lead.amount_cents else "",
                          _("e.g. 80000, 8万")),
                    Field("product", _("product"), lead.product or ""), Field("won_at", _("won at"), now)],
            "lost": [lost_reason_field(ctx), Field("lost_at", _("lost at"), now)],  # a pick list, or free text
            "dormant": [Field("wake_up_at", _("wake up on"), when_text(ctx, ctx.now() + timedelta(days=30)))],
            "paused": [Field("pause_reason", _("pause reason"), ""),
                       Field("resume_at", _("resume on"), "", _("optional: reminders and agenda wait until then"))],
            "in_progress": [],
        }[self.status]
        if self.status in ("won", "lost") and lead.overstayed and not lead.stay_reason:
            out.append(Field("reason", _("stay reason"), "", _("why it stayed so long in its stage")))
        if not out:
            out.append(Field("note", _("note"), ""))
        return out

    def check(self, v):
        errors: dict[str, str] = {}
        out: dict = {}
        for name, value in v.items():
            if name == "won_amount":
                if not value:
                    errors[name] = _("required")
                else:
                    try:
                        out["won_amount_cents"] = parse_amount(value)
                    except InvalidValue:
                        errors[name] = _("not an amount: {value} (e.g. 80000, ¥80,000, 8万)", value=value)
            elif name == "resume_at":  # a paused lead's resume date: optional, later than now
                when = self.when(v, name, errors) if value else None
                if when is not None and when <= self.ctx.now():
                    errors[name] = _("must be later than now")
                elif when is not None:
                    out["wake_up_at"] = when
            elif name.endswith("_at"):
                out[name] = self.when(v, name, errors, required=True)
            elif name in ("product", "lost_reason", "pause_reason", "reason"):
                if not value:
                    errors[name] = _("required")
                out[name] = read_lost_reason(self.ctx, value) if name == "lost_reason" and value else value
        return out, errors

    async def save(self, c):
        await self.app.write(leads.set_outcome, self.ctx, self.lead.id, self.status, c, self.lead.version)
        return True


class ReasonForm(FormScreen):
    LIMITS = limits.OUTCOME
    TITLE = "Stay reason"

    def __init__(self, ctx, lead, why: str):
        self.lead, self.why = lead, why
        super().__init__(ctx)

    def title_text(self) -> str:
        return self.why

    def make_fields(self):
        return [Field("reason", _("stay reason"), "", _("why it stayed so long in its stage"))]

    def check(self, v):
        return v, ({} if v["reason"] else {"reason": _("required")})

    async def save(self, c):
        return c["reason"]


class ReassignForm(FormScreen):
    LIMITS = {"login": limits.NAME}
    TITLE = "Reassign to"

    def __init__(self, ctx, lead):
        self.lead = lead
        super().__init__(ctx)

    def make_fields(self):
        return [Field("login", _("user (login or name)"), "")]

    def check(self, v):
        return v, ({} if v["login"] else {"login": _("required")})

    async def save(self, c):
        await self.app.write(leads.reassign, self.ctx, self.lead.id, c["login"], self.lead.version)
        return True
