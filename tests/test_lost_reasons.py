"""Lost reasons: a pick list from the team's list (PRODUCT §1 lost_reason; defaults while it has none) by
number or words, and free text (Pilot, real SQLite)."""
from __future__ import annotations

import pytest

from tui_crm.i18n import set_lang
from tui_crm.services import leads
from tui_crm.services.context import open_session
from tui_crm.store.models import LostReason

from rep_fixtures import app_for, seed
from tui_helpers import settle


async def mark_lost(url, typed: str, lang: str = "en") -> tuple[str, str]:
    """Open the first lead, `x`, type the reason, save: (the hint shown, the reason stored)."""
    set_lang(lang)
    try:
        app = app_for(url)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(app)
            await pilot.press("enter")
            await settle(app)
            code = app.screen.data.lead.code
            await pilot.press("x")
            await settle(app)
            form = app.screen
            box = form.query_one("#f-lost_reason")
            hint = box.placeholder
            box.value = typed
            await pilot.press("ctrl+s")
            await settle(app)
            assert form is not app.screen
    finally:
        set_lang("en")
    return hint, leads.get(open_session(url, "rep_a1"), code).lost_reason


@pytest.mark.parametrize("lang,typed,stored", [("en", "2", "chose a competitor"), ("zh", "1", "价格太高"),
                                               ("en", "No Budget", "no budget"),
                                               ("zh", "客户公司被收购了", "客户公司被收购了")])
async def test_the_default_list_by_number_or_words_or_free_text(sqlite_url, lang, typed, stored):
    seed(sqlite_url)
    hint, reason = await mark_lost(sqlite_url, typed, lang)
    assert reason == stored
    assert hint.startswith("1 price too high · 2 chose a competitor" if lang == "en" else "1 价格太高 · 2 选择了竞争对手")


async def test_the_team_s_own_list_is_offered(sqlite_url):
    seed(sqlite_url)
    open_session(sqlite_url)
    LostReason.insert_many([{"label": "预算被砍"}, {"label": "选了友商"}]).execute()
    hint, reason = await mark_lost(sqlite_url, "2")
    assert hint.startswith("1 预算被砍 · 2 选了友商") and reason == "选了友商"
