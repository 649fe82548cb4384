"""Import/export/agenda through the real command line (subprocesses, real files)."""
from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import time
from decimal import Decimal

import pytest

from cli_helpers import NOW_ENV, run, run_json

PIPELINE = "/work/shared/datasets/pipeline_2015.csv"
MAPS = ["--map", "Deal Owner=owner", "--map", "Customer=company", "--map", "Sales stage=stage",
        "--map", "Deal size=amount", "--map", "Probability=probability", "--map", "Sales Channel=source",
        "--map", "Close Date/Expected Close Date=expected_close_date", "--map", "Country=region",
        "--map", "Next Steps=next_action"]


def _admin(db):
    run("users", "add", "admin", "--name", "Admin", "--role", "admin", user="admin", db=db, check=0)


def test_pipeline_2015_as_its_readme_shows(tmp_path):
    db, errors = str(tmp_path / "p.db"), str(tmp_path / "errors.csv")
    _admin(db)
    run("stages", "set", "Identified:10", "Qualified:25", "Validated:40", "Proposal:60", user="admin", db=db, check=0)
    proc = run("import", PIPELINE, "--create-owners", "--errors", errors, *MAPS, user="admin", db=db, check=0)
    assert "1000 new" in proc.stdout and "1 refused" in proc.stdout
    assert "line 3764" in proc.stderr
    with open(errors, newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["line", "column", "value", "reason"]
    assert len(rows) == 2 and rows[1][:3] == ["3764", "Customer", "1"]
    weighted = pipeline = Decimal(0)
    with open(PIPELINE, newline="", encoding="utf-8-sig") as fh:
        for r in csv.DictReader(fh):
            if r["Deal Owner"] and r["Sales stage"] not in ("Won", "Lost"):
                weighted += Decimal(r["Weighted Forecast"])
                pipeline += Decimal(r["Deal size"])
    totals = run_json("report", "--format", "json", user="admin", db=db)["totals"]
    assert totals["leads"] == 1000
    assert Decimal(str(totals["weighted_forecast"])) == weighted
    assert Decimal(str(totals["pipeline_amount"])) == pipeline
    sources = {lead["source"] for lead in run_json("leads", "list", "--format", "json", user="admin", db=db)}
    assert {"F2F", "Partners", "Telesales", "website"} == sources
    assert run("db", "check", user="admin", db=db).returncode == 0


def _big_file(path, n):
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["company", "phone", "need", "amount"])
        for i in range(n):
            w.writerow([f"Bigco {i}", f"139{i:08d}", "servers", "1000"])


