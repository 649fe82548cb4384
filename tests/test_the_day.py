"""Small things of a rep's day (issue 12, found trying it as a user): Pilot on a real SQLite file."""
from __future__ import annotations

import pytest

from tui_crm.i18n import set_lang

from rep_fixtures import app_for, seed
from tui_helpers import open_on_first_lead, settle


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


async def test_keys_typed_fast_after_tab_land_in_the_next_field(sqlite_url):
    """Over SSH a rep's `tab` and the words typed after it arrive in one read: the words went into the field
    being left (`下周一上午10点发报价单` in the next follow-up, the next action empty). Each key reaches the field
    that has the focus when its turn comes."""
    from textual import events

    seed(sqlite_url)
    app = app_for(sqlite_url)
    async with app.run_test(size=(80, 24)) as pilot:
        form = await open_on_first_lead(app, pilot, "f")
        assert app.focused.id == "f-summary"
        keys = ["a", "tab", "tab", "tab", "tab", "b", "tab", "c", "shift+tab", "shift+tab", "d", "enter", "enter", "enter", "e",
                "shift+tab", "shift+tab", "shift+tab", "ctrl+u", "+", "2", "h", "x", "backspace", "tab", "tab", "f"]
        for key in keys:  # as the terminal driver hands them over: no wait between them
            char = key if len(key) == 1 else None
            app.post_message(events.Key(key, char))
        await settle(app)
        assert app.screen is form
        value = lambda name: form.query_one(f"#f-{name}").value  # noqa: E731
        assert (value("summary"), value("next_action"), value("customer_words"), value("next_at"),
                value("reading")) == ("a", "b", "cf", "+2h", "e")


def test_a_chinese_timeline_and_inbox_join_with_a_full_width_colon(sqlite_url):
    """`leads show` and the detail's timeline in Chinese printed `谢华: [电话] …` (a half-width colon)."""
    import subprocess
    import sys

    from tui_crm.i18n import pgettext

    set_lang("zh")
    try:
        assert pgettext("timeline", "{user}: {text}", user="谢华", text="[电话] 谈价格") == "谢华：[电话] 谈价格"
        assert pgettext("inbox", "{kind}: {text}", kind="升级", text="x") == "升级：x"
    finally:
        set_lang("en")
    s = seed(sqlite_url)
    import os

    env = {**os.environ, "LANG": "en_US.UTF-8"}
    out = subprocess.run([sys.executable, "-m", "tui_crm", "--db", sqlite_url, "--user", "rep_a1", "--lang", "zh",
                          "leads", "show", s["overdue"]], capture_output=True, text=True, env=env, timeout=120)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()[2:]
    assert lines and all("Rep A1：" in line or "tui-crm" in line for line in lines), lines
