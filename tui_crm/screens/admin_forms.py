"""The administration screen's forms: each writes through an admin service (which checks the actor and audits)
and is dismissed with True once saved."""
from __future__ import annotations

from ..domain import limits
from ..domain.vocab import ROLES
from ..i18n import _, label
from ..services import admin
from ..services.admin import rules, teams
from .form_base import Field, FormScreen, choice_hint, read_choice

LANGS = {"en": ("English", "English"), "zh": ("中文", "中文")}
MODES = {"round-robin": ("round-robin", "轮流"), "least-loaded": ("least-loaded", "最少负载")}


def _pairs(text: str) -> list[tuple[str, str]]:
    """``STAGE=DAYS`` items of a cadence as typed: stage names may hold spaces (``proposal & quote=2``), items are
    apart by spaces or any of , ; ， ； 、; text that is not such an item comes back as ``("", text)``."""
    import re

    text = re.sub(r"[,;，；、]", " ", text)
    out, at = [], 0
    for m in re.finditer(r"\s*([^=]+?)\s*=\s*(\S*)", text):
        if text[at:m.start()].strip():
            break
        out.append((m.group(1).strip(), m.group(2)))
        at = m.end()
    if text[at:].strip():
        out.append(("", text[at:].strip()))
    return out


def _int(v: dict, name: str, errors: dict, low: int = 0) -> int | None:
    text = (v.get(name) or "").strip()
    if not text:
        return None
    try:
        n = int(text)
    except ValueError:
        errors[name] = _("not a whole number: {value}", value=text)
        return None
    if n < low:
        errors[name] = _("at least {n}", n=low)
    return n


class UserAddForm(FormScreen):
    LIMITS = {**limits.USER, "login": 32}
    TITLE = "Add a user"

    def make_fields(self):
        return [Field("login", _("login"), "", _("a-z 0-9 . _ -")), Field("name", _("name"), ""),
                Field("role", _("role"), "rep", choice_hint(ROLES), ROLES), Field("team", _("team"), "")]

    def check(self, v):
        errors: dict[str, str] = {}
        for f in ("login", "name"):
            if not v[f]:
                errors[f] = _("required")
        role = read_choice("role", v["role"], ROLES, errors, "role")
        return {**v, "role": role}, errors

    async def save(self, c):
        await self.app.write(admin.add_user, self.ctx, c["login"], c["name"], c["role"], c["team"] or None)
        return True


class UserEditForm(FormScreen):
    LIMITS = limits.USER

    def __init__(self, ctx, user):
        self.user = user
        super().__init__(ctx)

    def title_text(self) -> str:
        return _("User {login}", login=self.user.login)

    def make_fields(self):
        u = self.user
        admin_only = [Field("role", _("role"), u.role, choice_hint(ROLES), ROLES),
                      Field("team", _("team"), u.team or "", _("empty: no team"))]
        return [Field("name", _("name"), u.name), *(admin_only if self.ctx.actor.is_admin else ()),
                Field("lang", _("language"), u.lang or "", "en / zh", LANGS),
                Field("tz", _("time zone"), u.tz or "", _("e.g. Asia/Shanghai; empty: the machine's"))]

    def check(self, v):
        errors: dict[str, str] = {}
        if "role" in v:  # an admin's form; a supervisor's changes the name, language and zone only
            v["role"] = read_choice("role", v["role"], ROLES, errors, "role")
        lang = read_choice("language", v["lang"], LANGS, errors, "lang", required=False) if v["lang"] else ""
        if not v["name"]:
            errors["name"] = _("required")
        return {**v, "lang": lang}, errors

    async def save(self, c):
        await self.app.write(admin.set_user, self.ctx, self.user.login, **c)
        return True


def is_login(ctx, text: str) -> bool:
    """On the database thread: ``text`` names a user (else it is taken for a team)."""
    return any(u.login == text for u in admin.list_users(ctx))


