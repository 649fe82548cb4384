"""Every bench, beside its baseline, in one run (issue 17, target 6).

    python bench/run_all.py [--dir /tmp/bench_scale] [--sizes 1k,100k,1m] [--pg | --no-pg] [--full]
                            [--use 1m=/tmp/m1.db] [--only bench_start.py,bench_memory.py]

Builds the demo databases it needs once (``tui-crm demo --leads N``, admin ``boss``) in ``--dir`` and
reuses them on later runs; on PostgreSQL (when 127.0.0.1:5432 answers, unless ``--no-pg``) it builds
``bench_scale_1k`` and ``bench_scale_100k`` the same way (1M there takes longer than a session: ``--full``).
Then runs each script of bench/ in its own process and prints one JSON document: for every figure its
value, the baseline measured in the same run, their ratio, and the machine's load average before and
after. ``--full`` adds the 1M demo load and the 1M import (several minutes each); without it they run at
100k. The raw output of each script is kept under ``raw``.
"""
from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SIZES = {"1k": 1_000, "100k": 100_000, "1m": 1_000_000}
PG_BASE = "postgresql://postgres@127.0.0.1:5432/"


def load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def pg_reachable() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 5432), timeout=1).close()
        return True
    except OSError:
        return False


def tui_crm(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tui_crm", *args], capture_output=True, text=True, check=check,
                          env={**os.environ, "TUI_CRM_LANG": "en"})


def ensure_sqlite(folder: str, size: str) -> str:
    path = os.path.join(folder, f"{size}.db")
    if os.path.exists(path) and tui_crm("--db", path, "--user", "boss", "leads", "list", "--limit", "1",
                                        check=False).returncode == 0:
        return path
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(path + suffix):
            os.remove(path + suffix)
    t = time.perf_counter()
    tui_crm("--db", path, "--user", "boss", "demo", "--leads", str(SIZES[size]))
    print(f"built {path} in {time.perf_counter() - t:.0f} s", file=sys.stderr)
    return path


def ensure_pg(size: str) -> str:
    name = f"bench_scale_{size}"
    url = PG_BASE + name
    if tui_crm("--db", url, "--user", "boss", "leads", "list", "--limit", "1", check=False).returncode == 0:
        return url
    subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", f"DROP DATABASE IF EXISTS {name}"],
                   capture_output=True)
    subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", f"CREATE DATABASE {name}"],
                   check=True, capture_output=True)
    t = time.perf_counter()
    tui_crm("--db", url, "--user", "boss", "demo", "--leads", str(SIZES[size]))
    print(f"built {url} in {time.perf_counter() - t:.0f} s", file=sys.stderr)
    return url


def objects(text: str) -> list:
    """Every JSON value printed at the start of a line (the scripts print one per line or indented)."""
    dec, out, i = json.JSONDecoder(), [], 0
    while i < len(text):
        j = text.find("{", i)
        if j < 0:
            break
        if j and text[j - 1] != "\n":
            i = j + 1
            continue
        try:
            value, i = dec.raw_decode(text, j)
            out.append(value)
        except ValueError:
            i = j + 1
    return out


def run(script: str, *args: str, timeout: float = 3600) -> dict:
    t = time.perf_counter()
    before = load()
    p = subprocess.run([sys.executable, os.path.join(HERE, script), *args], capture_output=True, text=True,
                       timeout=timeout, env={**os.environ, "TUI_CRM_LANG": "en"})
    got = {"script": script, "args": list(args), "seconds": round(time.perf_counter() - t, 1),
           "load_before": before, "load_after": load(), "output": objects(p.stdout)}
    if p.returncode:
        got["error"] = p.stderr.strip().splitlines()[-3:]
    print(f"{script} {' '.join(args)}: {got['seconds']} s", file=sys.stderr)
    return got


def figure(rows: list, name: str, value, unit: str, baseline_name: str, baseline, load_: str, target=None):
    if value is None or baseline in (None, 0):
        return
    rows.append({"figure": name, "value": value, "unit": unit, "baseline": baseline_name,
                 "baseline_value": baseline, "ratio": round(value / baseline, 2), "target": target, "load": load_})


