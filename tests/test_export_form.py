"""Export from the TUI: palette → form → file written, with inline refusals (Pilot, real SQLite, real files)."""
import csv

from openpyxl import load_workbook
from textual.widgets import Input, Static

from tui_crm.app import CrmApp
from tui_crm.screens.export_form import ExportForm
from tui_crm.services import leads
from tui_crm.services.admin.users import add_user
from tui_crm.services.context import open_session
from tui_helpers import palette_run, settle, wait_for


async def _save(app, pilot, form):
    """ctrl+s, then wait until the export has run and the form is gone."""
    await pilot.press("ctrl+s")
    await app.workers.wait_for_complete()
    await wait_for(pilot, lambda: app.screen is not form, what="the export form closed")


async def test_export_from_the_palette(sqlite_url, tmp_path):
    ctx = open_session(sqlite_url)
    add_user(ctx, "boss", "Boss", role="admin")
    ctx.act_as("boss")
    for i in range(3):
        leads.add_lead(ctx, {"company": f"星河科技 {i}", "contact_name": "张三", "phone": f"1391234567{i}",
                                   "source": "expo", "need": "servers"})
    app = CrmApp(ctx, tick_seconds=0)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app)
        await palette_run(app, pilot, "Export leads")
        await wait_for(pilot, lambda: isinstance(app.screen, ExportForm), what="the export form")
        form = app.screen
        assert isinstance(form, ExportForm)
        assert form.query_one("#f-file", Input).value.endswith(".xlsx")  # a dated file in the home folder
        file = form.query_one("#f-file", Input)
        file.value = str(tmp_path / "nope" / "x.xlsx")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is form  # refused in words, nothing lost
        assert "no such folder" in str(form.query_one("#err-file", Static).render())
        file.value = str(tmp_path / "team.txt")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert ".csv or .xlsx" in str(form.query_one("#err-file", Static).render())
        file.value = str(tmp_path / "team.xlsx")
        await _save(app, pilot, form)
        assert app.screen is not form
    wb = load_workbook(tmp_path / "team.xlsx", read_only=True)
    assert wb.sheetnames == ["leads", "follow_ups", "tasks"]
    rows = list(wb["leads"].iter_rows(values_only=True))
    assert sorted(r[1] for r in rows[1:]) == ["星河科技 0", "星河科技 1", "星河科技 2"]


async def test_export_csv_without_activity(sqlite_url, tmp_path):
    ctx = open_session(sqlite_url)
    add_user(ctx, "boss", "Boss", role="admin")
    ctx.act_as("boss")
    leads.add_lead(ctx, {"company": "Acme", "contact_name": "Ann", "phone": "13912345678", "source": "expo",
                               "need": "servers"})
    app = CrmApp(ctx, tick_seconds=0)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app)
        form = ExportForm(ctx)
        app.push_screen(form)
        await pilot.pause()
        form.query_one("#f-file", Input).value = str(tmp_path / "a.csv")
        form.query_one("#f-activity", Input).value = "否"  # Chinese for no
        await _save(app, pilot, form)
        assert app.screen is not form
    with open(tmp_path / "a.csv", encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert [r[1] for r in rows[1:]] == ["Acme"]
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix == ".csv") == ["a.csv"]
