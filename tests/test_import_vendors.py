"""Other CRMs' exports, imported with no options beyond what the dry run asks for: small files in each
vendor's shape, written from the vendors' public lists of their export columns and default values (no
one's data). Each test is one of issue 16's defects or build bullets; the pipeline and the won deals of
each file are checked to the cent in the report."""
from __future__ import annotations

import csv

from tui_crm.services import importing
from tui_crm.services.importing.run import ImportOptions, run_import
from tui_crm.services.reports import figures as report
from tui_crm.store.models import FollowUp, Lead, Source, Stage, Task, User


def write(path, headers, rows):
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(headers)
        w.writerows(rows)
    return str(path)


def at(text):
    """An ISO time in the test's zone (Asia/Shanghai) as epoch seconds."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    return int(datetime.fromisoformat(text).replace(tzinfo=ZoneInfo("Asia/Shanghai")).timestamp())


# Salesforce Opportunity, API names as Data Export writes them (Opportunity object reference)
SF_HEADERS = ["Id", "AccountId", "Name", "StageName", "Amount", "Probability", "CloseDate", "Type", "NextStep",
              "LeadSource", "IsClosed", "IsWon", "ForecastCategoryName", "OwnerId", "CreatedDate"]
SF_ROWS = [
    ["0065e00000AAAA1AAA", "0015e00000BBBB1AAA", "Acme - 200 widgets", "Prospecting", "15000", "10", "2024-12-15",
     "New Customer", "Call the CFO", "Web", "false", "false", "Pipeline", "rep_a1", "2024-10-01T09:30:00.000Z"],
    ["0065e00000AAAA2AAA", "0015e00000BBBB2AAA", "Globex - renewal", "Closed Won", "42000.50", "100", "2024-10-31",
     "Existing Customer - Upgrade", "", "Partner Referral", "true", "true", "Closed", "rep_a1",
     "2024-09-01T08:00:00.000Z"],
    ["0065e00000AAAA3AAA", "0015e00000BBBB3AAA", "Initech - pilot", "Closed Lost", "8000", "0", "2024-10-02",
     "New Customer", "", "Trade Show", "true", "false", "Omitted", "rep_a2", "2024-09-15T08:00:00.000Z"],
    ["0065e00000AAAA4AAA", "0015e00000BBBB4AAA", "Umbrella - 5 seats", "Negotiation/Review", "12500.25", "90",
     "2025-01-20", "New Customer", "Send the contract", "Phone Inquiry", "false", "false", "Commit", "rep_a2",
     "2024-10-20T10:00:00.000Z"],
]

# HubSpot deals export (the labels the export writes)
HS_HEADERS = ["Record ID", "Deal Name", "Deal Stage", "Pipeline", "Amount", "Close Date", "Create Date", "Deal owner",
              "Associated Company", "Associated Contact", "Deal probability", "Next Activity Date", "Last Contacted",
              "Closed Lost Reason"]
HS_ROWS = [
    ["9001", "Colonial Fences - fence", "Appointment Scheduled", "Sales Pipeline", "5000", "2024-12-01 00:00",
     "2024-10-01 09:00", "Rep A1", "Colonial Fences", "Ken Brown (kenjr@colonialfences.com)", "0.2",
     "2024-11-20 10:00", "2024-10-28 14:14", ""],
    ["9002", "Colonial Fences - gate", "Qualified to Buy", "Sales Pipeline", "2500", "2024-12-15 00:00",
     "2024-10-02 09:00", "Rep A1", "Colonial Fences", "Ken Brown (kenjr@colonialfences.com)", "0.4", "", "", ""],
    ["9003", "Brightside - sensors", "Closed Won", "Sales Pipeline", "12000", "2024-10-31 14:14", "2024-09-01 11:00",
     "Rep A2", "Brightside", "Mia Park <mia@brightside.io>;mia.p@example.com", "1", "", "2024-10-30 16:00", ""],
    ["9004", "Northwind - audit", "Closed Lost", "Sales Pipeline", "3000", "2024-10-20 09:45", "2024-10-25 11:00",
     "Rep A2", "Northwind", "Tom Hill (tom@northwind.example)", "0", "", "", "Price too high"],
]

# SuiteCRM opportunities list export (SugarCRM's field labels), Swedish amounts with a currency prefix
SUITE_HEADERS = ["ID", "Opportunity Name", "Account Name", "Sales Stage", "Opportunity Amount", "Currency",
                 "Expected Close Date", "Lead Source", "Probability (%)", "Next Step", "Assigned to", "Date Created"]
SUITE_ROWS = [
    ["a1b2c3d4-0000-0000-0000-000000000001", "Nordic pilot", "Svea AB", "Prospecting", "SE960000,00", "-99",
     "2024-12-01", "Cold Call", "10", "Call back", "rep_a1", "2024-10-01 09:00"],
    ["a1b2c3d4-0000-0000-0000-000000000002", "Fjord renewal", "Fjord AS", "Closed Won", "SE1.234,56", "-99",
     "2024-10-31", "Web Site", "100", "", "rep_a1", "2024-09-01 09:00"],
]


def test_salesforce_opportunities_go_in_with_their_pipeline_and_won_deals(world, tmp_path):
    """Defect 1 and 4: Name is the deal (beside an account), StageName/CreatedDate/Id are read."""
    path = write(tmp_path / "sf.csv", SF_HEADERS, SF_ROWS)
    dry = run_import(world.ctx, path, ImportOptions(dry_run=True))
    mapping = dict(dry.mapping)
    assert (mapping["Id"], mapping["Name"], mapping["StageName"], mapping["CreatedDate"]) == (
        "code", "need", "stage", "created_at")
    assert (dry.new, dry.refused) == (4, 0), dry.refusals
    res = run_import(world.ctx, path, ImportOptions())
    assert (res.new, res.refused) == (4, 0)
    totals = report.report(world.ctx)["totals"]
    assert (totals["won"], totals["lost"]) == (1, 1)
    assert totals["won_amount_cents"] == 4200050
    assert totals["pipeline_amount_cents"] == 1500000 + 1250025
    won = Lead.get(Lead.code == "0065e00000AAAA2AAA")
    assert (won.status, won.need, won.won_amount_cents) == ("won", "Globex - renewal", 4200050)
    assert won.created_at == at("2024-09-01T16:00:00")  # 08:00Z


def test_vendor_lead_sources_become_the_team_sources(world, tmp_path):
    """Build: vendor sources (Salesforce, SuiteCRM, HubSpot pick lists) map to the team's; others are new."""
    rows = [[f"Co {i}", f"1391111{i:04d}", src] for i, src in enumerate(
        ["Web", "Phone Inquiry", "Partner Referral", "Trade Show", "Web Site", "Cold Call", "Organic Search",
         "Paid Search", "Purchased List"])]
    res = run_import(world.ctx, write(tmp_path / "s.csv", ["Company", "Phone", "Lead Source"], rows),
                     ImportOptions(dry_run=True))
    got = {s.value: (s.outcome, s.result) for s in res.values if s.kind == "source"}
    assert got == {"Web": ("source", "website"), "Phone Inquiry": ("source", "phone"),
                   "Partner Referral": ("source", "referral"), "Trade Show": ("source", "expo"),
                   "Web Site": ("source", "website"), "Cold Call": ("source", "phone"),
                   "Organic Search": ("source", "website"), "Paid Search": ("source", "ads"),
                   "Purchased List": ("new", "Purchased List")}
    assert res.sources_created == ["Purchased List"]


