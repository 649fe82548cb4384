"""The assignment rules' dry run (``y`` on the administration screen): who the rules as they are now would
give the last 50 leads to, beside who owns them; nothing is written (``leads.assign.dry_run``)."""
from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

from ..i18n import _
from ..services.errors import ServiceError
from .styles import css


class DryRunScreen(ModalScreen):
    CSS_PATH = css("team")
    BINDINGS = [Binding("escape", "close", _("Back"), id="dry.back")]

    def __init__(self, ctx):
        super().__init__()
        self.ctx = ctx

    def compose(self) -> ComposeResult:
        with Vertical(id="dry-run"):
            yield Static(_("Who the rules would give the last 50 leads to (nothing is changed)"), id="batch-title")
            yield DataTable(id="dry-table", cursor_type="row")
            yield Static(_("escape closes"), id="batch-keys")

    async def on_mount(self) -> None:
        from ..services.leads import assign

        table = self.query_one(DataTable)
        table.add_columns(_("lead"), _("owner now"), _("the rules give it to"), _("matched"))
        try:
            rows = await self.app.db(assign.dry_run, self.ctx)
        except ServiceError as exc:
            self.query_one("#batch-title", Static).update(str(exc))
            return
        for code, owner, login, choice in rows:
            table.add_row(Text(code), Text(owner), Text(login or _("(no rule: the creator)")),
                          Text(choice.match if choice else "–"))
        table.focus()

    def action_close(self) -> None:
        self.dismiss(None)
