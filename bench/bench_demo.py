"""Demo data load speed (issue 2: 1,000,000 leads in under 2 minutes).

    python bench/bench_demo.py [N ...]        # default: 10000 100000 1000000

Prints one JSON object per size: seconds, leads/s, rows written, database size, and a
physical baseline: raw sqlite3 executemany of the same number of narrow lead rows.
"""
from __future__ import annotations

import json
import os
import sqlite3
import sys
import tempfile
import time


def run(n: int) -> dict:
    from tui_crm.services.admin import demo
    from tui_crm.services.context import open_session
    from tui_crm.store import db as store_db

    folder = tempfile.mkdtemp(prefix="bench_demo_")
    path = os.path.join(folder, "demo.db")
    ctx = open_session(path)
    t0 = time.perf_counter()
    demo.generate(ctx, leads=n, reps=max(8, n // 5000), seed=1, admin_login="boss")
    seconds = time.perf_counter() - t0
    rows = {t: ctx.db.execute_sql(f'SELECT count(*) FROM "{t}"').fetchone()[0]
            for t in ("lead", "stage_history", "follow_up", "task")}
    store_db._OPEN.pop(path).close()
    size = sum(os.path.getsize(os.path.join(folder, f)) for f in os.listdir(folder))
    # baseline: the same number of rows, raw executemany into an unindexed table
    base = sqlite3.connect(os.path.join(folder, "raw.db"))
    base.execute("PRAGMA journal_mode=wal")
    base.execute("CREATE TABLE lead (id INTEGER PRIMARY KEY, code TEXT, company TEXT, phone TEXT, amount INTEGER)")
    t1 = time.perf_counter()
    with base:
        base.executemany("INSERT INTO lead VALUES (?,?,?,?,?)",
                         ((i, f"EXPO-{i}", f"Company {i}", f"+86138{i:08d}", i * 100) for i in range(n)))
    raw = time.perf_counter() - t1
    base.close()
    return {"leads": n, "seconds": round(seconds, 2), "leads_per_s": round(n / seconds), "rows": rows,
            "db_mb": round(size / 2**20, 1), "raw_executemany_s": round(raw, 2)}


if __name__ == "__main__":
    sizes = [int(a) for a in sys.argv[1:]] or [10_000, 100_000, 1_000_000]
    for n in sizes:
        print(json.dumps(run(n)), flush=True)
