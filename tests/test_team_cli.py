"""The team commands through the real command line (PRODUCT §8), as an admin, a supervisor and a rep: JSON
where they list, one-line errors with exit 1, the services' access rules."""
from __future__ import annotations

import json

from cli_helpers import run, run_json


def fails(proc, text: str) -> None:
    assert proc.returncode == 1, (proc.stdout, proc.stderr)
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and text in lines[0], proc.stderr


def test_an_admin_sets_up_teams_rules_and_auto_tags_and_new_leads_follow_them(world):
    db = world.url
    run("teams", "add", "North", "--supervisor", "sup_b", db=db, check=0)
    out = run("teams", "set", "A", "--sla-high", "12", "--stall-days", "10", "--cadence", "proposal=2",
              "--cadence", "成交=20", db=db, check=0).stdout
    assert "A" in out and "12h" in out
    teams = {t["name"]: t for t in run_json("teams", "list", "--format", "json", db=db)}
    assert teams["A"]["sla_hours"] == {"high": 12} and teams["A"]["cadence_days"] == {"proposal": 2, "won": 20}
    assert teams["North"]["supervisor"] == "sup_b"
    fails(run("teams", "set", "B", "--stall-days", "3", user="sup_a", db=db), "not team B's")  # their own only
    fails(run("teams", "set", "A", "--cadence", "nowhere=3", db=db), "unknown stage")

    run("rules", "add", "--region", "华东", "--team", "A", "--cap", "5", db=db, check=0)
    run("rules", "add", "--source", "expo", "--to", "rep_b1", db=db, check=0)
    rules = run_json("rules", "list", "--format", "json", db=db)
    assert [(r["region"], r["source"], r["to_team"], r["to_user"], r["cap"]) for r in rules] == [
        ("华东", None, "A", None, 5), (None, "expo", None, "rep_b1", None)]
    fails(run("rules", "add", "--region", "x", "--to", "rep_a1", user="sup_a", db=db), "only an admin")
    run("tags", "auto", "add", "高意向-决策层", "--keyword", "采购", db=db, check=0)
    assert [r["tag"] for r in run_json("tags", "auto", "list", "--format", "json", db=db)] == ["高意向-决策层"]

    lead = run_json("leads", "add", "--company", "华东机械", "--contact", "张三", "--phone", "13900001111",
                    "--source", "website", "--need", "采购机床", "--region", "华东", "--format", "json",
                    user="rep_b1", db=db)
    assert lead["owner"] == "sup_a" and lead["tags"] == ["高意向-决策层"]  # team A in turn: its first member
    lead = run_json("leads", "add", "--company", "展会客户", "--contact", "李四", "--phone", "13900002222",
                    "--source", "expo", "--need", "服务器", "--tag", "VIP", "--format", "json", user="rep_a1", db=db)
    assert lead["owner"] == "rep_b1" and lead["tags"] == ["VIP"]
    shown = run_json("leads", "show", lead["code"], "--format", "json", db=db)
    assert any(i["kind"] == "assign" and i["text"].startswith("assigned by rule") for i in shown["timeline"])
    dry = run_json("rules", "test", "--format", "json", db=db)
    assert {d["code"] for d in dry} >= {lead["code"]}
    before = len(run_json("rules", "list", "--format", "json", db=db))
    run("rules", "add", "--industry", "x", "--to", "rep_a2", "--dry-run", db=db, check=0)
    run("leads", "edit", lead["code"], "--region", "华南", "--amount", "8万", user="rep_b1", db=db, check=0)
    assert run_json("leads", "show", lead["code"], "--format", "json", db=db)["region"] == "华南"
    fails(run("leads", "edit", lead["code"], user="rep_b1", db=db), "nothing to change")
    assert len(run_json("rules", "list", "--format", "json", db=db)) == before  # the dry run saved nothing


