"""The tasks screen (``k``): my tasks, my team's, or all I see; by status and due (``f``: open, overdue, due
today, done, shelved, all) and by owner (``o``); ``enter`` / ``e`` sets a task's status (未开始 / 进行中 /
已完成 / 已搁置) with its result and the customer's sentiment change; ``g`` opens its (first) lead. A task on
several leads says how many. The rows come from ``activity.task_list`` (the services decide who sees what).
"""
from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Header, Static

from ..domain.text import fit
from ..domain.vocab import PRIORITIES, SENTIMENTS, TASK_STATUSES
from ..i18n import _, label
from ..services.activity import task_list
from ..services.errors import ServiceError
from ..widgets.footer import TranslatedFooter
from ..wording import task_due_text
from .commands import CommandList
from .messages import LiveChanges, OpenLead, OverdueTick
from .styles import css

SCOPES = ("mine", "team", "all")
FILTERS = task_list.TASK_FILTERS  # open, overdue, today, done, shelved, all


def scope_names() -> dict[str, str]:
    return {"mine": _("my tasks"), "team": _("my team's"), "all": _("all I see")}


def filter_names() -> dict[str, str]:
    return {"open": _("open"), "overdue": _("overdue"), "today": _("due today"), "done": _("done"),
            "shelved": _("shelved"), "all": _("all")}


def leads_text(codes: list[str]) -> str:
    if not codes:
        return "–"
    if len(codes) == 1:
        return codes[0]
    return _("{code} +{n} leads", code=codes[0], n=len(codes) - 1)


def sentiment_text(before: str | None, after: str | None) -> str:
    if not (before or after):
        return ""
    return f"{label(SENTIMENTS, before) if before else '?'}→{label(SENTIMENTS, after) if after else '?'}"


def own_team(ctx) -> str | None:
    """The acting user's team's name (None: no team)."""
    from ..services.leads import board

    if ctx.actor.team_id is None:
        return None
    if ctx.actor.is_admin:
        from ..services.admin import teams

        return next((t.name for t in teams.list_teams(ctx) if t.id == ctx.actor.team_id), None)
    names = board.teams(ctx)
    return names[0] if names else None


class TaskCommands(CommandList):
    def commands(self):
        screen = self.screen
        if not isinstance(screen, TasksScreen):
            return
        for key, name in scope_names().items():
            yield _("Tasks: {scope}", scope=name), lambda k=key: screen.set_view(scope=k), ""
        for key, name in filter_names().items():
            yield _("Tasks: status {status}", status=name), lambda k=key: screen.set_view(filter=k), ""
        yield _("Tasks: owner…"), screen.action_pick_owner, ""
        yield _("Tasks: set the status of the task under the cursor"), screen.action_set_status, ""
        yield _("Tasks: open the task's lead"), screen.action_open_lead, ""


