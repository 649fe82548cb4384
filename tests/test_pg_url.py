"""PostgreSQL URLs: libpq parameters honoured, the password never shown, every connection named."""
from __future__ import annotations

import threading

import pytest

from cli_helpers import run
from conftest import PG_AVAILABLE, PG_BASE, make_url
from tui_crm.store import pgurl

needs_pg = pytest.mark.skipif(not PG_AVAILABLE, reason=f"PostgreSQL not reachable at {PG_BASE}")
SECRET = "s3cr3t-Pw"


def with_password(url: str, password: str = SECRET) -> str:
    """``url`` (postgresql://user@host…) with a password added to its user; trust auth ignores it."""
    head, rest = url.split("://", 1)
    user, host = rest.split("@", 1)
    return f"{head}://{user}:{password}@{host}"


def test_redact_hides_the_password_and_keeps_the_rest():
    url = "postgresql://crm:p%40ss:w0rd@db.example:5433/crm?sslmode=verify-full&password=other"
    shown = pgurl.redact(url)
    assert shown == "postgresql://crm:***@db.example:5433/crm?sslmode=verify-full&password=***"
    assert pgurl.has_password(url)
    assert not pgurl.has_password("postgresql://crm@db.example/crm?sslmode=require")
    assert pgurl.redact("postgresql://crm@db.example/crm") == "postgresql://crm@db.example/crm"
    assert pgurl.redact("/home/me/crm.db") == "/home/me/crm.db"


def test_scrub_takes_a_password_out_of_any_text():
    url = "postgres://crm:p%40ss@db/crm"
    text = f"failed for {url}: the password p@ss (p%40ss) is wrong"
    out = pgurl.scrub(text, url)
    assert "p@ss" not in out and "p%40ss" not in out
    assert "postgres://crm:***@db/crm" in out


def test_our_schema_parameter_becomes_a_search_path_and_libpq_keeps_the_rest():
    dsn, extra = pgurl.libpq_dsn("postgres://u@h/db?sslmode=require&schema=t_1&options=-c%20work_mem%3D8MB")
    assert dsn == "postgresql://u@h/db?sslmode=require&options=-c%20work_mem%3D8MB"
    assert extra["options"] == "-c work_mem=8MB -csearch_path=t_1,public"
    assert extra["application_name"] == "tui-crm"
    with pytest.raises(ValueError, match="invalid URI query parameter"):
        pgurl.libpq_dsn("postgresql://u@h/db?sslmod=require")  # a typo is refused, not dropped


@pytest.fixture
def pg_url(tmp_path):
    url, drop = make_url("postgres", tmp_path)
    yield url
    from tui_crm.store.models import database_proxy

    if database_proxy.obj is not None and not database_proxy.obj.is_closed():
        database_proxy.obj.close()
    drop()


def _one_line_error(proc) -> str:
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert proc.returncode == 1, (proc.returncode, proc.stdout, proc.stderr)
    assert len(lines) == 1, proc.stderr
    return lines[0]


@needs_pg
def test_sslmode_require_against_a_server_without_ssl_fails_like_psql(pg_url):
    url = with_password(pg_url) + "&sslmode=require"
    proc = run("leads", "list", user=None, env={"TUI_CRM_DB": url})
    line = _one_line_error(proc)
    assert "SSL" in line, line
    assert SECRET not in proc.stderr + proc.stdout
    assert ":***@127.0.0.1" in line


@needs_pg
def test_a_password_on_the_command_line_is_warned_about_and_never_printed(pg_url):
    url = with_password(pg_url)
    proc = run("users", "add", "boss", "--name", "Boss", "--role", "admin", user=None, db=url)
    assert proc.returncode == 0, proc.stderr
    assert "~/.pgpass" in proc.stderr  # the warning about ps
    bad = with_password(pg_url.replace("/test?", "/no_such_db_here?"))
    proc = run("leads", "list", user="boss", env={"TUI_CRM_DB": bad})
    line = _one_line_error(proc)
    assert "no_such_db_here" in line and ":***@" in line
    assert SECRET not in proc.stderr + proc.stdout


@needs_pg
def test_url_parameters_reach_the_server(pg_url):
    from tui_crm.services.context import open_session

    url = pg_url + "&options=-c%20statement_timeout%3D987654&connect_timeout=7"
    ctx = open_session(url)
    assert ctx.db.execute_sql("SHOW statement_timeout").fetchone()[0] == "987654ms"
    schema = pg_url.split("schema=", 1)[1]
    assert ctx.db.execute_sql("SELECT current_schema()").fetchone()[0] == schema  # ours merged, not replaced
    ctx.close()


@needs_pg
def test_a_libpq_service_file_names_the_server(pg_url, tmp_path, monkeypatch):
    from tui_crm.services.context import open_session

    services = tmp_path / "pg_service.conf"
    services.write_text("[crm_here]\nhost=127.0.0.1\nport=5432\nuser=postgres\ndbname=test\n")
    monkeypatch.setenv("PGSERVICEFILE", str(services))
    schema = pg_url.split("schema=", 1)[1]
    ctx = open_session(f"postgresql:///?service=crm_here&schema={schema}")
    assert ctx.db.execute_sql("SELECT current_database(), current_schema()").fetchone() == ("test", schema)
    ctx.close()


def _app_name(db) -> str:
    return db.execute_sql("SELECT application_name FROM pg_stat_activity WHERE pid = pg_backend_pid()").fetchone()[0]


@needs_pg
def test_every_connection_carries_the_acting_login(pg_url):
    from tui_crm.services import admin
    from tui_crm.services.context import open_session

    url = pg_url + "&application_name=ops-box"
    ctx = open_session(url)
    admin.add_user(ctx, "boss", "Boss", "admin")
    ctx.act_as("boss")
    assert _app_name(ctx.db) == "tui-crm:boss (ops-box)"
    seen = []

    def other_thread():  # the app's database thread opens a connection of its own
        seen.append(_app_name(ctx.db))
        ctx.db.close()

    t = threading.Thread(target=other_thread)
    t.start()
    t.join()
    assert seen == ["tui-crm:boss (ops-box)"]
    ctx.close()
