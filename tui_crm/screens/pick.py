"""Choose one value from a list (the stats panel's owner or team)."""
from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from ..i18n import _
from .styles import css


class PickScreen(ModalScreen):
    """Choose one value from a list (owner or team); escape cancels."""
    CSS_PATH = css("pick")

    BINDINGS = [Binding("escape", "dismiss_none", _("Cancel"))]

    def __init__(self, title: str, options: list[tuple[str, str]]):
        super().__init__()
        self.title_text = title
        self.options = options

    def compose(self) -> ComposeResult:
        with Vertical(id="pick-body"):
            yield Static(self.title_text, id="pick-title")
            yield OptionList(*[Option(text, id=value) for value, text in self.options], id="pick-list",
                             markup=False)  # names of people and teams, as typed

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_dismiss_none(self) -> None:
        self.dismiss(None)
