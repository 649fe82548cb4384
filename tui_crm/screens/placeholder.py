"""Screens not built yet say so (replaced as their issues land)."""
from __future__ import annotations

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from ..i18n import _


class _Placeholder(Screen):
    TITLE = ""

    def __init__(self, ctx):
        super().__init__()
        self.ctx = ctx

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(_("{name}: coming soon", name=_(self.TITLE)), id="placeholder")
        yield Footer()


class QueueScreen(_Placeholder):
    TITLE = "Today's queue"


class BoardScreen(_Placeholder):
    TITLE = "Board"


class StatsScreen(_Placeholder):
    TITLE = "Stats"


class InboxScreen(_Placeholder):
    TITLE = "Notifications"
