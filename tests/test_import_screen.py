"""The import screen (issue 6 item 7): palette → file → mapping → dry run → import → undo (Pilot, real SQLite, real CSV)."""
from textual.widgets import Input, Select, Static

from tui_crm.app import CrmApp
from tui_crm.services import leads
from tui_crm.services.admin.users import add_user
from tui_crm.services.context import open_session
from tui_helpers import palette_run, settle, wait_for

CSV = ("公司名称,手机,阶段,Memo\n"
       "星河科技,13912345678,需求确认,met at expo\n"
       "Acme Ltd,13800001111,qualified,\n"
       "Bad Stage Co,13700002222,nonsense,\n")


async def _finish(app, pilot):
    await app.workers.wait_for_complete()
    await pilot.pause()
    await settle(app)


def _boss_app(sqlite_url, src, text):
    """A file with ``text``, and the app opened by an admin."""
    src.write_text(text, encoding="utf-8")
    ctx = open_session(sqlite_url)
    add_user(ctx, "boss", "Boss", role="admin")
    ctx.act_as("boss")
    return ctx, CrmApp(ctx, tick_seconds=0)


async def test_import_screen_flow(sqlite_url, tmp_path):
    src = tmp_path / "team.csv"
    ctx, app = _boss_app(sqlite_url, src, CSV)
    async with app.run_test(size=(100, 36)) as pilot:
        await settle(app)
        await palette_run(app, pilot, "Import leads")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "ImportScreen", what="the import screen")
        screen = app.screen
        assert type(screen).__name__ == "ImportScreen"
        path = screen.query_one("#path", Input)
        path.value = str(src)
        await pilot.press("enter")
        await settle(app)
        await pilot.pause()
        assert [screen.query_one(f"#map-{i}", Select).value for i in range(4)] == \
            ["company", "phone", "stage", "ignore"]
        screen.query_one("#map-3", Select).value = "remarks"  # the Memo column goes into remarks
        await pilot.press("f5")
        await _finish(app, pilot)
        text = str(screen.query_one("#result", Static).render())
        assert "Dry run" in text and "2 new" in text and "1 refused" in text
        assert "line 4" in text and "nonsense" in text
        assert leads.list_leads(ctx) == []  # the dry run wrote nothing
        await pilot.press("f6")
        await _finish(app, pilot)
        text = str(screen.query_one("#result", Static).render())
        assert "Imported as batch 1" in text and "2 new" in text and "F8" in text
        got = {v.company: v for v in leads.list_leads(ctx)}
        assert sorted(got) == ["Acme Ltd", "星河科技"]
        assert leads.get(ctx, got["星河科技"].code).remarks == "met at expo"
        await pilot.press("f8")
        await settle(app)
        await pilot.pause()
        assert leads.list_leads(ctx) == []
        assert "undone" in str(screen.query_one("#status", Static).render())


OPTIONS_CSV = ("Customer,Phone,Deal Owner,Sales stage,Mood\n"
               "Alpha Co,13911110001,Angela,Validated,keen\n"
               "Beta Co,13911110002,Denny,Proposal,\n"
               "Gamma Co,13911110003,boss,Nowhere,\n")


async def test_import_screen_options_from_the_keyboard(sqlite_url, tmp_path):
    """The command line's options on the screen: create owners, stage values, unmapped columns, and F9
    saves the refused rows as CSV beside the file."""
    src = tmp_path / "crm.csv"
    ctx, app = _boss_app(sqlite_url, src, OPTIONS_CSV)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app)
        from tui_crm.screens.import_screen import ImportScreen

        await app.push_screen(ImportScreen(ctx, str(src)))
        await pilot.pause()
        screen = app.screen
        await pilot.press("enter")  # read the columns
        await settle(app)
        await pilot.pause()
        await pilot.press("f5")
        await _finish(app, pilot)
        text = str(screen.query_one("#result", Static).render())
        assert "0 new" in text and "3 refused" in text and "Create missing owners" in text
        await pilot.press("tab", "space")  # tick "Create missing owners"
        assert screen.query_one("#create-owners").value is True
        await pilot.press("tab", "space", "tab", "tab")  # unmapped → remarks, past the duplicates select
        assert screen.focused is screen.query_one("#stage-map", Input)
        for ch in "Validated=proposal":
            await pilot.press(ch)
        await pilot.press("f6")
        await _finish(app, pilot)
        text = str(screen.query_one("#result", Static).render())
        assert "Imported as batch" in text and "2 new" in text and "1 refused" in text and "line 4" in text
        got = {v.company: v for v in leads.list_leads(ctx)}
        assert sorted(got) == ["Alpha Co", "Beta Co"]
        alpha = leads.get(ctx, got["Alpha Co"].code)
        assert alpha.stage == "proposal" and alpha.owner_name == "Angela"
        assert "Mood: keen" in (alpha.remarks or "")  # the unmapped column kept
        await pilot.press("f9")
        await pilot.pause()
        saved = tmp_path / "crm.errors.csv"
        assert saved.read_text(encoding="utf-8").splitlines()[0] == "line,column,value,reason"
        assert saved.read_text(encoding="utf-8").splitlines()[1].startswith("4,Sales stage,Nowhere,\"unknown stage")
        assert "saved" in str(screen.query_one("#status", Static).render())


async def test_the_encoding_field_reads_the_file_again_and_refuses_an_unknown_name(sqlite_url, tmp_path):
    """A GB18030 file read as Latin-1 by the user's word maps nothing; named gb18030 (enter in the encoding
    field) it is read again and its Chinese headers map; an unknown name is one line and keeps the mapping."""
    src = tmp_path / "gbk file.csv"
    ctx, app = _boss_app(sqlite_url, src, "")
    src.write_bytes(CSV.encode("gb18030"))
    async with app.run_test(size=(100, 36)) as pilot:
        await settle(app)
        await palette_run(app, pilot, "Import leads")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "ImportScreen", what="the import screen")
        screen = app.screen

        def mapped():
            return [screen.query_one(f"#map-{i}", Select).value for i in range(2)] \
                if screen.query("#map-1") else None

        screen.query_one("#encoding", Input).value = "latin-1"
        screen.query_one("#path", Input).value = str(src)
        screen.query_one("#path", Input).focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: mapped() is not None, what="the mapping")
        assert mapped() != ["company", "phone"]  # mojibake headers: the company column is not known
        screen.query_one("#encoding", Input).value = "gb18030"
        screen.query_one("#encoding", Input).focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: mapped() == ["company", "phone"], what="the mapping read as GB18030")
        screen.query_one("#encoding", Input).value = "klingon"
        await pilot.press("enter")
        await wait_for(pilot, lambda: "unknown encoding klingon" in str(screen.query_one("#status", Static).render()),
                       what="the refusal")
        assert mapped() == ["company", "phone"]
