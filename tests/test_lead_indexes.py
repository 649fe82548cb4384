"""Schema v17 (store/schema_indexes.py): two lead indexes no read path uses since the summary tables
(v14) came (every import and edit wrote them), gone from new databases and from upgraded ones; the won-leads read
that could have used one still reads an index."""
from __future__ import annotations

from tui_crm.store import schema, schema_indexes


def lead_indexes(db) -> set[str]:
    return {i.name for i in db.get_indexes("lead")}


def test_new_and_upgraded_databases_have_no_unused_lead_index(world):
    db = world.ctx.db
    assert not lead_indexes(db) & set(schema_indexes.UNUSED_V17)
    db.execute_sql('CREATE INDEX "lead_status_stage_amount_cents" ON lead (status, stage, amount_cents)')
    db.execute_sql('CREATE INDEX "lead_won_at" ON lead (won_at)')
    db.execute_sql("UPDATE meta SET value = '16' WHERE key = 'schema_version'")
    assert schema.upgrade(db) == (16, schema.LATEST)
    assert not lead_indexes(db) & set(schema_indexes.UNUSED_V17)
    assert schema.check(db) == []


def test_the_won_days_read_an_index_without_them(sqlite_url):
    from tui_crm.services.context import open_session

    db = open_session(sqlite_url).db
    plan = " ".join(r[3] for r in db.execute_sql(
        "EXPLAIN QUERY PLAN SELECT won_at, won_amount_cents FROM lead WHERE status = 'won' "
        "AND won_at >= ? AND won_at < ?", (0, 86400)).fetchall())
    assert "USING COVERING INDEX lead_report_closed" in plan, plan
