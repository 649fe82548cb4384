"""Schema v17: lead indexes no read path uses any more. Its own module: store/schema.py holds the steps before
it (and the 400-line rule)."""
from __future__ import annotations

import peewee as pw

# no read path uses them since the summary tables (v14) answer the report, the board's headers and the list's
# counts (checked by EXPLAIN QUERY PLAN of every lead query the list, board, queue, search, report, stats and
# sweep tests run, on a 1M-lead database); every import and edit paid for them
UNUSED_V17 = ("lead_status_stage_amount_cents", "lead_won_at")


def step_17(db: pw.Database) -> None:
    """v17: drop ``UNUSED_V17`` (created by the models before, idempotent)."""
    for name in UNUSED_V17:
        db.execute_sql(f'DROP INDEX IF EXISTS "{name}"')
