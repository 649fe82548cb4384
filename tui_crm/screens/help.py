"""`?`: every key, from the bindings in force."""
from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import ModalScreen
from textual.containers import VerticalScroll
from textual.widgets import Static

from ..i18n import _
from ..widgets.markup import escape

KEYS = [
    ("1 / l", "lead list"), ("2 / t", "today's queue"), ("3 / b", "board"), ("4 / s", "stats"),
    ("i", "notifications"), ("/", "search"), ("n", "new lead"), ("enter", "open "), ("f", "log follow-up"),
    ("e", "edit"), ("> / <", "next / previous stage"), ("w", "won"), ("x", "lost"), ("v", "reveal contact"),
    ("ctrl+p", "command palette"), ("escape", "back"), ("?", "help"), ("q", "quit"),
]


class HelpScreen(ModalScreen):
    """The keys everywhere, then the keys of the screen it was opened from."""

    BINDINGS = [Binding("escape,question_mark,q", "dismiss", _("Close"))]

    def __init__(self, here: list[tuple[str, str]] | None = None):
        super().__init__()
        self.here = here or []

    def compose(self) -> ComposeResult:
        from ..domain.text import fit

        lines = [f"[b]{_('Keys')}[/b]", ""] + [f"  [b]{escape(fit(k, 8))}[/b] {_(text)}" for k, text in KEYS]
        if self.here:
            lines += ["", f"[b]{_('On this screen')}[/b]", ""]
            lines += [f"  [b]{escape(fit(k, 8))}[/b] {escape(text)}" for k, text in self.here]
        yield VerticalScroll(Static("\n".join(lines)), id="help-body")
