"""Demo data load speed (issue 2: 1,000,000 leads in under 2 minutes).

    python bench/bench_demo.py [N ...]        # default: 10000 100000 1000000
    python bench/bench_demo.py --pg [N ...]   # into PostgreSQL: a schema of its own (dropped after) in
                                              # $BENCH_PG or postgresql://postgres@127.0.0.1:5432/test

Prints one JSON object per size: seconds, leads/s, rows written, database size, and a
physical baseline: raw sqlite3 executemany of the same number of narrow lead rows (on PostgreSQL:
raw COPY of them into an unindexed table).
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


def run_pg(n: int) -> dict:
    import io

    import psycopg2

    from tui_crm.services.admin import demo
    from tui_crm.services.context import open_session
    from tui_crm.store import bulk, db as store_db

    base_url = os.environ.get("BENCH_PG", "postgresql://postgres@127.0.0.1:5432/test")
    name = f"bench_demo_{os.getpid()}"
    admin = psycopg2.connect(base_url)
    admin.autocommit = True
    cur = admin.cursor()
    cur.execute(f"DROP SCHEMA IF EXISTS {name} CASCADE")
    cur.execute(f"CREATE SCHEMA {name}")
    try:
        url = f"{base_url}?schema={name}"
        ctx = open_session(url)
        t0 = time.perf_counter()
        demo.generate(ctx, leads=n, reps=max(8, n // 5000), seed=1, admin_login="boss")
        seconds = time.perf_counter() - t0
        rows = {t: ctx.db.execute_sql(f'SELECT count(*) FROM "{t}"').fetchone()[0]
                for t in ("lead", "stage_history", "follow_up", "task")}
        store_db._OPEN.pop(url).close()
        cur.execute(f"SELECT pg_size_pretty(sum(pg_total_relation_size(c.oid))) FROM pg_class c JOIN pg_namespace s "
                    f"ON s.oid = c.relnamespace WHERE s.nspname = '{name}' AND c.relkind = 'r'")
        size = cur.fetchone()[0]
        cur.execute(f"CREATE TABLE {name}.raw (id BIGINT PRIMARY KEY, code TEXT, company TEXT, phone TEXT, "
                    "amount BIGINT)")
        text = "".join(bulk.copy_line((i, f"EXPO-{i}", f"Company {i}", f"+86138{i:08d}", i * 100)) for i in range(n))
        admin.autocommit = False
        t1 = time.perf_counter()
        cur.copy_expert(f"COPY {name}.raw FROM STDIN", io.StringIO(text))
        admin.commit()
        raw = time.perf_counter() - t1
        admin.autocommit = True
    finally:
        cur.execute(f"DROP SCHEMA IF EXISTS {name} CASCADE")
        admin.close()
    return {"backend": "postgres", "leads": n, "seconds": round(seconds, 2), "leads_per_s": round(n / seconds),
            "rows": rows, "db_size": size, "raw_executemany_s": round(raw, 2), "raw": "COPY of narrow rows"}


if __name__ == "__main__":
    args = sys.argv[1:]
    pg = args[:1] == ["--pg"]
    sizes = [int(a) for a in args[pg:]] or ([100_000] if pg else [10_000, 100_000, 1_000_000])
    for n in sizes:
        print(json.dumps(run_pg(n) if pg else {"backend": "sqlite", **run(n)}), flush=True)
