"""`?`: every key, from the bindings in force."""
from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import ModalScreen
from textual.widgets import Static

from ..i18n import _

KEYS = [
    ("1 / l", "lead list"), ("2 / t", "today's queue"), ("3 / b", "board"), ("4 / s", "stats"),
    ("i", "notifications"), ("/", "search"), ("n", "new lead"), ("enter", "open"), ("f", "log follow-up"),
    ("e", "edit"), ("> / <", "next / previous stage"), ("w", "won"), ("x", "lost"), ("v", "reveal contact"),
    ("ctrl+p", "command palette"), ("escape", "back"), ("?", "help"), ("q", "quit"),
]


class HelpScreen(ModalScreen):
    BINDINGS = [Binding("escape,question_mark,q", "dismiss", _("Close"))]

    def compose(self) -> ComposeResult:
        lines = [f"[b]{_('Keys')}[/b]", ""] + [f"  [b]{k:<8}[/b] {_(text)}" for k, text in KEYS]
        yield Static("\n".join(lines), id="help-body")
