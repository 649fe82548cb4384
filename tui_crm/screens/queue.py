"""Today's queue: the rep's open tasks, overdue first, then due today, by priority.

``enter`` opens the lead; after a call is logged (there or with ``f`` here)
the queue comes back with the NEXT task selected. The queue lists at most 500
tasks (the service picks the first 500 in the queue's own order), so a plain
DataTable fits it; the status line counts all of them, and ``o`` / ``d`` narrow
the list to the overdue ones or to today's (a rep with a backlog of overdue
tasks still reaches today's).
"""
from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Header, Input, Static

from ..i18n import _
from ..services import leads
from ..services.activity import tasks
from ..services.activity.queue_rows import call_info
from ..services.errors import Unavailable
from ..widgets.search_box import SearchBox
from ..wording import task_due_text
from . import queue_rows
from ..widgets.footer import TranslatedFooter
from .lead_actions import LeadActions
from .messages import LiveChanges, OverdueTick
from .styles import css



def task_state(ctx, t) -> tuple:
    now = ctx.now()
    from ..domain import rules

    _s, tomorrow = rules.day_bounds(now, ctx.tz)
    return (t.due_at < now, now <= t.due_at < tomorrow)


class QueueScreen(LeadActions, Screen):
    CSS_PATH = css("list", "queue")
    BINDINGS = [
        Binding("enter", "open_task", _("Open"), id="queue.open"),
        Binding("f", "followup", _("Log"), id="queue.followup"),
        Binding("z", "snooze", _("Snooze"), id="queue.snooze"),
        Binding("c", "done", _("Done"), id="queue.done"),
        Binding("u", "undo_done", _("Undo done"), show=False, id="queue.undo"),
        Binding("slash", "search", _("Search"), id="queue.search"),
        Binding("o", "only('overdue')", _("Overdue"), id="queue.overdue"),
        Binding("d", "only('today')", _("Due today"), id="queue.today"),
        Binding("n", "new_lead", _("New"), show=False, id="lead.new"),
    ]

    def __init__(self, ctx):
        super().__init__()
        self.ctx = ctx
        self.items: list = []
        self.shown: list = []
        self.only: str | None = None  # overdue | today: the list narrowed to those
        self.counts: dict = {}
        self._next_ids: list[int] = []
        self._next_index = 0
        self._opened: int | None = None  # the task whose lead was opened (enter): back on it after escape
        self._logged = False  # a call was logged since: the next task is selected instead
        self._undo: tuple[int, int | None] | None = None  # the last `c`: (task done, next task it made)
        self.info: dict = {}  # lead id -> CallInfo (contact, phone, stage, last call, missed calls)
        self._columns: tuple = ()  # the column keys and widths shown

    def compose(self) -> ComposeResult:
        yield Header()
        yield SearchBox(placeholder=_("/ search the queue"), id="search")
        yield DataTable(id="queue", cursor_type="row", zebra_stripes=False)
        yield Static(id="status")
        yield TranslatedFooter()

    @property
    def table(self) -> DataTable:
        return self.query_one("#queue", DataTable)

    async def on_mount(self) -> None:
        self.table.focus()
        await self.reload()

    def on_resize(self) -> None:
        if self.is_mounted and self.items:
            self._fill(self.current_task().id if self.current_task() else None, self.table.cursor_row)

    async def on_screen_resume(self) -> None:
        await self.reload()

    # ------------------------------------------------------------ data
    async def reload(self, keep_id: int | None = None) -> None:
        only = self.only
        def load():
            found = tasks.queue(self.ctx, only=only)
            return found, tasks.queue_counts(self.ctx), call_info(self.ctx, [t.lead_id for t in found])

        try:
            items, self.counts, self.info = await self.app.db(load)
        except Unavailable:  # the app says so; read again when the database is back (LiveChanges)
            return
        # what is selected now, after the wait: a reload that finished meanwhile (the live poll's, after a
        # logged call) may have moved the cursor to the next task, and that choice must stand
        current = self.current_task()
        row = self.table.cursor_row if self.shown else 0
        self.items = items
        self._fill(keep_id if keep_id is not None else (current.id if current else None), row)

    def _fill(self, keep_id: int | None, row: int = 0) -> None:
        text = self.query_one("#search", Input).value.strip().lower()
        self.shown = [t for t in self.items if not text or text in " ".join(
            str(x).lower() for x in (t.lead_code, t.company, t.title, getattr(self.info.get(t.lead_id), "contact_name",
                                                                             "")))]
        table = self.table
        keys = queue_rows.layout(self.size.width or self.app.size.width)
        rows = [queue_rows.cells(self.ctx, t, self.info.get(t.lead_id), keys) for t in self.shown]
        widths = queue_rows.widths(keys, rows, self.size.width or self.app.size.width)
        if self._columns != (keys, tuple(widths)):  # first fill, a resize, or wider cells
            self._columns = (keys, tuple(widths))
            table.clear(columns=True)
            head = queue_rows.headers()
            for k, w in zip(keys, widths):
                table.add_column(head[k], width=w, key=k)
        else:
            table.clear()
        for t, cells in zip(self.shown, rows):
            table.add_row(*cells, key=str(t.id))
        target = None
        opened, self._opened = self._opened, None
        if opened is not None and not self._logged:  # back from the lead without a call logged: the same task
            self._next_ids = []
            keep_id = opened
        self._logged = False
        if self._next_ids:  # after a logged call: the next task of the old order still open
            ids = {t.id for t in self.shown}
            nxt = next((i for i in self._next_ids if i in ids), None)
            target = [t.id for t in self.shown].index(nxt) if nxt is not None else min(self._next_index,
                                                                                         len(self.shown) - 1)
            self._next_ids = []
        elif keep_id is not None:  # the same task, or (done meanwhile) the one now in its place
            target = next((i for i, t in enumerate(self.shown) if t.id == keep_id), min(row, len(self.shown) - 1))
        if self.shown:
            table.move_cursor(row=max(0, target or 0), animate=False)
        self._paint_status()

    def _paint_status(self) -> None:
        c = self.counts or {"total": len(self.items), "overdue": sum(1 for t in self.items if t.overdue),
                            "today": sum(1 for t in self.items if t.due_today)}
        text = _("{n} tasks · {overdue} overdue · {today} due today", n=f"{c['total']:,}",
                 overdue=f"{c['overdue']:,}", today=f"{c['today']:,}")
        listed = c["overdue"] if self.only == "overdue" else c["today"] if self.only == "today" else c["total"]
        if self.only:
            text += " · " + _("showing: {what}", what=_("overdue") if self.only == "overdue" else _("due today"))
        if len(self.items) < listed:
            text += " · " + _("the first {n} listed", n=len(self.items))
        t = self.current_task()
        info = self.info.get(t.lead_id) if t is not None else None
        if info is not None and info.suggest_lost:  # rule 7, as the detail says it
            text += "\n" + _("⚠ {n} calls in a row not reached: consider marking it lost (enter, then x)",
                              n=self.ctx.settings.missed_calls_for_lost)
        self.query_one("#status", Static).update(text)

    def on_data_table_row_highlighted(self, event) -> None:
        self._paint_status()

    def current_task(self):
        try:
            row = self.table.cursor_row
        except Exception:
            return None
        return self.shown[row] if self.shown and 0 <= row < len(self.shown) else None

    def current_lead(self):
        return None

    def _remember_next(self) -> None:
        t = self.current_task()
        if t is None:
            return
        i = self.shown.index(t)
        self._next_ids = [x.id for x in self.shown[i + 1:]]
        self._next_index = i

    # ------------------------------------------------------------ actions
    def on_data_table_row_selected(self, event) -> None:
        self.action_open_task()

    def action_open_task(self) -> None:
        t = self.current_task()
        if t is None or t.lead_id is None:
            return
        self._remember_next()
        self._opened, self._logged = t.id, False
        self.open_lead(t.lead_id, from_queue=True)

    def followup_logged(self) -> None:
        """The lead opened from here had a call logged (the detail tells before it returns here)."""
        self._logged = True

    async def action_followup(self) -> None:
        t = self.current_task()
        if t is None or t.lead_id is None:
            return
        view = await self.app.db(leads.get, self.ctx, t.lead_id)
        i = self.shown.index(t) if t in self.shown else 0
        after = ([x.id for x in self.shown[i + 1:]], i)  # the next tasks, taken up only once the call is logged
        from .forms import FollowUpForm
        from ..services import activity

        method = await self.app.db(activity.last_method, self.ctx)

        async def saved(ok):
            # a reload may run before this (the queue resumed when the form closed): it must not have moved on
            if ok:
                self._next_ids, self._next_index = after
                await self.reload()
            else:
                await self.reload(keep_id=t.id)

        self.app.push_screen(FollowUpForm(self.ctx, view, method), callback=saved)

    def action_snooze(self) -> None:
        t = self.current_task()
        if t is None:
            return
        from .task_forms import SnoozeForm

        async def saved(ok):
            await self.reload(keep_id=t.id)

        self.app.push_screen(SnoozeForm(self.ctx, t), callback=saved)

    async def action_done(self) -> None:
        """``c``: asks for the result and the lead's next follow-up (task_forms.DoneForm); ``u`` undoes it."""
        t = self.current_task()
        if t is None:
            return
        from .task_forms import DoneForm

        def load():
            if t.lead_id is None:
                return None, 0
            return leads.get(self.ctx, t.lead_id), sum(1 for o in tasks.open_tasks(self.ctx, t.lead_id) if o.id != t.id)

        try:
            view, others = await self.app.db(load)
        except Exception as exc:  # noqa: BLE001 — the lead went out of scope meanwhile: one line
            self.app.notify(str(exc), severity="error")
            return
        self._remember_next()

        async def saved(result):
            if not result:
                self._next_ids = []
                return
            self._undo = (t.id, result.get("created"))
            self.app.notify(_("task done: {code} · u undoes it", code=t.lead_code or _(t.title)), timeout=10)
            await self.reload()

        self.app.push_screen(DoneForm(self.ctx, t, view, others), callback=saved)

    async def action_undo_done(self) -> None:
        if not self._undo:
            self.app.notify(_("nothing to undo"), severity="warning")
            return
        task_id, created = self._undo
        self._undo = None
        if await self.run_write(tasks.undo_finish, self.ctx, task_id, created):
            self.app.notify(_("task open again"))
            await self.reload(keep_id=task_id)

    async def after_write(self, lead_id) -> None:
        await self.reload()

    def action_search(self) -> None:
        self.query_one("#search", Input).focus()

    async def action_only(self, what: str) -> None:
        """``o`` / ``d``: only the overdue tasks / only today's; the same key again shows all."""
        self.only = None if self.only == what else what
        await self.reload()

    def on_input_changed(self, event: Input.Changed) -> None:
        self._fill(None)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.table.focus()

    def on_search_box_leave(self, event: SearchBox.Leave) -> None:
        self.table.focus()

    # ------------------------------------------------------------ timer and live
    def on_overdue_tick(self, message: OverdueTick) -> None:
        changed = False
        for t in self.shown:
            state = task_state(self.ctx, t)
            if state != (t.overdue, t.due_today):
                if self.counts and state[0] and not t.overdue:  # fell due: one more overdue, one less today
                    self.counts["overdue"] += 1
                    self.counts["today"] -= int(t.due_today)
                t.overdue, t.due_today = state
                self.table.update_cell(str(t.id), "due",
                                       Text(task_due_text(self.ctx, t),
                                            style="bold red" if t.overdue else ("yellow" if t.due_today else "")))
                changed = True
        if changed:
            self._paint_status()

    async def on_live_changes(self, message: LiveChanges) -> None:
        if self.is_current:
            await self.reload()
