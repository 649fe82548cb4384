"""A CSV file's encoding named by the user (`import --encoding`, the import screen's encoding field) when
detection cannot tell: a short Windows-1252 file whose accented letters pair up into valid GB18030
(`Müller` reads `M黮ler`) imported wrong without a word before. The dry run now says how it read the
file; an unknown name is refused in one line and writes nothing (real files, real CLI, Pilot)."""
from __future__ import annotations

from textual.widgets import Input, Static

from cli_helpers import run, run_json
from tui_crm.app import CrmApp
from tui_crm.services import leads
from tui_crm.services.admin.users import add_user
from tui_crm.services.context import open_session
from tui_helpers import settle, wait_for

ROWS = "Company,Contact,Phone\r\nMüller Maschinenbau,Jürgen Müller,+49 30 1234567\r\n"


def _file(tmp_path):
    src = tmp_path / "kunden export.csv"  # a space in the path too
    src.write_bytes(ROWS.encode("cp1252"))
    return str(src)


def test_the_dry_run_says_how_it_read_the_file_and_encoding_names_it(tmp_path):
    db, src = str(tmp_path / "e.db"), _file(tmp_path)
    run("users", "add", "boss", "--name", "Boss", "--role", "admin", user="boss", db=db, check=0)
    guessed = run("import", src, "--dry-run", user="boss", db=db, check=0).stdout
    assert "read as GB18030, cells separated by commas" in guessed and "M黮ler" in guessed  # the guess, said
    named = run("import", src, "--dry-run", "--encoding", "cp1252", user="boss", db=db, check=0).stdout
    assert "read as CP1252" in named and "Müller Maschinenbau" in named
    run("import", src, "--encoding", "windows-1252", user="boss", db=db, check=0)
    got = run_json("leads", "list", "--format", "json", user="boss", db=db)
    assert [(r["company"], r["contact_name"]) for r in got] == [("Müller Maschinenbau", "Jürgen Müller")]


def test_an_unknown_encoding_is_one_line_and_writes_nothing(tmp_path):
    db, src = str(tmp_path / "e.db"), _file(tmp_path)
    run("users", "add", "boss", "--name", "Boss", "--role", "admin", user="boss", db=db, check=0)
    proc = run("import", src, "--encoding", "klingon;rm -rf", user="boss", db=db, check=1)
    assert proc.stderr.startswith("tui-crm: unknown encoding klingon;rm -rf: try utf-8, gb18030")
    assert proc.stderr.count("\n") == 1
    assert run_json("leads", "list", "--format", "json", user="boss", db=db) == []
    zh = run("--lang", "zh", "import", src, "--encoding", "klingon", user="boss", db=db, check=1).stderr
    assert "未知的编码 klingon" in zh


async def test_the_import_screen_reads_the_file_again_in_the_named_encoding(sqlite_url, tmp_path):
    src = _file(tmp_path)
    ctx = open_session(sqlite_url)
    add_user(ctx, "boss", "Boss", role="admin")
    ctx.act_as("boss")
    app = CrmApp(ctx, tick_seconds=0)
    async with app.run_test(size=(80, 24)) as pilot:
        from tui_crm.screens.import_screen import ImportScreen

        await settle(app)
        await app.push_screen(ImportScreen(ctx, src))
        screen = app.screen
        await pilot.press("enter")  # read the columns: detected
        await wait_for(pilot, lambda: screen.query("#map-0"), what="the columns")
        screen.query_one("#encoding", Input).focus()
        for ch in "cp1252":
            await pilot.press(ch)
        await pilot.press("enter")  # read again, in the named encoding
        await settle(app)
        await pilot.press("f6")
        await app.workers.wait_for_complete()
        await settle(app)
        assert "Imported as batch" in str(screen.query_one("#result", Static).render())
        assert [(v.company, v.contact_name) for v in leads.list_leads(ctx)] == [
            ("Müller Maschinenbau", "Jürgen Müller")]
