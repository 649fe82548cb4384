"""The board screen driven from the keyboard (Pilot, real SQLite file).

Navigation, moves with the focus following the card, the won/lost forms,
the stay reason, filters, scope, and a second process writing while the
board is open.
"""
import os
import subprocess
import sys
from datetime import timedelta

import pytest

from tui_crm.app import CrmApp
from tui_crm import clock
from tui_crm.screens.board import BoardScreen
from tui_crm.screens.forms import OutcomeForm, ReasonForm
from tui_crm.store.models import Lead, StageHistory

from tui_helpers import palette_run, settle, wait_for


def BoardApp(ctx):
    """The real app; ``board_of`` opens the board with `3` as a user would."""
    return CrmApp(ctx, tick_seconds=0)


async def board_of(app, pilot):
    await pilot.pause()
    await pilot.press("3")
    await wait_for(pilot, lambda: isinstance(app.screen, BoardScreen), what="the board")
    return app.screen


async def loaded(pilot):
    """Every request of the board done and painted."""
    await settle(pilot.app)


def col_ids(screen, i):
    return [c.id for c in screen.columns[i].cards]


@pytest.fixture
def team(world):
    """rep_a1 has five leads in acquired, rep_a2 one, rep_b1 (team B) one."""
    made = {}
    for i, amount in enumerate([50000, 40000, 30000, 20000, 10000]):
        made[f"a1-{i}"] = world.lead("rep_a1", company=f"A1 Lead {i}", amount_cents=amount)
    made["a2"] = world.lead("rep_a2", company="A2 Robotics", amount_cents=70000)
    made["b1"] = world.lead("rep_b1", company="B1 Steel", amount_cents=90000)
    return made


@pytest.fixture(params=["sqlite"])
def db_url(request, tmp_path):  # Pilot tests run on SQLite; the service tests cover PostgreSQL
    return str(tmp_path / "crm.db")


async def test_navigation_and_scope(world, team):
    app = BoardApp(world.as_("sup_a"))
    async with app.run_test(size=(120, 30)) as pilot:
        screen = await board_of(app, pilot)
        await loaded(pilot)
        assert screen.columns[0].count == 6  # team A only: five of rep_a1, one of rep_a2
        assert team["b1"].id not in col_ids(screen, 0)
        first = screen.focus_id
        await pilot.press("j")
        assert screen.focus_idx == 1 and screen.focus_id != first
        await pilot.press("down", "k")
        assert screen.focus_idx == 1
        await pilot.press("l")
        assert screen.focus_col == 1
        await pilot.press("right", "right", "right")
        assert screen.focus_col == 3  # stops at the last stage
        await pilot.press("h", "left", "left")
        assert screen.focus_col == 0
        # more cards than fit: "+N more", and scrolling pages through the rest in order
        shown = len(screen.columns[0].cards)
        assert shown < 6
        text = str(screen.query_one("#col-0").render())
        assert f"+{6 - shown} more" in text
        for _ in range(shown):
            await pilot.press("j")
        await loaded(pilot)
        assert screen.columns[0].above == 1
        assert screen.focus_idx == len(screen.columns[0].cards) - 1
        # all due at the same time (first contact +48 h): the larger amount first
        expected = [team[k].id for k in ("a2", "a1-0", "a1-1", "a1-2", "a1-3", "a1-4")]
        assert col_ids(screen, 0) == expected[1:shown + 1]
        assert screen.focus_id == expected[shown]
        await pilot.press("enter")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "LeadDetailScreen", what="the detail")
        assert app.screen.lead_id == expected[shown]
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen, what="back on the board")


async def test_rep_moves_two_stages_then_won_focus_follows(world, team):
    ctx = world.as_("rep_a1")
    app = BoardApp(ctx)
    async with app.run_test(size=(120, 30)) as pilot:
        screen = await board_of(app, pilot)
        await loaded(pilot)
        assert screen.columns[0].count == 5  # own leads only
        lead_id = screen.focus_id
        await pilot.press("greater_than_sign")
        await wait_for(pilot, lambda: screen.focus_col == 1 and screen.focus_id == lead_id, what="focus follows")
        assert Lead.get_by_id(lead_id).stage == "qualified"
        await pilot.press("shift+right")
        await wait_for(pilot, lambda: screen.focus_col == 2 and screen.focus_id == lead_id, what="second move")
        assert Lead.get_by_id(lead_id).stage == "proposal"
        assert [h.stage for h in StageHistory.select().where(StageHistory.lead == lead_id)
                .order_by(StageHistory.id)] == ["acquired", "qualified", "proposal"]
        await pilot.press("less_than_sign")
        await wait_for(pilot, lambda: screen.focus_col == 1 and screen.focus_id == lead_id, what="back one")
        await pilot.press("w")
        await pilot.pause()
        assert isinstance(app.screen, OutcomeForm) and app.screen.status == "won"
        app.screen.query_one("#f-won_amount").value = ""  # clear the pre-filled amount and type another
        await pilot.press(*"88000", "tab", *"GPU servers", "ctrl+s")
        await wait_for(pilot, lambda: Lead.get_by_id(lead_id).status == "won", what="won written")
        row = Lead.get_by_id(lead_id)
        assert (row.won_amount_cents, row.product) == (8800000, "GPU servers")
        await loaded(pilot)
        await wait_for(pilot, lambda: screen.query_one("#col-outcomes").won[0] == 1, what="won summary")
        assert lead_id not in col_ids(screen, 1)


