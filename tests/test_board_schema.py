"""Schema v4: the board's covering indexes on fresh databases and after an upgrade from v3."""
from __future__ import annotations

import sqlite3

from tui_crm.services.leads import board
from tui_crm.services.context import open_session
from tui_crm.store import schema

BOARD = {"lead_board_column", "lead_board_lost"}


def _indexes(ctx) -> set[str]:
    return {ix.name for ix in ctx.db.get_indexes("lead")}


def test_fresh_database_has_the_board_indexes(world):
    assert schema.current_version(world.ctx.db) == schema.LATEST
    assert BOARD <= _indexes(world.ctx)


def test_v3_database_upgrades_to_v4_and_the_board_reads_the_same(world):
    if world.ctx.is_postgres:
        return  # the v3 database is made here with SQLite DDL
    world.lead("rep_a1", amount_cents=100000)
    world.lead("rep_a2", amount_cents=50000)
    world.lead("rep_b1", amount_cents=999900)
    before = board.summary(world.as_("sup_a"))
    world.ctx.close()
    conn = sqlite3.connect(world.url)  # back to v3: no board indexes
    for name in BOARD:
        conn.execute(f'DROP INDEX "{name}"')
    conn.execute("UPDATE meta SET value = '3' WHERE key = 'schema_version'")
    conn.commit()
    conn.close()
    ctx = open_session(world.url, "boss", upgrade=True)
    assert schema.current_version(ctx.db) == schema.LATEST
    assert BOARD <= _indexes(ctx)
    assert schema.check(ctx.db) == []
    sup = open_session(world.url, "sup_a")
    after = board.summary(sup)
    assert [(c.count, c.amount_cents) for c in after.columns] == [(2, 150000), (0, 0), (0, 0), (0, 0)]
    assert after == before
    schema.upgrade(ctx.db)  # idempotent
    assert schema.current_version(ctx.db) == schema.LATEST


def test_header_and_column_pages_read_the_board_index(world, tmp_path):
    if world.ctx.is_postgres:
        return  # SQLite's EXPLAIN QUERY PLAN wording
    world.lead("rep_a1", amount_cents=100000)
    ctx = world.as_("boss")
    sql, params = board.Lead.select(board.Lead.stage, board.pw.fn.COUNT(board.Lead.id)).where(
        board.condition(ctx, None) & board.Lead.status.in_(board.OPEN_STATUSES)
        & board.Lead.stage.in_(ctx.stage_keys)).group_by(board.Lead.stage).sql()
    plan = " ".join(str(r) for r in ctx.db.execute_sql("EXPLAIN QUERY PLAN " + sql, params).fetchall())
    assert "COVERING INDEX lead_board_column" in plan
