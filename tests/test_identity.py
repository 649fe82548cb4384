"""Who may act as whom, admin-only commands in the service layer, valid logins (issue 13, items 1 and 6)."""
from __future__ import annotations

import csv
import os
import sqlite3

import pytest

from cli_helpers import run, run_json
from tui_crm.domain.logins import is_valid_login, login_from_name
from tui_crm.services import admin, leads
from tui_crm.services.admin import demo
from tui_crm.services.errors import AccessDenied, ServiceError, ValidationError
from tui_crm.store.models import Change, Lead, User

AS_ROOT = pytest.mark.skipif(os.geteuid() != 0, reason="needs root to give the database file to another account")


# ------------------------------------------------------------------ logins
@pytest.mark.parametrize("login", ["a", "rep1", "zhang.yuling", "x_y-z", "a" * 32])
def test_valid_logins(login):
    assert is_valid_login(login)


@pytest.mark.parametrize("login", ["", "newrep;id", "Bob", "a b", "a" * 33, "rep$(id)", "王", "rep1\n"])
def test_invalid_logins(login):
    assert not is_valid_login(login)


@pytest.mark.parametrize("name, login", [("张玉玲", "zhangyuling"), ("new rep;id", "newrepid"),
                                         ("José Núñez", "josenunez"), ("Li Lei (李雷)", "lileililei"),
                                         ("$;|", "user"), ("O'Brien", "obrien")])
def test_login_from_a_name(name, login):
    assert login_from_name(name) == login
    assert is_valid_login(login_from_name(name))


def test_login_from_a_name_takes_a_number_on_a_clash_and_stays_short():
    assert login_from_name("张玉玲", {"zhangyuling"}) == "zhangyuling2"
    assert login_from_name("张玉玲", {"zhangyuling", "zhangyuling2"}) == "zhangyuling3"
    long = "欧阳" * 20
    first = login_from_name(long)
    assert len(first) == 32 and is_valid_login(first)
    second = login_from_name(long, {first})
    assert len(second) == 32 and second.endswith("2") and second != first


def test_users_add_refuses_a_login_a_shell_would_read(world):
    for bad in ("newrep;id", "Rep One", "x" * 33, "rep$(id)"):
        with pytest.raises(ValidationError, match="not a valid login"):
            admin.add_user(world.ctx, bad, "Someone", "rep")
    assert not User.select().where(User.name == "Someone").exists()


def test_users_add_cli_refuses_a_bad_login_in_one_line(tmp_path):
    db = str(tmp_path / "u.db")
    run("users", "add", "boss", "--name", "B", "--role", "admin", db=db, check=0)
    proc = run("users", "add", "newrep;id", "--name", "N", "--role", "rep", db=db)
    assert proc.returncode == 1 and proc.stderr.count("\n") == 1 and "not a valid login" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_import_create_owners_derives_logins_and_keeps_the_names(tmp_path):
    db, src = str(tmp_path / "i.db"), tmp_path / "owners.csv"
    run("users", "add", "boss", "--name", "B", "--role", "admin", db=db, check=0)
    with open(src, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["company", "phone", "need", "owner"])
        w.writerow(["Acme", "13900000001", "servers", "new rep;id"])
        w.writerow(["Beta", "13900000002", "servers", "张玉玲"])
        w.writerow(["Gamma", "13900000003", "servers", "Zhang Yuling"])
        w.writerow(["Delta", "13900000004", "servers", "张玉玲"])
    dry = run("import", str(src), "--create-owners", "--dry-run", db=db, check=0)
    assert "new rep;id (newrepid)" in dry.stdout and "张玉玲 (zhangyuling)" in dry.stdout
    assert "Zhang Yuling (zhangyuling2)" in dry.stdout
    proc = run("import", str(src), "--create-owners", db=db, check=0)
    assert "4 new" in proc.stdout
    users = {u["login"]: u["name"] for u in run_json("users", "list", "--format", "json", db=db)}
    assert users == {"boss": "B", "newrepid": "new rep;id", "zhangyuling": "张玉玲", "zhangyuling2": "Zhang Yuling"}
    owners = {r["company"]: r["owner"] for r in run_json("leads", "list", "--format", "json", db=db)}
    assert owners == {"Acme": "newrepid", "Beta": "zhangyuling", "Gamma": "zhangyuling2", "Delta": "zhangyuling"}