async def test_lost_needs_a_reason_and_escape_cancels(world, team):
    app = BoardApp(world.as_("rep_a1"))
    async with app.run_test(size=(120, 30)) as pilot:
        screen = await board_of(app, pilot)
        await loaded(pilot)
        lead_id = screen.focus_id
        await pilot.press("x")
        await pilot.pause()
        assert isinstance(app.screen, OutcomeForm) and app.screen.status == "lost"
        await pilot.press("ctrl+s")  # empty: refused, form stays
        assert isinstance(app.screen, OutcomeForm)
        assert "required" in str(app.screen.query_one("#err-lost_reason").render())
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen and Lead.get_by_id(lead_id).status == "pending"
        await pilot.press("x", *"price too high", "enter", "enter")  # enter: next field, then save
        await wait_for(pilot, lambda: Lead.get_by_id(lead_id).status == "lost", what="lost written")
        assert Lead.get_by_id(lead_id).lost_reason == "price too high"


async def test_moving_after_seven_days_asks_the_stay_reason(world, team):
    clock.advance(timedelta(days=8))
    app = BoardApp(world.as_("rep_a1"))
    async with app.run_test(size=(120, 30)) as pilot:
        screen = await board_of(app, pilot)
        await loaded(pilot)
        lead_id = screen.focus_id
        text = str(screen.query_one("#col-0").render())
        assert "stalled" in text and "overdue" in text  # in words, not colour alone
        await pilot.press("greater_than_sign")
        await wait_for(pilot, lambda: isinstance(app.screen, ReasonForm), what="stay reason form")
        assert Lead.get_by_id(lead_id).stage == "acquired"
        await pilot.press(*"waiting for the budget", "enter")
        await wait_for(pilot, lambda: Lead.get_by_id(lead_id).stage == "qualified", what="moved with reason")
        hist = StageHistory.select().where((StageHistory.lead == lead_id) & (StageHistory.stage == "acquired")).get()
        assert hist.reason == "waiting for the budget"


async def test_filters_from_keys_and_text(world, team):
    app = BoardApp(world.as_("sup_a"))
    async with app.run_test(size=(120, 30)) as pilot:
        screen = await board_of(app, pilot)
        await loaded(pilot)
        await pilot.press("slash", *"Robotics")
        await wait_for(pilot, lambda: screen.columns[0].count == 1, what="text filter")
        assert col_ids(screen, 0) == [team["a2"].id]
        await pilot.press("escape")  # clears the text and leaves the box
        await wait_for(pilot, lambda: screen.columns[0].count == 6, what="text cleared")
        await pilot.press("m")
        await wait_for(pilot, lambda: screen.columns[0].count == 0, what="only mine (sup_a owns none)")
        assert "only mine" in str(screen.query_one("#board-filters").render())
        await pilot.press("c")
        await wait_for(pilot, lambda: screen.columns[0].count == 6, what="cleared")
        await pilot.press("o")  # owners cycle: first of the team's logins
        await wait_for(pilot, lambda: screen.filter.owner is not None, what="owner")
        await loaded(pilot)
        owner = screen.filter.owner
        expected = {"rep_a1": 5, "rep_a2": 1}.get(owner, 0)
        await wait_for(pilot, lambda: screen.columns[0].count == expected, what="owner filter applied")
        # the command palette offers the same filters
        await pilot.press("c")
        await wait_for(pilot, lambda: screen.columns[0].count == 6, what="cleared")
        await palette_run(app, pilot, "owner Rep A2")
        await wait_for(pilot, lambda: screen.filter.owner == "rep_a2" and screen.columns[0].count == 1,
                       what="palette owner filter")


async def test_live_changes_from_another_process(world, team):
    app = BoardApp(world.as_("sup_a"))
    async with app.run_test(size=(120, 30)) as pilot:
        screen = await board_of(app, pilot)
        await loaded(pilot)
        focused = screen.focus_id
        code = team["a2"].code
        env = dict(os.environ, TUI_CRM_NOW="2024-11-01T10:00:00+08:00", TZ="Asia/Shanghai")
        proc = subprocess.run([sys.executable, "-m", "tui_crm", "--db", world.url, "--user", "rep_a2",
                               "leads", "move", code, "qualified"], capture_output=True, text=True, env=env,
                              timeout=120)
        assert proc.returncode == 0, proc.stderr
        # how soon is bench/bench_board.py's business; here only that it comes, in place
        await wait_for(pilot, lambda: screen.columns[1].count == 1 and screen.columns[0].count == 5,
                       what="the move from another process")
        assert team["a2"].id in col_ids(screen, 1) and team["a2"].id not in col_ids(screen, 0)
        assert screen.focus_id == focused  # the focused card keeps focus
        proc = subprocess.run([sys.executable, "-m", "tui_crm", "--db", world.url, "--user", "rep_a1",
                               "leads", "add", "--company", "Fresh Co", "--contact", "Li Lei", "--phone",
                               "13900001111", "--source", "expo", "--need", "2 routers", "--amount", "1234"],
                              capture_output=True, text=True, env=env, timeout=120)
        assert proc.returncode == 0, proc.stderr
        await wait_for(pilot, lambda: screen.columns[0].count == 6, what="a new lead")
        assert screen.columns[0].amount_cents == 50000 + 40000 + 30000 + 20000 + 10000 + 123400
