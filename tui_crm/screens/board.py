"""The live funnel board (`3`/`b`): one column per stage plus won/lost this month.

The screen's requests (reload, scroll, after a move) queue up and one worker runs them in order on
the app's database thread (``app.db``), then loads once and paints; the UI thread never waits on the
database. The app's ``LiveChanges`` ask for a reload, its ``OverdueTick`` re-evaluates the cards'
due states in place.
"""
from __future__ import annotations


from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Header, Static

from ..domain.vocab import PRIORITIES, SOURCES
from ..i18n import _, get_lang, label
from ..services.leads import board
from ..services.errors import ServiceError
from ..services.records import apply_due
from ..widgets.search_box import SearchBox
from ..wording import stage_label
from ..widgets.kanban import ColumnData, KanbanColumn, OutcomeColumn
from ..widgets.footer import TranslatedFooter
from .board_moves import BoardMoves
from .board_filters import BoardCommands, BoardFilters
from .marking import Marking
from .messages import LiveChanges, OpenLead, OverdueTick
from .styles import css

FULL_RELOAD_SECONDS = 60


class BoardScreen(Marking, BoardMoves, BoardFilters, Screen):
    CSS_PATH = css("board")
    TITLE = "Board"
    COMMANDS = {BoardCommands}

    BINDINGS = [
        Binding("left,h", "col(-1)", _("Column"), show=False, id="board.left"),
        Binding("right,l", "col(1)", _("Column"), show=False, id="board.right"),
        Binding("up,k", "card(-1)", _("Card"), show=False, id="board.up"),
        Binding("down,j", "card(1)", _("Card"), show=False, id="board.down"),
        Binding("pageup", "card(-5)", _("Page up"), show=False, id="board.pageup"),
        Binding("pagedown", "card(5)", _("Page down"), show=False, id="board.pagedown"),
        Binding("enter", "open", _("Open"), id="board.open"),
        Binding("greater_than_sign,shift+right", "step(1)", _("Next stage"), id="board.next"),
        Binding("less_than_sign,shift+left", "step(-1)", _("Prev stage"), id="board.prev"),
        Binding("w", "outcome('won')", _("Won"), id="board.won"),
        Binding("x", "outcome('lost')", _("Lost"), id="board.lost"),
        Binding("slash", "search", _("Search"), id="board.search"),
        Binding("m", "toggle_mine", _("Only mine"), id="board.mine"),
        Binding("o", "cycle('owner')", _("Owner"), show=False, id="board.owner"),
        Binding("g", "cycle('team')", _("Team"), show=False, id="board.team"),
        Binding("r", "cycle('source')", _("Source"), show=False, id="board.source"),
        Binding("p", "cycle('priority')", _("Priority"), show=False, id="board.priority"),
        Binding("c", "clear_filters", _("Clear filters"), show=False, id="board.clear"),
        Binding("number_sign", "pick_tag", _("Tag filter"), show=False, id="board.tag"),
        Binding("t", "tags", _("Tags"), show=False, tooltip=_("add or remove tags"), id="board.tags"),
        Binding("escape", "escape", _("Back"), show=False, id="board.escape"),
    ] + Marking.MARK_BINDINGS

    def __init__(self, ctx):
        super().__init__()
        self.ctx = ctx
        self.filter = board.BoardFilter()
        self.stage_keys = list(ctx.stage_keys)
        self.columns: list[ColumnData] = [ColumnData(k, self.stage_title(k)) for k in self.stage_keys]
        self.focus_col = 0
        self.focus_idx = 0
        self.focus_id: int | None = None
        self.capacity = 3
        self.owner_choices: list[tuple[str, str]] = []
        self.team_choices: list[str] = []
        self.tag_choices: list[tuple[str, int]] = []  # (tag, leads) for `#` and the palette
        self._jobs: list = []  # (fn, args) waiting for the worker; fn None: a reload with a focus hint
        self._draining = False  # a worker is running the queued requests
        # where each column's window starts: only functions run on the database thread touch them
        self._starts: dict[str, board.CardKey | None] = {k: None for k in self.stage_keys}
        self._above: dict[str, int] = {k: 0 for k in self.stage_keys}
        self.marks_reset()

    # ------------------------------------------------------------------ labels
    def stage_title(self, key: str) -> str:
        info = self.ctx.stage(key)
        return f"{stage_label(self.ctx, key)} {info.probability}%" if info else key

    def source_label(self, key: str) -> str:
        pair = self.ctx.sources.get(key) or SOURCES.get(key)
        return (pair[1] if get_lang() == "zh" else pair[0]) if pair else key

    @property
    def show_owner(self) -> bool:
        return self.ctx.actor.role in ("supervisor", "admin")

    # ------------------------------------------------------------------ layout
    def compose(self) -> ComposeResult:
        yield Header()
        # disabled until `/`: a hidden box must never take the board's keys
        yield SearchBox(placeholder=_("filter cards: company, contact, code, phone…"), id="board-search", disabled=True)
        yield Static("", id="board-filters")
        with Horizontal(id="board-columns"):
            for i, col in enumerate(self.columns):
                yield KanbanColumn(col, tz=self.ctx.tz, show_owner=self.show_owner, id=f"col-{i}")
            yield OutcomeColumn(id="col-outcomes")
        yield Static("", id="status")
        yield TranslatedFooter()

    def on_mount(self) -> None:
        self.title = _("Board")  # TITLE is the English source string
        self.set_interval(FULL_RELOAD_SECONDS, self.request_reload)
        self.request(self._load_choices)
        self.request_reload()

    def on_resize(self) -> None:
        self.call_after_refresh(self._update_capacity)

    def _update_capacity(self) -> None:
        cols = list(self.query(KanbanColumn))
        if cols:
            cap = cols[0].capacity()
            if cap != self.capacity:
                self.capacity = cap
                self.request_reload()

    # ------------------------------------------------------------------ the worker
    def request(self, fn, *args) -> None:
        """Run ``fn(*args)`` on the database thread after the requests before it; a dict it returns
        asks for a reload with that focus hint."""
        self._jobs.append((fn, args))
        if not self._draining:
            self._draining = True
            self.run_worker(self._drain(), group="board")

    def request_reload(self, hint: dict | None = None) -> None:
        self.request(None, hint)

    async def _drain(self) -> None:
        """Every queued request, then one load and one paint; again while requests keep coming."""
        try:
            while self._jobs:
                jobs, self._jobs = self._jobs, []
                reload, hint = False, None
                for fn, args in jobs:
                    if fn is None:
                        reload, hint = True, args[0] or hint
                        continue
                    try:
                        out = await self.app.db(fn, *args)
                    except ServiceError as exc:
                        self.notify(str(exc), severity="error")
                        continue
                    if isinstance(out, dict):
                        reload, hint = True, out
                if reload:
                    try:
                        loaded = await self.app.db(self._load)
                    except ServiceError as exc:
                        self.notify(str(exc), severity="error")
                        continue
                    if self.is_attached:
                        self._apply(*loaded, hint)
        finally:
            self._draining = False

    def _load_choices(self) -> None:
        self.owner_choices = board.owners(self.ctx)
        self.team_choices = board.teams(self.ctx)

    def _load(self):
        """The summary and each column's page (database thread)."""
        ctx, f, cap = self.ctx, self.filter, self.capacity
        summary = board.summary(ctx, f)
        pages = {}
        for col in summary.columns:
            start = self._starts.get(col.stage)
            p = board.page(ctx, col.stage, f, start=start, limit=cap)
            if start is not None and (not p.has_before or not p.cards):
                self._starts[col.stage], self._above[col.stage] = None, 0
                p = board.page(ctx, col.stage, f, limit=cap)
            pages[col.stage] = p
        return summary, pages, dict(self._above)

    def on_live_changes(self, message: LiveChanges) -> None:
        self.request_reload()

    def on_screen_resume(self) -> None:
        if self.stage_keys != self.ctx.stage_keys:  # `stages set` while a lead was open over the board
            self.app.call_later(self.app.restage_board)

    def _scroll(self, stage: str, delta: int, keys: list) -> dict | None:
        """Move a column's window by ``delta`` cards (database thread)."""
        if delta > 0 and keys:
            p = board.page(self.ctx, stage, self.filter, after=keys[0], limit=delta)
            if p.keys:
                self._starts[stage] = p.keys[-1]
                self._above[stage] += len(p.keys)
        elif delta < 0 and keys:
            p = board.page(self.ctx, stage, self.filter, before=keys[0], limit=-delta)
            if p.keys:
                self._starts[stage] = p.keys[0]
                self._above[stage] = max(0, self._above[stage] - len(p.keys))
            if not p.has_before:
                self._starts[stage], self._above[stage] = None, 0
        return {"keep": True, "edge": "last" if delta > 0 else "first"}

    def _show_lead(self, view) -> dict:
        """After a move: the column window that shows the moved card (database thread)."""
        stage = view.stage
        if view.status not in board.OPEN_STATUSES or stage not in self._starts:
            return {"keep": True}
        key = board.key_of(self.ctx, view)
        first = board.page(self.ctx, stage, self.filter, limit=self.capacity)
        if view.id in [c.id for c in first.cards]:
            self._starts[stage], self._above[stage] = None, 0
        else:
            self._starts[stage] = key
            self._above[stage] = board.rank(self.ctx, stage, key, self.filter)
        return {"lead": view.id, "stage": stage}

    # ------------------------------------------------------------------ painting (UI thread)
    def _apply(self, summary, pages, above, hint) -> None:
        if not self.query(OutcomeColumn):  # still being built, or taken down (stages changed): nothing to paint
            return
        hint = hint or {}
        now = self.ctx.now()
        for i, s in enumerate(summary.columns):
            p = pages[s.stage]
            self.columns[i] = ColumnData(
                s.stage, self.stage_title(s.stage), s.count, s.amount_cents, s.weighted_cents,
                {"overdue": s.overdue, "today": s.today, "planned": s.planned, "nothing": s.nothing},
                p.cards, above.get(s.stage, 0), p.has_before, p.keys)
        # where the focus goes: the moved card, else the same card, else the same place
        target = hint.get("lead") or self.focus_id
        placed = False
        if hint.get("stage") in self.stage_keys:
            self.focus_col = self.stage_keys.index(hint["stage"])
        if hint.get("edge") and not hint.get("lead"):
            cards = self.columns[self.focus_col].cards
            self.focus_idx = len(cards) - 1 if hint["edge"] == "last" else 0
            placed = True
        if not placed and target is not None:
            order = [self.focus_col] + [i for i in range(len(self.columns)) if i != self.focus_col]
            for ci in order:
                ids = [c.id for c in self.columns[ci].cards]
                if target in ids:
                    self.focus_col, self.focus_idx, placed = ci, ids.index(target), True
                    break
        cards = self.columns[self.focus_col].cards
        self.focus_idx = max(0, min(self.focus_idx, len(cards) - 1))
        self.focus_id = cards[self.focus_idx].id if cards else None
        self.query_one(OutcomeColumn).show((summary.won.count, summary.won.amount_cents),
                                           (summary.lost.count, summary.lost.amount_cents))
        self._paint(now)

    def _paint(self, now=None) -> None:
        now = now or self.ctx.now()
        for i, widget in enumerate(self.query(KanbanColumn)):
            widget.mark_of = self.is_marked
            widget.show(self.columns[i], self.focus_idx if i == self.focus_col else None, now)
        self._paint_status()

    def _paint_status(self) -> None:
        parts = []
        names = {"text": _("text"), "owner": _("owner"), "team": _("team"), "source": _("source"),
                 "priority": _("priority"), "mine": _("only mine"), "tag": _("tag")}
        for name, value in self.filter.describe():
            if name == "source":
                value = self.source_label(value)
            elif name == "priority":
                value = label(PRIORITIES, value)
            parts.append(f"{names[name]}: {value}" if value else names[name])
        scope = {"rep": _("my leads and shared"), "supervisor": _("my team"), "admin": _("everyone")}
        head = _("Scope: {scope}", scope=scope.get(self.ctx.actor.role, ""))
        text = head + ("  ·  " + _("Filter: {filters}", filters=", ".join(parts)) if parts else "")
        self.query_one("#board-filters", Static).update(text)
        marks = self.mark_text()
        self.query_one("#status", Static).update((marks + "  ·  " if marks else "") +
            _("bar: █ overdue ▓ due today ▒ planned ░ nothing planned  ·  > < move · w won · x lost · "
              "/ filter · m mine · o g r p owner/team/source/priority · c clear"))

    def on_overdue_tick(self, message: OverdueTick) -> None:
        """Every few seconds: re-evaluate overdue/due today on the visible cards, in place."""
        now = self.ctx.now()
        for col in self.columns:
            for card in col.cards:
                apply_due(self.ctx, card)  # keeps a card with a later task off the stalled list
        self._paint(now)

    # ------------------------------------------------------------------ focus
    # ---------------------------------------------------------------- marks (marking.py)
    def mark_view(self):
        return self.focused_card

    def mark_step(self, step: int) -> None:
        self.action_card(step)

    def mark_everything(self):
        from ..services.leads.batch import Selection

        return Selection(board=self.filter)

    def repaint_marks(self) -> None:
        self._paint()

    def paint_marks(self) -> None:
        self._paint_status()

    async def after_batch(self) -> None:
        self.request_reload()

    @property
    def focused_card(self):
        cards = self.columns[self.focus_col].cards
        return cards[self.focus_idx] if cards and self.focus_idx < len(cards) else None

    def action_col(self, delta: int) -> None:
        self.focus_col = max(0, min(len(self.columns) - 1, self.focus_col + delta))
        cards = self.columns[self.focus_col].cards
        self.focus_idx = max(0, min(self.focus_idx, len(cards) - 1))
        self.focus_id = cards[self.focus_idx].id if cards else None
        self._paint()

    def action_card(self, delta: int) -> None:
        col = self.columns[self.focus_col]
        new = self.focus_idx + delta
        if 0 <= new < len(col.cards):
            self.focus_idx = new
            self.focus_id = col.cards[new].id
            self._paint()
            return
        keys = list(col.keys)
        more_after = col.count - col.above - len(col.cards) > 0
        if new >= len(col.cards) and more_after:
            step = new - (len(col.cards) - 1)
            self.request(self._scroll, col.key, step, keys)
        elif new < 0 and col.above > 0:
            self.request(self._scroll, col.key, new, keys)
        else:
            self.focus_idx = max(0, min(new, len(col.cards) - 1))
            self.focus_id = col.cards[self.focus_idx].id if col.cards else None
            self._paint()

    def action_open(self) -> None:
        card = self.focused_card
        if card is None:
            return
        self.app.post_message(OpenLead(card.id))

    def on_search_box_leave(self, event: SearchBox.Leave) -> None:
        """down: to the cards, the box stays; escape on an empty box: it goes away too."""
        if event.key == "escape":
            self._hide_search(event.box)
        else:
            self.set_focus(None)

    def action_escape(self) -> None:
        if any(self.filter.describe()):
            self.action_clear_filters()