# ------------------------------------------------------------------ admin only, in the service layer
def test_admin_only_services_refuse_a_rep_and_a_supervisor(world, tmp_path):
    world.lead("rep_a1")
    before = Change.select().count()
    for login in ("rep_a1", "sup_a"):
        ctx = world.as_(login)
        calls = [lambda: admin.add_user(ctx, "eve", "Eve", "admin"),
                 lambda: admin.set_stages(ctx, ["a:10", "b:50"]), lambda: admin.upgrade(ctx),
                 lambda: demo.generate(ctx, leads=5, force=True, admin_login=login)]
        if login == "rep_a1":  # a supervisor lists their own team's users (test_admin_supervisor)
            calls.append(lambda: admin.list_users(ctx))
        if not ctx.is_postgres:
            calls += [lambda: admin.backup(ctx, str(tmp_path / "stolen.db")),
                      lambda: admin.restore(ctx, str(tmp_path / "stolen.db"))]
        for call in calls:
            with pytest.raises(AccessDenied):
                call()
    assert not (tmp_path / "stolen.db").exists()
    assert Lead.select().count() == 1 and Change.select().count() == before
    assert not User.select().where(User.login == "eve").exists()


@pytest.fixture
def team_db(tmp_path):
    db = str(tmp_path / "team.db")
    run("demo", "--leads", "30", "--reps", "2", db=db, check=0)
    return db


def _state(db):
    con = sqlite3.connect(db)
    try:
        return (con.execute("select count(*) from lead").fetchone()[0],
                con.execute("select count(*) from change").fetchone()[0],
                con.execute("select count(*) from user").fetchone()[0])
    finally:
        con.close()


def test_the_attacks_of_issue_13_fail_with_one_line(team_db, tmp_path):
    before = _state(team_db)
    stolen = tmp_path / "stolen.db"
    proc = run("db", "backup", str(stolen), user="rep1", db=team_db)
    assert proc.returncode == 1 and "only an admin" in proc.stderr and not stolen.exists()
    other = tmp_path / "y.db"
    run("demo", "--leads", "3", "--reps", "1", db=str(other), check=0)
    proc = run("db", "restore", str(other), user="nobody", db=team_db)
    assert proc.returncode == 1 and "unknown user: nobody" in proc.stderr
    proc = run("demo", "--force", user="rep1", db=team_db)
    assert proc.returncode == 1 and "only an admin" in proc.stderr
    for args in (("db", "upgrade"), ("db", "restore", str(other)), ("users", "list"), ("stages", "set", "a:1")):
        proc = run(*args, user="rep1", db=team_db)
        assert proc.returncode == 1 and proc.stderr.count("\n") == 1, (args, proc.stderr)
    assert _state(team_db) == before


def test_a_deactivated_user_cannot_act(team_db):
    con = sqlite3.connect(team_db)
    con.execute("update user set active = 0 where login = 'rep1'")
    con.commit()
    con.close()
    for args in (("leads", "list"), ("report",), ("log", "X", "--method", "phone", "--summary", "s")):
        proc = run(*args, user="rep1", db=team_db)
        assert proc.returncode == 1 and "rep1 is deactivated" in proc.stderr


# ------------------------------------------------------------------ --user
@AS_ROOT
def test_user_is_refused_to_an_account_that_does_not_own_the_file(team_db):
    """The file belongs to another account (uid 65534); this one (root, not a CRM user) asks for rep1."""
    os.chown(team_db, 65534, 65534)
    spoof = {"USER": "boss", "LOGNAME": "boss"}  # the OS login is the uid's, whatever the environment says
    for user in ("rep1", "boss"):
        proc = run("leads", "list", "--format", "json", user=user, db=team_db, env=spoof)
        assert proc.returncode == 1 and "--user" in proc.stderr and "refused" in proc.stderr, proc.stderr
        assert proc.stderr.count("\n") == 1
    proc = run("leads", "list", user=None, db=team_db, env=spoof)
    assert proc.returncode == 1 and "unknown user: root" in proc.stderr


@AS_ROOT
def test_an_admin_os_login_may_act_as_another_user(team_db):
    run("users", "add", "root", "--name", "Root", "--role", "admin", db=team_db, check=0)
    os.chown(team_db, 65534, 65534)
    rows = run_json("leads", "list", "--format", "json", user="rep1", db=team_db)
    assert rows and {r["owner"] for r in rows} == {"rep1"}


