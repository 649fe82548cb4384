"""Forms: new lead with inline validation and duplicate warning, escape asks first (Pilot, real SQLite)."""
from __future__ import annotations

import pytest

from tui_crm.services import leads
from tui_crm.services.context import open_session

from rep_fixtures import app_for, seed
from tui_helpers import open_on_first_lead, settle


@pytest.fixture
def seeded(sqlite_url):
    return sqlite_url, seed(sqlite_url)


def err(form, name) -> str:
    return str(form.query_one(f"#err-{name}").render())


async def fill(pilot, form, **values):
    for name, value in values.items():
        form.query_one(f"#f-{name}").value = value
    await pilot.pause()


async def open_new_lead_form(app, pilot):
    """The new-lead form, opened with its key `n`."""
    await settle(app)
    await pilot.press("n")
    await settle(app)
    return app.screen


async def test_new_lead_validates_in_words_then_saves(seeded):
    url, s = seeded
    app = app_for(url)
    async with app.run_test(size=(100, 30)) as pilot:
        form = await open_new_lead_form(app, pilot)
        assert type(form).__name__ == "LeadForm" and form.focused.id == "f-company"
        await pilot.press(*"Initech")
        await pilot.press("tab")
        assert form.focused.id == "f-contact_name"
        await fill(pilot, form, phone="call me", amount="lots", expected_close_date="someday", source="expo",
                   need="")
        await pilot.press("ctrl+s")
        await settle(app)
        assert err(form, "phone") == "not a phone number: call me"
        assert err(form, "amount") == "not an amount: lots (e.g. 80000, ¥80,000, 8万)"
        assert err(form, "expected_close_date").startswith("not a date: someday")
        assert err(form, "need").startswith("required")
        assert leads.count(open_session(url, "rep_a1")) == 3  # nothing written
        await fill(pilot, form, phone="135 0000 9999")  # fixed: its error goes (it stayed till the next save)
        await settle(app)
        assert err(form, "phone") == "" and err(form, "amount").startswith("not an amount")
        box = form.query_one("#f-remarks")
        box.insert_text_at_cursor("长" * (box.max_length + 50))  # a paste longer than the field: said, not silent
        await settle(app)
        assert len(box.value) == box.max_length
        assert err(form, "remarks") == f"at most {box.max_length} characters: no more is taken"
        box.value = "short"
        await settle(app)
        assert err(form, "remarks") == ""
        await fill(pilot, form, contact_name="Peter", phone="135 0000 9999", amount="¥8万",
                   expected_close_date="2024年12月31日", need="printers")
        await pilot.press("ctrl+s")
        await settle(app)
        assert type(app.screen).__name__ == "LeadDetailScreen"
        view = app.screen.data.lead
    assert (view.company, view.phone, view.amount_cents, view.expected_close_date) == \
        ("Initech", "+8613500009999", 8000000, "2024-12-31")


async def test_duplicate_is_shown_before_saving_and_can_be_opened(seeded):
    url, s = seeded
    app = app_for(url)
    async with app.run_test(size=(100, 30)) as pilot:
        form = await open_new_lead_form(app, pilot)
        await fill(pilot, form, company="Someone Else", contact_name="X", phone="+86 138-1234-5678",
                   source="website", need="y")
        await pilot.press("ctrl+s")
        await settle(app)
        assert app.screen is form
        msg = str(form.query_one("#form-error").render())
        assert f"possible duplicate: {s['overdue']} 北京华为科技有限公司 (same phone or email)" in msg
        await pilot.press("ctrl+o")
        await settle(app)
        assert type(app.screen).__name__ == "LeadDetailScreen"
        assert app.screen.data.lead.code == s["overdue"]
    assert leads.count(open_session(url, "rep_a1")) == 3


async def test_escape_asks_only_when_something_was_typed(seeded):
    url, s = seeded
    app = app_for(url)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app)
        await pilot.press("n")
        await pilot.press("escape")
        await settle(app)
        assert type(app.screen).__name__ == "LeadListScreen"
        await pilot.press("n")
        await pilot.press(*"Half typed")
        await pilot.press("escape")
        await settle(app)
        assert type(app.screen).__name__ == "ConfirmScreen"
        await pilot.press("n")
        assert type(app.screen).__name__ == "LeadForm"
        assert app.screen.values()["company"] == "Half typed"  # nothing lost
        await pilot.press("escape", "y")
        await settle(app)
        assert type(app.screen).__name__ == "LeadListScreen"


async def test_a_time_left_as_now_is_saved_to_the_second_and_the_timeline_keeps_its_order(seeded):
    """The follow-up form opens with the time 'now' to the minute; saved as it is, the follow-up is stored
    at the moment of saving, so it shows above a stage move made a few seconds before it."""
    from datetime import timedelta

    from tui_crm import clock
    from tui_crm.services import activity, leads
    from tui_crm.store.models import FollowUp

    from conftest import NOW

    url, s = seeded
    rep = open_session(url, "rep_a1")
    clock.set_now(NOW + timedelta(seconds=20))
    leads.move_stage(rep, s["overdue"], "qualified")  # at 09:00:20
    clock.set_now(NOW + timedelta(seconds=40))
    app = app_for(url)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app)
        row = [v.code for v in app.screen.table.rows].index(s["overdue"])
        for _ in range(row):
            await pilot.press("down")
        await pilot.press("f")
        await settle(app)
        await pilot.press(*"called")
        clock.set_now(NOW + timedelta(seconds=50))  # saved ten seconds after the form opened
        await pilot.press("ctrl+s")
        await settle(app)
    fu = FollowUp.get(FollowUp.summary == "called")
    assert fu.at == int((NOW + timedelta(seconds=50)).timestamp())
    kinds = [i.kind for i in activity.lead_timeline(rep, s["overdue"])]
    assert kinds.index("followup") < kinds.index("stage")


async def test_at_80x24_the_edit_form_keeps_the_focused_field_in_view(seeded):
    """The edit form has more fields than 24 rows hold: tabbing to the last one scrolls it into view
    (the fields box grew past the screen and never scrolled, so typing went into a hidden field)."""
    url, s = seeded
    app = app_for(url)
    async with app.run_test(size=(80, 24)) as pilot:
        form = await open_on_first_lead(app, pilot, "e")
        inputs = list(form.query("#form-fields Input"))
        for _i in range(len(inputs) - 1):
            await pilot.press("tab")
        await pilot.pause()
        assert form.focused is inputs[-1]
        box = form.query_one("#form-fields")
        assert box.scroll_offset.y > 0
        assert box.region.contains_region(form.focused.region)


async def test_tab_from_the_last_field_comes_back_to_the_first(seeded):
    """No invisible tab stop (the fields' scroll box took one keystroke after the last field)."""
    url, s = seeded
    app = app_for(url)
    async with app.run_test(size=(100, 30)) as pilot:
        form = await open_new_lead_form(app, pilot)
        inputs = list(form.query("#form-fields Input"))
        for _i in range(len(inputs)):
            await pilot.press("tab")
        assert form.focused is inputs[0]
