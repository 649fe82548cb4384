"""Live: another process writes (the real `tui-crm log` command); the open list, detail and queue
show it in place, cursor untouched (how soon: bench/bench_board.py)."""
from __future__ import annotations

import asyncio

import pytest

from cli_helpers import run
from rep_fixtures import app_for, seed
from tui_helpers import polled_twice, settle, wait_for


@pytest.fixture
def seeded(sqlite_url):
    return sqlite_url, seed(sqlite_url)


async def test_followup_logged_by_another_process_shows_in_place(seeded):
    url, s = seeded
    app = app_for(url)
    async with app.run_test(size=(100, 24)) as pilot:
        await settle(app)
        table = app.screen.table
        await pilot.press("down", "down")
        assert table.cursor == 2
        assert table.cells(table.rows[0])["due"] == "overdue 2d"
        proc = await asyncio.to_thread(run, "log", s["overdue"], "--method", "phone", "--summary", "from the CLI",
                                       "--next", "2024-11-05T14:00", user="rep_a1", db=url)
        assert proc.returncode == 0, proc.stderr
        await wait_for(pilot, lambda: any(table.cells(v)["due"] == "11-05 14:00" for v in table.rows))
        assert table.cursor == 2 and table.scroll_offset.y == 0
        await wait_for(pilot, lambda: app.screen.counts["overdue"] == 0)


async def test_detail_and_queue_follow_another_process(seeded):
    url, s = seeded
    app = app_for(url)
    async with app.run_test(size=(100, 24)) as pilot:
        await settle(app)
        await pilot.press("enter")
        await settle(app)
        detail = app.screen
        proc = await asyncio.to_thread(run, "log", s["overdue"], "--method", "visit", "--summary", "met at expo",
                                       user="rep_a1", db=url)
        assert proc.returncode == 0, proc.stderr
        await wait_for(pilot, lambda: "met at expo" in str(detail.query_one("#timeline").render()))
        await pilot.press("escape", "2")
        await settle(app)
        queue = app.screen
        before = [t.lead_code for t in queue.shown]
        assert before == [s["today"]]  # the overdue first contact was completed by the CLI
        proc = await asyncio.to_thread(run, "leads", "add", "--company", "Newco", "--contact", "Z",
                                       "--phone", "13511112222", "--source", "phone", "--need", "x",
                                       "--priority", "high", user="rep_a1", db=url)
        assert proc.returncode == 0, proc.stderr
        # a new lead's first contact is due in 24 h: not today, so the queue keeps its one task
        await polled_twice(app, pilot)
        assert [t.lead_code for t in queue.shown] == before


async def test_assignment_by_someone_else_toasts_and_lands_in_the_inbox(seeded):
    url, s = seeded
    from tui_crm.services import leads
    from tui_crm.services.context import open_session

    app = app_for(url)
    async with app.run_test(size=(100, 24)) as pilot:
        await settle(app)
        boss = open_session(url, "boss")  # another connection, like another user's app
        leads.reassign(boss, s["globex"], "rep_a1")
        await wait_for(pilot, lambda: any("Lead assigned to you" in n.message for n in app._notifications))
        await wait_for(pilot, lambda: s["globex"] in [v.code for v in app.screen.table.rows])
        await pilot.press("i")
        await settle(app)
        inbox = app.screen
        assert type(inbox).__name__ == "InboxScreen"
        assert inbox.items[0].kind == "assignment" and s["globex"] in inbox.items[0].text
        assert "1 unread" in str(inbox.query_one("#status").render())
        await pilot.press("enter")
        await settle(app)
        assert type(app.screen).__name__ == "LeadDetailScreen"
        assert app.screen.data.lead.code == s["globex"]


def test_the_feed_reads_on_after_a_commit_of_more_than_a_page(sqlite_url):
    """A sweep or a bulk change commits hundreds of change entries at once: the feed must read them all
    without waiting for a later commit (it read one page and then stalled, so an open detail never saw
    its lead's change: seen at 1M demo leads after a start's escalation sweep)."""
    from tui_crm.services import changes
    from tui_crm.services.admin.users import add_user
    from tui_crm.services.context import open_session
    from tui_crm.store import db as store_db

    ctx = open_session(sqlite_url)
    add_user(ctx, "boss", "Boss", "admin")
    ctx.act_as("boss")
    feed = changes.ChangeFeed(ctx)
    assert feed.poll() == []
    other = sqlite3_connection(store_db.sqlite_path(sqlite_url))  # another process's connection
    with other:
        other.executemany("INSERT INTO change (at, entity, entity_id, lead_id, action, diff) "
                          "VALUES (0, 'lead', ?, ?, 'escalate', '{}')", [(i, i) for i in range(1, 1201)])
    seen = []
    for _poll in range(5):  # no commit in between
        seen += feed.poll()
    assert [e.lead_id for e in seen] == list(range(1, 1201))
    assert feed.poll() == []


def sqlite3_connection(path):
    import sqlite3

    return sqlite3.connect(path, timeout=5)
