"""Notifications (escalations, assignments, reminders), newest first; `enter` opens the lead."""
from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Header, OptionList, Static
from textual.widgets.option_list import Option

from ..i18n import _, pgettext
from ..services import activity
from ..services.errors import Unavailable
from ..widgets.markup import escape
from ..widgets.footer import TranslatedFooter
from .messages import LiveChanges, OpenLead
from .styles import css


class InboxScreen(Screen):
    CSS_PATH = css("queue")
    BINDINGS = [
        Binding("enter", "open", _("Open"), id="inbox.open"),
        Binding("r", "read_all", _("Mark all read"), id="inbox.read"),
        Binding("escape", "back", _("Back"), id="inbox.back"),
    ]

    def __init__(self, ctx):
        super().__init__()
        self.ctx = ctx
        self.items: list = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield OptionList(id="inbox")
        yield Static(id="status")
        yield TranslatedFooter()

    async def on_mount(self) -> None:
        self.query_one(OptionList).focus()
        await self.reload()

    async def on_screen_resume(self) -> None:
        await self.reload()

    async def reload(self) -> None:
        try:
            self.items = await self.app.db(activity.notifications, self.ctx)
        except Unavailable:  # the app says so; read again when the database is back (LiveChanges)
            return
        box = self.query_one(OptionList)
        keep = box.highlighted
        box.clear_options()
        for n in self.items:
            when = n.at.astimezone(self.ctx.tz).strftime("%m-%d %H:%M")
            mark = "  " if n.read else "● "
            new = "" if n.read else _("new") + " · "
            line = pgettext("inbox", "{kind}: {text}", kind=escape(_(n.kind)), text=escape(n.text))
            box.add_option(Option(f"{mark}{when}  {new}{line}", id=f"n{n.id}"))
        if not self.items:
            box.add_option(Option(_("no notifications"), disabled=True))
        else:
            box.highlighted = keep if keep is not None and keep < len(self.items) else 0
        unread = sum(1 for n in self.items if not n.read)
        self.query_one("#status", Static).update(_("{n} notifications · {unread} unread", n=len(self.items),
                                                   unread=unread))

    def on_option_list_option_selected(self, event) -> None:
        self.action_open()

    def action_open(self) -> None:
        box = self.query_one(OptionList)
        if box.highlighted is None or box.highlighted >= len(self.items):
            return
        n = self.items[box.highlighted]
        self.run_worker(self._open(n))

    async def _open(self, n) -> None:
        await self.app.write(activity.mark_read, self.ctx, [n.id])
        if n.lead_id:
            self.app.post_message(OpenLead(n.lead_id))
        else:
            await self.reload()

    def action_back(self) -> None:
        """escape: back to the screen the inbox was opened from (the lead list at first)."""
        self.app.action_show(getattr(self.app, "previous_screen_name", None) or "list")

    async def action_read_all(self) -> None:
        await self.app.write(activity.mark_read, self.ctx, None)
        await self.reload()

    async def on_live_changes(self, message: LiveChanges) -> None:
        if (message.everything or any(e.entity == "notification" for e in message.entries)) and self.is_current:
            await self.reload()
