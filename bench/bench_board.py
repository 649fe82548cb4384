"""Board speed (issue 4): opening the board and each refresh at 1k and 1M leads.

    python bench/bench_board.py DB [DB ...]     # demo databases (tui-crm demo --leads N), files or PostgreSQL URLs

For each database and each role (admin boss, supervisor sup1, rep rep1) prints one JSON
object with medians in milliseconds of:
- ``summary``: the column headers (from the summary tables, schema v14) plus won/lost this month;
- ``rows_summary``: the same headers from the lead rows (one GROUP BY, as before v14);
- ``open``: what a board load runs: summary + the first page of every column (5 cards);
- ``page_deep``: a page 200 cards down a column (keyset, not OFFSET);
- ``poll_idle``: one change-feed poll when nothing changed (the per-tick cost);
and beside them a baseline in the same process: raw sqlite3 ``SELECT stage, COUNT(*),
SUM(amount_cents) FROM lead GROUP BY stage`` over all leads (the covering index).
"""
from __future__ import annotations

import json
import os
import sqlite3
import statistics
import sys
import time


def median_ms(fn, runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return round(statistics.median(times), 2)


def name(path: str) -> str:
    """A file's name, or a PostgreSQL URL without what is not needed to tell it (no password)."""
    if path.startswith("postgres"):
        from tui_crm.store.pgurl import redact

        return redact(path)
    return os.path.basename(path)


def run(path: str, login: str) -> dict:
    from tui_crm.services.leads import board
    from tui_crm.services import changes
    from tui_crm.services.context import open_session

    ctx = open_session(path, login, upgrade=True)
    n = ctx.db.execute_sql("SELECT count(*) FROM lead").fetchone()[0]
    stages = ctx.stage_keys

    def open_board():
        board.summary(ctx)
        for s in stages:
            board.page(ctx, s, limit=5)

    # a key 200 cards down the first column, reached by keyset pages
    key = None
    for _ in range(4):
        p = board.page(ctx, stages[0], after=key, limit=50)
        if not p.keys:
            break
        key = p.keys[-1]
    feed = changes.ChangeFeed(ctx)
    feed.poll()
    out = {
        "db": name(path), "leads": n, "user": login, "role": ctx.actor.role,
        "summary_ms": median_ms(lambda: board.summary(ctx)),
        # the same headers from the lead rows (before v14's summary tables), in the same run
        "rows_summary_ms": median_ms(lambda: board.row_columns(ctx, board.condition(ctx, None), board._bounds(ctx))),
        "open_ms": median_ms(open_board),
        "page_deep_ms": median_ms(lambda: board.page(ctx, stages[0], after=key, limit=5)),
        "poll_idle_ms": median_ms(feed.poll, runs=20),
        "column_count": board.summary(ctx).columns[0].count,
    }
    sql = ("SELECT stage, COUNT(*), SUM(amount_cents) FROM lead "
           "WHERE status IN ('pending','in_progress','paused') GROUP BY stage")
    if path.startswith("postgres"):  # the same GROUP BY on the session's own connection
        out["baseline_raw_group_by_ms"] = median_ms(lambda: ctx.db.execute_sql(sql).fetchall())
    else:
        raw = sqlite3.connect(path)
        out["baseline_raw_group_by_ms"] = median_ms(lambda: raw.execute(sql).fetchall())
        raw.close()
    ctx.close()
    return out


if __name__ == "__main__":
    for db in sys.argv[1:] or ["/tmp/board_1k.db"]:
        for user in ("boss", "sup1", "rep1"):
            print(json.dumps(run(db, user)), flush=True)