class DeactivateForm(FormScreen):
    LIMITS = {"to": limits.NAME}

    def __init__(self, ctx, user):
        self.user = user
        super().__init__(ctx)

    def title_text(self) -> str:
        return _("Deactivate {login}: their open leads and tasks go to", login=self.user.login)

    def make_fields(self):
        return [Field("to", _("to (login or team)"), "", _("a user's login, or a team to spread over"))]

    def check(self, v):
        return v, ({} if v["to"] else {"to": _("required")})

    async def save(self, c):
        from ..services import leads

        if await self.app.db(is_login, self.ctx, c["to"]):
            done = await self.app.write(leads.deactivate, self.ctx, self.user.login, c["to"])
        else:
            done = await self.app.write(leads.deactivate, self.ctx, self.user.login, spread=c["to"])
        self.said(done)
        return True

    def said(self, done) -> None:
        """What the handover did, in one line (a deactivation said nothing of it)."""
        if done is not None:
            self.app.notify(_("handed over {n} leads and {t} tasks: {to}", n=done.leads, t=done.tasks,
                              to=", ".join(f"{login} {n}" for login, n in done.to.items()) or "–"))


class HandoverForm(DeactivateForm):
    """``h``: a user's open leads and tasks to one user or spread over a team, the login staying active
    (admins; a supervisor within their team: ``leads.hand_over`` checks it)."""

    def title_text(self) -> str:
        return _("Hand {login}'s open leads and tasks over to", login=self.user.login)

    async def save(self, c):
        from ..services import leads

        if await self.app.db(is_login, self.ctx, c["to"]):
            done = await self.app.write(leads.hand_over, self.ctx, self.user.login, c["to"])
        else:
            done = await self.app.write(leads.hand_over, self.ctx, self.user.login, spread=c["to"])
        self.said(done)
        return True


class TeamForm(FormScreen):
    """A new team (``team`` None) or a team's supervisor and own rule numbers."""
    LIMITS = {"name": limits.NAME, "supervisor": 32, "cadence": limits.TEXT}

    def __init__(self, ctx, team=None):
        self.team = team
        super().__init__(ctx)

    def title_text(self) -> str:
        return _("Team {name}", name=self.team.name) if self.team else _("Add a team")

    def make_fields(self):
        if self.team is None:
            return [Field("name", _("team"), ""), Field("supervisor", _("supervisor (login)"), "")]
        own = getattr(self.team, "settings", None) or {}
        sla = own.get("sla_hours") or {}
        # a stage removed since keeps its number in the team's settings (unused), not in the form, whose save then
        # refused the name it no longer knew
        cadence = {k: d for k, d in (own.get("cadence_days") or {}).items() if k in self._labels()}
        sup = [Field("supervisor", _("supervisor (login)"), self.team.supervisor or "")]
        return [*(sup if self.ctx.actor.is_admin else ()),  # a supervisor sets their team's numbers, not who leads it
                Field("sla_high", _("SLA hours, high"), str(sla.get("high", ""))),
                Field("sla_medium", _("SLA hours, medium"), str(sla.get("medium", ""))),
                Field("sla_low", _("SLA hours, low"), str(sla.get("low", ""))),
                Field("escalate", _("escalate after days"), str(own.get("escalate_after_days", "") or "")),
                Field("stall", _("stalled after days"), str(own.get("stall_after_days", "") or "")),
                Field("cadence", _("cadence per stage"), " ".join(f"{self._stage(k)}={d}" for k, d in cadence.items()),
                      _("STAGE=DAYS ..., e.g. {example}", example=" ".join(
                          f"{self._stage(st.key)}={n}" for st, n in zip(self.ctx.stages[1:3], (3, 2)))))]

    def _labels(self) -> dict:
        from ..domain.vocab import STATUSES

        return {**{st.key: (st.label_en, st.label_zh) for st in self.ctx.stages}, "won": STATUSES["won"]}

    def _stage(self, key: str) -> str:
        return label(self._labels(), key)

    def check(self, v):
        errors: dict[str, str] = {}
        if self.team is None:
            if not v["name"]:
                errors["name"] = _("required")
            return v, errors
        out: dict = {"supervisor": v.get("supervisor") or None}
        # the same numbers `teams set` takes (0 included: first contact due at once)
        sla = {p: _int(v, f"sla_{p}", errors) for p in ("high", "medium", "low")}
        out["sla_hours"] = {p: h for p, h in sla.items() if h is not None} or None
        out["escalate_after_days"] = _int(v, "escalate", errors)
        out["stall_after_days"] = _int(v, "stall", errors)
        cadence = {}
        for stage, days in _pairs(v["cadence"]):
            key = read_choice("stage", stage, self._labels(), {}, "cadence") if stage else None
            if not key or not days.isdigit():
                errors["cadence"] = _("STAGE=DAYS, not {value}", value=f"{stage}={days}" if stage else days)
                break
            cadence[key] = int(days)
        out["cadence_days"] = cadence or None
        return out, errors

    async def save(self, c):
        if self.team is None:
            await self.app.write(teams.add_team, self.ctx, c["name"], c["supervisor"] or None)
        else:
            await self.app.write(teams.set_team, self.ctx, self.team.name, **c)
        return True


