"""PostgreSQL (store/statistics.py): an import into a new database analyses the columns it looks leads up by
as it grows the table, so the look-up of each chunk's e-mails and phones among the stored leads reads their
index. Before, the tables had the statistics of their creation (empty): the planner guessed each e-mail
matched 0.5 % of the leads and scanned them all, once per chunk, slower at every chunk (9 ms a chunk at
100,000 leads; this machine's server runs without autovacuum, which would otherwise analyse within a minute)."""
from __future__ import annotations

import csv

import pytest
from conftest import PG_AVAILABLE

from tui_crm.services import importing
from tui_crm.store import statistics

pytestmark = [pytest.mark.skipif(not PG_AVAILABLE, reason="needs PostgreSQL"),
              pytest.mark.parametrize("db_url", ["postgres"], indirect=True)]

ROWS = 3000


def _file(path, n: int, start: int = 0) -> str:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["Company", "Contact", "Phone", "Email"])
        for i in range(start, start + n):
            w.writerow([f"Bigco {i}", f"Ann {i}", f"139{i:08d}", f"buyer{i}@example{i % 50}.com"])
    return str(path)


def _estimate(db, column: str, values: list) -> int:
    """How many leads the planner expects ``column = ANY(values)`` to match."""
    (plan,) = db.execute_sql(f"EXPLAIN (FORMAT JSON) SELECT id FROM lead WHERE {column} = ANY(%s)",
                             (values,)).fetchone()
    return plan[0]["Plan"]["Plan Rows"]


def test_an_import_leaves_the_planner_figures_for_its_look_ups(world, tmp_path, monkeypatch):
    monkeypatch.setattr(statistics, "MIN_ROWS", 500)
    db = world.ctx.db
    emails = [f"buyer{i}@example{i % 50}.com" for i in range(30)]
    phones = [f"+86139{i:08d}" for i in range(30)]
    res = importing.run_import(world.ctx, _file(tmp_path / "a.csv", ROWS), importing.ImportOptions())
    assert res.new == ROWS
    known = {a for (a,) in db.execute_sql("SELECT attname FROM pg_stats WHERE schemaname = current_schema() "
                                          "AND tablename = 'lead'").fetchall()}
    assert {"code", "phone", "email"} <= known, known
    (tuples,) = db.execute_sql("SELECT reltuples FROM pg_class WHERE oid = 'lead'::regclass").fetchone()
    assert tuples >= ROWS / 2
    # each value one lead, as it is (with the figures of the empty table: 0.5 % of the leads each, 450 in all,
    # planned as a scan of every lead once the table is larger than this test's)
    assert _estimate(db, "email", emails) <= 2 * len(emails) and _estimate(db, "phone", phones) <= 2 * len(phones)


def test_an_import_by_a_role_that_cannot_analyse_still_imports(world, tmp_path, monkeypatch):
    """A database role that does not own the tables (a rep's, store/pgroles.py) is told by a warning only."""
    monkeypatch.setattr(statistics, "MIN_ROWS", 100)
    db = world.ctx.db
    db.execute_sql("CREATE ROLE crm_stats_probe")
    try:
        db.execute_sql("GRANT USAGE ON SCHEMA " + db.execute_sql("SELECT current_schema()").fetchone()[0]
                       + " TO crm_stats_probe")
        tables = statistics.GrowingTables(db, {"lead": ("email",)})
        db.execute_sql("SET ROLE crm_stats_probe")
        try:
            tables.added(150)  # ANALYZE as a role that does not own lead: a warning, no error
        finally:
            db.execute_sql("RESET ROLE")
        assert tables.grown["lead"] == 0 and tables.known["lead"] >= 150
    finally:
        db.execute_sql("DROP OWNED BY crm_stats_probe")
        db.execute_sql("DROP ROLE crm_stats_probe")
