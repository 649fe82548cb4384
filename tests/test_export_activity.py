"""export --with-activity: the follow-ups and tasks of the leads in scope, as extra sheets or CSV files."""
from __future__ import annotations

import csv
from datetime import timedelta

from openpyxl import load_workbook

from tui_crm.services import activity, exporting
from tui_crm.services.activity import tasks


def _read_csv(path):
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh))


def _setup(world):
    mine = world.lead("rep_a1", company="Mine Co")
    other = world.lead("rep_b1", company="Other Co")
    rep = world.as_("rep_a1")
    activity.log_followup(rep, mine.code, activity.FollowUpInput(summary="确认预算", customer_words="价格偏高"))
    activity.log_followup(world.as_("rep_b1"), other.code, activity.FollowUpInput(summary="not for rep_a1"))
    tasks.add_task(rep, None, "other", "weekly report", rep.now() + timedelta(days=2))
    tasks.add_task(world.as_("rep_b1"), None, "other", "someone else's note", rep.now() + timedelta(days=2))
    return mine, rep


def test_csv_export_writes_follow_ups_and_tasks_beside_the_leads(world, tmp_path):
    mine, rep = _setup(world)
    out = str(tmp_path / "leads.csv")
    counts = exporting.export(rep, out, activity=True)
    leads = _read_csv(out)
    fus = _read_csv(tmp_path / "leads.follow_ups.csv")
    tks = _read_csv(tmp_path / "leads.tasks.csv")
    assert counts == {"leads": len(leads) - 1, "follow_ups": len(fus) - 1, "tasks": len(tks) - 1}
    assert [r[1] for r in leads[1:]] == ["Mine Co"]  # rep_b1's lead is out of scope
    assert fus[0][:3] == ["lead_code", "at", "user"]
    assert [(r[0], r[2], r[5], r[6]) for r in fus[1:]] == [(mine.code, "rep_a1", "确认预算", "价格偏高")]
    assert fus[1][1].startswith("2024-11-01T10:00") and fus[1][1].endswith("+08:00")
    titles = sorted((r[0], r[3]) for r in tks[1:])
    assert ("", "weekly report") in titles and all(t != "someone else's note" for _c, t in titles)
    assert all(code in ("", mine.code) for code, _t in titles)  # the lead's own tasks, and rep_a1's own note


def test_xlsx_export_puts_them_in_extra_sheets_after_the_leads(world, tmp_path):
    mine, rep = _setup(world)
    out = str(tmp_path / "leads.xlsx")
    exporting.export(rep, out, activity=True)
    wb = load_workbook(out, read_only=True)
    assert wb.sheetnames == ["leads", "follow_ups", "tasks"]  # import reads the first sheet: the leads
    fus = list(wb["follow_ups"].iter_rows(values_only=True))
    assert [(r[0], r[5]) for r in fus[1:]] == [(mine.code, "确认预算")]
    assert not list(tmp_path.glob("leads.*.csv"))


def test_without_the_flag_only_the_leads_are_written(world, tmp_path):
    _mine, rep = _setup(world)
    out = tmp_path / "out"
    out.mkdir()
    counts = exporting.export(rep, str(out / "l.csv"))
    assert list(counts) == ["leads"]
    assert sorted(p.name for p in out.iterdir()) == ["l.csv"]


def test_cli_with_activity_and_a_folder_that_does_not_exist(tmp_path):
    from cli_helpers import run

    db = str(tmp_path / "d.db")
    run("demo", "--leads", "40", user="boss", db=db, check=0)
    out = tmp_path / "all.csv"
    proc = run("export", str(out), "--with-activity", user="boss", db=db, check=0)
    assert "40 leads exported" in proc.stdout and "follow-ups" in proc.stdout
    fus = _read_csv(tmp_path / "all.follow_ups.csv")
    assert fus[0][0] == "lead_code" and len(fus) > 1
    codes = {r[0] for r in _read_csv(out)[1:]}
    assert {r[0] for r in fus[1:]} <= codes  # every follow-up names an exported lead
    bad = run("export", str(tmp_path / "no" / "x.csv"), user="boss", db=db)
    assert bad.returncode == 1 and "cannot write" in bad.stderr and len(bad.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "no").exists()
