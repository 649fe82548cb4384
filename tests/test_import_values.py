"""Import values: other CRMs' stage and status vocabularies, stage words that are not statuses, unknown
values with a suggestion, every problem of a row, duplicates accounted with their lines, distinct codes
never merged, and the dry run finding what the real run finds."""
from __future__ import annotations

import csv

import pytest

from tui_crm.services import importing
from tui_crm.services.admin.stages import set_stages
from tui_crm.services.importing.run import ImportOptions, run_import
from tui_crm.store.models import Lead, Stage


def write(path, headers, rows):
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(headers)
        w.writerows(rows)
    return str(path)


VENDOR_STAGES = [
    # Salesforce / SuiteCRM defaults
    ("Prospecting", "acquired", "pending"), ("Qualification", "qualified", "in_progress"),
    ("Needs Analysis", "qualified", "in_progress"), ("Value Proposition", "proposal", "in_progress"),
    ("Id. Decision Makers", "proposal", "in_progress"), ("Perception Analysis", "proposal", "in_progress"),
    ("Proposal/Price Quote", "proposal", "in_progress"), ("Negotiation/Review", "negotiation", "in_progress"),
    ("Closed Won", None, "won"), ("Closed Lost", None, "lost"),
    # HubSpot internal names and labels
    ("appointmentscheduled", "acquired", "pending"), ("qualifiedtobuy", "qualified", "in_progress"),
    ("presentationscheduled", "proposal", "in_progress"), ("decisionmakerboughtin", "negotiation", "in_progress"),
    ("contractsent", "negotiation", "in_progress"), ("closedwon", None, "won"), ("closedlost", None, "lost"),
    ("Decision Maker Bought-In", "negotiation", "in_progress"), ("Contract Sent", "negotiation", "in_progress"),
    # Zoho, Pipedrive, Odoo
    ("Identify Decision Makers", "proposal", "in_progress"), ("Closed-Lost to Competition", None, "lost"),
    ("Lead In", "acquired", "pending"), ("Contact Made", "qualified", "in_progress"),
    ("Proposal Made", "proposal", "in_progress"), ("Negotiations Started", "negotiation", "in_progress"),
    ("New", "acquired", "pending"), ("Proposition", "proposal", "in_progress"), ("Won", None, "won"),
]


def test_vendor_stage_names_map_to_the_default_stages_and_outcomes(world, tmp_path):
    rows = [[f"Co {i}", f"1391111{i:04d}", v] for i, (v, _s, _st) in enumerate(VENDOR_STAGES)]
    res = run_import(world.ctx, write(tmp_path / "s.csv", ["company", "phone", "stage"], rows), ImportOptions())
    assert res.refused == 0, res.refusals
    for i, (value, stage, status) in enumerate(VENDOR_STAGES):
        lead = Lead.get(Lead.company == f"Co {i}")
        assert lead.status == status, value
        if stage:
            assert lead.stage == stage, value
    seen = {(s.kind, s.value): (s.outcome, s.result) for s in res.values}
    assert seen[("stage", "Closed Won")] == ("status", "won")
    assert seen[("stage", "Negotiation/Review")] == ("stage", "negotiation")


def test_vendor_stages_go_to_the_nearest_team_stage_when_the_team_has_its_own(world, tmp_path):
    set_stages(world.ctx, ["Identified:10", "Qualified:25", "Validated:40", "Proposal:60"])
    rows = [["A", "13911110001", "Prospecting"], ["B", "13911110002", "Negotiation/Review"],
            ["C", "13911110003", "Value Proposition"], ["D", "13911110004", "qualifiedtobuy"]]
    res = run_import(world.ctx, write(tmp_path / "t.csv", ["company", "phone", "stage"], rows), ImportOptions())
    assert res.refused == 0, res.refusals
    got = {lead.company: lead.stage for lead in Lead.select()}
    assert got == {"A": "Identified", "B": "proposal", "C": "proposal", "D": "qualified"}


