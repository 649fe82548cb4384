"""Every date field shows what it read while it is typed ("→ 11-04 周一 10:00"), and every amount field
("→ 80,000.00"), before anything is saved; the natural spellings save as previewed (Pilot, real SQLite)."""
from __future__ import annotations

import pytest

from tui_crm.i18n import set_lang
from tui_crm.screens.form_base import FormScreen, field_kind
from tui_crm.services import leads
from tui_crm.services.context import open_session
from tui_crm.store.models import FollowUp, Task

from rep_fixtures import app_for, seed
from tui_helpers import open_on_first_lead, settle


def shown(form, name) -> str:
    return str(form.query_one(f"#preview-{name}").render())


async def type_into(pilot, form, name, text):
    box = form.query_one(f"#f-{name}")
    box.focus()
    box.value = ""
    await pilot.press(*text)
    await pilot.pause()


@pytest.mark.parametrize("lang,said,read", [("en", "next monday 10am", "→ 11-04 Mon 10:00"),
                                            ("zh", "下周一上午10点", "→ 11-04 周一 10:00")])
async def test_the_follow_up_form_previews_its_dates_as_typed_and_saves_them(sqlite_url, lang, said, read):
    s = seed(sqlite_url)
    set_lang(lang)
    try:
        app = app_for(sqlite_url)
        async with app.run_test(size=(80, 24)) as pilot:
            form = await open_on_first_lead(app, pilot, "f")
            assert isinstance(form, FormScreen)
            dated = [f.name for f in form.fields if field_kind(f) == "when"]
            assert dated == ["at", "next_at"]
            assert all(shown(form, name).startswith("→ ") for name in dated)  # the pre-filled ones too
            await type_into(pilot, form, "next_at", said)
            assert shown(form, "next_at") == read
            await type_into(pilot, form, "next_at", "someday")
            assert shown(form, "next_at") == "→ ?"
            await type_into(pilot, form, "next_at", said)
            await type_into(pilot, form, "summary", "ok")
            await pilot.press("ctrl+s")
            await settle(app)
            assert not isinstance(app.screen, FormScreen)
            code = app.screen.data.lead.code
    finally:
        set_lang("en")
    lead_id = leads.get(open_session(sqlite_url, "rep_a1"), code).id
    f = FollowUp.get(FollowUp.lead == lead_id)
    task = Task.select().where((Task.lead == lead_id) & (Task.status == "open")).order_by(Task.due_at).first()
    assert f.next_at == task.due_at == 1730685600  # 2024-11-04 10:00 +08:00
    assert code in s.values()


async def test_amount_fields_preview_chinese_amount_words(sqlite_url):
    seed(sqlite_url)
    app = app_for(sqlite_url)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app)
        await pilot.press("n")
        await settle(app)
        form = app.screen
        assert [f.name for f in form.fields if field_kind(f)] == ["amount", "expected_close_date"]
        for said, read in (("八万", "→ 80,000.00"), ("1.5万", "→ 15,000.00"), ("两千", "→ 2,000.00"),
                           ("lots", "→ ?")):
            await type_into(pilot, form, "amount", said)
            assert shown(form, "amount") == read
        await type_into(pilot, form, "expected_close_date", "12月31日")
        assert shown(form, "expected_close_date") == "→ 12-31 Tue"
        await pilot.press("escape")
        await settle(app)
        await pilot.press("y")
        won = await open_on_first_lead(app, pilot, "w")
        await type_into(pilot, won, "won_amount", "八万")
        assert shown(won, "won_amount") == "→ 80,000.00"
        assert shown(won, "won_at").startswith("→ 11-01 Fri 10:00")


async def test_a_call_not_reached_proposes_the_retry_not_the_cadence(sqlite_url):
    seed(sqlite_url)
    app = app_for(sqlite_url)
    async with app.run_test(size=(80, 24)) as pilot:
        form = await open_on_first_lead(app, pilot, "f")
        cadence = form.query_one("#f-next_at").value
        assert cadence == "2024-11-08 10:00"  # the stage's 7 days
        await type_into(pilot, form, "reached", "no")
        assert form.query_one("#f-next_at").value == "2024-11-01 12:00"  # the same working day, 2 h later
        assert shown(form, "next_at") == "→ 11-01 Fri 12:00"
        await type_into(pilot, form, "reached", "yes")
        assert form.query_one("#f-next_at").value == cadence
        await type_into(pilot, form, "next_at", "周一")
        await type_into(pilot, form, "reached", "no")
        assert form.query_one("#f-next_at").value == "周一"  # what the rep typed stays
