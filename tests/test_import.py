"""Import as a service: the seed template's headers, spellings, encodings, dialects, duplicates, undo."""
from __future__ import annotations

import csv
import json

import pytest

from tui_crm.services import importing, leads
from tui_crm.services.reports import figures as report
from tui_crm.services.importing.run import ImportOptions, run_import
from tui_crm.store.models import FollowUp, ImportBatch, Lead, StageHistory, Task, User

SEED_HEADERS = ["序号", "线索编号", "来源渠道", "客户名称/联系人", "联系方式", "所属行业", "初步需求", "首次接触时间",
                "跟进人", "最近跟进时间", "跟进方式", "跟进内容摘要", "客户反馈", "下次跟进计划", "线索状态",
                "转化金额/产品", "转化时间", "流失原因(若流失)", "备注"]
SEED_ROWS = [
    ["1", "EXPO001", "展会", "华为科技/张三", "138 1234 5678", "制造", "10台服务器", "2024年10月2日 10:00",
     "Rep A1", "2024/10/20 09:15", "电话", "确认预算", "价格偏高", "2024-11-05 电话回访确认预算", "跟进中", "", "", "",
     "重点客户"],
    ["2", "WEB002", "官网", "星河贸易/李四", "li.si@example.com", "零售", "收银系统", "2024-09-01", "rep_a1",
     "", "", "", "", "", "已转化", "¥80,000/服务器", "01-Oct-2024", "", ""],
    ["3", "REF003", "转介绍", "远方物流/王五", "+86 139-0000-1111", "物流", "", "5/1/2024", "rep_a1", "", "", "", "",
     "", "已流失", "", "2024年Q3", "预算不足", ""],
]


def write_csv(path, rows, headers=SEED_HEADERS, encoding="utf-8", delimiter=","):
    with open(path, "w", newline="", encoding=encoding) as fh:
        w = csv.writer(fh, delimiter=delimiter)
        w.writerow(headers)
        w.writerows(rows)
    return str(path)


@pytest.mark.parametrize("encoding,delimiter", [("utf-8", ","), ("utf-8-sig", ","), ("gb18030", ","),
                                                ("utf-8", ";"), ("gb18030", "\t"), ("utf-8-sig", "\t")])
def test_seed_template_maps_without_map(world, tmp_path, encoding, delimiter):
    path = write_csv(tmp_path / "seed.csv", SEED_ROWS, encoding=encoding, delimiter=delimiter)
    res = run_import(world.ctx, path, ImportOptions())
    assert (res.new, res.refused, res.duplicate) == (3, 0, 0), res.refusals
    a = Lead.get(Lead.code == "EXPO001")
    assert (a.company, a.contact_name, a.phone, a.source, a.industry, a.need) == (
        "华为科技", "张三", "+8613812345678", "expo", "制造", "10台服务器")
    assert a.owner_id == User.get(User.login == "rep_a1").id
    assert a.status == "in_progress" and a.remarks == "重点客户" and a.next_action == "电话回访确认预算"
    assert a.first_contact_at == 1727834400  # 2024-10-02 10:00 +08:00
    fu = FollowUp.get(FollowUp.lead == a.id)
    assert (fu.at, fu.method, fu.summary, fu.customer_words) == (1729386900, "phone", "确认预算", "价格偏高")
    task = Task.get((Task.lead == a.id) & (Task.kind == "follow_up"))
    assert task.due_at == 1730736000 and task.title == "电话回访确认预算"  # 2024-11-05 00:00 +08:00
    assert not Task.select().where((Task.lead == a.id) & (Task.kind == "first_contact")).exists()
    b = Lead.get(Lead.code == "WEB002")
    assert (b.email, b.status, b.won_amount_cents, b.product) == ("li.si@example.com", "won", 8000000, "服务器")
    assert b.won_at == 1727712000  # 2024-10-01 +08:00
    assert [(h.stage, h.left_at) for h in StageHistory.select().where(StageHistory.lead == b.id)
            .order_by(StageHistory.entered_at)] == [("negotiation", 1727712000), ("won", None)]
    assert not Task.select().where(Task.lead == b.id).exists()  # closed: rules 1–3 not fired
    c = Lead.get(Lead.code == "REF003")
    assert (c.status, c.lost_reason, c.lost_at, c.phone) == ("lost", "预算不足", 1719763200, "+8613900001111")
    assert "need" in c.incomplete.split(",")
    assert not Task.select().where(Task.lead == c.id).exists()
    data = report.report(world.ctx)
    assert data["totals"]["won"] == 1 and data["totals"]["lost"] == 1
    # cycle: won 2024-10-01 minus first contact 2024-09-01 = 30 days
    assert data["totals"]["avg_cycle_days"] == 30.0


