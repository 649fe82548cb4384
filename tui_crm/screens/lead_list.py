"""The lead list (home screen): a virtual table over keyset pages, search as you
type, quick filters, sort, and a status line with counts.
"""
from __future__ import annotations

import asyncio
from dataclasses import replace

from textual.app import ComposeResult
from textual.binding import Binding
from textual.css.query import NoMatches
from textual.screen import Screen
from textual.widgets import Header, Input, Static

from ..domain.text import fit
from ..domain.vocab import SOURCES
from ..i18n import _, label
from ..services.leads import batch, pages
from ..services.errors import Unavailable, ValidationError
from ..services.leads.pages import ListQuery
from ..widgets.search_box import SearchBox
from ..widgets.lead_columns import columns
from ..widgets.lead_table import PAGE, LeadTable
from ..wording import stage_label
from ..widgets.footer import TranslatedFooter
from .frames import DrawnOutsideBatch
from .lead_actions import LeadActions
from .list_commands import ListCommands
from .list_loader import ListLoader
from .marking import Marking
from .messages import LiveChanges, OverdueTick

SCOPES = ("all", "mine", "team")
SORT_ORDER = ("next", "company", "code", "amount", "stage", "owner", "created")


class LeadListScreen(Marking, LeadActions, DrawnOutsideBatch, Screen):
    # list.tcss is the app's (CrmApp.CSS_PATH): read once at the start, not again when this first screen opens
    COMMANDS = {ListCommands}
    BINDINGS = [
        Binding("slash", "search", _("Search"), id="list.search"),
        Binding("n", "new_lead", _("New"), tooltip=_("new lead"), id="lead.new"),
        Binding("m", "cycle_scope", _("Mine/team/all"), id="list.scope"),
        Binding("o", "toggle('overdue')", _("Overdue"), id="list.overdue"),
        Binding("d", "toggle('today')", _("Due today"), id="list.today"),
        Binding("z", "toggle('stalled')", _("Stalled"), id="list.stalled"),
        Binding("r", "cycle_sort", _("Sort"), id="list.sort"),
        Binding("R", "reverse_sort", _("Reverse sort"), show=False, id="list.reverse"),
        Binding("full_stop", "cycle('stage')", _("Stage filter"), show=False, id="list.stage"),
        Binding("comma", "cycle('source')", _("Source filter"), show=False, id="list.source"),
        Binding("c", "clear_filters", _("Clear filters"), show=False, id="list.clear"),
        Binding("number_sign", "pick_tag", _("Tag filter"), show=False, id="list.tag"),
        LeadActions.TAG_BINDING,
    ] + LeadActions.LEAD_BINDINGS + Marking.MARK_BINDINGS

    def __init__(self, ctx):
        super().__init__()
        self.ctx = ctx
        self.scope_filter = "all"
        self.state_filters: set[str] = set()
        self.stage_filter: str | None = None
        self.source_filter: str | None = None
        self.tag_filter: str | None = None
        self.tag_choices: list[tuple[str, int]] = []  # (tag, leads) for `#` and the palette
        self.list_query = ListQuery()
        self.counts: dict = {}
        self._gen = 0
        self._ticks = 0
        self._failed = False  # the last reload met a failed database: the next live change reloads
        self._tell_shown = False  # the first page was read: the app is told once it is drawn (frame_drawn)
        self.marks_reset()

    def compose(self) -> ComposeResult:
        yield Header()
        yield SearchBox(placeholder=_("/ search: code, company, contact, phone, email, need, remarks"), id="search")
        yield Static(id="list-header")
        yield LeadTable(ListLoader(self), id="leads")
        yield Static(id="status")
        yield TranslatedFooter()

    @property
    def table(self) -> LeadTable:
        return self.query_one(LeadTable)

    async def on_mount(self) -> None:
        self.table.mark_of = self.is_marked
        self.table.focus()
        try:
            await self.reload()
        finally:  # the app's poll, timers and sweep start once this page is on screen (or could not be read)
            self._tell_shown = True
            self.refresh()

    def frame_drawn(self) -> None:
        """The first frame drawn after the first page was read tells the app it is shown: drawn once, outside
        Textual's start-up batch (frames.DrawnOutsideBatch; tests/test_first_paint.py)."""
        self._told_shown()

    def on_screen_suspend(self) -> None:
        self._told_shown()  # another screen came first: the app's start does not wait for this one's paint

    def _told_shown(self) -> None:
        if self._tell_shown:
            self._tell_shown = False
            self.app.call_later(self.app.first_page_shown)

    def on_resize(self) -> None:
        self._paint_header()

    def on_lead_table_layout_changed(self, event: LeadTable.LayoutChanged) -> None:
        self._paint_header()

    # ------------------------------------------------------------ query
    def _build_query(self) -> ListQuery:
        filters = []
        if self.scope_filter != "all":
            filters.append(self.scope_filter)
        filters += sorted(self.state_filters)
        if self.stage_filter:
            filters.append("stage:" + self.stage_filter)
        if self.source_filter:
            filters.append("source:" + self.source_filter)
        if self.tag_filter:
            filters.append("tag:" + self.tag_filter)
        search = self.query_one("#search", Input).value.strip()
        return ListQuery(tuple(filters), search, self.list_query.sort, self.list_query.desc)

    async def reload(self) -> None:
        """New query from the top: first page first, counts after (never waits for the counts)."""
        self._gen += 1
        gen = self._gen
        query = self._build_query()
        if self.mark_sel is not None and (self.mark_sel.query.filters, self.mark_sel.query.search) != (
                query.filters, query.search):  # `*` marked what another filter showed
            self.marks_reset()
        self.list_query = query
        self.table.sort, self.table.desc = self.list_query.sort, self.list_query.desc
        try:
            rows = await self.app.db(pages.after, self.ctx, self.list_query, None, PAGE)
        except ValidationError as exc:  # a search the services refuse (too long): say so, keep the list
            self.app.notify(str(exc), severity="warning")
            return
        except Unavailable:  # the app says so; read again when the database is back (LiveChanges)
            self._failed = True
            return
        if gen != self._gen:
            return
        for notice in dict.fromkeys(self.ctx.notices):  # e.g. the search left out leads seen masked
            self.app.notify(notice, severity="warning", timeout=8)
        self.ctx.notices.clear()
        self.table.reset(rows, len(rows) if len(rows) < PAGE else None)
        self._paint_header()
        self.counts = {}  # the last query's counts would sit beside the new filter: "counting…" until ready
        self._paint_status()
        self.start_counts(gen, after_paint=True)  # the rows are painted before the counts' scan starts

    def start_counts(self, gen: int | None = None, after_paint: bool = False) -> None:
        """The status line's counts, in the background: at 1M leads they take about a second, and nothing
        (the first paint, the next keystroke, the app's live poll or timer) may wait for them. ``after_paint``:
        not before the rows just read are on screen (the counts' scan would compete with their paint)."""
        self.run_worker(self.refresh_counts(gen, after_paint), exclusive=True, group="counts")

    async def refresh_counts(self, gen: int | None, after_paint: bool = False) -> None:
        gen = self._gen if gen is None else gen
        if after_paint:
            painted = asyncio.Event()
            self.call_after_refresh(painted.set)
            await painted.wait()
        query = self.list_query

        def current_counts():  # skipped on the counts thread if the user typed on meanwhile
            return pages.status_counts(self.ctx, query) if gen == self._gen else None

        counts = await self.app.db_side(current_counts)
        if counts is None or gen != self._gen or not self.is_attached:
            return  # stale, or the screen went away meanwhile (the app is closing)
        try:
            self.table.set_total(counts["shown"])
            self.counts = counts
            self._paint_status()
        except NoMatches:  # the screen is being taken down (the app is closing)
            return

    def _paint_header(self) -> None:
        try:
            table = self.table
        except Exception:
            return
        width = table.scrollable_content_region.width or (self.size.width - 2)
        self.query_one("#list-header", Static).update(table.header_text(width))

    def _paint_status(self) -> None:
        c = self.counts
        parts = [self.mark_text()] if self.mark_text() else []
        if c:
            parts.append(_("{n} leads", n=f"{c['shown']:,}"))
            parts.append(_("{n} overdue", n=f"{c['overdue']:,}"))
            parts.append(_("{n} due today", n=f"{c['today']:,}"))
            parts.append(_("{n} stalled", n=f"{c['stalled']:,}"))
        else:
            parts.append(_("counting…"))
        shown = [_(self.scope_filter)] + [_(f) for f in sorted(self.state_filters)]
        if self.stage_filter:
            shown.append(stage_label(self.ctx, self.stage_filter))
        if self.source_filter:
            shown.append(label({**SOURCES, **self.ctx.sources}, self.source_filter))
        if self.tag_filter:
            shown.append("#" + self.tag_filter)
        parts.append(_("filter: {names}", names=", ".join(shown)))
        col = next((c for c in columns() if c.sort == self.list_query.sort), None)
        parts.append(_("sort: {column}", column=(col.title if col else self.list_query.sort)
                       + (" ▼" if self.list_query.desc else " ▲")))
        status = self.query_one("#status", Static)
        status.update(fit(" · ".join(parts), max(10, self.size.width - 2)))

    # ------------------------------------------------------------ search
    def action_search(self) -> None:
        self.query_one("#search", Input).focus()

    async def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "search":
            self.run_worker(self.reload(), exclusive=True, group="reload")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "search":
            self.table.focus()

    def on_search_box_leave(self, event: SearchBox.Leave) -> None:
        self.table.focus()

    # ------------------------------------------------------------ filters and sort
    def _refilter(self) -> None:
        self.run_worker(self.reload(), exclusive=True, group="reload")

    def action_cycle_scope(self) -> None:
        self.scope_filter = SCOPES[(SCOPES.index(self.scope_filter) + 1) % len(SCOPES)]
        self._refilter()

    def action_toggle(self, name: str) -> None:
        self.state_filters ^= {name}
        if name == "overdue":
            self.state_filters.discard("today")
        if name == "today":
            self.state_filters.discard("overdue")
        self._refilter()

    def set_filter(self, kind: str, value: str | None) -> None:
        setattr(self, f"{kind}_filter", value)
        self._refilter()

    def action_cycle(self, kind: str) -> None:
        keys = self.ctx.stage_keys if kind == "stage" else list(self.ctx.sources)
        cur = getattr(self, f"{kind}_filter")
        options = [None] + keys
        self.set_filter(kind, options[(options.index(cur) + 1) % len(options)] if cur in options else keys[0])

    def action_clear_filters(self) -> None:
        """``c``: every filter and the search text (a search left standing hid leads behind "no filter")."""
        self.scope_filter, self.state_filters, self.stage_filter, self.source_filter = "all", set(), None, None
        self.tag_filter = None
        search = self.query_one("#search", Input)
        if search.value:
            search.value = ""  # its Changed message reloads
        else:
            self._refilter()

    def action_pick_tag(self) -> None:
        """``#``: choose a tag to filter by (pick_tag.py), or none."""
        from .pick_tag import pick_tag

        self.run_worker(pick_tag(self, lambda name: self.set_filter("tag", name)), group="tags")

    def set_sort(self, sort: str, desc: bool | None = None) -> None:
        self.list_query = replace(self.list_query, sort=sort, desc=self.list_query.desc if desc is None else desc)
        self._refilter()

    def action_cycle_sort(self) -> None:
        i = SORT_ORDER.index(self.list_query.sort) if self.list_query.sort in SORT_ORDER else -1
        self.set_sort(SORT_ORDER[(i + 1) % len(SORT_ORDER)], False)

    def action_reverse_sort(self) -> None:
        self.set_sort(self.list_query.sort, not self.list_query.desc)

    def set_scope(self, name: str) -> None:
        self.scope_filter = name
        self._refilter()

    # ------------------------------------------------------------ leads
    def on_lead_table_selected(self, event: LeadTable.Selected) -> None:
        if event.view is not None:
            self.open_lead(event.view.id)

    def current_lead(self):
        return self.table.current

    async def after_write(self, lead_id: int | None) -> None:
        await self.refresh_window()

    # ------------------------------------------------------------ marks (marking.py)
    def mark_view(self):
        return self.table.current

    def mark_step(self, step: int) -> None:
        self.table.action_cursor(step)

    def mark_everything(self):
        return batch.Selection(query=self.list_query)

    def repaint_marks(self) -> None:
        self.table.refresh()

    def paint_marks(self) -> None:
        self._paint_status()

    async def after_batch(self) -> None:
        await self.refresh_window()

    # ------------------------------------------------------------ timer and live
    def on_overdue_tick(self, message: OverdueTick) -> None:
        """In a worker, so a tick whose connection is lost does not hold the screen's keys meanwhile;
        one at a time."""
        if not any(w.group == "tick" and not w.is_finished for w in self.workers):
            self.run_worker(self._tick_rows(), group="tick")

    async def _tick_rows(self) -> None:
        """Re-evaluate due states of the rows on screen (one indexed query); repaint changed rows only."""
        if not self.is_attached or not self.query(LeadTable):  # a tick that reached a screen being taken down
            return
        table = self.table
        visible = table.visible_rows()
        if not visible:
            return
        try:
            probes = await self.app.db(pages.due_probe, self.ctx, [v.id for v in visible])
        except Unavailable:  # the app says so; the next tick tries again
            return
        changed = []
        stale_ids = []
        for v in visible:
            before = pages.due_signature(v)
            probe = probes.get(v.id)
            if probe is not None and probe.version != v.version:
                stale_ids.append(v.id)
            after = pages.reapply_due(self.ctx, v, probe)
            if after != before:
                changed.append(v.id)
        index = {v.id: table.base + i for i, v in enumerate(table.rows)}
        table.repaint_indexes([index[i] for i in changed if i in index])
        if stale_ids:
            try:
                table.update_rows(await self.app.db(pages.rows_by_id, self.ctx, stale_ids))
            except Unavailable:
                return
        self._ticks += 1
        if changed or self._ticks % 6 == 0:
            self.start_counts()

    async def on_live_changes(self, message: LiveChanges) -> None:
        if self._failed:  # a search typed while the database was away: run it now
            self._failed = False
            self.run_worker(self.reload(), exclusive=True, group="reload")
            return
        await self.refresh_window()

    async def refresh_window(self) -> None:
        """Re-read the rows from the window's first key: same positions, fresh rows, cursor untouched."""
        table = self.table
        gen = self._gen
        n = min(max(len(table.rows), PAGE), 300)
        if table.rows:
            first = pages.key_of(self.list_query, table.rows[0])
            start = (first[0], first[1], first[2] - 1)
        else:
            start = None
        try:
            rows = await self.app.db(pages.after, self.ctx, self.list_query, start if table.base else None, n)
        except Unavailable:  # the app says so; read again when the database is back
            return
        if gen != self._gen:
            return
        table.replace_window(rows)
        self.start_counts(gen)
