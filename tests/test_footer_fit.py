"""The footer at 80 columns shows whole hints only: a key whose hint does not fit before the palette hint
is left out, never cut, and the palette hint itself reads whole (issue 18: on the tasks screen in Chinese
the keys ran on under the docked palette hint and its first character was cut in half, `^p   令面板`).
Every screen the keys open, in Chinese and English, through Pilot's own rendering of the screen."""
from __future__ import annotations

import re

import pytest
from textual.widgets import Footer

from tui_crm import i18n
from tui_crm.app import CrmApp
from tui_crm.services.admin import demo
from tui_crm.services.context import open_session
from test_zh_everywhere import screen_text
from tui_helpers import settle, wait_for

SCREENS = ("1", "2", "3", "4", "5", "k", "i", "6")
PALETTE = {"zh": "^p 命令面板", "en": "^p palette"}


def hints(app) -> set[str]:
    """Every hint the current screen's footer could show, as it reads: `key description`."""
    footer = app.screen.query_one(Footer)
    return {f"{k.key_display} {k.description}".strip() for k in footer.query("FooterKey")}


@pytest.mark.parametrize("lang", ["zh", "en"])
async def test_every_screens_footer_at_80_columns_shows_whole_hints(sqlite_url, tmp_path, lang):
    ctx = open_session(sqlite_url)
    demo.generate(ctx, leads=10, reps=2, seed=1, admin_login="boss")
    i18n.set_lang(lang)
    app = CrmApp(open_session(sqlite_url, "boss"), tick_seconds=0)
    bad = {}
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            for key in SCREENS + ("detail", "import"):
                await settle(app)
                if key == "detail":  # a lead's detail, from the list
                    await pilot.press("1")
                    await settle(app)
                    await pilot.press("enter")
                    await wait_for(pilot, lambda: type(app.screen).__name__ == "LeadDetailScreen", what="the detail")
                elif key == "import":  # opened from the palette; a screen taller than 24 rows scrolled over the footer
                    from tui_crm.screens.import_screen import ImportScreen

                    src = tmp_path / "three columns.csv"
                    src.write_text("公司名称,手机,阶段\n星河科技,13912345678,需求确认\n", encoding="utf-8")
                    await app.push_screen(ImportScreen(app.ctx, str(src)))
                    await pilot.press("enter")  # its columns read: taller than the screen
                    await wait_for(pilot, lambda: app.screen.query("#map-2"), what="the columns")
                else:
                    await pilot.press(key)
                await settle(app)
                await wait_for(pilot, lambda: len(app.screen.query("FooterKey")) > 2, what=f"{key}'s footer")
                await settle(app)
                last = screen_text(app).replace("\xa0", " ").rstrip("\n").split("\n")[-1].rstrip()
                left, _bar, palette = last.rpartition("▏")
                shown = [h for h in re.split(r"\s{2,}", left.strip()) if h]
                cut = [h for h in shown if h not in hints(app)]
                if palette.strip() != PALETTE[lang] or cut or not shown:
                    bad[f"{key} {type(app.screen).__name__}"] = last
    finally:
        i18n.set_lang("en")
    assert not bad, "\n".join(f"{k}: {v!r}" for k, v in bad.items())


@pytest.mark.parametrize("lang,width", [("en", 80), ("zh", 80), ("en", 140)])
async def test_the_admin_sections_line_shows_its_hint_whole_or_not_at_all(sqlite_url, lang, width):
    """At 80 columns in English the sections line read `… Lost reasons   [ ]`: the hint was cut."""
    ctx = open_session(sqlite_url)
    demo.generate(ctx, leads=10, reps=2, seed=1, admin_login="boss")
    i18n.set_lang(lang)
    app = CrmApp(open_session(sqlite_url, "boss"), tick_seconds=0)
    try:
        async with app.run_test(size=(width, 24)) as pilot:
            await settle(app)
            await pilot.press("6")
            await wait_for(pilot, lambda: type(app.screen).__name__ == "AdminScreen", what="the admin screen")
            await settle(app)
            hint = i18n._("[ ] switch")
            last = i18n._("Lost reasons")
            line = next(ln for ln in screen_text(app).replace("\xa0", " ").split("\n") if last in ln).rstrip()
            assert line.endswith(hint) or line.endswith(last), line
            if width > 100:
                assert line.endswith(hint), line
    finally:
        i18n.set_lang("en")
