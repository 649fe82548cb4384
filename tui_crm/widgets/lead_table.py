"""A virtual lead table: a Line-API ScrollView that renders only visible rows.

It holds a contiguous *window* of rows (``base`` .. ``base + len(rows)``) and
asks its ``loader`` (async callables run off the UI thread) for more when the
view scrolls past the window. Rows are repainted one line at a time; the
cursor and scroll position never move unless the user moves them.
"""
from __future__ import annotations

import asyncio
from typing import Awaitable, Callable

from rich.color import ANSI_COLOR_NAMES, Color as RichColor
from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from ..domain.text import cell_width, fit
from ..domain.vocab import PRIORITIES, STATUSES
from ..i18n import _, label, money_style
from .lead_columns import Column, exact_cells, fit_columns

PAGE = 100
WINDOW_MAX = 1200

CURSOR = Style(reverse=True)
# a standard terminal colour keeps its name (red, not color(1)): it reads the same at 16 colours
_ANSI_NAMES: dict[int, str] = {}
for _name, _number in ANSI_COLOR_NAMES.items():
    if _number < 16:
        _ANSI_NAMES.setdefault(_number, _name)


class LeadTable(ScrollView, can_focus=True):
    """The virtual table. ``loader`` has async ``after(key, n)``, ``before(key, n)``, ``at(offset, n)``, ``key(view)``,
    ``due_text(view)``, ``stage_label(key)``."""

    COMPONENT_CLASSES = {"lead-table--overdue", "lead-table--today", "lead-table--stalled", "lead-table--closed"}
    DEFAULT_CSS = """
    LeadTable > .lead-table--overdue { color: ansi_red; text-style: bold; }
    LeadTable > .lead-table--today { color: ansi_yellow; }
    LeadTable > .lead-table--stalled { color: ansi_magenta; }
    LeadTable > .lead-table--closed { text-style: dim; }
    """
    BINDINGS = [
        Binding("up", "cursor(-1)", show=False),  # k is the tasks screen's key (PRODUCT §8)
        Binding("down", "cursor(1)", show=False),
        Binding("pageup", "page(-1)", show=False),
        Binding("pagedown", "page(1)", show=False),
        Binding("home,g", "home", show=False),
        Binding("end,G", "end", show=False),
    ]

    cursor = reactive(0, repaint=False)

    class Highlighted(Message):
        def __init__(self, view):
            super().__init__()
            self.view = view

    class Selected(Message):
        def __init__(self, view):
            super().__init__()
            self.view = view

    class LayoutChanged(Message):
        """An exact column grew to hold a wider value: the screen repaints its header."""

    def __init__(self, loader, **kwargs):
        super().__init__(**kwargs)
        self.loader = loader
        self.base = 0
        self.rows: list = []
        self.total: int | None = None
        self._layout: list[tuple[Column, int]] = []
        self._layout_width = -1
        self._loading = False
        self._load_turn = asyncio.Lock()
        self.sort = "next"
        self.desc = False
        self.mark_of: Callable | None = None  # a marking screen's "is this lead marked?": a ✓ column first
        self.needs: dict[str, int] = {}  # widest code, phone and amount seen: those columns never cut them

    def _measure(self, rows: list) -> None:
        grew = False
        for v in rows:
            if getattr(v, "tags", None) and not self.needs.get("tags"):
                self.needs["tags"], grew = 1, True
            for k, text in exact_cells(v, money_style()).items():
                w = cell_width(text)
                if w > self.needs.get(k, 0):
                    self.needs[k], grew = w, True
        if grew:
            self._layout_width = -1
            self.post_message(self.LayoutChanged())

    # ------------------------------------------------------------ data
    def reset(self, rows: list, total: int | None = None) -> None:
        """New rows from the top (a new filter, search or sort)."""
        self.base, self.rows = 0, list(rows)
        self._measure(self.rows)
        self.total = total if total is not None else (len(rows) if len(rows) < PAGE else None)
        self.cursor = 0
        self.scroll_to(y=0, animate=False)
        self._resize_virtual()
        self.refresh()
        self._post_highlight()

    def set_total(self, total: int) -> None:
        self.total = total
        if self.cursor >= max(total, 1):
            self.cursor = max(0, total - 1)
        self._resize_virtual()
        self.refresh()

    def replace_window(self, rows: list) -> None:
        """Same position, fresh rows (a live change): cursor and scroll untouched."""
        self.rows = list(rows)
        self._measure(self.rows)
        if self.total is not None and self.base + len(rows) > self.total:
            self.total = self.base + len(rows)
        self.refresh()
        self._post_highlight()

    def update_rows(self, fresh: dict) -> list[int]:
        """Replace cached rows by id; repaint only their lines. Returns the indexes repainted."""
        changed = []
        for i, v in enumerate(self.rows):
            if v.id in fresh:
                self.rows[i] = fresh[v.id]
                changed.append(self.base + i)
        self._measure(list(fresh.values()))
        self.repaint_indexes(changed)
        return changed

    def repaint_indexes(self, indexes: list[int]) -> None:
        top = int(self.scroll_offset.y)
        for idx in indexes:
            if top <= idx < top + self.size.height:
                self.refresh_line(idx - top)

    def row(self, index: int):
        i = index - self.base
        return self.rows[i] if 0 <= i < len(self.rows) else None

    @property
    def current(self):
        return self.row(self.cursor)

    def visible_rows(self) -> list:
        top = int(self.scroll_offset.y)
        return [v for v in (self.row(i) for i in range(top, top + self.size.height)) if v is not None]

    def _count(self) -> int:
        if self.total is not None:
            return self.total
        return self.base + len(self.rows) + (1 if len(self.rows) else 0)

    def _resize_virtual(self) -> None:
        self.virtual_size = Size(self.size.width, self._count())

    async def ensure(self, start: int, stop: int) -> None:
        """Make rows start..stop (exclusive) available, one keyset page at a time."""
        if self._loading:
            return
        total = self._count()
        stop = min(stop, total)
        end = self.base + len(self.rows)
        if start >= self.base and stop <= end or start >= stop:
            return
        self._loading = True
        try:
            if self.rows and start >= self.base and start <= end:  # just past the end: keyset after
                more = await self.loader.after(self.loader.key(self.rows[-1]), PAGE)
                self.rows += more
                if len(more) < PAGE:
                    self.total = self.base + len(self.rows)
                if len(self.rows) > WINDOW_MAX:
                    drop = len(self.rows) - WINDOW_MAX
                    self.rows, self.base = self.rows[drop:], self.base + drop
            elif self.rows and stop <= self.base and stop >= self.base - PAGE:  # just before: keyset before
                more = await self.loader.before(self.loader.key(self.rows[0]), PAGE)
                self.rows = more + self.rows
                self.base -= len(more)
                self.rows = self.rows[:WINDOW_MAX]
            elif self.total is not None and stop >= self.total - PAGE:  # the end
                more = await self.loader.before(None, PAGE)
                self.rows, self.base = more, self.total - len(more)
            else:  # a jump
                offset = max(0, start - PAGE // 4)
                self.rows, self.base = await self.loader.at(offset, PAGE), offset
        finally:
            self._loading = False
        self._measure(self.rows)
        self._resize_virtual()
        self.refresh()
        self._post_highlight()

    # ------------------------------------------------------------ rendering
    @property
    def mark_cells(self) -> int:
        return 2 if self.mark_of is not None else 0

    def _columns(self) -> list[tuple[Column, int]]:
        width = self.scrollable_content_region.width - self.mark_cells
        if width != self._layout_width:
            self._layout = fit_columns(width, needs=self.needs)
            self._layout_width = width
        return self._layout

    def header_text(self, width: int) -> str:
        cells = []
        for col, w in fit_columns(width - self.mark_cells, needs=self.needs):
            title = col.title
            if col.sort and col.sort == self.sort:
                title += " ▼" if self.desc else " ▲"
            cells.append(fit(title, w, col.align))
        return " " * self.mark_cells + " ".join(cells)

    def cells(self, view) -> dict[str, str]:
        status = _("stalled") if view.stalled else label(STATUSES, view.status)
        return {
            "due": self.loader.due_text(view), "contact": view.contact_name,
            "company": view.company, "tags": " ".join("#" + t for t in (getattr(view, "tags", None) or ())),
            "status": status, "stage": self.loader.stage_label(view.stage), "priority": label(PRIORITIES, view.priority),
            "owner": view.owner_name, **exact_cells(view, money_style()),
        }

    def style_for(self, view) -> Style:
        """A row's style by its state, from the component classes (a theme or the app's CSS may change them)."""
        if view.due_state == "overdue":
            return self._component("lead-table--overdue")
        if view.due_state == "today":
            return self._component("lead-table--today")
        if view.stalled:
            return self._component("lead-table--stalled")
        if view.status in ("won", "lost", "dormant"):
            return self._component("lead-table--closed")
        return Style()

    def _component(self, name: str) -> Style:
        style = self.get_component_rich_style(name, partial=True)
        color = style.color
        if color is not None and color.number is not None and color.number in _ANSI_NAMES and color.triplet is None:
            style = style + Style(color=RichColor.parse(_ANSI_NAMES[color.number]))
        return style

    def render_line(self, y: int) -> Strip:
        index = int(self.scroll_offset.y) + y
        width = self.scrollable_content_region.width
        view = self.row(index)
        if view is None:
            if index < self._count():
                self._load_later()
                return Strip([Segment(fit("…", width))])
            return Strip.blank(width)
        cells = self.cells(view)  # once a row, not once a column
        text = " ".join(fit(cells[col.key], w, col.align) for col, w in self._columns())
        if self.mark_of is not None:
            text = ("✓ " if self.mark_of(view) else "  ") + text
        pad = width - cell_width(text)
        if pad > 0:
            text += " " * pad
        style = self.style_for(view)
        if index == self.cursor:
            style = style + CURSOR if self.has_focus else style + Style(reverse=True, dim=True)
        return Strip([Segment(text, style)], width)

    def _load_later(self, start: int | None = None, stop: int | None = None) -> None:
        """Load rows in a worker, one load at a time: a load waiting on a lost connection must not hold
        the table's keys meanwhile (they would reach the screen's bindings, not the search line)."""
        self.run_worker(self._load_in_turn(start, stop), group="table-load")

    async def _load_in_turn(self, start: int | None, stop: int | None) -> None:
        async with self._load_turn:
            if start is None:
                await self._load_visible()
            else:
                await self.ensure(start, stop)

    async def _load_visible(self) -> None:
        top = int(self.scroll_offset.y)
        await self.ensure(top, top + self.size.height + 1)

    def on_resize(self) -> None:
        self._resize_virtual()
        self._layout_width = -1

    # ------------------------------------------------------------ cursor
    def watch_cursor(self, old: int, new: int) -> None:
        top = int(self.scroll_offset.y)
        for idx in (old, new):
            if top <= idx < top + self.size.height:
                self.refresh_line(idx - top)
        self._post_highlight()

    def _post_highlight(self) -> None:
        self.post_message(self.Highlighted(self.current))

    def move_to(self, index: int) -> None:
        count = self._count()
        index = max(0, min(index, count - 1)) if count else 0
        self.cursor = index
        top = int(self.scroll_offset.y)
        h = max(1, self.size.height)
        if index < top:
            self.scroll_to(y=index, animate=False)
        elif index >= top + h:
            self.scroll_to(y=index - h + 1, animate=False)
        self._load_later(index - 1, index + h)

    def action_cursor(self, step: int) -> None:
        self.move_to(self.cursor + step)

    def action_page(self, step: int) -> None:
        h = max(1, self.size.height - 1)
        self.move_to(self.cursor + step * h)
        self.scroll_to(y=max(0, self.scroll_offset.y + step * h), animate=False)

    def action_home(self) -> None:
        self.move_to(0)

    async def action_end(self) -> None:
        if self.total is None:
            self.total = await self.loader.count()
            self._resize_virtual()
        self.move_to(self.total - 1)

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    def on_click(self, event) -> None:
        index = int(self.scroll_offset.y) + event.y
        if self.row(index) is not None:
            self.cursor = index
            if event.chain == 2:
                self.post_message(self.Selected(self.current))

    def key_enter(self) -> None:
        if self.current is not None:
            self.post_message(self.Selected(self.current))


Loader = Callable[..., Awaitable]
