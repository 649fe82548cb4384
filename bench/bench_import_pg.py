"""Import speed on PostgreSQL (issue 17, target 4: at least as fast as into SQLite), run by
``python bench/bench_import.py --pg [N ...]``.

The same CSV as the SQLite run, imported through the service into a schema of its own (dropped after)
while another process writes a row every 50 ms and records its waits. Then the physical baseline, the
very rows the importer wrote, raw, in one transaction each: COPY into a copy of ``lead`` with all its
indexes, the same by multi-row INSERT (execute_values, what the bulk path used before COPY), COPY into an
index-less copy, COPY of the leads' search text into a copy of ``lead_search`` (its trigram GIN index: the
search text's table since v21) and of the stage history rows into a copy of ``stage_history``.
``ceiling_rows_per_s_raw_copy`` is one lead, its search text and its history by raw COPY.
"""
from __future__ import annotations

import io
import multiprocessing as mp
import os
import time

PG = os.environ.get("BENCH_PG", "postgresql://postgres@127.0.0.1:5432/test")


def probe(dsn: str, schema: str, stop, out) -> None:
    """Another user's writes: one small transaction every 50 ms; report the waits."""
    import psycopg2

    conn = psycopg2.connect(dsn, options=f"-csearch_path={schema}")
    cur = conn.cursor()
    waits = []
    while not stop.is_set():
        t = time.monotonic()
        cur.execute("INSERT INTO meta(key, value) VALUES ('probe', 'x') ON CONFLICT(key) DO UPDATE SET value='y'")
        conn.commit()
        waits.append(time.monotonic() - t)
        time.sleep(0.05)
    conn.close()
    out.put(waits)


def _copy_of(cur, schema: str, table: str, name: str, indexes: bool) -> None:
    cur.execute(f"DROP TABLE IF EXISTS {name}")
    cur.execute(f"CREATE TABLE {name} (LIKE \"{table}\" INCLUDING DEFAULTS)")
    if indexes:
        cur.execute("SELECT indexdef FROM pg_indexes WHERE schemaname = %s AND tablename = %s", (schema, table))
        for (sql,) in cur.fetchall():
            cur.execute(sql.replace(f" ON {schema}.{table} ", f" ON {schema}.{name} ")
                        .replace("INDEX ", f"INDEX {name}_", 1))


def _timed(conn, work) -> float:
    t = time.perf_counter()
    work()
    conn.commit()
    return time.perf_counter() - t


def run_pg(n: int, folder: str) -> dict:
    import psycopg2
    from psycopg2.extras import execute_values

    from bench_import import write_csv
    from tui_crm.services import importing
    from tui_crm.services.admin.users import add_user
    from tui_crm.services.context import open_session
    from tui_crm.store import bulk, schema as store_schema

    src = os.path.join(folder, f"rows_{n}.csv")
    if not os.path.exists(src):
        write_csv(src, n)
    name = f"bench_import_{os.getpid()}"
    admin = psycopg2.connect(PG)
    admin.autocommit = True
    admin.cursor().execute(f"DROP SCHEMA IF EXISTS {name} CASCADE")
    admin.cursor().execute(f"CREATE SCHEMA {name}")
    try:
        ctx = open_session(f"{PG}?schema={name}")
        add_user(ctx, "admin", "Admin", role="admin")
        ctx.act_as("admin")
        stop, out = mp.Event(), mp.Queue()
        writer = mp.Process(target=probe, args=(PG, name, stop, out))
        writer.start()
        t0 = time.perf_counter()
        res = importing.run_import(ctx, src, importing.ImportOptions())
        seconds = time.perf_counter() - t0
        stop.set()
        waits = out.get()
        writer.join()
        problems = store_schema.check(ctx.db)
        ctx.db.close()
        conn = psycopg2.connect(PG, options=f"-csearch_path={name},public")
        cur = conn.cursor()
        raw = {}
        for table in ("lead", "lead_search", "stage_history"):
            cur.execute(f'SELECT * FROM "{table}" ORDER BY 1')  # by id (lead_search: by lead_id)
            rows = cur.fetchall()
            cols = ", ".join(f'"{d[0]}"' for d in cur.description)
            text = "".join(bulk.copy_line(r) for r in rows)
            _copy_of(cur, name, table, "raw_copy", True)
            conn.commit()
            raw[f"{table}_copy"] = _timed(conn, lambda: cur.copy_expert(f"COPY raw_copy ({cols}) FROM STDIN",
                                                                         io.StringIO(text)))
            if table == "lead":
                _copy_of(cur, name, table, "raw_values", True)
                conn.commit()
                raw["lead_insert_values"] = _timed(conn, lambda: execute_values(
                    cur, f"INSERT INTO raw_values ({cols}) VALUES %s", rows, page_size=20000))
                _copy_of(cur, name, table, "raw_bare", False)
                conn.commit()
                raw["lead_copy_no_index"] = _timed(conn, lambda: cur.copy_expert(
                    f"COPY raw_bare ({cols}) FROM STDIN", io.StringIO(text)))
            cur.execute("DROP TABLE IF EXISTS raw_copy, raw_values, raw_bare")
            conn.commit()
        conn.close()
    finally:
        admin.cursor().execute(f"DROP SCHEMA IF EXISTS {name} CASCADE")
        admin.close()
    us = {k: round(v / n * 1e6, 1) for k, v in raw.items()}
    ceiling = 1e6 / (us["lead_copy"] + us["lead_search_copy"] + us["stage_history_copy"])
    return {"backend": "postgres", "rows": n, "seconds": round(seconds, 2), "rows_per_s": round(n / seconds),
            "new": res.new, "refused": res.refused, "db_check": problems,
            "writer_writes": len(waits), "writer_max_wait_s": round(max(waits, default=0), 3),
            "writer_p99_wait_s": round(sorted(waits)[int(len(waits) * 0.99)] if waits else 0, 3),
            "raw_copy_same_schema_rows_per_s": round(n / raw["lead_copy"]),
            "raw_insert_values_same_schema_rows_per_s": round(n / raw["lead_insert_values"]),
            "raw_copy_no_index_rows_per_s": round(n / raw["lead_copy_no_index"]),
            "raw_us_per_row": us, "ceiling_rows_per_s_raw_copy": round(ceiling), "cores": os.cpu_count()}
