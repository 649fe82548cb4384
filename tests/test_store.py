"""The store: connection settings, schema versions, upgrade in place, db check, concurrent writers."""
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tui_crm.services import leads
from tui_crm.services.context import open_session
from tui_crm.store import db as store_db, schema
from tui_crm.store.models import Lead

DATA = Path(__file__).parent / "data"


def test_sqlite_pragmas(sqlite_url):
    db = store_db.connect(sqlite_url)
    assert db.execute_sql("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute_sql("PRAGMA foreign_keys").fetchone()[0] == 1
    assert db.execute_sql("PRAGMA busy_timeout").fetchone()[0] == 5000


def test_new_database_is_current_and_clean(db_url):
    ctx = open_session(db_url)
    assert schema.current_version(ctx.db) == schema.LATEST
    assert schema.check(ctx.db) == []
    assert [s.key for s in ctx.stages] == ["acquired", "qualified", "proposal", "negotiation"]


def test_bad_paths_are_clear_errors(tmp_path):
    with pytest.raises(store_db.StoreError, match="no such directory"):
        store_db.connect(str(tmp_path / "missing" / "x.db"))
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(store_db.StoreError, match="cannot open database"):
        store_db.connect(str(junk))


def _v1_database(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.executescript((DATA / "schema_v1_sqlite.sql").read_text("utf-8"))
    conn.execute("INSERT INTO team (id, name) VALUES (1, 'A')")
    conn.execute("INSERT INTO user (id, login, name, role, team_id, active, created_at) "
                 "VALUES (1, 'boss', 'Boss', 'admin', 1, 1, 0)")
    conn.execute("INSERT INTO user (id, login, name, role, team_id, active, created_at) "
                 "VALUES (2, 'rep', 'Rep', 'rep', 1, 1, 0)")
    conn.execute("""INSERT INTO lead (id, code, company, contact_name, phone, source, need, owner_id, priority,
        stage, status, stage_entered_at, incomplete, escalated, dup_suspected, missed_calls, created_at,
        updated_at, assigned_at, version) VALUES (1, 'OLD-1', '上海老客户科技有限公司', '李四', '+8613900001111',
        'expo', 'servers', 2, 'high', 'qualified', 'in_progress', 0, '', 0, 0, 0, 0, 0, 0, 3)""")
    conn.commit()
    conn.close()


def test_upgrade_v1_database_in_place(tmp_path):
    path = tmp_path / "old.db"
    _v1_database(path)
    with pytest.raises(store_db.StoreError, match="db upgrade"):
        open_session(str(path), "boss")
    store_db._OPEN.clear()
    ctx = open_session(str(path), "boss", upgrade=True)
    assert schema.current_version(ctx.db) == schema.LATEST
    assert schema.check(ctx.db) == []
    lead = Lead.get(Lead.code == "OLD-1")
    assert lead.version == 3 and lead.company == "上海老客户科技有限公司"  # nothing lost
    assert lead.phone_rev == "1111000093168"  # 8613900001111 reversed
    assert [v.code for v in leads.list_leads(ctx, search="老客户")] == ["OLD-1"]
    assert [v.code for v in leads.list_leads(ctx, search="1111")] == []  # admin: masked, no digit match
    assert [v.code for v in leads.list_leads(ctx, search="13900001111")] == ["OLD-1"]


def test_check_reports_broken_search_index(sqlite_url):
    ctx = open_session(sqlite_url)
    ctx.db.execute_sql("INSERT INTO team (name) VALUES ('A')")
    from tui_crm.services import admin

    admin.add_user(ctx, "boss", "Boss", "admin")
    ctx.act_as("boss")
    leads.add_lead(ctx, {"company": "Acme", "contact_name": "X", "phone": "13800000001", "need": "n"})
    ctx.db.execute_sql("DROP TRIGGER lead_fts_au")
    ctx.db.execute_sql("UPDATE lead SET company = 'Changed Company'")
    problems = schema.check(ctx.db)
    assert any("search index" in p for p in problems), problems


def test_check_reports_old_schema(tmp_path):
    path = tmp_path / "old.db"
    _v1_database(path)
    db = store_db.connect(str(path), create=False, strict=False)
    problems = schema.check(db)
    assert any("schema version 1" in p for p in problems)


WRITER = r"""
import sys
from tui_crm.services.context import open_session
from tui_crm.services import leads, activity
ctx = open_session(sys.argv[1], sys.argv[2])
for i in range(int(sys.argv[3])):
    v = leads.add_lead(ctx, {"company": f"{sys.argv[2]} co {i}", "contact_name": "c",
                                   "email": f"{sys.argv[2]}{i}@ex.com", "need": "n"})
    activity.log_followup(ctx, v.code, activity.FollowUpInput(summary="hi"))
"""


def test_concurrent_writer_processes_never_see_locked(world, tmp_path):
    if world.ctx.is_postgres:
        url = world.url
    else:
        url = world.url
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, url, login, "25"], stderr=subprocess.PIPE, text=True)
             for login in ("rep_a1", "rep_a2", "rep_b1", "sup_a")]
    errors = [p.communicate(timeout=120)[1] for p in procs]
    assert all(p.returncode == 0 for p in procs), errors
    assert Lead.select().count() == 100