@pytest.mark.parametrize("text,expected", [
    ("2024-05-01", 1714492800), ("01-May-2024", 1714492800), ("5/1/2024", 1714492800),
    ("2024/05/01 09:15", 1714526100), ("2024年5月1日", 1714492800), ("2024年5月1日 10:00", 1714528800),
    ("2024年Q2", 1711900800)])
def test_date_spellings(world, tmp_path, text, expected):
    path = write_csv(tmp_path / "d.csv", [["ACME", "13800000001", text]], headers=["company", "phone", "首次接触时间"])
    res = run_import(world.ctx, path, ImportOptions())
    assert res.new == 1, res.refusals
    assert Lead.get(Lead.company == "ACME").first_contact_at == expected


@pytest.mark.parametrize("amount,cents", [("¥80,000", 8000000), ("8万", 8000000), ("80000元", 8000000),
                                          ("1,234.5", 123450)])
@pytest.mark.parametrize("prob,pct", [("65.0%", 65), ("0.65", 65), ("40", 40)])
def test_amount_and_percent_spellings(world, tmp_path, amount, cents, prob, pct):
    path = write_csv(tmp_path / "a.csv", [["ACME", "a@b.cn", amount, prob]],
                     headers=["Company", "E-mail", "Deal size", "Probability"])
    assert run_import(world.ctx, path, ImportOptions()).new == 1
    lead = Lead.get(Lead.company == "ACME")
    assert (lead.amount_cents, lead.probability) == (cents, pct)


@pytest.mark.parametrize("phone", ["13812345678", "138-1234-5678", "+86 138 1234 5678", "(+86)138.1234.5678",
                                   "008613812345678", "１３８１２３４５６７８"])
def test_phone_spellings(world, tmp_path, phone):
    path = write_csv(tmp_path / "p.csv", [["ACME", phone]], headers=["客户名称", "手机"])
    assert run_import(world.ctx, path, ImportOptions()).new == 1
    assert Lead.get(Lead.company == "ACME").phone == "+8613812345678"


def test_refusals_and_blank_rows(world, tmp_path):
    rows = [["ACME", "13800000001", "Rep A1", "proposal", "2024-01-01"],
            ["", "", "", "", ""],
            ["", "", "", "", "2024-01-02"],  # a single stray value
            ["Beta", "13800000002", "nobody", "proposal", ""],  # unknown owner
            ["Gamma", "13800000003", "rep_a1", "closing", ""],  # unknown stage
            ["Delta", "13800000004", "rep_a1", "", "not a date"],
            ["", "", "rep_a1", "proposal", "2024-01-02"],  # nothing identifies the lead
            ["Eps", "", "rep_a1", "", ""]]  # incomplete: goes in
    path = write_csv(tmp_path / "r.csv", rows, headers=["company", "phone", "owner", "stage", "created_at"])
    res = run_import(world.ctx, path, ImportOptions())
    assert (res.new, res.refused, res.blank, res.incomplete) == (2, 5, 1, 2)
    got = [(r.line, r.column) for r in sorted(res.refusals, key=lambda r: r.line)]
    assert got == [(4, "created_at"), (5, "owner"), (6, "stage"), (7, "created_at"), (8, "owner")]
    eps = Lead.get(Lead.company == "Eps")
    assert "contact" in eps.incomplete
    # one task per row: the first contact, whose call completes the record too (not two tasks)
    assert [(t.kind, t.title) for t in Task.select().where(Task.lead == eps.id)] == [
        ("first_contact", "First contact; complete the record")]


