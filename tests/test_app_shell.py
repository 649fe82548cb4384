"""The app opens on the acting user's leads, with footer and help (Pilot, real SQLite)."""
from textual.widgets import DataTable, Footer

from tui_crm.app import CrmApp
from tui_crm.services import demo
from tui_crm.services.context import open_session


async def test_shell_shows_the_users_leads(sqlite_url):
    ctx = open_session(sqlite_url)
    demo.generate(ctx, leads=60, reps=2, seed=1, admin_login="boss")
    ctx.act_as("rep1")
    app = CrmApp(ctx)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        table = app.screen.query_one(DataTable)
        assert table.row_count > 0
        codes = {str(table.get_row_at(i)[0]) for i in range(table.row_count)}
        from tui_crm.services import leads

        assert codes == {v.code for v in leads.list_leads(ctx)}  # exactly rep1's leads
        assert app.screen.query(Footer)
        await pilot.press("question_mark")
        await pilot.pause()
        assert type(app.screen).__name__ == "HelpScreen"
        await pilot.press("escape")
        await pilot.press("q")
