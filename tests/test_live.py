"""Live: another process writes (the real `tui-crm log` command); the open list, detail and queue
show it within 2 s, in place, cursor untouched."""
from __future__ import annotations

import asyncio
import time

import pytest

from cli_helpers import run
from rep_fixtures import app_for, seed


@pytest.fixture
def seeded(sqlite_url):
    return sqlite_url, seed(sqlite_url)


async def wait_for(app, pilot, predicate, seconds: float = 2.0) -> float:
    start = time.monotonic()
    while time.monotonic() - start < seconds:
        await pilot.pause(0.05)
        if predicate():
            return time.monotonic() - start
    raise AssertionError(f"not seen within {seconds} s")


async def test_followup_logged_by_another_process_shows_in_place(seeded):
    url, s = seeded
    app = app_for(url)
    async with app.run_test(size=(100, 24)) as pilot:
        await app.settle()
        table = app.screen.table
        await pilot.press("down", "down")
        assert table.cursor == 2
        assert table.cells(table.rows[0])["due"] == "overdue 2d"
        proc = await asyncio.to_thread(run, "log", s["overdue"], "--method", "phone", "--summary", "from the CLI",
                                       "--next", "2024-11-05T14:00", user="rep_a1", db=url)
        assert proc.returncode == 0, proc.stderr
        await wait_for(app, pilot, lambda: any(table.cells(v)["due"] == "11-05 14:00" for v in table.rows))
        assert table.cursor == 2 and table.scroll_offset.y == 0
        assert app.screen.counts["overdue"] == 0


async def test_detail_and_queue_follow_another_process(seeded):
    url, s = seeded
    app = app_for(url)
    async with app.run_test(size=(100, 24)) as pilot:
        await app.settle()
        await pilot.press("enter")
        await app.settle()
        detail = app.screen
        proc = await asyncio.to_thread(run, "log", s["overdue"], "--method", "visit", "--summary", "met at expo",
                                       user="rep_a1", db=url)
        assert proc.returncode == 0, proc.stderr
        await wait_for(app, pilot, lambda: "met at expo" in str(detail.query_one("#timeline").render()))
        await pilot.press("escape", "2")
        await app.settle()
        queue = app.screen
        before = [t.lead_code for t in queue.shown]
        assert before == [s["today"]]  # the overdue first contact was completed by the CLI
        proc = await asyncio.to_thread(run, "leads", "add", "--company", "Newco", "--contact", "Z",
                                       "--phone", "13511112222", "--source", "phone", "--need", "x",
                                       "--priority", "high", user="rep_a1", db=url)
        assert proc.returncode == 0, proc.stderr
        # a new lead's first contact is due in 24 h: not today, so the queue keeps its one task
        await pilot.pause(1.0)
        assert [t.lead_code for t in queue.shown] == before