def test_hubspot_deals_contacts_times_and_distinct_record_ids(world, tmp_path):
    """Defects 2, 8 and 12: two deals of one contact are two leads (flagged, listed with their line);
    'Name (email)' and 'Name <email>;second' split; won and lost times keep their time of day; a
    creation after the close is said, not silently moved; Last Contacted invents no call."""
    res = run_import(world.ctx, write(tmp_path / "hs.csv", HS_HEADERS, HS_ROWS), ImportOptions())
    assert (res.new, res.duplicate, res.refused, res.flagged) == (4, 0, 0, 1), res.refusals
    deals = {x.code: x for x in Lead.select()}
    assert deals["9002"].dup_suspected and not deals["9001"].dup_suspected
    flagged = [n for n in res.notes if n.outcome == "flagged"]
    assert [(n.line, n.column) for n in flagged] == [(3, "email")] and "same contact as 9001" in flagged[0].reason
    ken = deals["9001"]
    assert (ken.contact_name, ken.email, ken.company) == ("Ken Brown", "kenjr@colonialfences.com", "Colonial Fences")
    mia = deals["9003"]
    assert (mia.contact_name, mia.email, mia.other_contact) == ("Mia Park", "mia@brightside.io", "mia.p@example.com")
    assert (mia.status, mia.won_at) == ("won", at("2024-10-31T14:14:00"))
    lost = deals["9004"]
    assert (lost.status, lost.lost_at, lost.lost_reason) == ("lost", at("2024-10-20T09:45:00"), "Price too high")
    assert lost.created_at == at("2024-10-20T09:45:00")
    warned = [n for n in res.notes if n.outcome == "warning" and n.line == 5]
    assert warned and "created after its close" in warned[0].reason and warned[0].column == "created_at"
    assert ken.last_activity_at == at("2024-10-28T14:14:00")
    assert not FollowUp.select().exists()  # a contact time alone is no call with an empty summary
    assert [(t.kind, t.due_at) for t in Task.select().where(Task.lead == ken.id)] == [
        ("follow_up", at("2024-11-20T10:00:00"))]
    totals = report.report(world.ctx)["totals"]
    assert (totals["won"], totals["won_amount_cents"], totals["pipeline_amount_cents"]) == (
        1, 1200000, 750000)


