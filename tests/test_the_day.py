"""Small things of a rep's day (issue 12, found trying it as a user): Pilot on a real SQLite file."""
from __future__ import annotations

import pytest

from tui_crm.i18n import set_lang

from rep_fixtures import app_for, seed
from tui_helpers import settle


@pytest.mark.parametrize("key,title", [("w", "标记成交："), ("x", "标记流失："), ("z", "转为休眠："), ("p", "暂缓：")])
async def test_chinese_outcome_form_titles_use_a_full_width_colon(sqlite_url, key, title):
    """The outcome forms' titles were joined with a half-width colon in Chinese (`标记成交: EXPO-…`)."""
    seed(sqlite_url)
    set_lang("zh")
    try:
        app = app_for(sqlite_url)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(app)
            await pilot.press("enter")
            await settle(app)
            code = app.screen.data.lead.code
            await pilot.press(key)
            await settle(app)
            shown = str(app.screen.query_one("#form-title").render())
            assert shown.startswith(title + code), shown
    finally:
        set_lang("en")


@pytest.mark.parametrize("outcome,values", [("won", {"won_amount_cents": 8000000, "product": "servers"}),
                                            ("lost", {"lost_reason": "price too high"})])
async def test_a_won_or_lost_lead_shows_no_escalation_warning(sqlite_url, outcome, values):
    """"⚠ escalated: not contacted in time · e records why" stayed on a lead already won or lost."""
    from datetime import timedelta

    from tui_crm import clock
    from tui_crm.screens.messages import OpenLead
    from tui_crm.services import activity, leads
    from tui_crm.services.context import open_session

    s = seed(sqlite_url)
    clock.advance(timedelta(days=1))  # the overdue lead was assigned four days ago: escalated
    rep = open_session(sqlite_url, "rep_a1")
    assert activity.sweep_escalations(rep) >= 1 and leads.get(rep, s["overdue"]).escalated
    app = app_for(sqlite_url)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app)
        app.post_message(OpenLead(s["ids"]["overdue"]))
        await settle(app)
        assert "escalated" in str(app.screen.query_one("#detail-warnings").render())  # open: it is shown
        await pilot.press("escape")
        await settle(app)
        leads.set_outcome(rep, s["overdue"], outcome, {**values, "reason": "a long talk"})
        app.post_message(OpenLead(s["ids"]["overdue"]))
        await settle(app)
        assert app.screen.data.lead.status == outcome
        assert "escalated" not in str(app.screen.query_one("#detail-warnings").render())
