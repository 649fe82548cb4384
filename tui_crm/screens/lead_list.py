"""The lead list (shell): the acting user's first page of leads.

Replaced by the virtual list of the rep's-day issue.
"""
from __future__ import annotations

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from ..domain.parse import format_amount
from ..i18n import _
from ..services import leads


class LeadListScreen(Screen):
    PAGE = 100

    def __init__(self, ctx):
        super().__init__()
        self.ctx = ctx

    def compose(self) -> ComposeResult:
        yield Header()
        yield DataTable(id="leads", cursor_type="row", zebra_stripes=True)
        yield Static(id="status")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns(_("code"), _("company"), _("contact"), _("stage"), _("status"), _("next follow-up"),
                          _("amount"))
        views = leads.list_leads(self.ctx, limit=self.PAGE)
        for v in views:
            nxt = v.next_follow_up_at.astimezone(self.ctx.tz).strftime("%m-%d %H:%M") if v.next_follow_up_at else "–"
            if v.due_state == "overdue":
                nxt += " " + _("overdue")
            table.add_row(v.code, v.company, v.contact_name, v.stage, v.status, nxt, format_amount(v.amount_cents))
        total = leads.count(self.ctx)
        self.query_one("#status", Static).update(_("{shown} of {total} leads", shown=len(views), total=total))