def test_v5_database_gets_the_list_sort_indexes_on_upgrade(db_url):
    from tui_crm.services.leads import pages

    db = store_db.connect(db_url)
    for name in schema.LIST_INDEXES:
        db.execute_sql(f'DROP INDEX "{name}"')
    db.execute_sql("UPDATE meta SET value = '5' WHERE key = 'schema_version'")
    store_db._OPEN.clear()
    with pytest.raises(store_db.StoreError, match="db upgrade"):
        store_db.connect(db_url)
    store_db._OPEN.clear()
    ctx = open_session(db_url, upgrade=True)
    assert schema.current_version(ctx.db) == schema.LATEST and schema.check(ctx.db) == []
    assert ctx.db.get_indexes("lead") and {i.name for i in ctx.db.get_indexes("lead")} >= set(schema.LIST_INDEXES)
    assert pages.ensure_indexes(ctx) == []  # nothing left for the app to build at start


def test_v6_database_drops_the_redundant_prefix_indexes_on_upgrade(db_url):
    db = store_db.connect(db_url)
    tables = ("lead", "stage_history", "task", "follow_up")
    assert not {i.name for t in tables for i in db.get_indexes(t)} & set(schema.REDUNDANT_INDEXES)  # fresh
    for name, cols in (("lead_owner_id", "lead (owner_id)"), ("lead_stage_status", "lead (stage, status)"),
                       ("stage_history_lead_id", "stage_history (lead_id)"),
                       ("stage_history_stage_left_at", "stage_history (stage, left_at)"),
                       ("task_lead_id", "task (lead_id)"), ("task_owner_id", "task (owner_id)"),
                       ("follow_up_lead_id", "follow_up (lead_id)")):
        db.execute_sql(f'CREATE INDEX "{name}" ON {cols}')  # as a v6 database has them
    db.execute_sql("UPDATE meta SET value = '6' WHERE key = 'schema_version'")
    store_db._OPEN.clear()
    ctx = open_session(db_url, upgrade=True)
    assert schema.current_version(ctx.db) == schema.LATEST and schema.check(ctx.db) == []
    left = {i.name for t in tables for i in ctx.db.get_indexes(t)}
    assert not left & set(schema.REDUNDANT_INDEXES)
    assert set(schema.REDUNDANT_INDEXES.values()) <= left  # each one's longer index stays


def test_lookups_by_owner_and_by_lead_still_read_an_index(tmp_path):
    ctx = open_session(str(tmp_path / "plan.db"))
    for sql in ("SELECT id FROM lead WHERE owner_id = 1",
                "SELECT id FROM stage_history WHERE lead_id = 1",
                "SELECT id FROM task WHERE owner_id = 1",
                "SELECT id FROM follow_up WHERE lead_id = 1",
                "SELECT id FROM lead WHERE stage = 'new' AND status = 'pending'"):
        plan = " ".join(str(r) for r in ctx.db.execute_sql("EXPLAIN QUERY PLAN " + sql).fetchall())
        assert "USING" in plan and "INDEX" in plan, (sql, plan)


def test_background_writer_writes_in_the_callers_transaction_and_reports_failures(tmp_path):
    import sqlite3 as s3

    from tui_crm.store import bulk

    ctx = open_session(str(tmp_path / "bw.db"))
    db = ctx.db
    with pytest.raises(s3.OperationalError, match="no such table"):
        with db.atomic():
            w = bulk.BackgroundWriter(db)
            try:
                w.submit([("meta", ("key", "value"), [("bw1", "a"), ("bw2", "b")])])
                w.submit([("no_such_table", ("x",), [(1,)])])
            finally:
                w.close()
    assert db.execute_sql("SELECT count(*) FROM meta WHERE key LIKE 'bw%'").fetchone()[0] == 0  # rolled back
    with db.atomic():
        w = bulk.BackgroundWriter(db)
        w.submit([("meta", ("key", "value"), [("bw1", "a")])])
        w.close()
    assert db.execute_sql("SELECT value FROM meta WHERE key = 'bw1'").fetchone()[0] == "a"


def test_v7_database_gets_the_audit_indexes_on_upgrade(db_url):
    db = store_db.connect(db_url)
    assert set(schema.AUDIT_INDEXES) <= {i.name for i in db.get_indexes("change")}  # a new database has them
    for name in schema.AUDIT_INDEXES:
        db.execute_sql(f'DROP INDEX "{name}"')  # as a v7 database is
    db.execute_sql('CREATE INDEX "change_user_id" ON change (user_id)')
    db.execute_sql("UPDATE meta SET value = '7' WHERE key = 'schema_version'")
    store_db._OPEN.clear()
    ctx = open_session(db_url, upgrade=True)
    assert schema.current_version(ctx.db) == schema.LATEST and schema.check(ctx.db) == []
    assert {i.name for i in ctx.db.get_indexes("change")} >= set(schema.AUDIT_INDEXES)
    assert "change_user_id" not in {i.name for i in ctx.db.get_indexes("change")}