def test_tags_reassign_and_share_by_role(world):
    db = world.url
    v = world.lead("rep_a1")
    run("leads", "tag", v.code, "新能源、VIP", user="rep_a1", db=db, check=0)
    assert run_json("leads", "list", "--tag", "新能源", "--format", "json", user="rep_a1", db=db)[0]["code"] == v.code
    assert [x["code"] for x in run_json("leads", "list", "--search", "VIP", "--format", "json", user="rep_a1",
                                        db=db)] == [v.code]
    run("leads", "tag", v.code, "VIP", "--remove", user="rep_a1", db=db, check=0)
    assert run_json("leads", "show", v.code, "--format", "json", user="rep_a1", db=db)["tags"] == ["新能源"]
    fails(run("leads", "tag", v.code, "x", user="rep_b1", db=db), "that you can see")
    run("leads", "share", v.code, "--with", "rep_b1", user="rep_a1", db=db, check=0)
    seen = run_json("leads", "show", v.code, "--format", "json", user="rep_b1", db=db)
    assert not seen["masked"]  # a collaborator sees the contacts
    fails(run("leads", "reassign", v.code, "--to", "rep_b1", user="rep_b1", db=db), "only the owner")
    run("leads", "reassign", v.code, "--to", "rep_a2", user="sup_a", db=db, check=0)
    assert run_json("leads", "list", "--owner", "rep_a2", "--format", "json", db=db)[0]["code"] == v.code
    assert run_json("leads", "list", "--team", "B", "--format", "json", db=db) == []
    run("leads", "share", v.code, "--with", "rep_b1", "--remove", user="rep_a2", db=db, check=0)
    fails(run("leads", "show", v.code, user="rep_b1", db=db), "that you can see")


def test_tasks_for_several_leads_statuses_and_the_list(world):
    db = world.url
    a, b = world.lead("rep_a1"), world.lead("rep_a2")
    tid = run("tasks", "add", a.code, b.code, "--title", "展会资料", "--due", "2024-11-02 10:00", "--remind", "30",
              user="sup_a", db=db, check=0).stdout.strip()
    rows = run_json("tasks", "list", "--owner", "sup_a", "--format", "json", user="sup_a", db=db)
    (row,) = [r for r in rows if str(r["id"]) == tid]
    assert {"id", "kind", "title", "status", "priority", "due_at", "owner", "leads", "result"} <= set(row)
    assert (row["leads"], row["status"], row["due_at"]) == ([a.code, b.code], "open", "2024-11-02T10:00:00+08:00")
    run("tasks", "set", tid, "--status", "已完成", "--result", "要求竞品对比", "--sentiment", "中性→积极",
        user="sup_a", db=db, check=0)
    done = run_json("tasks", "list", "--filter", "done", "--format", "json", user="sup_a", db=db)
    assert [(r["result"], r["sentiment_before"], r["sentiment_after"]) for r in done] == [
        ("要求竞品对比", "neutral", "positive")]
    csv_out = run("tasks", "list", "--filter", "done", "--format", "csv", user="sup_a", db=db, check=0).stdout
    assert csv_out.splitlines()[0].startswith("id,kind,title,status")
    fails(run("tasks", "set", tid, "--status", "open", user="rep_b1", db=db), "no such task")
    fails(run("tasks", "add", a.code, "--title", "x", "--due", "soonish", user="sup_a", db=db), "not a date")
    zh = run("--lang", "zh", "tasks", "list", "--filter", "done", user="sup_a", db=db, check=0).stdout
    assert "已完成" in zh and "中性→积极" in zh


def test_handover_deactivate_and_the_monthly_clean_up(world):
    db = world.url
    mine = [world.lead("rep_a1") for _ in range(3)]
    out = run("handover", "rep_a1", "--spread", "A", user="sup_a", db=db, check=0).stdout
    assert "handed over 3 leads" in out
    fails(run("handover", "rep_a2", "--to", "rep_b1", user="sup_a", db=db), "cannot assign")
    fails(run("handover", "rep_a2", "--to", "rep_b1", user="rep_a2", db=db), "only a supervisor")
    run("users", "deactivate", "rep_a2", "--to", "sup_a", db=db, check=0)
    users = {u["login"]: u for u in run_json("users", "list", "--format", "json", db=db)}
    assert users["rep_a2"]["active"] is False
    fails(run("leads", "list", user="rep_a2", db=db), "deactivated")
    owners = {x["code"]: x["owner"] for x in run_json("leads", "list", "--format", "json", db=db)}
    assert {owners[v.code] for v in mine} == {"sup_a"}
    entries = run_json("audit", "--action", "handover", "--format", "json", db=db)
    assert len(entries) == 3 + 1  # one per lead (and the deactivation's one)
    # the clean-up
    from tui_crm.store.models import Lead

    Lead.update(phone="+86123").where(Lead.id == mine[0].id).execute()
    listed = run_json("leads", "list", "--filter", "invalid", "--format", "json", user="sup_a", db=db)
    assert [x["code"] for x in listed] == [mine[0].code]
    dry = run_json("leads", "clean-up", "--dry-run", "--format", "json", user="sup_a", db=db)
    assert dry[0]["why"] == ["no working phone or email"]
    fails(run("leads", "clean-up", user="rep_b1", db=db), "only a supervisor")
    assert json.loads(run("leads", "clean-up", "--format", "json", user="sup_a", db=db, check=0).stdout) == [
        mine[0].code]
