"""Rule 2: the rep records why an escalated lead was not contacted in time (the edit form's note), and the
detail shows it (Pilot)."""
from __future__ import annotations

from datetime import timedelta

from tui_crm import clock
from tui_crm.screens.messages import OpenLead
from tui_crm.services import activity, leads
from tui_crm.services.context import open_session

from rep_fixtures import app_for, seed
from tui_helpers import settle


async def test_the_rep_records_why_an_escalated_lead_waited(sqlite_url):
    s = seed(sqlite_url)
    clock.advance(timedelta(days=1))  # the overdue lead was assigned four days ago: escalated
    assert activity.sweep_escalations(open_session(sqlite_url, "rep_a1")) >= 1
    app = app_for(sqlite_url)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app)
        app.post_message(OpenLead(s["ids"]["overdue"]))
        await settle(app)
        detail = app.screen
        assert "e records why" in str(detail.query_one("#detail-warnings").render())
        await pilot.press("e")
        await settle(app)
        form = app.screen
        note = form.query_one("#f-escalation_note")
        note.value = "customer abroad until Monday"
        await pilot.press("ctrl+s")
        await settle(app)
        assert app.screen is detail
        assert "why: customer abroad until Monday" in str(detail.query_one("#detail-warnings").render())
    assert leads.get(open_session(sqlite_url, "rep_a1"), s["overdue"]).escalation_note == "customer abroad until Monday"


async def test_pause_takes_an_optional_resume_date(sqlite_url):
    from tui_crm.store.models import Lead

    s = seed(sqlite_url)
    app = app_for(sqlite_url)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app)
        app.post_message(OpenLead(s["ids"]["today"]))
        await settle(app)
        detail = app.screen
        await pilot.press("p")
        await settle(app)
        form = app.screen
        form.query_one("#f-pause_reason").value = "budget in spring"
        form.query_one("#f-resume_at").value = "yesterday"
        await pilot.press("ctrl+s")
        await settle(app)
        assert str(form.query_one("#err-resume_at").render()) == "must be later than now"
        form.query_one("#f-resume_at").value = "2024-11-20 09:00"
        await pilot.press("ctrl+s")
        await settle(app)
        assert app.screen is detail
        assert "paused until 11-20" in str(detail.query_one("#detail-warnings").render())
    row = Lead.get_by_id(s["ids"]["today"])
    assert row.status == "paused" and row.wake_up_at is not None
    rep = open_session(sqlite_url, "rep_a1")
    leads.set_outcome(rep, s["today"], "in_progress", {})
    leads.set_outcome(rep, s["today"], "paused", {"pause_reason": "again"})  # no date this time
    assert Lead.get_by_id(s["ids"]["today"]).wake_up_at is None
