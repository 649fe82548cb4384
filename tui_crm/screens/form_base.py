"""The form framework every dialog uses: fields, inline errors in words, ``ctrl+s`` / ``escape``.

``tab``/``shift+tab`` move between fields, ``ctrl+s`` checks then saves, ``escape``
cancels (asking first if something was typed). Concrete forms live in forms.py.
"""
from __future__ import annotations

from dataclasses import dataclass

from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding
from textual.css.query import NoMatches
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.suggester import SuggestFromList
from textual.widgets import Input, Label, Static

from ..domain import limits
from ..domain.errors import InvalidValue
from ..domain.parse import format_amount, parse_amount, parse_datetime
from ..domain.vocab import resolve
from ..i18n import _, get_lang, label
from ..services.errors import ServiceError, StaleRecord, Unavailable, ValidationError
from ..widgets.limited_input import LimitedInput
from .styles import css

KEEP_OPEN = object()  # a save handler's answer: stay on the form (e.g. to show a duplicate first)
YES = {"y", "yes", "true", "1", "是", "对", "接通", "reached"}
NO = {"n", "no", "false", "0", "否", "未接通", "not reached"}


@dataclass
class Field:
    name: str
    label: str
    value: str = ""
    hint: str = ""
    choices: dict | None = None
    kind: str | None = None  # when | date | amount: previewed as typed; None: from the name (field_kind)


WHEN_NAMES = {"at", "due", "next_at"}


def field_kind(f: Field) -> str | None:
    """What a field holds, for its live preview: a date-time, a date, an amount, or plain text (None)."""
    if f.kind or f.choices:
        return f.kind
    if f.name in WHEN_NAMES or f.name.endswith("_at"):
        return "when"
    if f.name.endswith("_date"):
        return "date"
    if f.name == "amount" or f.name.endswith("_amount"):
        return "amount"
    return None


