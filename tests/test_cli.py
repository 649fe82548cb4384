"""The command-line contract (commands, options, output formats, exit codes), through real subprocesses."""
import json

import pytest

from cli_helpers import run, run_json


@pytest.fixture
def demo_db(tmp_path_factory):
    db = str(tmp_path_factory.mktemp("cli") / "demo.db")
    run("demo", "--leads", "300", "--reps", "4", "--seed", "7", db=db, check=0)
    return db


def test_demo_then_report_totals_are_consistent(demo_db):
    rep = run_json("report", "--format", "json", db=demo_db)
    t = rep["totals"]
    assert t["leads"] == 300
    assert t["open"] + t["won"] + t["lost"] + t["dormant"] == 300
    assert t["conversion_rate"] == t["won"] / 300
    assert t["win_rate"] == t["won"] / (t["won"] + t["lost"])
    for key in ("won_amount", "pipeline_amount", "weighted_forecast", "historical_forecast", "avg_cycle_days"):
        assert key in t
    assert set(rep) >= {"totals", "funnel", "by_owner", "by_team", "by_source", "by_industry", "lost_reasons",
                        "won_by_month"}
    assert [f["stage"] for f in rep["funnel"]] == ["acquired", "qualified", "proposal", "negotiation", "won"]
    assert sum(r["leads"] for r in rep["by_owner"]) == 300


def test_report_totals_match_the_leads(demo_db):
    rows = run_json("leads", "list", "--format", "json", db=demo_db)
    rep = run_json("report", "--format", "json", db=demo_db)
    open_rows = [r for r in rows if r["status"] in ("pending", "in_progress", "paused")]
    assert rep["totals"]["pipeline_amount"] == pytest.approx(sum(r["amount"] or 0 for r in open_rows), abs=0.001)
    weighted = sum((r["amount"] or 0) * r["probability"] / 100 for r in open_rows)
    assert rep["totals"]["weighted_forecast"] == pytest.approx(weighted, abs=0.01)


def test_demo_refuses_non_empty_database_without_force(demo_db):
    proc = run("demo", "--leads", "10", db=demo_db)
    assert proc.returncode == 1 and "--force" in proc.stderr and "Traceback" not in proc.stderr
    run("demo", "--leads", "10", "--force", db=demo_db, check=0)
    assert len(run_json("leads", "list", "--format", "json", db=demo_db)) == 10


def test_demo_is_reproducible(tmp_path):
    a, b = str(tmp_path / "a.db"), str(tmp_path / "b.db")
    for db in (a, b):
        run("demo", "--leads", "50", "--seed", "3", db=db, check=0)
    la = run_json("leads", "list", "--format", "json", db=a)
    lb = run_json("leads", "list", "--format", "json", db=b)
    assert [(x["code"], x["company"], x["status"]) for x in la] == [(x["code"], x["company"], x["status"]) for x in lb]


def test_demo_mix_of_states(tmp_path):
    db = str(tmp_path / "mix.db")
    run("demo", "--leads", "2000", db=db, check=0)
    rows = run_json("leads", "list", "--format", "json", db=db)
    n = len(rows)
    won = sum(r["status"] == "won" for r in rows) / n
    lost = sum(r["status"] == "lost" for r in rows) / n
    open_rows = [r for r in rows if r["status"] in ("pending", "in_progress", "paused")]
    overdue = sum(r["overdue"] for r in open_rows) / len(open_rows)
    today = sum(r["due_today"] for r in open_rows) / len(open_rows)
    assert 0.12 < won < 0.18 and 0.07 < lost < 0.13
    assert 0.10 < overdue < 0.20 and 0.05 < today < 0.15
    assert any(r["stalled"] for r in rows)
    assert any("科技" in r["company"] for r in rows) and any("Ltd" in r["company"] or "Inc" in r["company"] for r in rows)


def test_unknown_user_and_bad_db_are_one_line_exit_1(demo_db, tmp_path):
    proc = run("leads", "list", user="nobody", db=demo_db)
    assert proc.returncode == 1 and proc.stderr.count("\n") == 1 and "nobody" in proc.stderr
    proc = run("leads", "list", db=str(tmp_path / "no" / "such" / "dir.db"))
    assert proc.returncode == 1 and proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr


def test_usage_error_exits_2(demo_db):
    assert run("leads", "frobnicate", db=demo_db).returncode == 2
    assert run("report", "--format", "yaml", db=demo_db).returncode == 2


