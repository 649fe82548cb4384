"""Today's queue: order, next task selected after a logged call, snooze asks for a time (Pilot)."""
from __future__ import annotations

from datetime import timedelta

import pytest

from tui_crm.services.activity import tasks
from tui_crm.services.context import open_session

from conftest import NOW
from rep_fixtures import app_for, seed
from tui_helpers import settle, wait_for


@pytest.fixture
def seeded(sqlite_url):
    s = seed(sqlite_url)
    rep = open_session(sqlite_url, "rep_a1")
    # a high-priority task due today on the planned lead: order is overdue, then today high, then today medium
    tasks.add_task(rep, s["planned"], "follow_up", "Send the quote", NOW + timedelta(hours=5), "high")
    return sqlite_url, s


async def open_queue(app, pilot):
    """The app's queue screen, reached with its key `2`."""
    await settle(app)
    await pilot.press("2")
    await settle(app)
    assert type(app.screen).__name__ == "QueueScreen"
    return app.screen


async def test_queue_order_and_next_after_log(seeded):
    url, s = seeded
    app = app_for(url)
    async with app.run_test(size=(100, 24)) as pilot:
        q = await open_queue(app, pilot)
        assert [t.lead_code for t in q.shown] == [s["overdue"], s["planned"], s["today"]]
        assert str(q.table.get_cell_at((0, 0))) == "overdue 2d"
        await pilot.press("enter")  # open the first lead
        await settle(app)
        assert type(app.screen).__name__ == "LeadDetailScreen"
        await pilot.press("f")
        await settle(app)
        await pilot.press(*"left a message")
        await pilot.press("ctrl+s")
        await settle(app)
        assert app.screen is q  # back in the queue
        assert [t.lead_code for t in q.shown] == [s["planned"], s["today"]]
        assert q.current_task().lead_code == s["planned"]  # the next task is selected
        await pilot.press("f")  # log straight from the queue
        await settle(app)
        await pilot.press(*"sent")
        await pilot.press("ctrl+s")
        await settle(app)
        assert app.screen is q
        assert q.current_task().lead_code == s["today"]


async def test_snooze_asks_for_a_new_time(seeded):
    url, s = seeded
    app = app_for(url)
    async with app.run_test(size=(100, 24)) as pilot:
        await settle(app)
        await pilot.press("2")  # the queue (on the list `t` is a lead's tags: the letter goes where unused)
        await settle(app)
        q = app.screen
        await pilot.press("z")
        await settle(app)
        form = app.screen
        assert type(form).__name__ == "SnoozeForm"
        form.query_one("#f-due").value = "yesterday"
        await pilot.press("ctrl+s")
        await settle(app)
        assert str(form.query_one("#err-due").render()) == "must be later than now"
        form.query_one("#f-due").value = "2024-11-02 09:00"
        await pilot.press("ctrl+s")
        await settle(app)
        assert app.screen is q
        assert [t.lead_code for t in q.shown] == [s["planned"], s["today"]]  # tomorrow: out of today's queue


def test_queue_lists_its_first_tasks_in_its_own_order_and_counts_them_all(seeded):
    """With more overdue tasks than the list holds, the first listed are the queue's first (overdue, by
    priority, by due time), the counts are of all of them, and today's are reachable on their own."""
    url, s = seeded
    rep = open_session(url, "rep_a1")
    for h in range(4):  # four more overdue, low priority, older than everything else
        tasks.add_task(rep, s["today"], "follow_up", f"old {h}", NOW - timedelta(days=9, hours=h), "low")
    got = tasks.queue(rep, limit=3)
    # overdue first: the high-priority first-contact task of the overdue lead, then the old low ones
    assert [(t.priority, t.overdue) for t in got] == [("high", True), ("low", True), ("low", True)]
    assert [t.title for t in got[1:]] == ["old 3", "old 2"]
    assert tasks.queue_counts(rep) == {"total": 7, "overdue": 5, "today": 2}
    today = tasks.queue(rep, limit=3, only="today")
    assert [(t.lead_code, t.title) for t in today] == [(s["planned"], "Send the quote"), (s["today"], "Call back")]
    assert all(t.overdue for t in tasks.queue(rep, only="overdue"))


async def test_queue_keys_narrow_to_overdue_or_today(seeded):
    url, s = seeded
    app = app_for(url)
    async with app.run_test(size=(100, 24)) as pilot:
        q = await open_queue(app, pilot)
        assert "3 tasks · 1 overdue · 2 due today" in str(q.query_one("#status").render())
        await pilot.press("d")
        await settle(app)
        assert [t.lead_code for t in q.shown] == [s["planned"], s["today"]]
        assert "showing: due today" in str(q.query_one("#status").render())
        await pilot.press("o")
        await settle(app)
        assert [t.lead_code for t in q.shown] == [s["overdue"]]
        await pilot.press("o")  # again: all
        await settle(app)
        assert len(q.shown) == 3 and "showing" not in str(q.query_one("#status").render())


def test_task_text_drops_a_title_that_only_repeats_the_kind():
    from types import SimpleNamespace

    from tui_crm.i18n import set_lang
    from tui_crm.services.activity.task_text import task_text

    def t(kind, title):
        return SimpleNamespace(kind=kind, title=title)

    try:
        set_lang("en")
        assert task_text(t("first_contact", "First contact")) == "first contact"
        assert task_text(t("follow_up", "跟进")) == "follow-up"  # made by a Chinese session
        assert task_text(t("follow_up", "Send the quote")) == "follow-up: Send the quote"
        set_lang("zh")
        assert task_text(t("complete_record", "Complete the record")) == "补充信息"
        assert task_text(t("follow_up", "发报价")) == "跟进：发报价"
    finally:
        set_lang("en")


async def test_a_second_reload_does_not_undo_the_next_task_selection(seeded):
    """After a call is logged from the queue, the form's reload selects the next task while the live
    poll reloads too; the later reload used to look for the finished task, miss it and jump to row 0."""
    import asyncio

    url, s = seeded
    app = app_for(url, poll_seconds=3600)  # the two reloads below stand for the form's and the poll's
    async with app.run_test(size=(100, 24)) as pilot:
        q = await open_queue(app, pilot)
        await pilot.press("down")
        await settle(app)
        assert q.current_task().id == q.shown[1].id
        done, following = q.shown[1], q.shown[2]
        q._remember_next()
        tasks.complete_task(open_session(url, "rep_a1"), done.id, None)
        await asyncio.gather(q.reload(), q.reload())
        assert q.current_task().id == following.id


async def test_the_timer_moves_a_task_that_falls_due_into_the_overdue_count(seeded):
    """The status line's counts come from the service; the overdue timer keeps them in step without a
    query when a listed task falls due (13:00's call, at 13:01)."""
    from tui_crm import clock

    url, s = seeded
    app = app_for(url, tick_seconds=0.1, poll_seconds=3600)
    async with app.run_test(size=(100, 24)) as pilot:
        q = await open_queue(app, pilot)
        assert "3 tasks · 1 overdue · 2 due today" in str(q.query_one("#status").render())
        clock.advance(timedelta(hours=3, minutes=1))
        await wait_for(pilot, lambda: "3 tasks · 2 overdue · 1 due today" in str(q.query_one("#status").render()),
                       what="the timer moving a task to overdue in the status line")
