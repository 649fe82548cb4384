"""The Textual app: screens by key, help, command palette, the live change poller.

Screens never touch the store: they call services (often from thread
workers) and render the plain rows they get back.
"""
from __future__ import annotations

from textual.app import App
from textual.binding import Binding

from .i18n import _
from .services.context import Session


class CrmApp(App):
    """tui-crm. ``ctx`` is the acting user's session."""

    TITLE = "tui-crm"
    CSS_PATH = ["styles/theme.tcss"]
    ENABLE_COMMAND_PALETTE = True

    BINDINGS = [
        Binding("1", "show('list')", _("Leads"), id="screen.list"),
        Binding("2", "show('queue')", _("Today"), id="screen.queue"),
        Binding("3", "show('board')", _("Board"), id="screen.board"),
        Binding("4", "show('stats')", _("Stats"), id="screen.stats"),
        Binding("l", "show('list')", _("Leads"), show=False, id="screen.list.l"),
        Binding("t", "show('queue')", _("Today"), show=False, id="screen.queue.t"),
        Binding("b", "show('board')", _("Board"), show=False, id="screen.board.b"),
        Binding("s", "show('stats')", _("Stats"), show=False, id="screen.stats.s"),
        Binding("i", "show('inbox')", _("Inbox"), show=False, id="screen.inbox"),
        Binding("question_mark", "help", _("Help"), id="help"),
        Binding("q", "quit", _("Quit"), id="quit"),
    ]

    def __init__(self, ctx: Session, **kwargs):
        super().__init__(**kwargs)
        self.ctx = ctx
        self.sub_title = f"{ctx.actor.name} · {_(ctx.actor.role)}"

    # screens are built lazily so `import tui_crm.app` stays cheap
    def screen_factory(self, name: str):
        from .screens import registry

        return registry.make(name, self)

    def on_mount(self) -> None:
        self.action_show("list")

    def action_show(self, name: str) -> None:
        current = self.screen
        if getattr(current, "screen_name", None) == name:
            return
        # keep one instance per main screen; dialogs on top are dropped
        while len(self.screen_stack) > 1 and getattr(self.screen, "screen_name", None) is None:
            self.pop_screen()
        installed = f"main:{name}"
        if not self.is_screen_installed(installed):
            self.install_screen(self.screen_factory(name), installed)
        if len(self.screen_stack) > 1:
            self.switch_screen(installed)
        else:
            self.push_screen(installed)

    def action_help(self) -> None:
        from .screens.help import HelpScreen

        self.push_screen(HelpScreen())
