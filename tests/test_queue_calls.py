"""The queue as a rep works it: the cursor stays on the task opened, `c` asks for the result and the next
task, the rows are call-ready (Pilot)."""
from __future__ import annotations

from datetime import timedelta

import pytest

from tui_crm.services.activity import tasks
from tui_crm.services.context import open_session
from tui_crm.store.models import Task

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


async def test_done_asks_for_the_result_and_the_next_step_and_can_be_undone(seeded):
    """`c` on the queue: the result and the next follow-up (from the cadence, as a logged call) are asked
    for; a lead is never left without a next step silently; `u` undoes it (defect 8)."""
    from tui_crm.services import leads

    url, s = seeded
    app = app_for(url)
    rep = open_session(url, "rep_a1")
    async with app.run_test(size=(100, 24)) as pilot:
        q = await open_queue(app, pilot)
        t = q.current_task()
        assert t.lead_code == s["overdue"]  # its first-contact task is the lead's only one
        await pilot.press("c")
        await settle(app)
        form = app.screen
        assert type(form).__name__ == "DoneForm"
        assert form.query_one("#f-next_at").value == "2024-11-08 10:00"  # acquired: every 7 days
        form.query_one("#f-next_at").value = ""
        await pilot.press("ctrl+s")
        await settle(app)
        assert app.screen is form  # nothing done: a result is required, and a next step
        assert "required" in str(form.query_one("#err-result").render())
        assert "no other open task" in str(form.query_one("#err-next_at").render())
        await pilot.press(*"left a message")
        form.query_one("#f-next_at").value = "tomorrow 10:00"
        await pilot.press("ctrl+s")
        await settle(app)
        assert app.screen is q
        assert t.id not in [x.id for x in q.shown]
        view = leads.get(rep, s["overdue"])
        assert view.next_follow_up_at is not None and not view.stalled
        done = Task.get_by_id(t.id)
        assert done.status == "done" and done.result == "left a message"
        await pilot.press("u")
        await settle(app)
        assert Task.get_by_id(t.id).status == "open"
        assert [o.id for o in tasks.open_tasks(rep, s["overdue"])] == [t.id]  # the next task it made is gone
        assert q.current_task().id == t.id


def _row(q, code):
    i = next(i for i, t in enumerate(q.shown) if t.lead_code == code)
    return [str(c) for c in q.table.get_row_at(i)], [c.label.plain for c in q.table.ordered_columns]


async def test_rows_are_call_ready_at_140_and_keep_the_essentials_at_80(seeded):
    url, s = seeded
    rep = open_session(url, "rep_a1")
    from tui_crm.services import activity

    for i in range(3):  # rule 7: three calls in a row not reached, the next one later today
        activity.log_followup(rep, s["today"], activity.FollowUpInput(
            summary=f"no answer {i}", reached=False, next_at=NOW + timedelta(hours=4 + i)))
    app = app_for(url)
    async with app.run_test(size=(140, 40)) as pilot:
        q = await open_queue(app, pilot)
        cells, heads = _row(q, s["overdue"])
        assert heads == ["due", "priority", "code", "company", "contact", "phone", "stage", "task", "last call"]
        assert cells[2] == s["overdue"] and cells[4] == "王伟" and cells[5] == "+8613812345678"
        assert cells[6] == "lead acquired" and cells[7] == "first contact"
        cells, _h = _row(q, s["today"])
        assert cells[4] == "⚠ Bob Smith" and cells[8] == "no answer 2"  # the last call's summary
        while q.current_task().lead_code != s["today"]:
            await pilot.press("down")
        assert "3 calls in a row not reached" in str(q.query_one("#status").render())
    app = app_for(url)
    async with app.run_test(size=(80, 24)) as pilot:
        q = await open_queue(app, pilot)
        cells, heads = _row(q, s["overdue"])
        assert heads == ["due", "code", "contact", "phone", "task"]
        assert cells == ["overdue 2d", s["overdue"], "王伟", "+8613812345678", "first contact"]
        widths = [c.width for c in q.table.ordered_columns]
        assert widths[1] >= len(s["overdue"]) and widths[3] >= len("+8613812345678")
        assert widths[4] >= len("first contact")  # the kind is never cut to `fir`
        assert sum(w + 2 for w in widths) <= 80


async def test_a_phone_the_reader_sees_masked_is_masked_in_the_queue(seeded):
    url, s = seeded
    boss = open_session(url, "boss")
    tasks.add_task(boss, s["overdue"], "other", "Check the deal", NOW + timedelta(hours=2), owner_login="boss")
    app = app_for(url, login="boss")
    async with app.run_test(size=(140, 40)) as pilot:
        q = await open_queue(app, pilot)
        cells, _h = _row(q, s["overdue"])
        assert cells[5] == "138****5678"


@pytest.mark.parametrize("typed", [["tab", "x"], ["x"], []])
async def test_a_follow_up_form_given_up_leaves_the_cursor_on_its_task(seeded, typed):
    """`f`, something typed in the second field, escape and y (discard): the cursor went one row down (the
    queue, resumed when the form closed, took up the next task before it heard the form was given up), and
    the rep's next `f` logged on the wrong lead."""
    url, s = seeded
    app = app_for(url)
    async with app.run_test(size=(100, 24)) as pilot:
        q = await open_queue(app, pilot)
        await pilot.press("down")
        opened = q.current_task()
        await pilot.press("f")
        await settle(app)
        await pilot.press(*typed, "escape")
        await settle(app)
        if app.screen is not q:  # something was typed: "discard what you typed?"
            await pilot.press("y")
            await settle(app)
        assert app.screen is q
        assert q.current_task().id == opened.id