def summarise(raw: list) -> list:
    rows: list = []
    loads: dict = {}  # (bench, backend, size) -> seconds: PostgreSQL's bulk loads beside SQLite's
    for r in raw:
        out, script, ld = r["output"], r["script"], r["load_before"]
        try:
            if script == "bench_start.py" and out:
                o = out[0]
                for db, f in o["figures"].items():
                    figure(rows, f"first screen {db}", f["median_s"], "s", "bare Textual app, one line",
                           o["baseline_bare_textual_s"], ld, "<= 1.3x")
            elif script == "bench_memory.py" and out:
                o = out[0]
                first = None
                for db, f in o["figures"].items():
                    figure(rows, f"peak RSS, list+board+stats+queue+detail, {db}", f["peak_mb"], "MB",
                           "bare Textual app under Pilot", o["baseline_bare_textual"]["peak_mb"], ld, "<= 100 MB")
                    if first is None:
                        first = (db, f["peak_mb"])
                    else:
                        figure(rows, f"peak RSS {db} vs {first[0]}", f["peak_mb"], "MB", f"same at {first[0]}",
                               first[1], ld, "<= 1.5x")
            elif script == "bench_board.py":
                for o in out:
                    figure(rows, f"board open ({o.get('user')}, {o.get('leads')} leads)", o.get("open_ms"), "ms",
                           "raw sqlite3 GROUP BY stage", o.get("baseline_raw_group_by_ms"), ld)
                    figure(rows, f"board column headers ({o.get('user')}, {o.get('leads')} leads)",
                           o.get("summary_ms"), "ms", "raw sqlite3 GROUP BY stage", o.get("baseline_raw_group_by_ms"),
                           ld, "<= 200 ms")
            elif script == "bench_report.py" and out:
                for o in out:
                    for run_ in o.get("runs", []):
                        figure(rows, f"report --format json ({run_['login']}, {os.path.basename(o['db'])})",
                               run_["cli_report_json_s"], "s", "report service in process",
                               run_["service_report_s"], ld, "<= 0.5 s")
            elif script == "bench_demo.py":
                for o in out:
                    pg = o.get("backend") == "postgres"
                    loads[("demo", o.get("backend", "sqlite"), o["leads"])] = o["seconds"]
                    figure(rows, f"demo {o['leads']} leads{' (PostgreSQL)' if pg else ''}", o["seconds"], "s",
                           f"raw {'COPY' if pg else 'executemany'} of as many narrow rows", o["raw_executemany_s"],
                           ld, None if pg else "1M <= 120 s")
            elif script == "bench_import.py":
                for o in out:
                    rate = o.get("rows_per_s")
                    if o.get("backend") == "postgres":
                        loads[("import", "postgres", o["rows"])] = o["seconds"]
                        figure(rows, f"import {o['rows']} rows (PostgreSQL)", rate, "rows/s",
                               "raw COPY of its leads and history, one txn", o.get("ceiling_rows_per_s_raw_copy"), ld)
                        figure(rows, f"import {o['rows']} rows (PostgreSQL): other writer's longest wait",
                               o.get("writer_max_wait_s"), "s", "its p99", o.get("writer_p99_wait_s"), ld, "<= 1 s")
                        continue
                    loads[("import", "sqlite", o.get("rows"))] = o.get("seconds")
                    ceiling = o.get("ceiling_rows_per_s_one_txn_no_python_writes")
                    if rate and ceiling:
                        figure(rows, f"import {o.get('rows')} rows", rate, "rows/s", "ceiling (raw writes)",
                               ceiling, ld, ">= 7k rows/s at 100k")
                        figure(rows, f"import {o.get('rows')} rows", rate, "rows/s", "raw executemany into lead, "
                               "same schema, one txn", o.get("raw_executemany_same_schema_rows_per_s"), ld)
                        figure(rows, f"import {o.get('rows')} rows: other writer's longest wait",
                               o.get("writer_max_wait_s"), "s", "its p99", o.get("writer_p99_wait_s"), ld, "<= 1 s")
            elif script == "bench_list.py" and out:
                o = out[-1]
                base = {b.get("rows"): b for b in o.get("baseline_datatable", [])}
                b = next(iter(base.values()), {})
                for res in o.get("results", []):
                    figure(rows, f"list first paint ({res['login']}, {res['size']})", res.get("first_paint_ms"),
                           "ms", "DataTable holding the rows", b.get("first_paint_ms") or b.get("mount_ms"), ld)
            elif script == "bench_live.py":
                for o in out:
                    figure(rows, f"live change seen ({o.get('db', '')})", o.get("median_ms"), "ms", "target",
                           o.get("target_ms"), ld, "<= 2000 ms")
        except (KeyError, TypeError, IndexError) as exc:  # a script changed its output: keep the raw
            rows.append({"figure": script, "error": f"cannot read its output: {exc!r}"})
    for (bench, backend, size), seconds in loads.items():
        if backend == "postgres":
            figure(rows, f"{bench} {size} on PostgreSQL", seconds, "s", "the same on SQLite, same run",
                   loads.get((bench, "sqlite", size)), raw[0]["load_before"] if raw else "", "<= 1x")
    return rows