def weekday_name(day: int) -> str:
    return (_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun"))[day]


def preview(ctx, kind: str | None, text: str) -> str:
    """What a date or amount field read, before saving: ``→ 12-07 周一 10:00``, ``→ 80,000.00``;
    ``→ ?`` for text it cannot read (the error in words comes on saving); empty for an empty field."""
    text = text.strip()
    if not kind or not text:
        return ""
    try:
        if kind == "amount":
            return "→ " + format_amount(parse_amount(text))
        now = ctx.now().astimezone(ctx.tz)
        value = parse_datetime(text, ctx.tz, now).astimezone(ctx.tz)
    except (InvalidValue, ValueError, ArithmeticError):
        return "→ ?"
    day = value.strftime("%m-%d") if value.year == now.year else value.strftime("%Y-%m-%d")
    shown = f"{day} {weekday_name(value.weekday())}"
    return f"→ {shown}" if kind == "date" else f"→ {shown} {value:%H:%M}"


def choice_hint(labels: dict) -> str:
    return " / ".join(pair[1] if get_lang() == "zh" else key for key, pair in labels.items())


def choice_words(labels: dict) -> list[str]:
    words = []
    for key, (en, zh) in labels.items():
        words += [key, en, zh]
    return words


class ConfirmScreen(ModalScreen[bool]):
    CSS_PATH = css("forms")
    BINDINGS = [Binding("y", "answer(True)", _("Yes")), Binding("n,escape", "answer(False)", _("No"))]

    def __init__(self, question: str):
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        yield Static(self.question + "  " + _("(y / n)"), id="confirm-body", markup=False)  # it may name a lead

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


class FormScreen(ModalScreen):
    """A column of one-line fields with inline errors."""
    CSS_PATH = css("forms")

    BINDINGS = [
        Binding("ctrl+s", "save", _("Save"), id="form.save"),
        Binding("escape", "cancel", _("Cancel"), id="form.cancel"),
        # tab and enter move on as the app reads them, before the keys after them are handed to a field: over
        # SSH `tab` and the words typed after it arrive in one read, and the words went into the field left
        Binding("tab", "move(1)", show=False, priority=True),
        Binding("shift+tab", "move(-1)", show=False, priority=True),
        Binding("enter", "enter", show=False, priority=True),
    ]
    TITLE = ""
    FOCUS = None
    LIMITS: dict[str, int] = {}  # a field's max length (domain.limits' table for what it saves; else limits.LINE)

    def __init__(self, ctx):
        super().__init__()
        self.ctx = ctx
        self.opened = ctx.now()
        self.fields: list[Field] = self.make_fields()
        for f in self.fields:  # a choice shows in the user's language (a key or either label is accepted back)
            if f.choices and f.value in f.choices:
                f.value = label(f.choices, f.value)
        self._initial = {f.name: f.value for f in self.fields}
        self.saving = False  # a save is running: ctrl+s again does nothing

    def make_fields(self) -> list[Field]:
        return []

    def when(self, v: dict, name: str, errors: dict, required: bool = False):
        """A date-time field. Left as pre-filled with the minute the form opened, it means the moment of
        saving, to the second: the timeline orders events by it, so a follow-up or an outcome sorts after
        the moves made just before it."""
        text = v[name]
        if text and text == self._initial.get(name) and text == when_text(self.ctx, self.opened):
            return self.ctx.now()
        return read_when(self.ctx, text, errors, name, required)

    def compose(self) -> ComposeResult:
        with Vertical(id="form"):
            # titles name a lead, errors quote what was typed or stored: plain text, never markup
            yield Static(self.title_text(), id="form-title", markup=False)
            yield Static("", id="form-error", markup=False)
            with VerticalScroll(id="form-fields", can_focus=False):  # tab goes field to field only
                for f in self.fields:
                    with Horizontal(classes="form-row"):
                        yield Label(f.label, classes="form-label")
                        suggester = SuggestFromList(choice_words(f.choices), case_sensitive=False) if f.choices else None
                        yield LimitedInput(f.value, placeholder=f.hint, id=f"f-{f.name}", suggester=suggester,
                                           select_on_focus=False, max_length=limits.limit_of(f.name, self.LIMITS))
                        if field_kind(f):  # what a date or an amount reads as, while it is typed
                            yield Static(preview(self.ctx, field_kind(f), f.value), id=f"preview-{f.name}",
                                         classes="form-preview", markup=False)
                    yield Static("", id=f"err-{f.name}", classes="form-field-error", markup=False)
            yield Static(_("tab next field · ctrl+s save · escape cancel"), id="form-keys")

    def title_text(self) -> str:
        return _(self.TITLE)

    def on_mount(self) -> None:
        name = self.FOCUS or self.fields[0].name
        try:
            self.query_one(f"#f-{name}", Input).focus()
        except NoMatches:  # dropped while it mounted (a screen key on a slow database): nothing to focus
            pass

    def take_typed_ahead(self, event) -> bool:
        """A printable key that reached the app while this form is in front came from the screen below (the
        terminal handed over `n` and what was typed right after it in one read, so the keys were sent to
        the screen below before this form was there): it goes into the form's first field, never to that
        screen's keys (digits switched screens) and is never lost."""
        if not (event.is_printable and event.character) or not self.is_mounted:
            return False
        box = self.focused if isinstance(self.focused, Input) else self.query_one(
            f"#f-{self.FOCUS or self.fields[0].name}", Input)
        box.focus()
        box.insert_text_at_cursor(event.character)
        return True

    def values(self) -> dict[str, str]:
        return {f.name: self.query_one(f"#f-{f.name}", Input).value.strip() for f in self.fields}

    def on_input_changed(self, event: Input.Changed) -> None:
        name = (event.input.id or "")[2:]
        f = next((f for f in self.fields if f.name == name), None)
        if f is not None and self.is_mounted:  # a field's error goes once it is edited (it stayed till the next save)
            box = self.query_one(f"#err-{name}", Static)
            if event.input.max_length and len(event.value) >= event.input.max_length:  # a cut paste said nothing
                box.update(_("at most {n} characters: no more is taken", n=event.input.max_length))
                box.set_class(True, "shown")
            elif box.has_class("shown"):
                box.update("")
                box.set_class(False, "shown")
        if f is not None and field_kind(f):
            self.query_one(f"#preview-{name}", Static).update(preview(self.ctx, field_kind(f), event.value))

    def action_move(self, step: int) -> None:
        self.focus_next() if step > 0 else self.focus_previous()  # at once: the next key finds the new field

    async def action_enter(self) -> None:
        """enter: on to the next field; in the last one, save (as ctrl+s); elsewhere (a toggle) its own."""
        ids = [f"f-{f.name}" for f in self.fields]
        focused = self.focused
        if focused is None or focused.id not in ids:
            raise SkipAction()
        i = ids.index(focused.id)
        if i + 1 < len(ids):
            self.set_focus(self.query_one(f"#{ids[i + 1]}", Input))
        else:
            await self.action_save()

    def dirty(self) -> bool:
        return any(v != (self._initial.get(k) or "").strip() for k, v in self.values().items())

    def show_errors(self, errors: dict[str, str], message: str = "") -> None:
        for f in self.fields:
            box = self.query_one(f"#err-{f.name}", Static)
            box.update(errors.get(f.name, ""))
            box.set_class(bool(errors.get(f.name)), "shown")
        self.query_one("#form-error", Static).update(message or (_("fix the fields marked below") if errors else ""))
        bad = next((f.name for f in self.fields if f.name in errors), None)
        if bad:
            self.query_one(f"#f-{bad}", Input).focus()

    def check(self, values: dict[str, str]) -> tuple[dict, dict[str, str]]:
        """(cleaned values, {field: what is wrong}) without touching the database."""
        return values, {}

    async def save(self, cleaned: dict):
        """Write; return what the form is dismissed with. May raise ServiceError."""
        return cleaned

    async def action_save(self) -> None:
        if self.saving:
            return
        cleaned, errors = self.check(self.values())
        if errors:
            self.show_errors(errors)
            return
        self.saving = True
        try:
            result = await self.save(cleaned)
        except StaleRecord as exc:
            self.app.notify(str(exc), severity="warning", timeout=10)
            self.dismiss(None)
            return
        except ValidationError as exc:
            self.show_errors({k: v for k, v in exc.fields.items() if any(f.name == k for f in self.fields)}, str(exc))
            return
        except Unavailable as exc:  # the database failed: the form stays with what was typed
            self.show_errors({}, str(exc) if exc.applied is None else
                             _("not saved: {error} · what you typed is kept: ctrl+s to save it again", error=str(exc)))
            return
        except ServiceError as exc:
            self.show_errors({}, str(exc))
            return
        finally:
            self.saving = False
        if result is not KEEP_OPEN:
            self.dismiss(result)

    def action_cancel(self) -> None:
        if not self.dirty():
            self.dismiss(None)
            return

        def answered(yes):
            if yes:
                self.dismiss(None)

        self.app.push_screen(ConfirmScreen(_("Discard what you typed?")), callback=answered)


def read_when(ctx, text, errors, name, required=False):
    """A date-time typed in a field (``tomorrow``, ``+3d``, ``明天``…) in the user's zone, or None with the
    reason in ``errors[name]``."""
    if not text:
        if required:
            errors[name] = _("required")
        return None
    try:
        return parse_datetime(text, ctx.tz, ctx.now().astimezone(ctx.tz))
    except InvalidValue:
        errors[name] = _("not a date and time: {value} (e.g. 2024-11-05 14:00, tomorrow, +3d, 明天)", value=text)
        return None


def read_choice(kind, text, labels, errors, name, required=True):
    """The stable key of a choice typed as its key or either label, or None with the reason in
    ``errors[name]``."""
    if not text:
        if required:
            errors[name] = _("required")
        return None
    key = resolve(kind, text, labels)
    if not key:
        errors[name] = _("one of: {choices}", choices=choice_hint(labels))
    return key


def when_text(ctx, value) -> str:
    """How a form shows a date-time: local, to the minute (``read_when`` reads it back)."""
    return value.astimezone(ctx.tz).strftime("%Y-%m-%d %H:%M") if value else ""


def follow_reached(form, event, proposals: dict[bool, str]) -> None:
    """The follow-up form's ``reached`` set to no: the proposed next follow-up becomes the retry (the same or
    the next working day), and back to the cadence on yes; a next follow-up the rep typed stays as typed."""
    if event.input.id != "f-reached":
        return
    low = event.value.strip().lower()
    reached = True if low in YES or low == _("yes").lower() else False if low in NO or low == _("no").lower() else None
    box = form.query_one("#f-next_at", Input)
    if reached is not None and box.value.strip() == proposals[not reached]:
        box.value = proposals[reached]
