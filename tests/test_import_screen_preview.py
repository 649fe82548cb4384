"""The import screen shows what the command line's dry run prints (§9): each column with its field and
two sample values as soon as the file is read, then after F5 the mapping and each distinct value with
what it becomes; the locale options (decimal commas, unknown stages, the phones' region) are on it too."""
from textual.widgets import Input, Static

from tui_crm.services import leads
from test_import_screen import _boss_app, _finish
from tui_helpers import settle, wait_for

SUITE = ("Opportunity Name,Account Name,Sales Stage,Opportunity Amount,Lead Source,Phone\n"
         "Nordic pilot,Svea AB,Prospecting,\"SE960000,00\",Web Site,206-240-2044\n"
         "Fjord renewal,Fjord AS,Closed Won,\"SE1.234,56\",Cold Call,415-555-0132\n"
         "Lake deal,Sjö AB,Odd Stage,\"SE10,00\",Trade Show,206-240-2045\n")


async def test_the_screen_shows_the_mapping_and_values_and_takes_the_locale_options(sqlite_url, tmp_path):
    src = tmp_path / "suite.csv"
    ctx, app = _boss_app(sqlite_url, src, SUITE)
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(app)
        from tui_crm.screens.import_screen import ImportScreen

        await app.push_screen(ImportScreen(ctx, str(src)))
        await pilot.pause()
        screen = app.screen
        await pilot.press("enter")  # read the columns
        await wait_for(pilot, lambda: screen.query(".import-sample"), what="the mapping rows")
        samples = [str(x.render()) for x in screen.query(".import-sample")]
        assert samples[0] == "Nordic pilot, Fjord renewal" and samples[3] == "SE960000,00, SE1.234,56"
        await pilot.press("f5")
        await _finish(app, pilot)
        text = str(screen.query_one("#result", Static).render())
        assert "columns (headers as SuiteCRM exports them):" in text
        assert "Opportunity Name" in text and "→ need" in text and "Nordic pilot, Fjord renewal" in text
        assert "stage 'Closed Won'" in text and "outcome won" in text
        assert "source 'Web Site'" in text and "→ website" in text
        assert "--decimal-comma" in text and "0 new" in text
        for box in ("#decimal-comma", "#create-stages"):
            screen.query_one(box).value = True
        screen.query_one("#region", Input).value = "us"
        await pilot.press("f6")
        await _finish(app, pilot)
        text = str(screen.query_one("#result", Static).render())
        assert "Imported as batch" in text and "3 new" in text and "0 refused" in text, text
        got = {v.company: v for v in leads.list_leads(ctx)}
        assert (got["Svea AB"].amount_cents, got["Fjord AS"].won_amount_cents) == (96000000, 123456)
        assert got["Svea AB"].phone == "+12062402044"
        assert got["Sjö AB"].stage == "Odd Stage"