def test_a_stage_value_that_is_a_status_word_is_an_unknown_stage_with_a_suggestion(world, tmp_path):
    rows = [["A", "13911110001", "Pending"], ["B", "13911110002", "Proposl"], ["C", "13911110003", "Pending"]]
    path = write(tmp_path / "p.csv", ["company", "phone", "Deal Stage"], rows)
    res = run_import(world.ctx, path, ImportOptions(dry_run=True))
    assert (res.new, res.refused) == (0, 3)
    reasons = {r.value: r.reason for r in res.refusals}
    assert "--stage-map" in reasons["Pending"] and "--create-stages" in reasons["Pending"]
    assert "not yet contacted" not in reasons["Pending"]
    assert "closest stage: proposal" in reasons["Proposl"]
    unknown = [s for s in res.values if s.outcome == "unknown"]
    assert [(s.value, s.count, s.lines) for s in unknown] == [("Pending", 2, [2, 4]), ("Proposl", 1, [3])]
    # mapped by hand
    res = run_import(world.ctx, path, ImportOptions(stage_maps=["Pending=qualified", "Proposl=proposal"]))
    assert res.new == 3 and {lead.company: lead.stage for lead in Lead.select()} == {
        "A": "qualified", "B": "proposal", "C": "qualified"}


def test_create_stages_adds_unknown_values_after_the_existing_ones_in_order_of_appearance(world, tmp_path):
    rows = [["A", "13911110001", "Discovery"], ["B", "13911110002", "Demo"], ["C", "13911110003", "Discovery"],
            ["D", "13911110004", "proposal"]]
    path = write(tmp_path / "c.csv", ["company", "phone", "stage"], rows)
    dry = run_import(world.ctx, path, ImportOptions(dry_run=True, create_stages=True))
    assert (dry.new, dry.stages_created) == (4, ["Discovery", "Demo"])
    assert not Stage.select().where(Stage.key == "Discovery").exists()
    res = run_import(world.ctx, path, ImportOptions(create_stages=True))
    assert res.new == 4 and res.stages_created == ["Discovery", "Demo"]
    order = [s.key for s in Stage.select().where(Stage.active).order_by(Stage.position)]
    assert order == ["acquired", "qualified", "proposal", "negotiation", "Discovery", "Demo"]
    assert Lead.get(Lead.company == "B").stage == "Demo"
    assert world.ctx.stage_keys[-2:] == ["Discovery", "Demo"]


def test_vendor_lead_statuses_and_stage_names_in_a_status_column(world, tmp_path):
    values = {"Open - Not Contacted": "pending", "Working - Contacted": "in_progress", "Closed - Converted": "won",
              "Unqualified": "lost", "Bad Timing": "paused", "Recycled": "dormant", "Attempted to Contact":
              "in_progress", "Not Contacted": "pending"}
    rows = [[f"Co {i}", f"1391111{i:04d}", v] for i, v in enumerate(values)]
    rows.append(["Stage in status", "13922220000", "方案报价"])
    res = run_import(world.ctx, write(tmp_path / "st.csv", ["company", "phone", "Lead Status"], rows),
                     ImportOptions())
    assert res.refused == 0, res.refusals
    for i, (value, status) in enumerate(values.items()):
        assert Lead.get(Lead.company == f"Co {i}").status == status, value
    assert Lead.get(Lead.company == "Stage in status").stage == "proposal"


def test_is_won_and_is_closed_flags(world, tmp_path):
    rows = [["A", "13911110001", "Custom", "true", "true"], ["B", "13911110002", "Custom", "false", "true"],
            ["C", "13911110003", "proposal", "false", "false"]]
    res = run_import(world.ctx, write(tmp_path / "w.csv", ["company", "phone", "StageName", "IsWon", "IsClosed"],
                                      rows), ImportOptions(stage_maps=["Custom=negotiation"]))
    assert res.refused == 0, res.refusals
    assert [(x.company, x.status) for x in Lead.select().order_by(Lead.company)] == [
        ("A", "won"), ("B", "lost"), ("C", "in_progress")]


def test_every_problem_of_a_row_is_reported(world, tmp_path):
    rows = [["ACME", "13911110001", "nobody", "Pending", "soon", "lots"]]
    res = run_import(world.ctx, write(tmp_path / "e.csv", ["company", "phone", "owner", "stage", "created_at",
                                                          "amount"], rows), ImportOptions())
    assert res.refused == 1
    assert [(r.line, r.column) for r in res.refusals] == [(2, "owner"), (2, "stage"), (2, "created_at"),
                                                          (2, "amount")]