def test_global_options_after_subcommand(demo_db):
    proc = run("stages", "list", "--format", "json", "--db", demo_db, "--user", "boss", user=None)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)[0] == {"name": "acquired", "label": "lead acquired", "probability": 10}


def test_users_add_list_and_first_user_is_admin(tmp_path):
    db = str(tmp_path / "u.db")
    run("users", "add", "alice", "--name", "Alice", "--role", "rep", user="whoever", db=db, check=0)
    run("users", "add", "bob", "--name", "Bob 王", "--role", "supervisor", "--team", "East", user="alice", db=db,
        check=0)
    users = run_json("users", "list", "--format", "json", user="alice", db=db)
    assert {"login": "alice", "name": "Alice", "role": "admin", "team": None, "active": True, "lang": None,
            "money": None, "tz": None} in users
    assert {"login": "bob", "name": "Bob 王", "role": "supervisor", "team": "East", "active": True, "lang": None,
            "money": None, "tz": None} in users
    proc = run("users", "add", "carl", "--name", "C", "--role", "rep", user="bob", db=db)
    assert proc.returncode == 1 and "admin" in proc.stderr


def test_stages_set_and_list(tmp_path):
    db = str(tmp_path / "s.db")
    run("users", "add", "boss", "--name", "B", "--role", "admin", db=db, check=0)
    run("stages", "set", "Identified:10", "Qualified:25", "Validated:40", "Proposal:60", db=db, check=0)
    stages = run_json("stages", "list", "--format", "json", db=db)
    assert [(s["name"], s["probability"]) for s in stages] == [
        ("Identified", 10), ("qualified", 25), ("Validated", 40), ("proposal", 60)]
    assert run("stages", "set", "won:100", db=db).returncode == 1
    assert run("stages", "set", "bad", db=db).returncode == 1


def test_lead_lifecycle_through_the_cli(tmp_path):
    db = str(tmp_path / "l.db")
    run("users", "add", "boss", "--name", "B", "--role", "admin", db=db, check=0)
    run("users", "add", "rep", "--name", "Rep 一", "--role", "rep", "--team", "A", db=db, check=0)
    code = run("leads", "add", "--company", "深圳蓝海科技有限公司", "--contact", "王五", "--phone", "138-0013-8000",
               "--source", "展会", "--need", "10台服务器", "--amount", "8万", user="rep", db=db, check=0).stdout.strip()
    assert code == "EXPO-20241101-001"
    lead = run_json("leads", "show", code, "--format", "json", user="rep", db=db)
    assert lead["phone"] == "+8613800138000" and lead["amount"] == 80000.0 and lead["stage"] == "acquired"
    assert lead["next_follow_up_at"] == "2024-11-03T10:00:00+08:00"  # medium priority: 48 h
    run("log", code, "--method", "电话", "--summary", "聊了需求", "--next", "2024-11-05 09:00", user="rep", db=db,
        check=0)
    run("leads", "move", code, "方案报价", user="rep", db=db, check=0)
    run("leads", "won", code, "--amount", "¥80,000", "--product", "服务器", user="rep", db=db, check=0)
    lead = run_json("leads", "show", code, "--format", "json", user="rep", db=db)
    assert lead["status"] == "won" and lead["won_amount"] == 80000.0 and lead["product"] == "服务器"
    kinds = [t["kind"] for t in lead["timeline"]]
    assert "followup" in kinds and "stage" in kinds and "outcome" in kinds
    assert lead["timeline"][0]["at"] >= lead["timeline"][-1]["at"]
    admin_view = run_json("leads", "show", code, "--format", "json", db=db)
    assert admin_view["phone"] == "138****8000"
    revealed = run_json("leads", "show", code, "--format", "json", "--reveal", db=db)
    assert revealed["phone"] == "+8613800138000"
    proc = run("leads", "lost", code, "--reason", "x", user="rep", db=db)
    assert proc.returncode == 1 and "won" in proc.stderr


def test_leads_list_filters_and_search(demo_db):
    everything = run_json("leads", "list", "--format", "json", db=demo_db)
    overdue = run_json("leads", "list", "--format", "json", "--filter", "overdue", db=demo_db)
    today = run_json("leads", "list", "--format", "json", "--filter", "today", db=demo_db)
    assert overdue and all(r["overdue"] for r in overdue)
    assert today and all(r["due_today"] and not r["overdue"] for r in today)
    assert everything[: len(overdue)] == overdue  # overdue first
    assert len(run_json("leads", "list", "--format", "json", "--limit", "5", db=demo_db)) == 5
    one = everything[0]
    found = run_json("leads", "list", "--format", "json", "--search", one["code"], db=demo_db)
    assert [r["code"] for r in found] == [one["code"]]
    csv_out = run("leads", "list", "--format", "csv", "--limit", "3", db=demo_db, check=0).stdout
    assert csv_out.splitlines()[0].startswith("code,company")