def test_dry_run_writes_nothing_not_even_owners(world, tmp_path):
    path = write_csv(tmp_path / "d.csv", [["ACME", "13800000001", "Newbie", "Trade fair"]],
                     headers=["company", "phone", "owner", "source"])
    before = (Lead.select().count(), User.select().count(), ImportBatch.select().count())
    res = run_import(world.ctx, path, ImportOptions(dry_run=True, create_owners=True))
    assert (res.new, res.owners_created, res.sources_created) == (1, ["Newbie"], ["Trade fair"])
    assert (Lead.select().count(), User.select().count(), ImportBatch.select().count()) == before
    from tui_crm.store.models import Source

    assert not Source.select().where(Source.key == "Trade fair").exists()
    res = run_import(world.ctx, path, ImportOptions(create_owners=True))
    assert User.get(User.name == "Newbie").role == "rep"
    assert Lead.get(Lead.company == "ACME").source == "Trade fair"


def _dup_file(tmp_path):
    # rows without codes of their own: the same phone is the same lead (rows that carry different codes
    # are different leads: test_import_files.py)
    rows = [["", "Old Co", "13800000001", "first"], ["", "Other", "13800000002", "x"],
            ["", "Same phone", "138 0000 0001", "second"]]
    return write_csv(tmp_path / "dup.csv", rows, headers=["code", "company", "phone", "need"])


@pytest.mark.parametrize("mode,new,dups,need", [("skip", 1, 2, "existing"), ("update", 1, 2, "second"),
                                                ("create", 3, 2, "existing")])
def test_duplicates_three_modes(world, tmp_path, mode, new, dups, need):
    old = world.lead("boss", company="Existing", phone="13800000001", need="existing")
    res = run_import(world.ctx, _dup_file(tmp_path), ImportOptions(on_duplicate=mode))
    assert (res.new, res.duplicate) == (new, dups)
    assert Lead.get_by_id(old.id).need == need
    assert Lead.select().where(Lead.phone == "+8613800000001").count() == (3 if mode == "create" else 1)


def test_undo_removes_batch_and_restores_updates(world, tmp_path):
    old = world.lead("boss", company="Existing", phone="13800000001", need="existing")
    res = run_import(world.ctx, _dup_file(tmp_path), ImportOptions(on_duplicate="update"))
    assert leads.count(world.ctx) == 2
    assert Lead.get_by_id(old.id).company == "Same phone"
    assert importing.undo(world.ctx, res.batch_id) == 1
    assert leads.count(world.ctx) == 1
    assert (Lead.get_by_id(old.id).company, Lead.get_by_id(old.id).need) == ("Existing", "existing")
    assert ImportBatch.get_by_id(res.batch_id).state == "undone"


def test_staging_batch_is_invisible_everywhere(world, tmp_path):
    """A batch that never committed (a killed import) shows in no list, search or report."""
    path = write_csv(tmp_path / "s.csv", [["Stagingco", "13800000009", "x"]], headers=["company", "phone", "need"])
    res = run_import(world.ctx, path, ImportOptions())
    ImportBatch.update(state="staging").where(ImportBatch.id == res.batch_id).execute()
    assert leads.count(world.ctx) == 0
    assert leads.list_leads(world.ctx, search="Stagingco") == []
    assert report.report(world.ctx)["totals"]["leads"] == 0
    from tui_crm.services import admin

    assert admin.check(world.ctx) == []


def test_rep_imports_only_own_leads(world, tmp_path):
    path = write_csv(tmp_path / "o.csv", [["Mine", "13800000001", "rep_a1"], ["Theirs", "13800000002", "rep_b1"],
                                          ["Nobody", "13800000003", ""]], headers=["company", "phone", "owner"])
    res = run_import(world.as_("rep_a1"), path, ImportOptions(create_owners=True))
    assert (res.new, res.refused) == (2, 1)
    assert Lead.get(Lead.company == "Nobody").owner_id == User.get(User.login == "rep_a1").id


def test_keep_unmapped_and_map_override(world, tmp_path):
    path = write_csv(tmp_path / "k.csv", [["ACME", "13800000001", "blue", "VIP"]],
                     headers=["Firma", "phone", "Colour", "Klasse"])
    res = run_import(world.ctx, path, ImportOptions(maps=["Firma=company", "Klasse=tags"], keep_unmapped=True))
    assert res.new == 1
    lead = Lead.get(Lead.company == "ACME")
    assert lead.remarks == "Colour: blue"
    assert dict(res.mapping)["Firma"] == "company"


