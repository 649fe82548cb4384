"""Each screen's stylesheets come with the screen (issue 17: the first screen parses and matches only its
own rules): a stylesheet that names a screen class is in that screen's CSS_PATH or the app's, every stylesheet
is read by some screen or the app, and the list opens with the theme and its own sheet alone, parsed once
(Pilot, a real database)."""
from __future__ import annotations

import re
from pathlib import Path

from textual.screen import Screen

import tui_crm
from tui_crm.app import CrmApp
from tui_crm.services.admin import demo
from tui_crm.services.context import open_session
from tui_helpers import settle, wait_for

STYLES = Path(tui_crm.__file__).parent / "styles"


def our_screens() -> dict[str, type]:
    out, todo = {}, list(Screen.__subclasses__())
    while todo:
        cls = todo.pop()
        todo += cls.__subclasses__()
        if cls.__module__.startswith("tui_crm."):
            out[cls.__name__] = cls
    return out


def sheets_of(cls: type) -> set[str]:
    return {Path(p).name for p in (cls.CSS_PATH or [])}


def selectors(path: Path) -> set[str]:
    """The class names a stylesheet's selectors start from (``BoardScreen #status`` -> BoardScreen)."""
    text = re.sub(r"/\*.*?\*/", "", path.read_text("utf-8"), flags=re.S)
    heads = re.findall(r"(?:^|})\s*([^{}]+?)\s*{", text)
    return {name for head in heads for name in re.findall(r"(?<![#.\w-])([A-Z]\w*)", head)}


def test_a_stylesheet_that_names_a_screen_is_in_its_css_path():
    screens = our_screens()
    assert {"LeadListScreen", "BoardScreen", "FormScreen", "BatchMenu", "PickScreen"} <= set(screens)
    missing = sorted(f"{cls} lacks {sheet.name}" for sheet in STYLES.glob("*.tcss") for cls in selectors(sheet)
                     if cls in screens and sheet.name not in sheets_of(screens[cls]) | sheets_of(CrmApp))
    assert missing == []


def test_the_checker_reads_selectors_as_written():
    # it can fail: a sheet naming a screen is seen (import.tcss names ImportScreen in every rule)
    assert "ImportScreen" in selectors(STYLES / "import.tcss")
    assert {"FormScreen", "ConfirmScreen"} <= selectors(STYLES / "forms.tcss")


def test_every_stylesheet_is_read_by_a_screen_or_the_app():
    read = {Path(p).name for p in CrmApp.CSS_PATH}
    for cls in our_screens().values():
        read |= sheets_of(cls)
    assert read == {p.name for p in STYLES.glob("*.tcss")}


def ours(app) -> set[str]:
    return {Path(path).name for path, _var in app.stylesheet.source if path.startswith(str(STYLES))}


async def test_the_list_opens_with_its_own_sheet_and_the_board_brings_its_own(sqlite_url):
    ctx = open_session(sqlite_url)
    demo.generate(ctx, leads=20, reps=2, seed=1, admin_login="boss")
    ctx.act_as("boss")
    app = CrmApp(ctx)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(app)
        assert app.screen.table.rows
        assert ours(app) == {"theme.tcss", "list.tcss"}
        await pilot.press("3")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "BoardScreen", what="the board")
        await settle(app)
        assert ours(app) == {"theme.tcss", "list.tcss", "board.tcss"}
        board = app.screen.query_one("#board-columns")
        assert board.styles.height is not None and str(board.styles.height) == "1fr"  # board.tcss applies


async def test_the_first_screen_parses_no_sheet_twice(sqlite_url, monkeypatch):
    # a screen bringing a sheet of its own makes Textual parse every sheet again (Stylesheet.reparse): the list's is
    # the app's, so the start parses each once; the board's brings one (so the count can fail)
    from textual.css.stylesheet import Stylesheet

    ctx = open_session(sqlite_url)
    demo.generate(ctx, leads=20, reps=2, seed=1, admin_login="boss")
    ctx.act_as("boss")
    reparsed = []
    reparse = Stylesheet.reparse
    monkeypatch.setattr(Stylesheet, "reparse", lambda self: (reparsed.append(1), reparse(self))[1])
    app = CrmApp(ctx)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(app)
        assert app.screen.table.rows and reparsed == []
        await pilot.press("3")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "BoardScreen", what="the board")
        await settle(app)
        assert reparsed