def test_db_check_upgrade_backup_restore(demo_db, tmp_path):
    assert run("db", "check", db=demo_db).returncode == 0
    assert run("db", "upgrade", db=demo_db).returncode == 0
    backup = str(tmp_path / "backup.db")
    run("db", "backup", backup, db=demo_db, check=0)
    run("demo", "--leads", "5", "--force", db=demo_db, check=0)
    run("db", "restore", backup, db=demo_db, check=0)
    assert len(run_json("leads", "list", "--format", "json", db=demo_db)) == 300
    garbage = tmp_path / "garbage.db"
    garbage.write_text("nope")
    proc = run("db", "restore", str(garbage), db=demo_db)
    assert proc.returncode == 1 and "backup" in proc.stderr


def test_cli_never_imports_textual(demo_db):
    code = ("import sys, runpy; sys.argv=['tui-crm','--db',%r,'--user','boss','report','--format','json'];"
            "from tui_crm.cli import main; import io, contextlib\n"
            "with contextlib.redirect_stdout(io.StringIO()): main(sys.argv[1:])\n"
            "print('textual' in sys.modules)") % demo_db
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env={
        "TUI_CRM_NOW": "2024-11-01T10:00:00+08:00", "PATH": "/usr/bin"}).stdout.strip()
    assert out == "False"


def test_chinese_messages(demo_db):
    proc = run("leads", "list", "--lang", "zh", user="nobody", db=demo_db)
    assert proc.returncode == 1 and "未知用户" in proc.stderr


def test_users_key_appends_a_forced_command(demo_db, tmp_path):
    pub = tmp_path / "id.pub"
    pub.write_text("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIExample rep@laptop\n")
    auth = tmp_path / "ssh" / "authorized_keys"
    run("users", "key", "rep1", str(pub), "--authorized-keys", str(auth), db=demo_db, check=0)
    line = auth.read_text().strip()
    assert line.startswith('restrict,pty,command="/') and f"--db {demo_db} --user rep1" in line
    assert line.endswith("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIExample rep@laptop")
    bad = tmp_path / "bad.pub"
    bad.write_text("hello")
    proc = run("users", "key", "rep1", str(bad), "--authorized-keys", str(auth), db=demo_db)
    assert proc.returncode == 1 and auth.read_text().count("\n") == 1
    assert run("users", "key", "ghost", str(pub), "--authorized-keys", str(auth), db=demo_db).returncode == 1


def test_move_after_a_long_stay_names_the_option_that_gives_the_reason(tmp_path):
    db = str(tmp_path / "r.db")
    run("users", "add", "boss", "--name", "B", "--role", "admin", db=db, check=0)
    code = run("leads", "add", "--company", "Acme", "--contact", "Ann", "--phone", "13800138000", "--source", "expo",
               "--need", "x", db=db, check=0).stdout.strip()
    later = {"TUI_CRM_NOW": "2024-11-10T10:00:00+08:00"}  # nine days in its stage
    proc = run("leads", "move", code, "qualified", db=db, env=later)
    assert proc.returncode == 1
    assert proc.stderr.strip() == f"tui-crm: {code} stayed more than 7 days in its stage: give a stay reason (--reason)"
    run("leads", "move", code, "qualified", "--reason", "waiting for budget", db=db, env=later, check=0)


def test_db_check_tells_an_orphan_in_the_users_language(demo_db, tmp_path):
    """db check's own lines (schema version, integrity, foreign keys) were English whatever the language."""
    import shutil
    import sqlite3

    broken = str(tmp_path / "orphan.db")
    shutil.copy(demo_db, broken)
    con = sqlite3.connect(broken)  # foreign keys off: what a crash or a hand edit can leave
    con.execute("UPDATE follow_up SET lead_id = 999999 WHERE id = (SELECT MIN(id) FROM follow_up)")
    con.commit()
    con.close()
    en = run("db", "check", db=broken)
    zh = run("--lang", "zh", "db", "check", db=broken)
    assert en.returncode == zh.returncode == 1, (en.stdout, en.stderr)
    assert "follow_up row" in en.stdout + en.stderr and "points to a missing lead" in en.stdout + en.stderr
    assert "外键：follow_up 的第" in zh.stdout + zh.stderr and "不存在的 lead" in zh.stdout + zh.stderr
