"""The stats panel shows the service's numbers; keys change period, scope and breakdown (Pilot, real SQLite)."""
from __future__ import annotations

import asyncio

from textual.widgets import DataTable, Static

from tui_crm.app import CrmApp
from tui_crm.domain.parse import format_amount
from tui_crm.services.admin import demo
from tui_crm.services.reports import figures as rep
from tui_crm.services.context import open_session

from tui_helpers import settle


async def _wait(app):
    """The stats panel in front with its figures for the current filters."""
    for _ in range(500):
        if type(app.screen).__name__ == "StatsScreen":
            break
        await asyncio.sleep(0.02)
    await settle(app)
    if app.screen.data is None:
        raise AssertionError("the panel never showed its figures")


async def test_panel_shows_the_service_numbers(sqlite_url):
    ctx = open_session(sqlite_url)
    demo.generate(ctx, leads=120, reps=2, seed=3, admin_login="boss")
    ctx.act_as("boss")
    expected = rep.report(ctx)["totals"]
    app = CrmApp(ctx)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("4")
        await _wait(app)
        screen = app.screen
        assert type(screen).__name__ == "StatsScreen"

        def tile(key):
            return str(screen.query_one(f"#kpi-{key}", Static).render()).splitlines()[-1].strip()

        assert tile("leads") == f"{expected['leads']:,}"
        assert tile("won") == f"{expected['won']:,}"
        assert tile("won_amount_cents") == format_amount(expected["won_amount_cents"])
        assert tile("pipeline_amount_cents") == format_amount(expected["pipeline_amount_cents"])
        assert tile("weighted_forecast_cents") == format_amount(expected["weighted_forecast_cents"])
        assert tile("conversion_rate") == f"{expected['conversion_rate'] * 100:.1f}%"
        table = screen.query_one("#breakdown", DataTable)
        assert table.row_count == 2  # two reps own the leads
        await pilot.press("d")
        await pilot.pause()
        assert screen.dimension == "by_team"
        await pilot.press("p")  # this month
        await _wait(app)
        assert screen.period_name == "month"
        month = rep.report(ctx, period=rep.preset_period(ctx, "month"))["totals"]
        assert tile("leads") == f"{month['leads']:,}"
        await pilot.press("q")


async def test_rep_cannot_narrow_scope(sqlite_url):
    ctx = open_session(sqlite_url)
    demo.generate(ctx, leads=40, reps=2, seed=3, admin_login="boss")
    ctx.act_as("rep1")
    mine = rep.report(ctx)["totals"]["leads"]
    app = CrmApp(ctx)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("4")
        await _wait(app)
        await pilot.press("o")
        await pilot.pause()
        assert type(app.screen).__name__ == "StatsScreen"  # no picker for a rep
        assert str(app.screen.query_one("#kpi-leads", Static).render()).splitlines()[-1].strip() == f"{mine:,}"
        await pilot.press("q")
