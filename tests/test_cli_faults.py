"""The command line meets a database failure: one line on stderr, exit 1, never a traceback, never
the password; nothing half-saved. Real subprocesses; PostgreSQL through tests/netproxy.py (a network
that goes down), SQLite on a real tmpfs that fills up or is remounted read-only."""
from __future__ import annotations

import contextlib
import csv
import os
import sqlite3
import subprocess
import sys
import time

import psycopg2
import pytest

from cli_helpers import NOW_ENV, run
from conftest import PG_AVAILABLE, PG_BASE, make_url
from netproxy import Proxy

SECRET = "Sup3rSecretPw"


def one_line_failure(proc, *words):
    assert proc.returncode == 1, (proc.returncode, proc.stdout, proc.stderr)
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip() and "warning: a password in --db" not in ln]
    assert len(lines) == 1, proc.stderr
    assert "Traceback" not in proc.stderr and SECRET not in proc.stderr + proc.stdout
    for w in words:
        assert w in lines[0], lines[0]
    return lines[0]


def popen(*args, db, user="boss", env=None):
    e = dict(os.environ)
    e.update({"TUI_CRM_NOW": NOW_ENV, "TZ": "Asia/Shanghai", "LANG": "en_US.UTF-8", **(env or {})})
    e.pop("TUI_CRM_DB", None)
    return subprocess.Popen([sys.executable, "-m", "tui_crm", "--db", db, "--user", user, *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=e)


def wait_until(predicate, seconds=60.0, what="condition"):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if value := predicate():
            return value
        time.sleep(0.02)
    raise AssertionError(f"{what}: not within {seconds} s")


def seed(db):
    run("users", "add", "boss", "--name", "Boss", "--role", "admin", user="boss", db=db, check=0)
    proc = run("leads", "add", "--company", "Kept Co", "--contact", "Wang", "--phone", "13900000001", "--need", "servers",
               "--source", "expo", db=db, check=0)
    return proc.stdout.strip()


# ------------------------------------------------------------------ PostgreSQL
@pytest.fixture
def pg(tmp_path):
    if not PG_AVAILABLE:
        pytest.skip("needs PostgreSQL")
    url, drop = make_url("postgres", tmp_path)
    schema = url.split("schema=")[1]
    proxy = Proxy()
    secret_url = proxy.url(url).replace("postgresql://postgres@", f"postgresql://postgres:{SECRET}@", 1)
    code = seed(url)
    direct = psycopg2.connect(PG_BASE, options=f"-csearch_path={schema},public")
    direct.autocommit = True
    yield url, secret_url, proxy, code, direct
    proxy.close()
    direct.close()
    drop()


def _ours_waiting_on_a_lock(direct, proxy) -> bool:
    ports = proxy.server_ports()
    if not ports:
        return False
    cur = direct.cursor()
    cur.execute("SELECT count(*) FROM pg_stat_activity WHERE client_port = ANY(%s) AND wait_event_type = 'Lock'",
                (ports,))
    return cur.fetchone()[0] > 0


def test_log_that_loses_its_server_says_so_in_one_line_and_saves_nothing(pg):
    url, secret_url, proxy, code, direct = pg
    holder = psycopg2.connect(direct.dsn)
    holder.cursor().execute("SELECT id FROM lead WHERE code = %s FOR UPDATE", (code,))  # the log waits on it
    proc = popen("log", code, "--method", "phone", "--summary", "lost in transit", db=secret_url,
                 env={"TUI_CRM_RETRY": "1"})
    try:
        wait_until(lambda: _ours_waiting_on_a_lock(direct, proxy), what="the log waits on the lead")
        proxy.down()  # the network goes: the connection drops and no new one gets through
        out, err = proc.communicate(timeout=120)
    finally:
        holder.rollback()
        holder.close()
    line = one_line_failure(subprocess.CompletedProcess(proc.args, proc.returncode, out, err),
                            "lost the connection to the database")
    assert line.startswith("tui-crm: ")
    cur = direct.cursor()
    cur.execute("SELECT count(*) FROM follow_up WHERE summary = 'lost in transit'")
    assert cur.fetchone()[0] == 0


def test_log_through_a_connection_that_drops_once_is_saved_once(pg):
    url, secret_url, proxy, code, direct = pg
    holder = psycopg2.connect(direct.dsn)
    holder.cursor().execute("SELECT id FROM lead WHERE code = %s FOR UPDATE", (code,))
    proc = popen("log", code, "--method", "phone", "--summary", "after a blip", db=secret_url)
    try:
        wait_until(lambda: _ours_waiting_on_a_lock(direct, proxy), what="the log waits on the lead")
        proxy.cut()  # a blip: this connection drops, the next one gets through
    finally:
        holder.rollback()
        holder.close()
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert SECRET not in err
    cur = direct.cursor()
    cur.execute("SELECT count(*) FROM follow_up WHERE summary = 'after a blip'")
    assert cur.fetchone()[0] == 1


def test_import_killed_by_a_lost_connection_prints_one_line(pg, tmp_path):
    url, secret_url, proxy, code, direct = pg
    path = tmp_path / "big.csv"
    with open(path, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["company", "phone", "need"])
        for i in range(40000):
            w.writerow([f"Bigco {i}", f"138{i:08d}", "servers"])
    proc = popen("import", str(path), db=secret_url, env={"TUI_CRM_RETRY": "1"})
    cur = direct.cursor()

    def staging():
        cur.execute("SELECT count(*) FROM import_batch WHERE state = 'staging'")
        return cur.fetchone()[0]

    wait_until(staging, what="the import is staging rows")
    proxy.down()
    out, err = proc.communicate(timeout=120)
    one_line_failure(subprocess.CompletedProcess(proc.args, proc.returncode, out, err), "lost the connection")
    proxy.up()
    shown = run("leads", "list", "--format", "json", db=url, check=0).stdout
    assert shown.count('"code"') == 1  # the staged rows stay invisible; the lead saved before is there


# ------------------------------------------------------------------ SQLite on a real small disk
@contextlib.contextmanager
def tmpfs(path, size="4m"):
    path.mkdir()
    res = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)], capture_output=True)
    if res.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {res.stderr.decode().strip()}")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], capture_output=True)


