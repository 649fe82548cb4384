"""`stages set` reaches running sessions through the change feed: an open board gains and loses columns,
`>` uses the new order, the list's stage filter cycles through the new stages (defect 5 of issue 12)."""
from __future__ import annotations

import pytest

from tui_crm.app import CrmApp
from tui_crm.screens.board import BoardScreen
from tui_crm.services import admin, leads
from tui_crm.store.models import Lead
from tui_helpers import settle, wait_for

NEW = ["acquired:10", "qualified:25", "proposal:50", "negotiation:75", "contract:90"]


@pytest.fixture(params=["sqlite"])
def db_url(request, tmp_path):  # a Pilot test; the feed itself is tested on both backends in test_feed
    return str(tmp_path / "crm.db")


async def test_an_open_board_follows_stages_set_elsewhere(world):
    lead = world.lead("rep_a1", company="Stage Co")
    rep = world.as_("rep_a1")
    leads.move_stage(rep, lead.code, "negotiation")
    app = CrmApp(world.as_("sup_a"), tick_seconds=0, poll_seconds=0.2)
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(app)
        await pilot.press("3")
        await wait_for(pilot, lambda: isinstance(app.screen, BoardScreen), what="the board")
        await settle(app)
        assert app.screen.stage_keys == ["acquired", "qualified", "proposal", "negotiation"]
        admin.set_stages(world.ctx, NEW)  # another process (the admin's command line)
        await wait_for(pilot, lambda: isinstance(app.screen, BoardScreen)
                       and app.screen.stage_keys[-1] == "contract", what="the new column")
        await settle(app)
        board = app.screen
        assert len(board.query("KanbanColumn")) == 5
        neg = board.stage_keys.index("negotiation")
        await wait_for(pilot, lambda: lead.id in [c.id for c in board.columns[neg].cards], what="the card")
        board.focus_col, board.focus_idx = neg, [c.id for c in board.columns[neg].cards].index(lead.id)
        board.focus_id = lead.id
        await pilot.press("greater_than_sign")  # `>`: into the new stage, not "no next stage"
        await wait_for(pilot, lambda: Lead.get_by_id(lead.id).stage == "contract", what="the move")
        admin.set_stages(world.ctx, NEW[:2] + NEW[3:])  # proposal dropped (no open lead in it)
        await wait_for(pilot, lambda: isinstance(app.screen, BoardScreen)
                       and "proposal" not in app.screen.stage_keys, what="the column gone")
        await settle(app)
        assert len(app.screen.query("KanbanColumn")) == 4
        await pilot.press("1")
        await settle(app)
        assert app.ctx.stage_keys == ["acquired", "qualified", "negotiation", "contract"]
