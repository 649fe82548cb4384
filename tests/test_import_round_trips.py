"""An import into PostgreSQL sends few statements per part: each is a round trip its writer waits on, and beside
the converting thread each cost up to the GIL's switch interval more than the server took (tui_crm/threads.py).
What a whole import asks once (the role's row security per table, the roles' prefix) is asked once, and a part
whose rows carry no code asks nothing about codes in the file. The import still finds what it found before:
the file's duplicates of stored leads."""
from __future__ import annotations

import collections

import psycopg2.extensions
import pytest

from conftest import PG_AVAILABLE, PG_BASE, make_url
from tui_crm.services import admin, importing, leads
from tui_crm.services.context import open_session

pytestmark = pytest.mark.skipif(not PG_AVAILABLE, reason=f"PostgreSQL not reachable at {PG_BASE}")

ROWS = 2400


class Counting(psycopg2.extensions.cursor):
    seen: collections.Counter = collections.Counter()

    def execute(self, query, params=None):
        Counting.seen[(query if isinstance(query, str) else query.decode())[:70]] += 1
        return super().execute(query, params)

    def copy_expert(self, sql, file, size=8192):
        Counting.seen[sql[:70]] += 1
        return super().copy_expert(sql, file, size)


@pytest.fixture
def pg_url(tmp_path):
    url, drop = make_url("postgres", tmp_path)
    ctx = open_session(url)
    admin.add_user(ctx, "boss", "Boss", "admin")
    ctx.act_as("boss")
    leads.add_lead(ctx, {"company": "Stored Co", "phone": "13900000007", "source": "expo"})
    ctx.close()
    yield url
    drop()


def test_an_import_part_sends_a_dozen_statements_and_asks_the_sessions_facts_once(pg_url, tmp_path, monkeypatch):
    from tui_crm.services.importing import pacing

    # parts are sized by time: on a fast machine 2,400 rows fit in two; at most 600 rows a part makes four or more,
    # whatever the machine's speed, so what is asked once per import shows against several parts
    monkeypatch.setattr(pacing, "PG_PART_MAX", 600)
    path = tmp_path / "rows.csv"
    path.write_text("Company,Contact,Phone,Source\n" + "".join(
        f"Co {i},Person {i},139{i:08d},expo\n" for i in range(ROWS)), encoding="utf-8")
    ctx = open_session(pg_url)
    ctx.act_as("boss")
    ctx.db.connection().cursor_factory = Counting
    Counting.seen.clear()
    res = importing.run_import(ctx, str(path), importing.ImportOptions())
    seen = dict(Counting.seen)
    ctx.close()
    assert (res.new, res.duplicate) == (ROWS - 1, 1)  # Co 7 repeats the stored lead's phone
    parts = sum(n for q, n in seen.items() if q.startswith('COPY "lead" ('))
    assert parts >= 3, seen
    assert sum(n for q, n in seen.items() if q.startswith("SELECT row_security_active")) <= 4, seen
    assert sum(n for q, n in seen.items() if q.startswith("SELECT value FROM meta")) <= 1, seen
    assert not any(q.startswith("SELECT id, code, batch_id, owner_id, code FROM lead WHERE code") for q in seen), seen
    assert any(q.startswith("SELECT id, phone, batch_id, owner_id, code FROM lead WHERE phone") for q in seen), seen
    assert sum(seen.values()) <= 12 * parts + 30, seen
