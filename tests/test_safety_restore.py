"""`db restore` keeps the audit log (issue 13 item 11 "the audit log ... can be erased", PRODUCT §7: the change
log is append-only).

Before: `db restore FILE` replaced the change log with the backup's, so an admin who revealed numbers
could take a backup first, reveal, and restore: the reveals were gone. Now the restored log is the
backup's, then every entry of the current log the backup does not hold, then a `restore` entry naming
who restored which file; the entries keep their user and lead code even where the backup lacks them.
Real SQLite files, the real command line.
"""
from __future__ import annotations

import json
import sqlite3

from cli_helpers import run, run_json


def _setup(url, tmp_path):
    run("users", "add", "boss", "--name", "Boss", "--role", "admin", db=url, check=0)
    run("users", "add", "rep1", "--name", "Rep 1", "--role", "rep", db=url, check=0)
    code = run("leads", "add", "--company", "Old Co", "--contact", "Li", "--phone", "13912345678",
               "--source", "expo", "--need", "n", "--owner", "rep1", db=url, check=0).stdout.strip()
    backup = str(tmp_path / "backup.db")
    run("db", "backup", backup, db=url, check=0)
    return code, backup


def test_a_restore_keeps_the_reveals_made_after_the_backup_and_says_who_restored(sqlite_url, tmp_path):
    url = sqlite_url
    code, backup = _setup(url, tmp_path)
    before = run_json("audit", "--format", "json", db=url)
    # after the backup: a reveal of the old lead, a new lead and its reveal, a new user
    run("leads", "show", code, "--reveal", db=url, check=0)
    new = run("leads", "add", "--company", "New Co", "--contact", "Wu", "--phone", "13800001111",
              "--source", "expo", "--need", "n", db=url, check=0).stdout.strip()
    run("leads", "show", new, "--reveal", db=url, check=0)
    run("users", "add", "rep2", "--name", "Rep 2", "--role", "rep", db=url, check=0)
    run("leads", "show", code, "--reveal", user="rep2", db=url)  # refused: not rep2's; no entry either way
    proc = run("db", "restore", backup, db=url, check=0)
    assert proc.stdout.strip().splitlines() == [
        f"restored from {backup}",
        "the audit log kept 5 entries the backup did not hold, and records this restore"]
    assert [v["code"] for v in run_json("leads", "list", "--format", "json", db=url)] == [code]  # data: the backup's
    after = run_json("audit", "--format", "json", db=url)
    assert after[-len(before):] == before  # the backup's own entries, unchanged, oldest first
    kept = after[1:-len(before)]
    assert [(e["user"], e["entity"], e["action"], e["lead"]) for e in reversed(kept)] == [
        ("boss", "lead", "reveal", code), ("boss", "lead", "create", new), ("boss", "task", "create", new),
        ("boss", "lead", "reveal", new), ("boss", "user", "create", None)]
    assert all("lead_code" not in e["details"] for e in kept)
    assert after[0]["action"] == "restore" and after[0]["user"] == "boss"
    assert after[0]["details"] == {"file": "backup.db", "entries_kept": 5}
    reveals = run_json("audit", "--action", "reveal", "--format", "json", db=url)
    assert {e["lead"] for e in reveals} == {code, new}  # the one whose lead is gone is still named


def test_restoring_another_databases_backup_keeps_the_whole_log(sqlite_url, tmp_path):
    url = sqlite_url
    _setup(url, tmp_path)
    other = str(tmp_path / "other.db")
    run("users", "add", "chief", "--name", "Chief", "--role", "admin", user="chief", db=other, check=0)
    other_backup = str(tmp_path / "other-backup.db")
    run("db", "backup", other_backup, user="chief", db=other, check=0)
    entries = run_json("audit", "--format", "json", db=url)
    logged = sqlite3.connect(url).execute('SELECT count(*) FROM "change"').fetchone()[0]
    run("db", "restore", other_backup, db=url, check=0)
    rows = sqlite3.connect(url).execute('SELECT action, user_id, diff FROM "change" ORDER BY id').fetchall()
    # the other database's one entry (its first user), then all of ours, then the restore
    assert len(rows) == 1 + logged + 1 and rows[-1][0] == "restore"
    assert json.loads(rows[-1][2]) == {"file": "other-backup.db", "entries_kept": logged, "by": "boss"}
    assert all(uid is None for _a, uid, _d in rows[1:])  # boss is no user of the restored database ...
    after = run_json("audit", "--format", "json", user="chief", db=url)
    assert after[0]["user"] == "boss"  # ... and is still named, as in every entry kept
    assert [(e["user"], e["action"], e["lead"]) for e in after[1:1 + len(entries)]] == \
        [(e["user"], e["action"], e["lead"]) for e in entries]


def test_a_failed_restore_changes_nothing(sqlite_url, tmp_path):
    url = sqlite_url
    _setup(url, tmp_path)
    log = sqlite3.connect(url).execute('SELECT * FROM "change" ORDER BY id').fetchall()
    garbage = tmp_path / "garbage.db"
    garbage.write_text("nope")
    proc = run("db", "restore", str(garbage), db=url)
    assert proc.returncode == 1 and len(proc.stderr.strip().splitlines()) == 1
    assert sqlite3.connect(url).execute('SELECT * FROM "change" ORDER BY id').fetchall() == log
    assert not list(tmp_path.glob(".tui-crm-restore-*"))  # the private copy is gone