def test_a_hubspot_stage_that_is_a_status_word_is_refused_with_a_way_out(world, tmp_path):
    """Defect 5: 'Pending' in a stage column is no status; the row is refused naming --stage-map or
    --create-stages, and --stage-map takes it."""
    rows = [r[:] for r in HS_ROWS[:2]]
    rows[1][2] = "Pending"
    path = write(tmp_path / "p.csv", HS_HEADERS, rows)
    res = run_import(world.ctx, path, ImportOptions(dry_run=True))
    assert res.refused == 1 and res.refusals[0].line == 3 and "--create-stages" in res.refusals[0].reason
    res = run_import(world.ctx, path, ImportOptions(stage_maps=["Pending=qualified"]))
    assert res.new == 2 and Lead.get(Lead.code == "9002").stage == "qualified"


def test_suitecrm_amounts_with_decimal_commas_and_a_currency_prefix(world, tmp_path):
    """Defect 3: SE960000,00 is refused with a hint, and read with --decimal-comma."""
    path = write(tmp_path / "suite.csv", SUITE_HEADERS, SUITE_ROWS)
    res = run_import(world.ctx, path, ImportOptions(dry_run=True))
    assert res.refused == 2 and all("--decimal-comma" in r.reason for r in res.refusals)
    res = run_import(world.ctx, path, ImportOptions(decimal_comma=True))
    assert (res.new, res.refused) == (2, 0)
    amounts = {x.company: (x.amount_cents, x.won_amount_cents, x.source) for x in Lead.select()}
    assert amounts == {"Svea AB": (96000000, None, "phone"), "Fjord AS": (123456, 123456, "website")}


def test_us_phones_with_region_and_a_warning_when_a_phone_is_not_the_regions(world, tmp_path):
    """Defect 3: US numbers are not stored as +86 without a word; --region US reads them."""
    rows = [["US Co", "Al", "206-240-2044"], ["US Co 2", "Bo", "8683896283"], ["CN Co", "Cy", "13911112222"]]
    path = write(tmp_path / "us.csv", ["Company", "Contact", "Phone"], rows)
    res = run_import(world.ctx, path, ImportOptions(dry_run=True))
    assert [(n.line, n.outcome) for n in res.notes] == [(2, "warning"), (3, "warning")]
    assert "--region US" in res.notes[0].reason
    res = run_import(world.ctx, path, ImportOptions(region="US"))
    assert [(n.line, n.outcome) for n in res.notes] == [(4, "warning")]
    phones = {x.company: x.phone for x in Lead.select()}
    assert phones == {"US Co": "+12062402044", "US Co 2": "+18683896283", "CN Co": "+13911112222"}