def main(argv=None) -> dict:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--dir", default="/tmp/bench_scale")
    p.add_argument("--sizes", default="1k,100k,1m")
    p.add_argument("--pg", dest="pg", action="store_true", default=None)
    p.add_argument("--no-pg", dest="pg", action="store_false")
    p.add_argument("--full", action="store_true")
    p.add_argument("--use", action="append", default=[], metavar="SIZE=PATH",
                   help="reuse this demo database for a size (e.g. 1m=/tmp/m1.db; it needs an admin boss)")
    p.add_argument("--only", help="comma-separated scripts to run (e.g. bench_start.py,bench_memory.py)")
    a = p.parse_args(argv)
    os.makedirs(a.dir, exist_ok=True)
    sizes = [s for s in a.sizes.split(",") if s]
    use_pg = pg_reachable() if a.pg is None else a.pg
    started = {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "load_before": load(),
               "cores": os.cpu_count()}
    given = dict(u.split("=", 1) for u in a.use)
    dbs = {s: given.get(s) or ensure_sqlite(a.dir, s) for s in sizes}
    pg = {s: ensure_pg(s) for s in sizes if s != "1m" or a.full} if use_pg else {}
    small, big = dbs[sizes[0]], dbs[sizes[-1]]
    every = [
        ("bench_start.py", ["--user", "boss", *[x for s in sizes for x in ("--db", dbs[s])]]),
        ("bench_memory.py", ["--user", "boss", *dbs.values(), *pg.values()]),
        ("bench_board.py", [small, big]),  # its baseline is raw sqlite3
        ("bench_report.py", [big, "boss", "sup1", "rep1"]),
        ("bench_list.py", ["--big", big]),
        ("bench_live.py", [small, *pg.values()]),
        ("bench_demo.py", ["100000", *(["1000000"] if a.full else [])]),
        ("bench_import.py", ["100000", *(["1000000"] if a.full else [])]),
        *([("bench_demo.py", ["--pg", "100000"]), ("bench_import.py", ["--pg", "100000"])] if use_pg else []),
    ]
    only = set(a.only.split(",")) if a.only else None
    raw = [run(script, *args) for script, args in every if only is None or script in only]
    out = {"bench": "run_all", **started, "load_after": load(), "sqlite": dbs, "postgres": pg or
           ("skipped: --no-pg" if a.pg is False else "skipped: not reachable at 127.0.0.1:5432" if not use_pg
            else {}), "figures": summarise(raw), "raw": raw}
    print(json.dumps(out, indent=1, ensure_ascii=False))
    return out


if __name__ == "__main__":
    main()
