"""The command palette speaks the user's language: Textual's own system commands (Theme, Quit, Keys,
Maximize, Screenshot), the search field's placeholder and the theme picker, beside the app's own
entries; `Keys` opens our translated help, not Textual's English key panel (Pilot, real SQLite)."""
import re

import pytest
from textual.command import CommandInput, CommandList, CommandPalette

from tui_crm import i18n
from tui_crm.app import CrmApp
from tui_crm.services.admin import demo
from tui_crm.services.context import open_session
from tui_helpers import settle, wait_for

ALLOWED = {"SVG", "CSV", "XLSX", "SSH", "tui", "crm"}  # formats and names, not words to translate


@pytest.fixture
def zh():
    i18n.set_lang("zh")
    yield
    i18n.set_lang("en")


def english_words(text: str) -> set[str]:
    return {w for w in re.findall(r"[A-Za-z]{3,}", text) if w not in ALLOWED}


async def _type_in_palette(app, pilot, text: str):
    """Open the palette, type ``text``; its list of entries."""
    await pilot.press("ctrl+p")
    await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette), what="the palette")
    for ch in text:
        await pilot.press(ch)
    return app.screen.query_one(CommandList)


async def _palette_options(app, pilot) -> list[str]:
    await pilot.press("ctrl+p")
    await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette) and app.screen.query(CommandList),
                   what="the palette")
    palette = app.screen
    await wait_for(pilot, lambda: palette.query_one(CommandList).option_count >= 5, what="the palette's entries")
    options = palette.query_one(CommandList)
    return [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]


def demo_app(url: str, login: str) -> CrmApp:
    ctx = open_session(url)
    demo.generate(ctx, leads=10, reps=2, seed=1, admin_login="boss")
    ctx.act_as(login)
    return CrmApp(ctx, tick_seconds=0)


async def test_every_palette_entry_and_the_placeholder_are_chinese(sqlite_url, zh):
    app = demo_app(sqlite_url, "boss")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app)
        prompts = await _palette_options(app, pilot)
        assert app.screen.query_one(CommandInput).placeholder == "搜索命令…"
        text = "\n".join(prompts)
        assert "主题" in text and "退出" in text and "截图" in text and "快捷键" in text
        assert not english_words(text), english_words(text)


async def test_keys_opens_our_translated_help_and_theme_asks_in_chinese(sqlite_url, zh):
    from textual.widgets import Static

    app = demo_app(sqlite_url, "rep1")
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(app)
        options = await _type_in_palette(app, pilot, "快捷键")
        await wait_for(pilot, lambda: options.option_count and "快捷键" in str(options.get_option_at_index(0).prompt),
                       what="the Keys entry")
        await pilot.press("enter")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "HelpScreen", what="our help screen")
        body = str(app.screen.query_one("#help-body").query_one(Static).render())
        assert "记录跟进" in body
        await pilot.press("escape")
        await wait_for(pilot, lambda: type(app.screen).__name__ != "HelpScreen", what="help closed")
        app.search_themes()
        await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette) and app.screen.query(CommandInput),
                       what="the theme picker")
        assert app.screen.query_one(CommandInput).placeholder == "搜索主题…"
        await pilot.press("escape")


async def test_a_search_that_finds_nothing_says_so_in_chinese(sqlite_url, zh):
    app = demo_app(sqlite_url, "rep1")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app)
        options = await _type_in_palette(app, pilot, "qqqzzzxx")
        await wait_for(pilot, lambda: options.option_count == 1 and options.get_option_at_index(0).disabled,
                       what="the no-matches line")
        text = str(options.get_option_at_index(0).prompt.renderable)
        assert text == "没有匹配的命令" and not english_words(text), text
        await pilot.press("escape")
