"""The stats panel (`4` / `s`): KPI tiles, the funnel, breakdowns, lost reasons, won per month.

Every number comes from ``services.report.report`` (the same call as `tui-crm report`), computed on
the app's side database thread (``app.db_side``) from a worker, so the UI never waits on it. When the
app reports live changes the panel recomputes, at most once every ``MIN_GAP`` seconds after the
previous computation finished.

Keys: ``p`` period (all / this month / quarter / year), ``o`` owner, ``g`` team, ``a`` everyone in
scope, ``d`` breakdown by owner / team / source / industry, ``enter`` on a table column sorts by it
(again: reverse), ``r`` recompute now. All of them are also in the command palette.
"""
from __future__ import annotations

import time as _time
from datetime import datetime

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Header, Static

from .. import clock
from ..domain.parse import format_amount, format_amount_short
from ..domain.text import cell_width
from ..i18n import _, money_style, pgettext
from ..services.reports import figures as rep
from ..services.reports.render import days_text, key_label, pct_text, stage_label
from ..widgets.charts import bar_rows
from ..widgets.footer import TranslatedFooter
from .commands import CommandList
from .messages import LiveChanges
from .pick import PickScreen
from .styles import css

MIN_GAP = 2.0  # seconds between the end of one computation and the start of the next
DIMENSIONS = ("by_owner", "by_team", "by_source", "by_industry")
KPIS = ("leads", "open", "won", "lost", "conversion_rate", "win_rate", "won_amount_cents", "pipeline_amount_cents",
        "weighted_forecast_cents", "avg_cycle_days")
COLUMNS = ("key", "leads", "won", "lost", "conversion_rate", "win_rate", "won_amount_cents", "avg_cycle_days",
           "pipeline_amount_cents")


def kpi_labels() -> dict[str, str]:
    return {"leads": pgettext("count", "Leads"), "open": _("Open leads"), "won": pgettext("count", "Won"),
            "lost": pgettext("count", "Lost"),
            "conversion_rate": _("Conversion rate"), "win_rate": _("Win rate"), "won_amount_cents": _("Won amount"),
            "pipeline_amount_cents": _("Pipeline"), "weighted_forecast_cents": _("Weighted forecast"),
            "avg_cycle_days": _("Average cycle")}


def period_labels() -> dict[str, str]:
    return {"all": _("all time"), "month": _("this month"), "quarter": _("this quarter"), "year": _("this year")}


def dimension_labels() -> dict[str, str]:
    return {"by_owner": _("By owner"), "by_team": _("By team"), "by_source": _("By source"),
            "by_industry": _("By industry")}


def column_labels(dimension: str) -> dict[str, str]:
    key = {"by_owner": _("owner"), "by_team": _("team"), "by_source": _("source"), "by_industry": _("industry")}
    return {"key": key[dimension], "leads": _("leads"), "won": pgettext("count", "won"),
            "lost": pgettext("count", "lost"),
            "conversion_rate": _("conversion"), "win_rate": _("win rate"), "won_amount_cents": _("won amount"),
            "avg_cycle_days": _("avg cycle (days)"), "pipeline_amount_cents": _("pipeline")}


def kpi_text(key: str, value) -> str:
    """How a tile shows a figure (the same formatting as `report --format text`): a table cell's, with
    the cycle time in words."""
    if key == "avg_cycle_days":
        return "–" if value is None else _("{days} days", days=days_text(value))
    return cell_text(key, value)


def cell_text(key: str, value) -> str:
    if key.endswith("_cents"):
        return format_amount(value)
    if key.endswith("rate"):
        return pct_text(value)
    if key == "avg_cycle_days":
        return days_text(value)
    return "–" if value is None else f"{value:,}"


