"""The administration screen's pick lists: the sources (PRODUCT §1's configurable list) and the lost reasons,
their rows and forms. ``n`` adds, ``e`` renames, ``d`` removes (a source some lead or rule uses is refused:
``r`` retires it instead, and restores a retired one), ``J`` / ``K`` move the one under the cursor. Every
change goes through ``services.admin.sources`` / ``lost_reasons`` (admins; audited; live in every open app)."""
from __future__ import annotations

from ..domain import limits
from ..i18n import _
from ..services.admin import lost_reasons, sources
from .form_base import Field, FormScreen

LISTS = ("sources", "lost_reasons")


def list_rows(ctx, section: str) -> tuple[list[str], list[tuple], list]:
    """On the database thread: (column titles, rows of cells, the items behind them)."""
    if section == "sources":
        items = sources.list_sources(ctx)
        return ([_("order"), _("source"), _("English"), _("Chinese"), _("state"), _("leads")],
                [(str(v.position), v.key, v.en, v.zh, _("in use") if v.active else _("retired"),
                  "–" if v.leads is None else str(v.leads)) for v in items], items)
    items = lost_reasons.list_reasons(ctx)
    return ([_("order"), _("lost reason"), _("leads")],
            [(str(v.position), v.reason + (_(" (default)") if v.default else ""),
              "–" if v.leads is None else str(v.leads)) for v in items], items)


def add_form(ctx, section: str) -> FormScreen:
    return SourceForm(ctx) if section == "sources" else ReasonForm(ctx)


def edit_form(ctx, section: str, item) -> FormScreen:
    return SourceForm(ctx, item) if section == "sources" else ReasonForm(ctx, item)


def remove(section: str, item):
    """(the service, its argument) that removes ``item``."""
    if section == "sources":
        return sources.remove_source, item.key
    return lost_reasons.remove_reason, item.reason


def move(section: str, item, step: int):
    """(the service, its arguments) that moves ``item`` ``step`` places."""
    fn = sources.move_source if section == "sources" else lost_reasons.move_reason
    return fn, (item.key if section == "sources" else item.reason), max(1, item.position + step)


def retire(item):
    """(the service, its arguments) that retires a source in use, or restores a retired one."""
    return sources.set_active, item.key, not item.active


class SourceForm(FormScreen):
    """A new source (its name makes its key, which the leads' codes carry), or new names for one."""
    LIMITS = {"name": limits.LABEL, "en": limits.LABEL, "zh": limits.LABEL}

    def __init__(self, ctx, source=None):
        self.source = source
        super().__init__(ctx)

    def title_text(self) -> str:
        if self.source is None:
            return _("Add a source")
        return _("Source {key} (its key and its leads' codes stay)", key=self.source.key)

    def make_fields(self):
        s = self.source
        names = [Field("en", _("English name"), s.en if s else "", _("empty: the name") if s is None else ""),
                 Field("zh", _("Chinese name"), s.zh if s else "", _("empty: the name") if s is None else "")]
        if s is not None:
            return names
        return [Field("name", _("source"), "", _("e.g. trade fair, 地推; its key is the name in lower case")), *names]

    def check(self, v):
        if self.source is None and not v["name"].strip():
            return v, {"name": _("required")}
        if self.source is not None and not (v["en"].strip() or v["zh"].strip()):
            return v, {"en": _("required")}
        return v, {}

    async def save(self, c):
        if self.source is None:
            await self.app.write(sources.add_source, self.ctx, c["name"], c["en"] or None, c["zh"] or None)
        else:
            await self.app.write(sources.rename_source, self.ctx, self.source.key, c["en"] or None, c["zh"] or None)
        return True


class ReasonForm(FormScreen):
    """A new lost reason (at a place of the list, else last), or new words for one."""
    LIMITS = {"reason": limits.REASON, "position": 4}

    def __init__(self, ctx, reason=None):
        self.reason = reason
        super().__init__(ctx)

    def title_text(self) -> str:
        if self.reason is None:
            return _("Add a lost reason")
        return _("Lost reason {n} (leads lost with the old words keep them)", n=self.reason.position)

    def make_fields(self):
        if self.reason is not None:
            return [Field("reason", _("lost reason"), self.reason.reason)]
        return [Field("reason", _("lost reason"), "", _("e.g. 价格过高")),
                Field("position", _("place in the list"), "", _("1: first; empty: last"))]

    def check(self, v):
        errors = {} if v["reason"].strip() else {"reason": _("required")}
        position = (v.get("position") or "").strip()
        if position and not position.isdigit():
            errors["position"] = _("not a whole number: {value}", value=position)
        return {"reason": v["reason"], "position": int(position) if position.isdigit() else None}, errors

    async def save(self, c):
        if self.reason is None:
            await self.app.write(lost_reasons.add_reason, self.ctx, c["reason"], c["position"])
        else:
            await self.app.write(lost_reasons.rename_reason, self.ctx, self.reason.reason, c["reason"])
        return True