def fill(folder, leave: int = 0) -> str:
    """Fill the file system of ``folder`` but ``leave`` bytes; returns the filler's path."""
    filler = os.path.join(folder, "filler")
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT)
    try:
        while os.write(fd, b"\0" * 4096):
            pass
    except OSError:
        pass
    finally:
        os.truncate(filler, max(0, os.path.getsize(filler) - leave))
        os.close(fd)
    return filler


def integrity(db) -> str:
    con = sqlite3.connect(db)
    try:
        return con.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        con.close()


def test_a_full_disk_refuses_the_write_in_one_line_and_keeps_the_database(tmp_path):
    with tmpfs(tmp_path / "disk") as disk:
        db = str(disk / "crm.db")
        code = seed(db)
        csv_path = tmp_path / "many.csv"
        with open(csv_path, "w", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(["company", "phone", "need", "remarks"])
            for i in range(3000):
                w.writerow([f"Fullco {i}", f"137{i:08d}", "servers", "x" * 400])
        filler = fill(disk, leave=128 * 1024)  # room to open the database (its WAL index), not to import
        proc = run("import", str(csv_path), db=db)
        one_line_failure(proc, "the disk is full")
        proc = run("log", code, "--method", "phone", "--summary", "no room", db=db)
        if proc.returncode != 0:
            one_line_failure(proc, "the disk is full")
        os.unlink(filler)
        assert integrity(db) == "ok"
        listed = run("leads", "list", "--format", "json", db=db, check=0).stdout
        assert code in listed and "Fullco" not in listed  # saved before: kept; the failed import: invisible
        run("log", code, "--method", "phone", "--summary", "room again", db=db, check=0)


def test_a_read_only_file_system_refuses_writes_in_one_line(tmp_path):
    with tmpfs(tmp_path / "disk") as disk:
        db = str(disk / "crm.db")
        code = seed(db)
        subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)
        try:
            proc = run("log", code, "--method", "phone", "--summary", "cannot", db=db)
            one_line_failure(proc)
            assert "read-only" in proc.stderr or "cannot open" in proc.stderr
        finally:
            subprocess.run(["mount", "-o", "remount,rw", str(disk)], check=True)
        assert integrity(db) == "ok"
        assert "cannot" not in run("leads", "show", code, db=db, check=0).stdout
