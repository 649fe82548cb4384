"""The audit log (supervisors: their team's; admins: all): who did what and when, newest first.

Five filter boxes above the table (user, lead, action, since, until), as ``tui-crm audit`` has them:
``/`` goes to them, ``tab`` from one to the next, ``enter`` applies them. ``enter`` on a row opens its
lead. The latest AUDIT_ROWS entries are shown; narrower filters reach further back.
"""
from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import DataTable, Header, Input, Static

from ..domain import limits
from ..domain.errors import InvalidValue
from ..domain.parse import parse_datetime
from ..i18n import _
from ..services.admin import audit, audit_text
from ..services.errors import ServiceError
from ..widgets.footer import TranslatedFooter
from .messages import LiveChanges, OpenLead
from .styles import css

AUDIT_ROWS = 500
FILTERS = ("user", "lead", "action", "since", "until")


def _placeholders() -> dict[str, str]:
    return {"user": _("user (login)"), "lead": _("lead code"), "action": _("action: reveal, reassign, …"),
            "since": _("since (date)"), "until": _("until (date)")}


class AuditScreen(Screen):
    CSS_PATH = css("audit")
    BINDINGS = [Binding("slash", "filters", _("Filter"), id="audit.filter"),
                Binding("u", "undo_batch", _("Undo batch"), tooltip=_("undo the batch of the entry under the cursor"),
                        id="audit.undo")]

    def __init__(self, ctx):
        super().__init__()
        self.ctx = ctx
        self.entries: list = []

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="audit-filters"):
            for name, hint in _placeholders().items():
                yield Input(placeholder=hint, id=f"audit-{name}", compact=True, max_length=limits.LINE)
        yield DataTable(id="audit-table", cursor_type="row", zebra_stripes=True)
        yield Static(id="status", markup=False)
        yield TranslatedFooter()

    async def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns(_("when"), _("user"), _("action"), _("lead"), _("what changed"))
        table.focus()
        await self.reload()

    def _filter(self) -> audit.AuditFilter:
        """The boxes as a filter; InvalidValue names a date that cannot be read."""
        v = {name: self.query_one(f"#audit-{name}", Input).value.strip() for name in FILTERS}
        days = {}
        for name in ("since", "until"):
            if v[name]:
                try:
                    when = parse_datetime(v[name], self.ctx.tz, now=self.ctx.now())
                except InvalidValue:
                    raise InvalidValue(_("not a date: {value}", value=v[name])) from None
                days[name] = when.astimezone(self.ctx.tz).date()
        return audit.AuditFilter(days.get("since"), days.get("until"), v["user"] or None, v["lead"] or None,
                                 v["action"] or None)

    async def reload(self) -> None:
        status = self.query_one("#status", Static)
        try:
            f = self._filter()
            self.entries = await self.app.db(lambda: list(audit.entries(self.ctx, f, limit=AUDIT_ROWS)))
        except (ServiceError, InvalidValue) as exc:  # a rep, an unknown user or lead, a bad date: in words
            status.update(str(exc))
            return
        table = self.query_one(DataTable)
        table.clear()
        for e in self.entries:
            table.add_row(Text(e.at.astimezone(self.ctx.tz).strftime("%Y-%m-%d %H:%M")), Text(e.user or "–"),
                          Text(audit_text.what(e)), Text(e.lead or "–"), Text(audit_text.details(self.ctx, e)),
                          key=str(e.id))
        more = len(self.entries) >= AUDIT_ROWS
        status.update(_("{n} entries (the latest {max}; narrow the filters to reach further back)",
                        n=len(self.entries), max=AUDIT_ROWS) if more else _("{n} entries", n=len(self.entries)))

    async def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        await self.reload()
        self.query_one(DataTable).focus()

    def action_filters(self) -> None:
        self.query_one("#audit-user", Input).focus()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.action_open()

    def action_open(self) -> None:
        table = self.query_one(DataTable)
        if not self.entries or table.cursor_row >= len(self.entries):
            return
        e = self.entries[table.cursor_row]
        if e.lead_id is not None and e.lead:
            self.app.post_message(OpenLead(e.lead_id))

    async def action_undo_batch(self) -> None:
        """``u`` on a batch's entry, or on one of its leads' entries: the whole batch undone (marking.py)."""
        from .marking import undo_batch

        table = self.query_one(DataTable)
        if not self.entries or table.cursor_row >= len(self.entries):
            return
        e = self.entries[table.cursor_row]
        bid = e.id if e.entity == "batch" and e.entity_id is None else e.details.get("batch")
        via = str(e.details.get("via") or "")
        if bid is None and via.startswith("batch ") and via[6:].isdigit():  # a tag entry of a batch
            bid = int(via[6:])
        if not isinstance(bid, int):
            self.app.notify(_("this entry is not part of a batch"), severity="warning")
            return
        await undo_batch(self.app, bid)
        await self.reload()

    async def on_live_changes(self, message: LiveChanges) -> None:
        if self.is_current and (message.everything or any(e.entity != "notification" for e in message.entries)):
            await self.reload()