class TasksScreen(Screen):
    CSS_PATH = css("team")
    COMMANDS = {TaskCommands}
    BINDINGS = [
        Binding("enter,e", "set_status", _("Status"), tooltip=_("set the status, result and sentiment"),
                id="tasks.status"),
        Binding("m", "cycle_scope", _("Mine/team/all"), id="tasks.scope"),
        Binding("f", "cycle_filter", _("Status filter"), id="tasks.filter"),
        Binding("o", "pick_owner", _("Owner"), id="tasks.owner"),
        Binding("g", "open_lead", _("Open lead"), tooltip=_("open the task's lead"), id="tasks.lead"),
    ]

    def __init__(self, ctx):
        super().__init__()
        self.ctx = ctx
        self.scope = "mine"
        self.filter = "open"
        self.owner: str | None = None  # a login chosen with `o`
        self.rows: list = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="tasks-filters", markup=False)
        yield DataTable(id="tasks-table", cursor_type="row", zebra_stripes=True)
        yield Static(id="status", markup=False)
        yield TranslatedFooter()

    async def on_mount(self) -> None:
        self.title = _("Tasks")
        table = self.query_one(DataTable)
        table.add_columns(_("due"), _("status"), _("on leads"), _("task"), _("owner"), _("priority"), _("result"))
        table.focus()
        await self.reload()

    # ------------------------------------------------------------ reading
    def _rows(self) -> list:
        """On the database thread: the tasks the screen's choices ask for."""
        owner, team = self.owner, None
        if owner is None and self.scope == "mine":
            owner = self.ctx.actor.login
        elif owner is None and self.scope == "team":
            team = own_team(self.ctx)
            owner = None if team else self.ctx.actor.login
        return task_list.list_tasks(self.ctx, self.filter, owner=owner, team=team)

    async def reload(self) -> None:
        status = self.query_one("#status", Static)
        try:
            rows = await self.app.db(self._rows)
        except ServiceError as exc:
            status.update(str(exc))
            return
        self.rows = rows
        table = self.query_one(DataTable)
        keep = table.cursor_row
        table.clear()
        wide = 40 if self.app.size.width >= 120 else 24  # the codes before the title, both within 80 columns
        for t in rows:
            due = task_due_text(self.ctx, t)
            style = "bold red" if t.overdue else "yellow" if t.due_today else ""
            result = " ".join(x for x in (t.result or "", sentiment_text(t.sentiment_before, t.sentiment_after)) if x)
            table.add_row(Text(due, style=style), Text(label(TASK_STATUSES, t.status)), Text(leads_text(t.leads)),
                          Text(fit(_(t.title), wide)), Text(t.owner_name), Text(label(PRIORITIES, t.priority)),
                          Text(fit(result, wide)), key=str(t.id))
        if rows:
            table.move_cursor(row=min(keep, len(rows) - 1))
        self._paint_filters()

    def _paint_filters(self) -> None:
        who = _("owner: {login}", login=self.owner) if self.owner else scope_names()[self.scope]
        self.query_one("#tasks-filters", Static).update(
            _("{who} · status: {status}", who=who, status=filter_names()[self.filter]))
        n = len(self.rows)
        late = sum(1 for t in self.rows if t.overdue)
        self.query_one("#status", Static).update(_("{n} tasks · {late} overdue", n=f"{n:,}", late=f"{late:,}"))

    def current(self):
        table = self.query_one(DataTable)
        if not self.rows or table.cursor_row >= len(self.rows):
            return None
        return self.rows[table.cursor_row]

    # ------------------------------------------------------------ keys
    def set_view(self, scope: str | None = None, filter: str | None = None) -> None:
        if scope:
            self.scope, self.owner = scope, None
        if filter:
            self.filter = filter
        self.run_worker(self.reload(), exclusive=True, group="reload")

    def action_cycle_scope(self) -> None:
        self.set_view(scope=SCOPES[(SCOPES.index(self.scope) + 1) % len(SCOPES)])

    def action_cycle_filter(self) -> None:
        self.set_view(filter=FILTERS[(FILTERS.index(self.filter) + 1) % len(FILTERS)])

    def action_pick_owner(self) -> None:
        self.run_worker(self._pick_owner(), group="pick")

    async def _pick_owner(self) -> None:
        from ..services.leads import board
        from .pick import PickScreen

        owners = await self.app.db(board.owners, self.ctx)
        options = [("", _("(everyone I see)"))] + [(login, f"{name} ({login})") for login, name in owners]

        def picked(login):
            if login is not None:
                self.owner = login or None
                if not login:
                    self.scope = "all"
                self.run_worker(self.reload(), exclusive=True, group="reload")

        self.app.push_screen(PickScreen(_("Tasks of"), options), callback=picked)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.action_set_status()

    def action_set_status(self) -> None:
        task = self.current()
        if task is None:
            self.app.notify(_("no task selected"), severity="warning")
            return
        from .task_status_form import TaskStatusForm

        async def saved(result):
            if result:
                await self.reload()

        self.app.push_screen(TaskStatusForm(self.ctx, task), callback=saved)

    def action_open_lead(self) -> None:
        task = self.current()
        if task is None or not task.leads:
            self.app.notify(_("this task concerns no lead"), severity="warning")
            return
        self.run_worker(self._open(task.leads[0]), group="open")

    async def _open(self, code: str) -> None:
        from ..services import leads

        try:
            view = await self.app.db(leads.get, self.ctx, code)
        except ServiceError as exc:
            self.app.notify(str(exc), severity="error")
            return
        self.app.post_message(OpenLead(view.id))

    # ------------------------------------------------------------ live
    async def on_live_changes(self, message: LiveChanges) -> None:
        if message.everything or any(e.entity in ("task", "lead") for e in message.entries):
            self.run_worker(self.reload(), exclusive=True, group="reload")

    def on_overdue_tick(self, message: OverdueTick) -> None:
        if self.rows:
            self.run_worker(self.reload(), exclusive=True, group="reload")
