"""Zoho, Pipedrive and Odoo exports in their shapes (from their public export field lists and default
pick lists), and dates written day first: each imports with no option but --create-owners, and the
report shows the file's pipeline and won deals to the cent."""
from __future__ import annotations

import pytest

from test_import_vendors import at, write
from tui_crm.domain.parse import parse_datetime, slash_order
from tui_crm.services.importing.run import ImportOptions, run_import
from tui_crm.services.reports import figures as report
from tui_crm.store.models import Lead

ZOHO = (["Record Id", "Deal Owner", "Deal Name", "Amount", "Closing Date", "Account Name", "Stage", "Probability (%)",
         "Contact Name", "Created Time", "Lead Source", "Next Step", "Expected Revenue"],
        [["zcrm_4876876000000123001", "Rep A1", "Widgets for Acme", "10,000.00", "15/12/2024", "Acme", "Qualification",
          "10", "Ann Lee", "01/10/2024 09:30 AM", "Advertisement", "Demo", "1,000.00"],
         ["zcrm_4876876000000123002", "Rep A1", "Globex renewal", "5,000.00", "31/10/2024", "Globex", "Closed Won",
          "100", "Bo Chen", "01/09/2024 10:00 AM", "Employee Referral", "", "5,000.00"],
         ["zcrm_4876876000000123003", "Rep A2", "Initech pilot", "2,000.00", "20/10/2024", "Initech",
          "Closed-Lost to Competition", "0", "Cy Wu", "15/09/2024 11:00 AM", "Trade Show", "", "0.00"]],
        {"won": (1, 500000), "pipeline": 1000000})
PIPEDRIVE = (["Deal - ID", "Deal - Title", "Deal - Value", "Deal - Currency", "Deal - Organization",
              "Deal - Contact person", "Deal - Stage", "Deal - Status", "Deal - Owner", "Deal - Expected close date",
              "Deal - Deal created", "Deal - Won time", "Deal - Lost time", "Deal - Lost reason", "Person - Email",
              "Person - Phone"],
             [["101", "Acme deal", "7500", "EUR", "Acme GmbH", "Ann Lee", "Proposal Made", "Open", "Rep A1",
               "2024-12-20", "2024-10-01 09:00:00", "", "", "", "ann@acme.example", "+49 30 1234567"],
              ["102", "Globex deal", "3000", "EUR", "Globex", "Bo Chen", "Negotiations Started", "Won", "Rep A1",
               "2024-10-30", "2024-09-01 09:00:00", "2024-10-30 15:20:00", "", "", "bo@globex.example", ""],
              ["103", "Initech deal", "1200", "EUR", "Initech", "Cy Wu", "Contact Made", "Lost", "Rep A2",
               "2024-10-15", "2024-09-10 09:00:00", "", "2024-10-15 11:05:00", "Too expensive", "cy@initech.example",
               ""]],
             {"won": (1, 300000), "pipeline": 750000})
ODOO = (["Opportunity", "Customer", "Contact Name", "Email", "Phone", "Salesperson", "Sales Team", "Stage",
         "Expected Revenue", "Probability", "Expected Closing", "Created on", "Tags", "Lost Reason"],
        [["Office chairs", "Deco Addict", "Ann Lee", "ann@deco.example", "+1 555-555-5555", "Rep A1", "Sales", "New",
          "12,000.00", "10.0", "2024-12-01", "2024-10-01 09:00:00", "Product", ""],
         ["Desks", "Gemini Furniture", "Bo Chen", "bo@gemini.example", "+1 555-555-5556", "Rep A1", "Sales", "Won",
          "4,500.00", "100.0", "2024-10-20", "2024-09-01 09:00:00", "", ""],
         ["Lamps", "Ready Mat", "Cy Wu", "cy@ready.example", "+1 555-555-5557", "Rep A2", "Sales", "Proposition",
          "800.00", "70.0", "2024-12-10", "2024-10-05 09:00:00", "", ""]],
        {"won": (1, 450000), "pipeline": 1280000})


@pytest.mark.parametrize("vendor,shape", [("zoho", ZOHO), ("pipedrive", PIPEDRIVE), ("odoo", ODOO)])
def test_vendor_exports_go_in_with_their_pipeline(world, tmp_path, vendor, shape):
    headers, rows, want = shape
    path = write(tmp_path / f"{vendor}.csv", headers, rows)
    res = run_import(world.ctx, path, ImportOptions(create_owners=True))
    assert (res.vendor, res.new, res.refused) == (vendor, 3, 0), res.refusals
    totals = report.report(world.ctx)["totals"]
    assert (totals["won"], totals["won_amount_cents"]) == want["won"]
    assert totals["pipeline_amount_cents"] == want["pipeline"]
    assert totals["lost"] == (0 if vendor == "odoo" else 1)


def test_dates_written_day_first_are_read_day_first_and_said(world, tmp_path):
    headers, rows, _want = ZOHO
    res = run_import(world.ctx, write(tmp_path / "z.csv", headers, rows), ImportOptions(create_owners=True))
    assert res.date_order == "dmy"
    acme = Lead.get(Lead.company == "Acme")
    assert (acme.expected_close_date, acme.created_at) == ("2024-12-15", at("2024-10-01T09:30:00"))
    # a file whose dates are month first (12/15/2024) keeps 5/1/2024 as May 1
    rows = [["Us Co", "13955550001", "12/15/2024", "5/1/2024"]]
    res = run_import(world.ctx, write(tmp_path / "u.csv", ["company", "phone", "expected close date", "created"],
                                      rows), ImportOptions())
    assert res.date_order == "mdy" and Lead.get(Lead.company == "Us Co").created_at == at("2024-05-01T00:00:00")


@pytest.mark.parametrize("texts,order", [(["15/12/2024", "01/10/2024"], "dmy"), (["12/15/2024", "5/1/2024"], "mdy"),
                                         (["5/1/2024", "01/10/2024"], None), (["15/12/2024", "12/15/2024"], None),
                                         (["2024-05-01"], None)])
def test_slash_order(texts, order):
    assert slash_order(texts) == order


def test_day_first_and_dotted_dates():
    from zoneinfo import ZoneInfo

    tz = ZoneInfo("Asia/Shanghai")
    assert parse_datetime("5/1/2024", tz).month == 5
    assert (parse_datetime("5/1/2024", tz, day_first=True).month, parse_datetime("5/1/2024", tz, day_first=True).day) \
        == (1, 5)
    assert parse_datetime("15.12.2024 14:30", tz).strftime("%Y-%m-%d %H:%M") == "2024-12-15 14:30"
    assert parse_datetime("2024-05-01", tz, day_first=True).month == 5  # ISO dates are never turned round