class StagesForm(FormScreen):
    """The open stages in order, each NAME:PERCENT (``stages set``, which every open app takes up live):
    add one by writing it, rename one as OLD=NEW:PERCENT, reorder by order, probabilities after the colon."""
    LIMITS = {"stages": limits.TEXT}
    TITLE = "Stages"

    def make_fields(self):
        from ..i18n import get_lang

        text = "  ".join(f"{s.label(get_lang())}:{s.probability}" for s in self.ctx.stages)
        return [Field("stages", _("stages in order"), text, _("NAME:PERCENT, two spaces between; OLD=NEW:PERCENT renames"))]

    def check(self, v):
        specs = [s.strip() for s in v["stages"].split("  ") if s.strip()]
        return {"specs": specs}, ({} if specs else {"stages": _("required")})

    async def save(self, c):
        await self.app.write(admin.set_stages, self.ctx, c["specs"])
        return True


class RuleForm(FormScreen):
    """A new assignment rule: what it matches, and who gets the leads."""
    LIMITS = {"region": limits.LEAD["region"], "industry": limits.LEAD["industry"], "keywords": limits.TEXT,
              "to": limits.NAME, "cap": 8}
    TITLE = "Add an assignment rule"

    def make_fields(self):
        return [Field("region", _("region"), "", _("e.g. 华东")), Field("industry", _("industry"), ""),
                Field("source", _("source"), ""), Field("keywords", _("keywords"), "", _("in the need or remarks; several apart by , ; or 、")),
                Field("to", _("to (user or team)"), "", _("a login, or a team's name")),
                Field("mode", _("mode"), "round-robin", choice_hint(MODES), MODES),
                Field("cap", _("daily cap"), "", _("optional: leads a day per user"))]

    def check(self, v):
        errors: dict[str, str] = {}
        if not v["to"]:
            errors["to"] = _("required")
        mode = read_choice("mode", v["mode"], MODES, errors, "mode")
        cap = _int(v, "cap", errors, 1)
        return {"region": v["region"] or None, "industry": v["industry"] or None, "source": v["source"] or None,
                "keywords": [v["keywords"]] if v["keywords"] else [], "to": v["to"], "mode": mode, "cap": cap}, errors

    async def save(self, c):
        to = c.pop("to")
        user = await self.app.db(is_login, self.ctx, to)
        await self.app.write(rules.add_rule, self.ctx, to_user=to if user else None, to_team=None if user else to, **c)
        return True


class AutoTagForm(FormScreen):
    LIMITS = {"tag": 64, "sources": limits.TEXT, "keywords": limits.TEXT}
    TITLE = "Add an auto-tag rule"

    def make_fields(self):
        return [Field("tag", _("tag"), "", _("e.g. 高意向-决策层")), Field("sources", _("sources"), "", _("optional; several apart by , or spaces")),
                Field("keywords", _("keywords"), "", _("in the need or remarks; several apart by , ; or 、"))]

    def check(self, v):
        return v, ({} if v["tag"] else {"tag": _("required")})

    async def save(self, c):
        await self.app.write(rules.add_auto_tag, self.ctx, c["tag"], sources=[c["sources"]] if c["sources"] else [],
                             keywords=[c["keywords"]] if c["keywords"] else [])
        return True
