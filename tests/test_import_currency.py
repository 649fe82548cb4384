"""A lead keeps the currency its import file named (issue 16, locale): a prefix or suffix on the
amount (SE960000,00, USD 1,200), or a currency column; none named, none kept (the team's own). The
currency shows in leads show and the detail, goes out with the export and comes back. Schema v13."""
from __future__ import annotations

import sqlite3

from test_import_vendors import SUITE_HEADERS, SUITE_ROWS, write
from tui_crm.services import admin, importing, leads
from tui_crm.services.context import open_session
from tui_crm.services.exporting import export
from tui_crm.services.importing.run import ImportOptions, run_import
from tui_crm.services.records import lead_json
from tui_crm.store import schema
from tui_crm.store.models import Lead


def test_the_currency_a_file_names_is_the_leads(world, tmp_path):
    res = run_import(world.ctx, write(tmp_path / "s.csv", SUITE_HEADERS, SUITE_ROWS), ImportOptions(decimal_comma=True))
    assert res.new == 2
    rows = [["Dollar Co", "13944440001", "USD 1,200.50", ""], ["Euro Co", "13944440002", "300", "EUR"],
            ["Yuan Co", "13944440003", "¥80,000", ""], ["Plain Co", "13944440004", "500", ""]]
    res = run_import(world.ctx, write(tmp_path / "c.csv", ["company", "phone", "amount", "currency"], rows),
                     ImportOptions())
    assert res.new == 4, res.refusals
    got = {x.company: (x.amount_cents, x.currency) for x in Lead.select()}
    assert got == {"Svea AB": (96000000, "SEK"), "Fjord AS": (123456, "SEK"), "Dollar Co": (120050, "USD"),
                   "Euro Co": (30000, "EUR"), "Yuan Co": (8000000, "CNY"), "Plain Co": (50000, None)}
    view = leads.get(world.ctx, Lead.get(Lead.company == "Svea AB").code)
    assert lead_json(world.ctx, view)["currency"] == "SEK"
    # out and back in: the currency goes with the lead
    out = str(tmp_path / "out.csv")
    export(world.ctx, out, reveal=True)
    other = open_session(str(tmp_path / "other.db"))
    admin.add_user(other, "boss", "Boss", "admin")
    other.act_as("boss")
    try:
        res = importing.run_import(other, out, ImportOptions(create_owners=True))
        assert res.new == 6 and res.refused == 0, res.refusals
        back = {x.company: (x.amount_cents, x.currency) for x in Lead.select()}
    finally:
        other.close()
    assert back == got


def test_a_second_currency_in_one_row_is_refused(world, tmp_path):
    rows = [["Two Co", "13944440009", "USD 100", "EUR"]]
    res = run_import(world.ctx, write(tmp_path / "t.csv", ["company", "phone", "amount", "currency"], rows),
                     ImportOptions(dry_run=True))
    assert res.refused == 1 and "second currency" in res.refusals[0].reason


def test_a_v12_database_gets_the_currency_column_and_keeps_its_leads(tmp_path):
    db = str(tmp_path / "crm.db")
    ctx = open_session(db)
    admin.add_user(ctx, "boss", "Boss", "admin")
    ctx.act_as("boss")
    code = leads.add_lead(ctx, {"company": "Old Co", "contact_name": "Li", "phone": "13912345678",
                                "source": "expo", "need": "servers"}).code
    ctx.close()
    conn = sqlite3.connect(db)
    conn.execute("ALTER TABLE lead DROP COLUMN currency")
    conn.execute("UPDATE meta SET value = '12' WHERE key = 'schema_version'")
    conn.commit()
    conn.close()
    ctx = open_session(db, "boss", upgrade=True)
    try:
        assert schema.current_version(ctx.db) == schema.LATEST >= 13 and schema.check(ctx.db) == []
        lead = Lead.get(Lead.code == code)
        assert (lead.company, lead.currency) == ("Old Co", None)
    finally:
        ctx.close()