class StatsCommands(CommandList):
    """The panel's keys in the command palette."""

    def commands(self):
        screen = self.screen
        if not isinstance(screen, StatsScreen):
            return
        labels = period_labels()
        for name in rep.PERIODS:
            yield _("Stats: period {period}", period=labels[name]), (lambda n=name: screen.set_period(n)), ""
        for dim, text in dimension_labels().items():
            yield _("Stats: {breakdown}", breakdown=text), (lambda d=dim: screen.set_dimension(d)), ""
        yield _("Stats: choose owner"), screen.action_pick_owner, ""
        yield _("Stats: choose team"), screen.action_pick_team, ""
        yield _("Stats: everyone in scope"), screen.action_everyone, ""
        yield _("Stats: refresh now"), screen.action_refresh, ""


class StatsScreen(Screen):
    CSS_PATH = css("stats")
    COMMANDS = {StatsCommands}
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (120, "-wide")]
    BINDINGS = [
        Binding("p", "next_period", _("Period"), id="stats.period"),
        Binding("o", "pick_owner", _("Owner"), id="stats.owner"),
        Binding("g", "pick_team", _("Team"), id="stats.team"),
        Binding("a", "everyone", _("Everyone"), id="stats.everyone"),
        Binding("d", "next_dimension", _("Breakdown"), id="stats.dimension"),
        Binding("r", "refresh", _("Refresh"), id="stats.refresh"),
    ]

    def __init__(self, ctx, *, min_gap: float = MIN_GAP):
        super().__init__()
        self.ctx = ctx
        self.min_gap = min_gap
        self.period_name = "all"
        self.owner: str | None = None
        self.team: str | None = None
        self.dimension = "by_owner"
        self.sort_key = "leads"
        self.sort_desc = True
        self.data: dict | None = None
        self.error: str | None = None
        self.computing = True  # the filter line says "computing…"
        self.updated_at: datetime | None = None
        self._stale = False  # the change log moved while a report was being computed
        self._last_end = 0.0
        self._gap_timer = None

    # ------------------------------------------------------------ layout
    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="stats-filters")
        with VerticalScroll(id="stats-body"):
            with Grid(id="kpis"):
                for key in KPIS:
                    yield Static(id=f"kpi-{key}", classes="kpi")
            with Horizontal(id="stats-panes"):
                with Vertical(id="stats-left"):
                    yield Static(id="funnel", classes="chart")
                    yield Static(id="lost-reasons", classes="chart")
                with Vertical(id="stats-right"):
                    yield Static(id="breakdown-title", classes="title")
                    yield DataTable(id="breakdown", cursor_type="column", zebra_stripes=True)
                    yield Static(id="months", classes="chart")
        yield TranslatedFooter()

    def on_mount(self) -> None:
        self._show_filters()
        for key in KPIS:
            self.query_one(f"#kpi-{key}", Static).update(self._tile(key, None))
        self._kick()

    # ------------------------------------------------------------ computing, off the UI thread
    def _kick(self) -> None:
        """Compute the report for the current filters now (a computation still running is dropped)."""
        if self._gap_timer is not None:
            self._gap_timer.stop()
            self._gap_timer = None
        self.computing = True
        self._stale = False
        self._show_filters()
        self.run_worker(self._compute(), exclusive=True, group="stats")

    async def _compute(self) -> None:
        filters = (self.period_name, self.owner, self.team)
        try:
            data = await self.app.db_side(self._report, *filters)
            err = None
        except Exception as exc:  # shown in the filter line; the last figures stay
            data, err = None, str(exc)
        self._last_end = _time.monotonic()
        if filters != (self.period_name, self.owner, self.team) or not self.is_attached:
            return
        self._show(data, err)
        if self._stale:
            self._recompute_soon()

    def _report(self, period_name: str, owner: str | None, team: str | None) -> dict:
        return rep.report(self.ctx, owner=owner, team=team, period=rep.preset_period(self.ctx, period_name))

    def on_live_changes(self, message: LiveChanges) -> None:
        if self.computing:
            self._stale = True  # once this computation is shown, after the gap
        else:
            self._recompute_soon()

    def _recompute_soon(self) -> None:
        """Recompute at most once every ``min_gap`` seconds after the last computation ended."""
        if self._gap_timer is not None:
            return
        wait = self.min_gap - (_time.monotonic() - self._last_end)
        if wait <= 0:
            self._kick()
        else:
            self._gap_timer = self.set_timer(wait, self._kick)

    # ------------------------------------------------------------ showing
    def _show(self, data: dict | None, err: str | None) -> None:
        self.computing = False
        if not self.is_attached or not self.query(f"#kpi-{KPIS[0]}"):  # closed while it computed
            return
        if err:
            self.error = err
            self.notify(err, severity="error")
            self._show_filters()
            return
        self.error = None
        self.data = data
        self.updated_at = clock.now()
        self._show_filters()
        t = data["totals"]
        for key in KPIS:
            self.query_one(f"#kpi-{key}", Static).update(self._tile(key, t[key]))
        self._show_funnel()
        self._show_lost()
        self._show_table()
        self._show_months()

    def _tile(self, key: str, value) -> Text:
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append(kpi_labels()[key] + "\n", style="dim")
        if value is None and (self.data is None):
            text.append("…")
            return text
        shown = kpi_text(key, value)
        if key.endswith("_cents") and (money_style() == "cn" or cell_width(shown) > 18):
            shown = format_amount_short(value, money_style())  # cn: 8.0万 on a tile; plain: full where it fits
        text.append(shown, style="bold")
        return text

    def _show_filters(self) -> None:
        period = rep.preset_period(self.ctx, self.period_name)
        when = period_labels()[self.period_name]
        if period:
            when += f" ({period.since.isoformat()} – {period.until.isoformat()})"
        who = (_("owner {login}", login=self.owner) if self.owner else
               _("team {name}", name=self.team) if self.team else _("everyone you can see"))
        state = _("computing…") if self.computing else (
            _("updated {time}", time=self.updated_at.astimezone(self.ctx.tz).strftime("%H:%M:%S"))
            if self.updated_at else "")
        line = _("Period: {period} · Scope: {scope} · {state}", period=when, scope=who, state=state)
        self.query_one("#stats-filters", Static).update(Text(line, no_wrap=True, overflow="ellipsis"))

    def _chart_width(self, widget_id: str) -> int:
        """Cells a chart may use: half the screen when wide, less padding and the scrollbar."""
        width = self.size.width or 80
        if width >= 120 and widget_id != "#months":
            width = width // 2
        elif width >= 120:
            width = width - width // 2
        return max(30, width - 5)

    @staticmethod
    def _lines(*parts: Text) -> Text:
        out = Text("\n").join(parts)
        out.no_wrap = True
        out.overflow = "crop"
        return out

    def _show_funnel(self) -> None:
        rows = self.data["funnel"]
        width = self._chart_width("#funnel")
        head = Text(_("Funnel") + "  ", style="bold")
        head.append(_("reached · to next · avg days in stage"), style="dim")
        body = bar_rows([(stage_label(self.ctx, r["stage"]), r["reached"],
                          f"{r['reached']:>9,} {pct_text(r['conversion_to_next']):>6} "
                          f"{days_text(r['avg_days_in_stage']):>5}")
                         for r in rows], width, style="cyan")
        self.query_one("#funnel", Static).update(self._lines(head, body))

    def _show_lost(self) -> None:
        rows = self.data["lost_reasons"]
        head = Text(_("Lost reasons"), style="bold")
        if not rows:
            self.query_one("#lost-reasons", Static).update(self._lines(head, Text("–")))
            return
        body = bar_rows([(r["reason"] or "–", r["count"], f"{r['count']:>7,} {pct_text(r['share']):>6}")
                         for r in rows[:8]], self._chart_width("#lost-reasons"), style="red", label_width=14)
        self.query_one("#lost-reasons", Static).update(self._lines(head, body))

    def _show_months(self) -> None:
        rows = self.data["won_by_month"][-12:]
        head = Text(_("Won per month"), style="bold")
        if not rows:
            self.query_one("#months", Static).update(self._lines(head, Text("–")))
            return
        body = bar_rows([(r["month"], r["amount_cents"], f"{r['count']:>7,} {format_amount(r['amount_cents']):>16}")
                         for r in rows], self._chart_width("#months"), style="green", label_width=7)
        self.query_one("#months", Static).update(self._lines(head, body))

    def sorted_rows(self) -> list[dict]:
        rows = list(self.data[self.dimension]) if self.data else []
        key = self.sort_key

        def k(r):
            v = r[key]
            if key == "key":
                v = key_label(self.ctx, self.dimension, v)
            return (v is None, v if v is not None else 0)

        rows.sort(key=k, reverse=False)
        if self.sort_desc:
            nones = [r for r in rows if r[key] is None]
            rows = [r for r in rows if r[key] is not None][::-1] + nones
        return rows

    def _show_table(self) -> None:
        arrow = "▼" if self.sort_desc else "▲"
        title = Text(dimension_labels()[self.dimension], style="bold")
        title.append("  " + _("d: next breakdown · enter: sort by column"), style="dim")
        self.query_one("#breakdown-title", Static).update(title)
        table = self.query_one("#breakdown", DataTable)
        cursor = table.cursor_coordinate
        table.clear(columns=True)
        heads = column_labels(self.dimension)
        for col in COLUMNS:
            label = heads[col] + (f" {arrow}" if col == self.sort_key else "")
            table.add_column(Text(label, justify="left" if col == "key" else "right"), key=col)
        for r in self.sorted_rows():
            table.add_row(*[Text(key_label(self.ctx, self.dimension, r[c]) if c == "key" else cell_text(c, r[c]),
                                 justify="left" if c == "key" else "right") for c in COLUMNS])
        if table.row_count:
            table.cursor_coordinate = cursor if cursor.column < len(COLUMNS) else table.cursor_coordinate

    # ------------------------------------------------------------ actions
    def on_data_table_column_selected(self, event: DataTable.ColumnSelected) -> None:
        self._sort_by(str(event.column_key.value))

    def on_data_table_header_selected(self, event: DataTable.HeaderSelected) -> None:
        self._sort_by(str(event.column_key.value))

    def _sort_by(self, col: str) -> None:
        if col == self.sort_key:
            self.sort_desc = not self.sort_desc
        else:
            self.sort_key, self.sort_desc = col, col != "key"
        if self.data:
            self._show_table()

    def action_next_period(self) -> None:
        names = rep.PERIODS
        self.set_period(names[(names.index(self.period_name) + 1) % len(names)])

    def set_period(self, name: str) -> None:
        self.period_name = name
        self._kick()

    def action_next_dimension(self) -> None:
        self.set_dimension(DIMENSIONS[(DIMENSIONS.index(self.dimension) + 1) % len(DIMENSIONS)])

    def set_dimension(self, dimension: str) -> None:
        self.dimension = dimension
        if self.sort_key not in COLUMNS:
            self.sort_key = "leads"
        if self.data:
            self._show_table()

    def set_scope(self, owner: str | None = None, team: str | None = None) -> None:
        self.owner, self.team = owner, team
        self._kick()

    def action_everyone(self) -> None:
        self.set_scope(None, None)

    def action_refresh(self) -> None:
        self._kick()

    def _choices(self) -> dict | None:
        choices = rep.scope_choices(self.ctx)
        if not choices["owners"] and not choices["teams"]:
            self.notify(_("Only supervisors and admins can narrow the scope"), severity="warning")
            return None
        return choices

    def action_pick_owner(self) -> None:
        choices = self._choices()
        if choices:
            opts = [(login, f"{login} · {name}") for login, name in choices["owners"]]
            self.app.push_screen(PickScreen(_("Owner"), opts),
                                 lambda v: v is not None and self.set_scope(owner=v))

    def action_pick_team(self) -> None:
        choices = self._choices()
        if choices:
            if not choices["teams"]:
                self.notify(_("No team to choose"), severity="warning")
                return
            self.app.push_screen(PickScreen(_("Team"), [(t, t) for t in choices["teams"]]),
                                 lambda v: v is not None and self.set_scope(team=v))
