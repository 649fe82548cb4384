"""`tui-crm report` through a subprocess: json / csv / text, filters and a rep's scope."""
from __future__ import annotations

import csv
import io

from cli_helpers import run, run_json


def _db(tmp_path):
    db = str(tmp_path / "r.db")
    run("demo", "--leads", "200", "--reps", "2", "--seed", "5", db=db, check=0)
    return db


def test_json_csv_text_and_scope(tmp_path):
    db = _db(tmp_path)
    j = run_json("report", "--format", "json", db=db)
    assert j["totals"]["leads"] == 200
    assert sum(r["count"] for r in j["lost_reasons"]) == j["totals"]["lost"]
    assert sum(r["count"] for r in j["won_by_month"]) == j["totals"]["won"]
    rep1 = run_json("report", "--format", "json", user="rep1", db=db)
    assert [r["key"] for r in rep1["by_owner"]] == ["rep1"]
    assert rep1["totals"]["leads"] == next(r["leads"] for r in j["by_owner"] if r["key"] == "rep1")
    owner = run_json("report", "--format", "json", "--owner", "rep2", db=db)
    assert owner["totals"]["leads"] == next(r["leads"] for r in j["by_owner"] if r["key"] == "rep2")
    out = run("report", "--format", "csv", db=db, check=0).stdout
    sections = [s for s in out.split("\n\n") if s.strip()]
    first = list(csv.reader(io.StringIO(sections[0])))
    assert first[0][0] == "section" and first[1][0] == "totals" and first[1][1] == "200"
    assert {list(csv.reader(io.StringIO(s)))[1][0] for s in sections[1:] if len(s.splitlines()) > 1} >= {
        "funnel", "by_owner", "by_team", "by_source", "by_industry"}
    text = run("report", db=db, check=0).stdout
    assert "Funnel" in text and "By owner" in text and f"{j['totals']['won_amount']:,.2f}" in text
    zh = run("report", "--lang", "zh", db=db, check=0).stdout
    assert "漏斗" in zh


def test_bad_filters_are_one_line_errors(tmp_path):
    db = _db(tmp_path)
    p = run("report", "--owner", "nobody", db=db)
    assert p.returncode == 1 and "Traceback" not in p.stderr and len(p.stderr.strip().splitlines()) == 1
    p = run("report", "--since", "not-a-date", db=db)
    assert p.returncode == 1 and "Traceback" not in p.stderr
