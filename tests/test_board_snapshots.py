"""The board at 80x24 and 160x44 as a supervisor (fixed clock, seeded demo data)."""
from __future__ import annotations

import asyncio

import pytest

from tui_crm.app import CrmApp
from tui_crm.screens.board import BoardScreen
from tui_crm.services.admin import demo
from tui_crm.services.context import open_session
from tui_helpers import settle


def _app(path):
    ctx = open_session(str(path))
    demo.generate(ctx, leads=300, reps=4, seed=7, admin_login="boss")
    ctx.act_as("sup1")
    return CrmApp(ctx, tick_seconds=0)


async def _open(pilot):
    await pilot.press("3")
    for _ in range(500):
        if isinstance(pilot.app.screen, BoardScreen):
            break
        await asyncio.sleep(0.02)
    await settle(pilot.app)
    await pilot.pause()


@pytest.mark.parametrize("size", [(80, 24), (160, 44)])
def test_board_snapshot(snap_compare, tmp_path, size):
    assert snap_compare(_app(tmp_path / "b.db"), terminal_size=size, run_before=_open)
