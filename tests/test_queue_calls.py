"""The queue as a rep works it: the cursor stays on the task opened, `c` asks for the result and the next
task, the rows are call-ready (Pilot)."""
from __future__ import annotations

from datetime import timedelta

import pytest

from tui_crm.services.activity import tasks
from tui_crm.services.context import open_session

from conftest import NOW
from rep_fixtures import app_for, seed
from tui_helpers import settle


@pytest.fixture
def seeded(sqlite_url):
    s = seed(sqlite_url)
    rep = open_session(sqlite_url, "rep_a1")
    tasks.add_task(rep, s["planned"], "follow_up", "Send the quote", NOW + timedelta(hours=5), "high")
    tasks.add_task(rep, s["today"], "other", "Ask for the tender", NOW + timedelta(hours=6), "low")
    return sqlite_url, s


async def open_queue(app, pilot):
    await settle(app)
    await pilot.press("2")
    await settle(app)
    assert type(app.screen).__name__ == "QueueScreen"
    return app.screen


@pytest.mark.parametrize("downs", [0, 1, 2])
async def test_back_from_a_task_opened_leaves_the_cursor_on_it(seeded, downs):
    url, s = seeded
    app = app_for(url)
    async with app.run_test(size=(100, 24)) as pilot:
        q = await open_queue(app, pilot)
        assert len(q.shown) == 4
        for _i in range(downs):
            await pilot.press("down")
        opened = q.current_task()
        await pilot.press("enter")
        await settle(app)
        assert type(app.screen).__name__ == "LeadDetailScreen"
        await pilot.press("escape")
        await settle(app)
        assert app.screen is q
        assert q.current_task().id == opened.id
