"""Small modal forms the board asks with: won, lost, stay reason, and a read-only lead view.

Each form opens with the cursor in its first field; tab moves between fields,
ctrl+s or enter in the last field saves, escape cancels. A value that cannot
be read is refused with one line under the form and nothing is lost.
"""
from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from ..domain.errors import InvalidValue
from ..domain.parse import format_amount, parse_amount, parse_datetime
from ..i18n import _


class FormDialog(ModalScreen):
    """Fields ``(name, label, default)``; dismisses with ``{name: text}`` or None."""

    BINDINGS = [
        Binding("ctrl+s", "save", _("Save"), id="form.save"),
        Binding("escape", "cancel", _("Cancel"), id="form.cancel"),
    ]
    DEFAULT_CSS = """
    FormDialog { align: center middle; }
    FormDialog > Vertical { width: 60; max-width: 95%; height: auto; border: round $accent;
                            background: $surface; padding: 0 1; }
    FormDialog .form-title { text-style: bold; margin-bottom: 1; }
    FormDialog Input { margin-bottom: 0; }
    FormDialog #form-error { color: $error; height: auto; }
    FormDialog #form-hint { color: $text-muted; }
    """

    def __init__(self, title: str, fields: list[tuple[str, str, str]], note: str = ""):
        super().__init__()
        self.form_title = title
        self.fields = fields
        self.note = note

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(self.form_title, classes="form-title")
            if self.note:
                yield Static(self.note)
            for name, label, default in self.fields:
                yield Label(label)
                yield Input(value=default, id=f"f-{name}")
            yield Static("", id="form-error")
            yield Static(_("ctrl+s save · escape cancel"), id="form-hint")

    def on_mount(self) -> None:
        self.query_one(f"#f-{self.fields[0][0]}", Input).focus()

    def values(self) -> dict[str, str]:
        return {name: self.query_one(f"#f-{name}", Input).value.strip() for name, _l, _d in self.fields}

    def error(self, text: str) -> None:
        self.query_one("#form-error", Static).update(text)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        ids = [f"f-{n}" for n, _l, _d in self.fields]
        i = ids.index(event.input.id)
        if i + 1 < len(ids):
            self.query_one(f"#{ids[i + 1]}", Input).focus()
        else:
            self.action_save()

    def check(self, values: dict[str, str]) -> dict | None:
        """Turn texts into values; return None after showing an error."""
        return values

    def action_save(self) -> None:
        out = self.check(self.values())
        if out is not None:
            self.dismiss(out)

    def action_cancel(self) -> None:
        self.dismiss(None)


class WonDialog(FormDialog):
    """Won needs amount, product and date (PRODUCT.md §1 outcomes)."""

    def __init__(self, lead, tz, now):
        self.tz, self.now = tz, now
        amount = format_amount(lead.amount_cents).replace(",", "") if lead.amount_cents else ""
        super().__init__(_("Mark {code} {company} won", code=lead.code, company=lead.company),
                         [("amount", _("Won amount"), amount), ("product", _("Product"), lead.product or ""),
                          ("at", _("Won at"), now.astimezone(tz).strftime("%Y-%m-%d %H:%M"))])

    def check(self, v: dict[str, str]) -> dict | None:
        missing = [label for (name, label, _d) in self.fields if not v[name]]
        if missing:
            self.error(_("required: {fields}", fields=", ".join(missing)))
            return None
        try:
            cents = parse_amount(v["amount"])
        except InvalidValue:
            self.error(_("not an amount: {value}", value=v["amount"]))
            return None
        try:
            at = parse_datetime(v["at"], self.tz, self.now)
        except InvalidValue:
            self.error(_("not a date: {value}", value=v["at"]))
            return None
        return {"won_amount_cents": cents, "product": v["product"], "won_at": at}


class LostDialog(FormDialog):
    def __init__(self, lead):
        super().__init__(_("Mark {code} {company} lost", code=lead.code, company=lead.company),
                         [("reason", _("Lost reason"), lead.lost_reason or "")])

    def check(self, v: dict[str, str]) -> dict | None:
        if not v["reason"]:
            self.error(_("required: {fields}", fields=_("Lost reason")))
            return None
        return {"lost_reason": v["reason"]}


class StayReasonDialog(FormDialog):
    """Asked when a lead leaves a stage it stayed in for more than 7 days."""

    def __init__(self, lead, days: int):
        super().__init__(_("{code} stayed more than {days} days in its stage", code=lead.code, days=days),
                         [("reason", _("Stay reason"), "")],
                         note=_("Why did it stay so long? (kept in the stage history)"))

    def check(self, v: dict[str, str]) -> dict | None:
        if not v["reason"]:
            self.error(_("required: {fields}", fields=_("Stay reason")))
            return None
        return v