def test_xlsx_with_sheet(world, tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.title = "other"
    ws = wb.create_sheet("leads")
    ws.append(["客户名称", "联系人", "电话", "预计金额", "首次接触时间"])
    import datetime as dt

    ws.append(["XL Co", "赵六", 13800000005, 80000, dt.datetime(2024, 5, 1, 9, 15)])
    wb.save(tmp_path / "x.xlsx")
    res = run_import(world.ctx, str(tmp_path / "x.xlsx"), ImportOptions(sheet="leads"))
    assert res.new == 1, res.refusals
    lead = Lead.get(Lead.company == "XL Co")
    assert (lead.phone, lead.amount_cents, lead.first_contact_at) == ("+8613800000005", 8000000, 1714526100)
    with pytest.raises(importing.UnreadableFile):
        run_import(world.ctx, str(tmp_path / "x.xlsx"), ImportOptions(sheet="nope"))


def test_summary_recorded_in_batch_and_change_log(world, tmp_path):
    path = write_csv(tmp_path / "c.csv", [["ACME", "13800000001"]], headers=["company", "phone"])
    res = run_import(world.ctx, path, ImportOptions())
    summary = json.loads(ImportBatch.get_by_id(res.batch_id).summary)
    assert summary["new"] == 1
    from tui_crm.store.models import Change

    assert Change.select().where((Change.entity == "import") & (Change.action == "commit")).count() == 1


def test_imported_history_carries_its_leads_owner_creation_and_batch(world, tmp_path):
    """The importer writes stage_history's lead copies itself (no per-row trigger): they must be the
    lead's own values, or the scoped report's stays would count imported leads under the wrong owner."""
    path = write_csv(tmp_path / "seed.csv", SEED_ROWS)
    res = run_import(world.ctx, path, ImportOptions())
    mark = "%s" if world.ctx.is_postgres else "?"
    rows = world.ctx.db.execute_sql(
        "SELECT h.lead_owner_id, h.lead_created_at, h.lead_batch_id, l.owner_id, l.created_at FROM stage_history h "
        f"JOIN lead l ON l.id = h.lead_id WHERE l.batch_id = {mark}", (res.batch_id,)).fetchall()
    assert len(rows) == 5  # in progress: 1, won: 2, lost: 2
    for owner, created, batch, lead_owner, lead_created in rows:
        assert (owner, created, batch) == (lead_owner, lead_created, res.batch_id)


def test_unreadable_row_mid_file_fails_the_whole_import_and_names_its_line(world, tmp_path):
    """The file is read on a side thread: an error there (here a cell over the csv module's field limit,
    line 1002) must stop the import in the caller, after several chunks were staged, leaving nothing."""
    rows = [[f"Co {i}", f"1380000{i:04d}"] for i in range(1000)] + [["x" * 200_000, "13900000000"]]
    path = write_csv(tmp_path / "bad.csv", rows, headers=["company", "phone"])
    before = Lead.select().count()
    with pytest.raises(importing.UnreadableFile, match="line 1002"):
        run_import(world.ctx, path, ImportOptions(chunk=200))
    assert Lead.select().count() == before
    assert [b.state for b in ImportBatch.select()] == ["failed"]


@pytest.mark.parametrize("delimiter", [";", "\t", ","])
def test_delimiter_found_when_cells_hold_other_delimiters_and_quotes(world, tmp_path, delimiter):
    # the case hypothesis found: csv.Sniffer read this semicolon file as comma-separated
    others = "".join(d for d in ",;\t" if d != delimiter)
    rows = [["Acme", "Ann", f"139{i:08d}", "servers", f"{others}'" if i == 4 else "'" if i == 5 else "ok"]
            for i in range(6)]
    path = write_csv(tmp_path / "d.csv", rows, headers=["company", "contact", "phone", "need", "remarks"],
                     delimiter=delimiter)
    res = run_import(world.ctx, path, ImportOptions())
    assert (res.new, res.refused) == (6, 0), res.refusals
    got = [r for (r,) in Lead.select(Lead.remarks).where(Lead.batch == res.batch_id).order_by(Lead.id).tuples()]
    assert got == ["ok"] * 4 + [f"{others}'", "'"]
