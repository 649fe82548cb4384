"""The stats panel at 80x24 and 140x40 (fixed clock, seeded data)."""
from __future__ import annotations

import pytest

from tui_crm.app import CrmApp
from tui_crm.services.admin import demo
from tui_crm.services.context import open_session

from tui_helpers import settle


def _app(path):
    ctx = open_session(str(path))
    demo.generate(ctx, leads=300, reps=3, seed=11, admin_login="boss")
    ctx.act_as("boss")
    return CrmApp(ctx, tick_seconds=0)


async def _open(pilot):
    import asyncio

    await pilot.press("4")
    for _ in range(500):
        s = pilot.app.screen
        if type(s).__name__ == "StatsScreen":
            break
        await asyncio.sleep(0.02)
    await settle(pilot.app)
    s.updated_at = None  # no wall-clock time in the picture
    s._show_filters()
    await pilot.pause()


@pytest.mark.parametrize("size", [(80, 24), (140, 40)])
def test_stats_snapshot(snap_compare, tmp_path, size):
    assert snap_compare(_app(tmp_path / "s.db"), terminal_size=size, run_before=_open)