def test_rule_12_one_task_per_new_lead_and_none_for_a_recorded_contact(world, tmp_path):
    """Defect 9: a customer list gets one first-contact task a row (not two), a lead with a recorded
    contact no complete-record task though it lacks fields, a closed lead none."""
    rows = [[f"门店{i}", f"店长{i}", f"1391111{i:04d}", "上海"] for i in range(30)]
    res = run_import(world.ctx, write(tmp_path / "list.csv", ["门店名称", "姓名", "电话", "地址"], rows),
                     ImportOptions())
    assert res.new == 30
    assert Task.select().count() == 30
    assert {t.kind for t in Task.select()} == {"first_contact"}
    rows = [["Called Co", "13922220001", "2024-10-20 10:00", "电话", "谈了预算", ""],
            ["First Co", "13922220002", "", "", "", "2024-10-10"],
            ["Won Co", "13922220003", "", "", "", ""]]
    path = write(tmp_path / "c.csv", ["company", "phone", "last_contact_at", "contact_method", "contact_summary",
                                      "first_contact_at"], rows)
    rows[2].append("won")
    path = write(tmp_path / "c.csv", ["company", "phone", "last_contact_at", "contact_method", "contact_summary",
                                      "first_contact_at", "status"], [r + [""] * (7 - len(r)) for r in rows])
    res = run_import(world.ctx, path, ImportOptions())
    assert res.new == 3
    for name in ("Called Co", "First Co", "Won Co"):
        lead = Lead.get(Lead.company == name)
        assert lead.incomplete  # no contact name, no need: incomplete, and still no rule task
        assert not Task.select().where(Task.lead == lead.id).exists(), name


def test_undo_removes_the_owners_stages_and_sources_the_import_created_unless_used(world, tmp_path):
    """Defect 12 / build: undo takes back the users the import created when nothing else uses them."""
    rows = [["Co 1", "13933330001", "Newbie One", "Custom Stage", "Fair 2024"],
            ["Co 2", "13933330002", "Newbie Two", "Custom Stage", "Fair 2024"]]
    path = write(tmp_path / "u.csv", ["company", "phone", "owner", "stage", "source"], rows)
    res = run_import(world.ctx, path, ImportOptions(create_owners=True, create_stages=True))
    assert (res.new, sorted(res.owners_created)) == (2, ["Newbie One", "Newbie Two"])
    two = User.get(User.name == "Newbie Two")
    world.lead("boss", company="Kept", phone="13933339999", owner="newbietwo")  # a lead of the app's own
    assert Lead.get(Lead.company == "Kept").owner_id == two.id
    removed: dict = {}
    assert importing.undo(world.ctx, res.batch_id, removed) == 2
    assert removed == {"owners": ["newbieone"], "stages": ["Custom Stage"], "sources": ["Fair 2024"]}
    assert not User.select().where(User.name == "Newbie One").exists()
    assert User.get_by_id(two.id).login == "newbietwo"
    assert not Stage.select().where(Stage.key == "Custom Stage").exists()
    assert not Source.select().where(Source.key == "Fair 2024").exists()
    assert "Custom Stage" not in world.ctx.stage_keys


