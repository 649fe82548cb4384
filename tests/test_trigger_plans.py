"""PostgreSQL (schema v20, store/trigger_plans.py): a trigger statement that joins a growing table is planned
for the table as it is when it runs, not as it was at the connection's first write. Before v20, the plan of
the stages-seen trigger made while lead held one row was kept, a sequential scan of every lead, for the life
of the connection: an import into a new database read the whole lead table at every chunk (6.9 s of a
100,000-row import), an app open all day at every stage move; the history copy of lead likewise."""
from __future__ import annotations

import collections

import psycopg2
import pytest
from conftest import PG_AVAILABLE

from tui_crm.services import leads
from tui_crm.store import schema

pytestmark = [pytest.mark.skipif(not PG_AVAILABLE, reason="needs PostgreSQL"),
              pytest.mark.parametrize("db_url", ["postgres"], indirect=True)]

GROW = 5000


def _grow(url: str) -> None:
    """GROW copies of the database's leads and their history, written by another connection, with no
    ANALYZE (this machine's server runs without autovacuum: nothing else refreshes the statistics)."""
    base, schema_name = url.split("?schema=")
    conn = psycopg2.connect(base, options=f"-csearch_path={schema_name}")
    cur = conn.cursor()
    cur.execute("SELECT max(id) FROM lead")
    (top,) = cur.fetchone()
    cur.execute("INSERT INTO lead SELECT (jsonb_populate_record(NULL::lead, to_jsonb(l) || jsonb_build_object("
                "'id', l.id + %s * g, 'code', l.code || '-' || g, 'plan_until', NULL))).* FROM lead l, generate_series(1, %s) g",
                (top, GROW))
    cur.execute("INSERT INTO stage_history SELECT (jsonb_populate_record(NULL::stage_history, to_jsonb(h) || "
                "jsonb_build_object('id', h.id + %s * g, 'lead_id', h.lead_id + %s * g))).* "
                "FROM stage_history h, generate_series(1, %s) g WHERE h.lead_id <= %s", (top * 10, top, GROW, top))
    conn.commit()
    conn.close()


def _plans(db, work) -> str:
    """The plans of every statement ``work()`` runs on the session's own connection, nested ones included."""
    conn = db.connection()
    for sql in ("LOAD 'auto_explain'", "SET auto_explain.log_min_duration = 0",
                "SET auto_explain.log_nested_statements = on", "SET client_min_messages = log"):
        db.execute_sql(sql)
    kept, conn.notices = conn.notices, collections.deque()  # a list keeps psycopg2's last 50 only
    try:
        work()
        return "".join(conn.notices)
    finally:
        db.execute_sql("RESET client_min_messages")
        db.execute_sql("SET auto_explain.log_min_duration = -1")
        conn.notices = kept


def test_trigger_statements_are_planned_for_the_tables_as_they_are(world):
    boss = world.ctx
    lead = leads.add_lead(boss, {"company": "First Co", "contact_name": "Li", "phone": "13900000001",
                                 "source": "expo"})
    leads.move_stage(boss, lead.code, "qualified")  # the connection's first history insert and lead update
    leads.reassign(boss, lead.code, "rep_a1")
    _grow(world.url)

    def later():
        leads.move_stage(boss, lead.code, "proposal")
        leads.reassign(boss, lead.code, "rep_a2")

    plans = _plans(boss.db, later)
    seen = [p for p in plans.split("LOG:") if "UPDATE lead SET stages_seen" in p]
    copy = [p for p in plans.split("LOG:") if "UPDATE stage_history h SET lead_owner_id" in p]
    assert seen and copy, plans[:3000]
    assert not [p for p in seen if "Seq Scan on lead" in p], seen
    assert not [p for p in copy if "Seq Scan on stage_history" in p], copy
    assert schema.check(boss.db) == []


def test_a_v19_database_gets_the_triggers_planned_at_each_run(world):
    db = world.ctx.db
    # v19's functions, as they were: static statements, planned once per connection
    db.execute_sql("CREATE OR REPLACE FUNCTION stage_history_seen() RETURNS trigger AS $$ BEGIN "
                   "UPDATE lead SET stages_seen = lead.stages_seen WHERE false; RETURN NULL; END $$ LANGUAGE plpgsql")
    db.execute_sql("UPDATE meta SET value = '19' WHERE key = 'schema_version'")
    assert schema.upgrade(db) == (19, schema.LATEST)
    src = dict(db.execute_sql("SELECT proname, prosrc FROM pg_proc WHERE proname IN ('stage_history_seen', "
                              "'lead_history_copy') AND pronamespace = current_schema()::regnamespace").fetchall())
    assert len(src) == 2 and all("EXECUTE" in s for s in src.values()), src
    lead = world.lead("rep_a1")
    leads.move_stage(world.as_("boss"), lead.code, "qualified")
    (seen,) = db.execute_sql("SELECT stages_seen FROM lead WHERE id = %s", (lead.id,)).fetchone()
    (bit,) = db.execute_sql("SELECT 1::bigint << id FROM stage WHERE key = 'qualified'").fetchone()
    assert seen & bit and schema.check(db) == []
