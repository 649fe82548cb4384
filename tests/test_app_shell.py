"""The app opens on the acting user's leads (the virtual list), with footer and help (Pilot, real SQLite)."""
from textual.widgets import Footer

from tui_crm.app import CrmApp
from tui_crm.services.admin import demo
from tui_crm.services import leads
from tui_crm.services.context import open_session
from tui_crm.widgets.lead_table import LeadTable
from tui_helpers import settle, toast, wait_for


async def test_shell_shows_the_users_leads(sqlite_url):
    ctx = open_session(sqlite_url)
    demo.generate(ctx, leads=60, reps=2, seed=1, admin_login="boss")
    ctx.act_as("rep1")
    app = CrmApp(ctx)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app)
        table = app.screen.query_one(LeadTable)
        mine = {v.code for v in leads.list_leads(ctx)}
        assert 0 < len(mine) < 60
        assert {v.code for v in table.rows} == mine  # exactly rep1's leads
        assert table.total == len(mine)
        assert app.screen.query(Footer)
        await pilot.press("question_mark")
        await pilot.pause()
        assert type(app.screen).__name__ == "HelpScreen"
        await pilot.press("escape")
        for key, name in (("2", "QueueScreen"), ("i", "InboxScreen"), ("1", "LeadListScreen")):
            await pilot.press(key)
            await settle(app)
            assert type(app.screen).__name__ == name
        await pilot.press("q")


async def test_help_lists_the_keys_of_the_screen_it_was_opened_from(sqlite_url):
    from textual.widgets import Static

    ctx = open_session(sqlite_url)
    demo.generate(ctx, leads=20, reps=2, seed=1, admin_login="boss")
    ctx.act_as("rep1")
    app = CrmApp(ctx)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("question_mark")
        await pilot.pause()
        text = str(app.screen.query_one("#help-body").query_one(Static).render())
        assert "log follow-up" in text and "On this screen" in text
        assert "Stalled" in text and "Reverse sort" in text  # the list's own keys
        assert "Focus Next" not in text  # Textual's internals are not ours to document


async def test_keys_come_from_the_config_keymap_and_help_shows_them(sqlite_url, tmp_path, monkeypatch):
    from textual.widgets import Static

    config = tmp_path / "config.toml"
    config.write_text('[keymap]\n"screen.board" = "f3"\n"lead.followup" = "ctrl+l"\n', "utf-8")
    monkeypatch.setenv("TUI_CRM_CONFIG", str(config))
    ctx = open_session(sqlite_url)
    demo.generate(ctx, leads=20, reps=2, seed=1, admin_login="boss")
    ctx.act_as("rep1")
    app = CrmApp(ctx)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app)
        await pilot.press("question_mark")
        await pilot.pause()
        text = str(app.screen.query_one("#help-body").query_one(Static).render())
        assert "f3" in text and "^l" in text  # Textual writes ctrl+l as ^l
        await pilot.press("escape", "f3")
        await settle(app)
        assert type(app.screen).__name__ == "BoardScreen"
        await pilot.press("3")  # the old key of a rebound binding does nothing
        await pilot.pause()
        assert type(app.screen).__name__ == "BoardScreen"


async def test_a_broken_config_file_is_said_in_one_line_and_the_default_keys_stay(sqlite_url, tmp_path, monkeypatch):
    config = tmp_path / "config.toml"
    config.write_text('[keymap\n"screen.board" = ', "utf-8")
    monkeypatch.setenv("TUI_CRM_CONFIG", str(config))
    ctx = open_session(sqlite_url)
    demo.generate(ctx, leads=10, reps=2, seed=1, admin_login="boss")
    ctx.act_as("rep1")
    app = CrmApp(ctx)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app)
        await toast(app, pilot, "not valid TOML")
        errors = [n.message for n in app._notifications]
        assert any("not valid TOML" in m and str(config) in m and "\n" not in m for m in errors)
        await pilot.press("3")
        await settle(app)
        assert type(app.screen).__name__ == "BoardScreen"


async def test_footer_and_help_speak_chinese_when_the_language_is_set_after_import(sqlite_url):
    """The bindings' labels are built when their modules are imported (in English here: this test process
    imported them long before); the footer and the help screen translate them when they are shown."""
    from textual.widgets import Static

    from tui_crm import i18n

    ctx = open_session(sqlite_url)
    demo.generate(ctx, leads=10, reps=2, seed=1, admin_login="boss")
    ctx.act_as("rep1")
    i18n.set_lang("zh")
    try:
        app = CrmApp(ctx)
        async with app.run_test(size=(120, 30)) as pilot:
            await settle(app)

            def footer_text() -> str:
                return " ".join(str(getattr(k, "description", "")) for k in app.screen.query_one(Footer).children)

            # the footer fills its keys after the screen's first paint (on a loaded machine, later than settle)
            await wait_for(pilot, lambda: footer_text().strip(), what="the footer's keys")
            footer = footer_text()
            assert "线索" in footer and "帮助" in footer and "Leads" not in footer
            await pilot.press("question_mark")
            await pilot.pause()
            text = str(app.screen.query_one("#help-body").query_one(Static).render())
            assert "快捷键" in text and "记录跟进" in text and "log follow-up" not in text
    finally:
        i18n.set_lang("en")