def test_contacts_in_export_shapes_in_a_plain_contact_column(world, tmp_path):
    """Defect 8: 'Name (email)' and 'Name <email>' split whatever the column is called; lists of e-mails
    or phones keep the first and put the rest in other contact."""
    rows = [["A Co", "Ken Brown (kenjr@colonialfences.com)", "13911110001", ""],
            ["B Co", "Mia Park <mia@brightside.io>", "13911110002", ""],
            ["C Co", "Li Lei", "139 1111 0003; 139 1111 0004", "li@x.example;lei@y.example"]]
    res = run_import(world.ctx, write(tmp_path / "p.csv", ["Company", "Contact", "Phone", "Email"], rows),
                     ImportOptions())
    assert res.new == 3, res.refusals
    got = {x.company: (x.contact_name, x.email, x.phone, x.other_contact) for x in Lead.select()}
    assert got["A Co"] == ("Ken Brown", "kenjr@colonialfences.com", "+8613911110001", None)
    assert got["B Co"] == ("Mia Park", "mia@brightside.io", "+8613911110002", None)
    name, email, phone, other = got["C Co"]
    assert (name, email, phone) == ("Li Lei", "li@x.example", "+8613911110003")
    assert "lei@y.example" in other and "13911110004" in other.replace(" ", "")


def test_salesforce_owner_ids_are_said_to_be_ids_not_created_as_people(world, tmp_path):
    """OwnerId holds user ids (005…): --create-owners would make users called 0055e…; the dry run says
    what they are and how to import the rows instead."""
    rows = [r[:13] + ["0055e000001XyZ1AAA"] + r[14:] for r in SF_ROWS]
    path = write(tmp_path / "ids.csv", SF_HEADERS, rows)
    res = run_import(world.ctx, path, ImportOptions(dry_run=True, create_owners=True))
    assert (res.new, res.refused, res.owners_created) == (0, 4, [])
    assert "a record id" in res.refusals[0].reason and "--map OwnerId=ignore" in res.refusals[0].reason
    res = run_import(world.ctx, path, ImportOptions(maps=["OwnerId=ignore"]))
    assert res.new == 4 and {x.owner_id for x in Lead.select()} == {world.ctx.actor.id}


def test_tags_split_as_everywhere(world, tmp_path):
    """A tag cell is split on , ; ， ； 、 like a tag typed anywhere (domain.tags)."""
    from tui_crm.store.models import LeadTag, Tag

    rows = [["A Co", "13966660001", "新能源、高意向; VIP，新能源"]]
    run_import(world.ctx, write(tmp_path / "t.csv", ["company", "phone", "标签"], rows), ImportOptions())
    lead = Lead.get(Lead.company == "A Co")
    names = sorted(t.name for t in Tag.select().join(LeadTag).where(LeadTag.lead == lead.id))
    assert names == sorted(["新能源", "高意向", "VIP"])


def test_the_rule_sweep_keeps_to_rule_12_for_imported_leads(world, tmp_path):
    """Defect 9 by the clock: the sweep gave every imported incomplete lead a complete-record task after
    the import had decided (a recorded contact: none; a first contact: that task completes the record)."""
    from datetime import timedelta

    from tui_crm import clock
    from tui_crm.services import activity

    rows = [["Called Co", "13922220001", "2024-10-20 10:00", "电话", "谈了预算"],
            ["New Co", "13922220002", "", "", ""]]
    path = write(tmp_path / "c.csv", ["company", "phone", "last_contact_at", "contact_method", "contact_summary"],
                 rows)
    assert run_import(world.ctx, path, ImportOptions()).new == 2
    clock.advance(timedelta(minutes=5))
    activity.sweep(world.ctx)
    kinds = {x.company: sorted(t.kind for t in Task.select().where(Task.lead == x.id)) for x in Lead.select()}
    assert kinds == {"Called Co": [], "New Co": ["first_contact"]}
    # a handover is no edit of the record: still the import's decision (it was taken for one, by the version)
    called = Lead.get(Lead.company == "Called Co")
    from tui_crm.services import leads

    owner = User.get_by_id(called.owner_id).login
    to = "rep_a2" if owner != "rep_a2" else "rep_a1"
    leads.reassign(world.ctx, called.code, to)
    activity.sweep(world.ctx)
    assert [t.kind for t in Task.select().where(Task.lead == called.id)] == []
    # an edit after the import that leaves the record incomplete is rule 3's again
    leads.update_lead(world.ctx, called.code, {"remarks": "asked for a quote"})
    activity.sweep(world.ctx)
    assert [t.kind for t in Task.select().where(Task.lead == called.id)] == ["complete_record"]
