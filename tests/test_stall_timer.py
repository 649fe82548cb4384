"""Rule 6 in place: the overdue timer never marks a lead stalled that has a planned later task; the list
row, the detail header and `leads show` agree (defect 4 of issue 12)."""
from __future__ import annotations

from datetime import timedelta

from tui_crm import clock
from tui_crm.services import leads
from tui_crm.services.activity import tasks
from tui_crm.services.context import open_session
from tui_crm.services.leads import pages
from tui_crm.services.records import lead_json
from tui_crm.store.models import Lead

from conftest import NOW
from rep_fixtures import app_for, seed
from tui_helpers import settle


def _overstayed_with_a_later_task(url, s):
    """TODAY's lead: in its stage 8 days, its call due in a minute and another task in two days."""
    rep = open_session(url, "rep_a1")
    lid = s["ids"]["today"]
    Lead.update(stage_entered_at=int((NOW - timedelta(days=8)).timestamp())).where(Lead.id == lid).execute()
    for t in tasks.open_tasks(rep, lid):
        tasks.snooze_task(rep, t.id, NOW + timedelta(minutes=1))
    tasks.add_task(rep, lid, "follow_up", "Send the contract", NOW + timedelta(days=2))
    return rep, lid


def test_the_timer_does_not_stall_a_lead_with_a_later_task(db_url):
    s = seed(db_url)
    rep, lid = _overstayed_with_a_later_task(db_url, s)
    view = leads.get(rep, lid)
    assert not view.stalled and view.due_state == "today"
    clock.set_now(NOW + timedelta(minutes=5))  # the first task is overdue now, the later one still planned
    pages.reapply_due(rep, view)
    assert view.due_state == "overdue"
    assert not view.stalled
    fresh = leads.get(rep, lid)
    assert not fresh.stalled and lead_json(rep, fresh)["stalled"] is False
    assert lid not in [v.id for v in leads.list_leads(rep, filter="stalled")]
    clock.set_now(NOW + timedelta(days=3))  # both overdue: stalled now, everywhere
    pages.reapply_due(rep, view)
    assert view.stalled and leads.get(rep, lid).stalled
    assert lid in [v.id for v in leads.list_leads(rep, filter="stalled")]


async def test_list_row_and_detail_header_agree_after_the_timer(sqlite_url):
    s = seed(sqlite_url)
    _overstayed_with_a_later_task(sqlite_url, s)
    app = app_for(sqlite_url, tick_seconds=0.1, poll_seconds=3600)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(app)
        clock.set_now(NOW + timedelta(minutes=5))
        await pilot.pause(0.4)
        await settle(app)
        table = app.screen.table
        row = next(v for v in table.visible_rows() if v.id == s["ids"]["today"])
        assert row.due_state == "overdue" and not row.stalled
        while table.current.id != row.id:
            await pilot.press("down")
        await pilot.press("enter")
        await settle(app)
        await pilot.pause(0.3)
        header = str(app.screen.query_one("#detail-header").render())
        assert "overdue" in header and "stalled" not in header
