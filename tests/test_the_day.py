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