@AS_ROOT
def test_a_rep_os_login_may_not_act_as_another_user(team_db):
    run("users", "add", "root", "--name", "Root", "--role", "rep", db=team_db, check=0)
    os.chown(team_db, 65534, 65534)
    assert run("leads", "list", user="boss", db=team_db).returncode == 1
    assert run("leads", "list", user="root", db=team_db).returncode == 0  # as oneself, always


def test_the_owner_of_the_file_may_act_as_anyone(team_db):
    assert os.stat(team_db).st_uid == os.geteuid()
    assert run_json("leads", "list", "--format", "json", user="rep2", db=team_db)


# ------------------------------------------------------------------ files
def _mode(path) -> int:
    return os.stat(path).st_mode & 0o777


def test_files_the_program_creates_are_0600(team_db, tmp_path):
    assert _mode(team_db) == 0o600
    backup = tmp_path / "b.db"
    run("db", "backup", str(backup), db=team_db, check=0)
    assert _mode(backup) == 0o600
    for name in ("x.csv", "x.xlsx"):
        run("export", str(tmp_path / name), db=team_db, check=0)
        assert _mode(tmp_path / name) == 0o600
    run("export", str(tmp_path / "a.csv"), "--with-activity", db=team_db, check=0)
    assert {_mode(tmp_path / n) for n in ("a.csv", "a.follow_ups.csv", "a.tasks.csv")} == {0o600}
    old = tmp_path / "old.csv"
    old.write_text("")
    os.chmod(old, 0o644)
    run("export", str(old), db=team_db, check=0)
    assert _mode(old) == 0o600
    run("agenda", "--output", str(tmp_path / "a.ics"), user="rep1", db=team_db, check=0)
    assert _mode(tmp_path / "a.ics") == 0o600
    bad = tmp_path / "bad.csv"
    bad.write_text("company,phone,need,first_contact_at\nAcme,13900000009,x,not a date\n", encoding="utf-8")
    run("import", str(bad), "--errors", str(tmp_path / "err.csv"), db=team_db, check=0)
    assert _mode(tmp_path / "err.csv") == 0o600


def test_wal_and_shm_are_private_while_the_database_is_open(sqlite_url):
    from tui_crm.services.context import open_session

    ctx = open_session(sqlite_url)
    admin.add_user(ctx, "boss", "Boss", "admin")
    assert os.path.exists(sqlite_url + "-wal") and os.path.exists(sqlite_url + "-shm")
    assert {_mode(sqlite_url), _mode(sqlite_url + "-wal"), _mode(sqlite_url + "-shm")} == {0o600}
    ctx.close()


def test_a_database_other_users_can_write_is_refused_and_a_readable_one_warned(team_db):
    os.chmod(team_db, 0o664)
    proc = run("leads", "list", db=team_db)
    assert proc.returncode == 1 and "can be written by other users" in proc.stderr and "chmod 600" in proc.stderr
    os.chmod(team_db, 0o606)
    assert run("leads", "list", db=team_db).returncode == 1
    os.chmod(team_db, 0o644)
    proc = run("leads", "list", "--format", "json", db=team_db)
    assert proc.returncode == 0 and "other users can read" in proc.stderr
    os.chmod(team_db, 0o600)
    assert run("leads", "list", db=team_db, check=0).stderr == ""


def test_a_mistyped_db_creates_nothing(team_db, tmp_path):
    typo = tmp_path / "tema.db"
    for args in (("leads", "list"), ("report",), ("db", "check"), ("db", "upgrade"), ("users", "list"),
                 ("export", str(tmp_path / "o.csv"))):
        proc = run(*args, db=str(typo))
        assert proc.returncode == 1 and "no database at" in proc.stderr, (args, proc.stderr)
        assert not typo.exists()
    run("users", "add", "boss", "--name", "B", "--role", "admin", db=str(typo), check=0)
    assert _mode(typo) == 0o600
    fresh = tmp_path / "fresh.db"
    run("demo", "--leads", "3", "--reps", "1", db=str(fresh), check=0)
    assert _mode(fresh) == 0o600


def test_store_refuses_a_missing_file_without_create(tmp_path):
    from tui_crm.services.context import open_session
    from tui_crm.store.db import StoreError

    with pytest.raises(StoreError, match="no database at"):
        open_session(str(tmp_path / "missing.db"), create=False)
    assert not (tmp_path / "missing.db").exists()
