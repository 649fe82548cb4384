"""Today's queue: order, next task selected after a logged call, snooze asks for a time (Pilot)."""
from __future__ import annotations

from datetime import timedelta

import pytest

from tui_crm.services import tasks
from tui_crm.services.context import open_session

from conftest import NOW
from rep_fixtures import app_for, seed


@pytest.fixture
def seeded(sqlite_url):
    s = seed(sqlite_url)
    rep = open_session(sqlite_url, "rep_a1")
    # a high-priority task due today on the planned lead: order is overdue, then today high, then today medium
    tasks.add_task(rep, s["planned"], "follow_up", "Send the quote", NOW + timedelta(hours=5), "high")
    return sqlite_url, s


async def test_queue_order_and_next_after_log(seeded):
    url, s = seeded
    app = app_for(url)
    async with app.run_test(size=(100, 24)) as pilot:
        await app.settle()
        await pilot.press("2")
        await app.settle()
        q = app.screen
        assert type(q).__name__ == "QueueScreen"
        assert [t.lead_code for t in q.shown] == [s["overdue"], s["planned"], s["today"]]
        assert str(q.table.get_cell_at((0, 0))) == "overdue 2d"
        await pilot.press("enter")  # open the first lead
        await app.settle()
        assert type(app.screen).__name__ == "LeadDetailScreen"
        await pilot.press("f")
        await app.settle()
        await pilot.press(*"left a message")
        await pilot.press("ctrl+s")
        await app.settle()
        assert app.screen is q  # back in the queue
        assert [t.lead_code for t in q.shown] == [s["planned"], s["today"]]
        assert q.current_task().lead_code == s["planned"]  # the next task is selected
        await pilot.press("f")  # log straight from the queue
        await app.settle()
        await pilot.press(*"sent")
        await pilot.press("ctrl+s")
        await app.settle()
        assert app.screen is q
        assert q.current_task().lead_code == s["today"]


async def test_snooze_asks_for_a_new_time(seeded):
    url, s = seeded
    app = app_for(url)
    async with app.run_test(size=(100, 24)) as pilot:
        await app.settle()
        await pilot.press("t")
        await app.settle()
        q = app.screen
        await pilot.press("z")
        await app.settle()
        form = app.screen
        assert type(form).__name__ == "SnoozeForm"
        form.query_one("#f-due").value = "yesterday"
        await pilot.press("ctrl+s")
        await app.settle()
        assert str(form.query_one("#err-due").render()) == "must be later than now"
        form.query_one("#f-due").value = "2024-11-02 09:00"
        await pilot.press("ctrl+s")
        await app.settle()
        assert app.screen is q
        assert [t.lead_code for t in q.shown] == [s["planned"], s["today"]]  # tomorrow: out of today's queue