def test_dry_run_finds_duplicates_of_stored_leads_like_the_real_run(world, tmp_path):
    world.lead("boss", company="Stored", phone="13800000001", need="x")
    path = write(tmp_path / "d.csv", ["company", "phone"], [["Again", "138 0000 0001"], ["New", "13800000002"]])
    dry = run_import(world.ctx, path, ImportOptions(dry_run=True))
    real = run_import(world.ctx, path, ImportOptions())
    assert (dry.new, dry.duplicate) == (real.new, real.duplicate) == (1, 1)
    code = Lead.get(Lead.company == "Stored").code
    for res in (dry, real):
        assert [(n.line, n.outcome, n.reason) for n in res.notes] == [
            (2, "duplicate", f"duplicate of lead {code} (same phone): skipped")]


def test_duplicates_updates_and_distinct_codes_are_listed_with_their_lines(world, tmp_path):
    headers = ["Record ID", "company", "email", "need"]
    rows = [["1001", "Colonial Fences", "kenjr@colonialfences.com", "fence deal"],
            ["1002", "Colonial Fences", "kenjr@colonialfences.com", "gate deal"],  # another deal, same contact
            ["1001", "Colonial Fences", "kenjr@colonialfences.com", "fence deal again"],  # the same record
            ["", "No code", "ann@x.com", "a"], ["", "No code again", "ANN@x.com", "b"]]
    path = write(tmp_path / "h.csv", headers, rows)
    res = run_import(world.ctx, path, ImportOptions(on_duplicate="update"))
    assert (res.new, res.duplicate, res.updated, res.flagged) == (3, 2, 2, 1)
    deals = {x.code: x for x in Lead.select().where(Lead.code.in_(["1001", "1002"]))}
    assert deals["1001"].need == "fence deal again" and deals["1002"].need == "gate deal"
    assert deals["1002"].dup_suspected and not deals["1001"].dup_suspected
    notes = sorted(res.notes, key=lambda n: n.line)
    assert [(n.line, n.outcome, n.column) for n in notes] == [(3, "flagged", "email"), (4, "updated", "Record ID"),
                                                              (6, "updated", "email")]
    assert "same contact as 1001" in notes[0].reason
    errors = tmp_path / "errors.csv"
    importing.write_refusals(res.accounted(), str(errors))
    lines = [r[0] for r in csv.reader(open(errors, encoding="utf-8"))][1:]
    assert lines == ["3", "4", "6"]


def test_problems_group_by_distinct_problem(world, tmp_path):
    rows = [[f"Co {i}", f"1391111{i:04d}", "Pending" if i % 2 else "Later", "x" if i < 3 else ""]
            for i in range(30)]
    res = run_import(world.ctx, write(tmp_path / "g.csv", ["company", "phone", "stage", "created_at"], rows),
                     ImportOptions(dry_run=True))
    groups = importing.grouped(res.accounted())
    got = [(g.column, g.value, g.count, g.lines) for g in groups]
    assert got == [("stage", "Later", 15, [2, 4, 6, 8, 10]), ("created_at", None, 3, [2, 3, 4]),
                   ("stage", "Pending", 15, [3, 5, 7, 9, 11])]


@pytest.mark.parametrize("title", ["全量导出", "Export 2024-05-01"])
def test_title_rows_above_the_header_are_skipped(world, tmp_path, title):
    path = tmp_path / "t.csv"
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow([title, "", "", ""])
        w.writerow(["", "", "", ""])
        w.writerow(["客户名称", "联系人", "电话", "地址"])
        w.writerow(["星河贸易", "李四", "13911112222", "上海"])
    res = run_import(world.ctx, str(path), ImportOptions())
    assert (res.new, res.refused) == (1, 0), res.refusals
    lead = Lead.get(Lead.company == "星河贸易")
    assert (lead.contact_name, lead.region) == ("李四", "上海")
    # named by hand: the row the header is on
    res = run_import(world.ctx, str(path), ImportOptions(header_row=3, dry_run=True))
    assert dict(res.mapping)["客户名称"] == "company" and res.duplicate == 1
