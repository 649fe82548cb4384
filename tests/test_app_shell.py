"""The app opens on the acting user's leads (the virtual list), with footer and help (Pilot, real SQLite)."""
from textual.widgets import Footer

from tui_crm.app import CrmApp
from tui_crm.services.admin import demo
from tui_crm.services import leads
from tui_crm.services.context import open_session
from tui_crm.widgets.lead_table import LeadTable
from tui_helpers import settle


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
