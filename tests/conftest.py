"""Shared fixtures: a real database per test, on SQLite always and on PostgreSQL when reachable."""
from __future__ import annotations

import os
import uuid
from datetime import datetime, timezone

import pytest

from tui_crm import clock, i18n

def _import_every_screen_in_english() -> None:
    """Key bindings take their labels when their module is imported. The app sets its one language before
    that; a test run switches languages between tests, so a screen first imported by a Chinese test kept
    Chinese labels for every later English one (the snapshots failed after tests/test_palette_zh.py).
    Every screen and widget is imported here first, in English, as a process of the app would."""
    import importlib
    import pkgutil

    import tui_crm.screens
    import tui_crm.widgets

    i18n.set_lang("en")
    for package in (tui_crm.screens, tui_crm.widgets):
        for info in pkgutil.iter_modules(package.__path__):
            importlib.import_module(f"{package.__name__}.{info.name}")


_import_every_screen_in_english()

PG_BASE = os.environ.get("TUI_CRM_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
NOW = datetime(2024, 11, 1, 2, 0, tzinfo=timezone.utc)  # 10:00 in Asia/Shanghai
# the machine's zone for every test, set before any fixture runs: config.local_tz() is asked once a process, and a
# module-scoped fixture (tests/test_pg_masks.py's team) ran before fixed_clock set it, so every later test read UTC
os.environ.setdefault("TZ", "Asia/Shanghai")


def _pg_ok() -> bool:
    try:
        import psycopg2

        psycopg2.connect(PG_BASE.replace("postgresql://", "postgresql://", 1), connect_timeout=3).close()
        return True
    except Exception:
        return False


PG_AVAILABLE = _pg_ok()
BACKENDS = ["sqlite"] + (["postgres"] if PG_AVAILABLE else [])


def pytest_report_header(config):
    return (f"tui-crm database tests run on: {', '.join(BACKENDS)}"
            + ("" if PG_AVAILABLE else f" (PostgreSQL not reachable at {PG_BASE})"))


def make_url(backend: str, tmp_path) -> tuple[str, callable]:
    if backend == "sqlite":
        return str(tmp_path / "crm.db"), lambda: None
    import psycopg2

    schema = "t_" + uuid.uuid4().hex[:12]
    conn = psycopg2.connect(PG_BASE)
    conn.autocommit = True
    conn.cursor().execute(f'CREATE SCHEMA "{schema}"')
    conn.cursor().execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    conn.close()

    def drop():
        c = psycopg2.connect(PG_BASE)
        c.autocommit = True
        c.cursor().execute(f'DROP SCHEMA "{schema}" CASCADE')
        c.cursor().execute(f'DROP SCHEMA IF EXISTS "{schema}_masked" CASCADE')  # db roles' masking views
        c.close()

    return f"{PG_BASE}?schema={schema}", drop


@pytest.fixture(params=BACKENDS)
def db_url(request, tmp_path):
    url, drop = make_url(request.param, tmp_path)
    yield url
    from tui_crm.store.models import database_proxy

    if database_proxy.obj is not None and not database_proxy.obj.is_closed():
        database_proxy.obj.close()
    drop()


@pytest.fixture
def sqlite_url(tmp_path):
    return str(tmp_path / "crm.db")


@pytest.fixture(autouse=True)
def fixed_clock():
    """Every test starts at NOW (2024-11-01 10:00 Shanghai); tests move it, never sleep."""
    clock.set_now(NOW)
    i18n.set_lang("en")
    os.environ.setdefault("TZ", "Asia/Shanghai")
    yield NOW
    clock.set_now(None)


@pytest.fixture
def world(db_url):
    """A small organisation: admin, two teams with a supervisor and two reps each."""
    from tui_crm.services import admin
    from tui_crm.services.context import open_session

    ctx = open_session(db_url)
    admin.add_user(ctx, "boss", "Boss", "admin")
    ctx.act_as("boss")
    admin.add_user(ctx, "sup_a", "Sup A", "supervisor", "A")
    admin.add_user(ctx, "rep_a1", "Rep A1", "rep", "A")
    admin.add_user(ctx, "rep_a2", "Rep A2", "rep", "A")
    admin.add_user(ctx, "sup_b", "Sup B", "supervisor", "B")
    admin.add_user(ctx, "rep_b1", "Rep B1", "rep", "B")
    yield World(ctx, db_url)
    ctx.close()


class World:
    def __init__(self, ctx, url):
        self.ctx = ctx
        self.url = url

    def as_(self, login):
        """A session acting as ``login`` (same database)."""
        from tui_crm.services.context import open_session

        return open_session(self.url, login)

    def lead(self, login, **values):
        from tui_crm.services import leads

        s = self.as_(login)
        n = uuid.uuid4().int % 10**8
        base = {"company": f"Company {n}", "contact_name": "Zhang San", "phone": f"139{n:08d}",
                "source": "expo", "need": "10 servers"}
        base.update(values)
        return leads.add_lead(s, base)


def pytest_terminal_summary(terminalreporter):
    terminalreporter.write_line(
        f"tui-crm database tests ran on: {', '.join(BACKENDS)}"
        + ("" if PG_AVAILABLE else f" (PostgreSQL not reachable at {PG_BASE}: skipped there)"))