def test_killed_import_leaves_nothing_visible(tmp_path):
    db, big = str(tmp_path / "k.db"), str(tmp_path / "big.csv")
    _admin(db)
    _big_file(big, 300_000)
    env = dict(os.environ, TUI_CRM_NOW=NOW_ENV, TZ="Asia/Shanghai")
    env.pop("TUI_CRM_DB", None)
    proc = subprocess.Popen([sys.executable, "-m", "tui_crm", "--db", db, "--user", "admin", "import", big],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    import sqlite3

    deadline = time.time() + 60
    staged = 0
    while time.time() < deadline and proc.poll() is None:
        time.sleep(0.2)
        try:
            staged = sqlite3.connect(db, timeout=5).execute("SELECT count(*) FROM lead").fetchone()[0]
        except sqlite3.OperationalError:
            continue
        if staged > 10_000:
            break
    assert proc.poll() is None, "the import finished before it could be killed"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert staged > 0
    assert run_json("leads", "list", "--format", "json", user="admin", db=db) == []
    assert run_json("leads", "list", "--format", "json", "--search", "Bigco 1", user="admin", db=db) == []
    assert run_json("report", "--format", "json", user="admin", db=db)["totals"]["leads"] == 0
    check = run("db", "check", user="admin", db=db)
    assert check.returncode == 0, check.stdout + check.stderr
    # another writer was never locked out: adding a lead works right away
    run("leads", "add", "--company", "After", "--contact", "X", "--phone", "13700000000", "--source", "expo",
        "--need", "n", user="admin", db=db, check=0)
    # the batch it left is undone on request
    out = run("import", "--undo", "1", user="admin", db=db, check=0)
    assert "undone" in out.stdout


def test_other_writers_not_blocked_during_large_import(tmp_path):
    db, big = str(tmp_path / "w.db"), str(tmp_path / "big.csv")
    _admin(db)
    _big_file(big, 60_000)  # as one transaction this would hold the write lock for several seconds
    env = dict(os.environ, TUI_CRM_NOW=NOW_ENV, TZ="Asia/Shanghai")
    env.pop("TUI_CRM_DB", None)
    proc = subprocess.Popen([sys.executable, "-m", "tui_crm", "--db", db, "--user", "admin", "import", big],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    import sqlite3

    conn = sqlite3.connect(db, timeout=60, isolation_level=None)
    between = set()  # lead counts seen by a writer that got the lock while the import ran
    while proc.poll() is None:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT INTO meta(key, value) VALUES ('probe', 'x') ON CONFLICT(key) DO UPDATE SET value='y'")
        (n,) = conn.execute("SELECT count(*) FROM lead").fetchone()
        conn.execute("COMMIT")
        if 0 < n < 60_000:
            between.add(n)
        time.sleep(0.05)
    assert proc.returncode == 0, proc.stderr.read()
    # Another writer gets the lock between the import's chunks, at several points of it, however
    # slow the machine: one long transaction would let it in only before or after (0 or 60,000).
    # How long it waits is measured by bench/bench_import.py, not here.
    assert len(between) >= 2, between


def test_round_trip_csv_and_xlsx(tmp_path):
    src = str(tmp_path / "src.db")
    run("demo", "--leads", "300", user="boss", db=src, check=0)
    before = run_json("report", "--format", "json", user="boss", db=src)["totals"]
    for fmt in ("csv", "xlsx"):
        out, dst = str(tmp_path / f"out.{fmt}"), str(tmp_path / f"dst_{fmt}.db")
        run("export", out, "--format", fmt, "--reveal", user="boss", db=src, check=0)
        _admin(dst)
        run("import", out, "--create-owners", user="admin", db=dst, check=0)
        after = run_json("report", "--format", "json", user="admin", db=dst)["totals"]
        for key in ("leads", "open", "won", "lost", "dormant", "won_amount", "pipeline_amount", "weighted_forecast"):
            assert after[key] == before[key], (fmt, key)
        a = {x["code"]: x for x in run_json("leads", "list", "--format", "json", user="boss", db=src)}
        b = {x["code"]: x for x in run_json("leads", "list", "--format", "json", user="admin", db=dst)}
        assert a.keys() == b.keys()
        for code, x in a.items():
            for f in ("company", "contact_name", "phone", "email", "source", "industry", "region", "stage",
                      "status", "priority", "amount"):
                assert b[code][f] == x[f], (fmt, code, f)


def test_agenda_ics(tmp_path):
    db, ics = str(tmp_path / "a.db"), str(tmp_path / "a.ics")
    _admin(db)
    run("leads", "add", "--company", "北京华为科技有限公司, Ltd; 很长的名字" * 3, "--contact", "张三", "--phone",
        "13800000001", "--source", "expo", "--need", "n", user="admin", db=db, check=0)
    run("agenda", "--format", "ics", "--output", ics, user="admin", db=db, check=0)
    raw = open(ics, "rb").read()
    assert raw.startswith(b"BEGIN:VCALENDAR\r\n") and raw.endswith(b"END:VCALENDAR\r\n")
    assert b"\n" not in raw.replace(b"\r\n", b"")
    assert all(len(line) <= 75 for line in raw.split(b"\r\n"))
    text = raw.decode("utf-8").replace("\r\n ", "")
    assert "BEGIN:VEVENT" in text and "DTSTART:20241103T020000Z" in text  # medium priority: 48 h
    assert "Ltd\\; " in text and "有限公司\\, Ltd" in text


def test_refusals_an_option_fixes_come_with_a_hint_and_a_bad_errors_path_imports_nothing(tmp_path):
    db, src = str(tmp_path / "h.db"), tmp_path / "h.csv"
    _admin(db)
    src.write_text("Customer,Phone,Deal Owner,Sales stage\nAlpha,13911110001,Angela,Proposal\n"
                   "Beta,13911110002,admin,Validated\n", encoding="utf-8")
    proc = run("import", str(src), user="admin", db=db, check=0)
    assert "0 new" in proc.stdout and "2 refused" in proc.stdout
    assert "hint: --create-owners" in proc.stderr and "hint: --stage-map" in proc.stderr
    bad = run("import", str(src), "--create-owners", "--errors", str(tmp_path / "no" / "e.csv"), user="admin", db=db)
    assert bad.returncode == 1 and "Traceback" not in bad.stderr
    assert bad.stderr.strip().splitlines() == [f"tui-crm: cannot write {tmp_path / 'no' / 'e.csv'}: no such folder"]
    assert run_json("leads", "list", "--format", "json", user="admin", db=db) == []
