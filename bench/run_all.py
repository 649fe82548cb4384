"""Every bench, beside its baseline, in one run (issue 17, target 6).

    python bench/run_all.py [--dir /tmp/bench_scale] [--sizes 1k,100k,1m] [--pg | --no-pg] [--full]
                            [--use 1m=/tmp/m1.db] [--only bench_start.py,bench_memory.py] [--list]
                            [--markdown FILE]

Builds the demo databases it needs once (``tui-crm demo --leads N``, admin ``boss``) in ``--dir`` and
reuses them on later runs; on PostgreSQL (when 127.0.0.1:5432 answers, unless ``--no-pg``) it builds
``bench_scale_1k`` and ``bench_scale_100k`` the same way (1M there takes longer than a session: ``--full``,
or ``--use pg1m=URL``). Then runs every ``bench/bench_*.py`` in its own process (found in the folder, not
listed: a new bench runs without an edit here) and prints one JSON document: for every figure its value,
the baseline measured in the same run, their ratio, and the machine's load average before and after; and,
on stderr (and in ``--markdown FILE``), the same figures as a table for docs/PERFORMANCE.md with the date
and ``/proc/loadavg``. ``--full`` adds the 1M demo load and the 1M import (several minutes each); without it
they run at 100k. The raw output of each script is kept under ``raw``.

How a bench is called: ``ARGS`` below names the arguments of the benches that need their own (one line
each); any other bench gets every database as positional arguments (``DB [DB ...]``: SQLite paths, then
PostgreSQL URLs). How its output becomes figures: ``SUMMARY`` (one function per bench), or, for any bench,
JSON objects carrying ``"figures": [{"figure", "value", "unit", "baseline", "baseline_value", "target"}]``.
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


def load(digits: int = 1) -> str:
    """/proc/loadavg's three averages (other benches import this and pg_reachable)."""
    return " ".join(f"{x:.{digits}f}" for x in os.getloadavg())


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


# ------------------------------------------------------------------ each bench's figures (one function per bench)
def _start(rows, out, ld):
    o = out[0]
    for db, f in o["figures"].items():
        figure(rows, f"first screen {db}", f["median_s"], "s", "bare Textual app, one line",
               o["baseline_bare_textual_s"], ld, "<= 1.3x")


def _memory(rows, out, ld):
    o, first = out[0], None
    for db, f in o["figures"].items():
        figure(rows, f"peak RSS, list+board+stats+queue+detail, {db}", f["peak_mb"], "MB",
               "bare Textual app under Pilot", o["baseline_bare_textual"]["peak_mb"], ld, "<= 100 MB")
        if first is None:
            first = (db, f["peak_mb"])
        else:
            figure(rows, f"peak RSS {db} vs {first[0]}", f["peak_mb"], "MB", f"same at {first[0]}", first[1], ld,
                   "<= 1.5x")


def _board(rows, out, ld):
    for o in out:
        figure(rows, f"board open ({o.get('user')}, {o.get('leads')} leads)", o.get("open_ms"), "ms",
               "raw sqlite3 GROUP BY stage", o.get("baseline_raw_group_by_ms"), ld)
        figure(rows, f"board column headers ({o.get('user')}, {o.get('leads')} leads)", o.get("summary_ms"), "ms",
               "raw sqlite3 GROUP BY stage", o.get("baseline_raw_group_by_ms"), ld, "<= 200 ms")


def _report(rows, out, ld):
    for o in out:
        for run_ in o.get("runs", []):
            figure(rows, f"report --format json ({run_['login']}, {os.path.basename(o['db'])})",
                   run_["cli_report_json_s"], "s", "report service in process", run_["service_report_s"], ld,
                   "<= 0.5 s")


def _demo(rows, out, ld):
    for o in out:
        pg = o.get("backend") == "postgres"
        figure(rows, f"demo {o['leads']} leads{' (PostgreSQL)' if pg else ''}", o["seconds"], "s",
               f"raw {'COPY' if pg else 'executemany'} of as many narrow rows", o["raw_executemany_s"], ld,
               None if pg else "1M <= 120 s")


def _import(rows, out, ld):
    for o in out:
        rate = o.get("rows_per_s")
        if o.get("backend") == "postgres":
            figure(rows, f"import {o['rows']} rows (PostgreSQL)", rate, "rows/s",
                   "raw COPY of its leads, search text and history, one txn", o.get("ceiling_rows_per_s_raw_copy"), ld)
            figure(rows, f"import {o['rows']} rows (PostgreSQL): other writer's longest wait",
                   o.get("writer_max_wait_s"), "s", "its p99", o.get("writer_p99_wait_s"), ld, "<= 1 s")
            continue
        ceiling = o.get("ceiling_rows_per_s_one_txn_no_python_writes")
        if rate and ceiling:
            figure(rows, f"import {o.get('rows')} rows", rate, "rows/s", "ceiling (raw writes)", ceiling, ld,
                   ">= 7k rows/s at 100k")
            figure(rows, f"import {o.get('rows')} rows", rate, "rows/s", "raw executemany into lead, "
                   "same schema, one txn", o.get("raw_executemany_same_schema_rows_per_s"), ld)
            figure(rows, f"import {o.get('rows')} rows: other writer's longest wait",
                   o.get("writer_max_wait_s"), "s", "its p99", o.get("writer_p99_wait_s"), ld, "<= 1 s")


def bulk_loads(rows, raw) -> None:
    """PostgreSQL's bulk loads beside SQLite's in the same run (bench_demo / bench_import, --pg)."""
    loads: dict = {}  # (bench, backend, size) -> seconds
    for r in raw:
        for o in r["output"] if r["script"] in ("bench_demo.py", "bench_import.py") else []:
            bench = "demo" if r["script"] == "bench_demo.py" else "import"
            loads[(bench, o.get("backend", "sqlite"), o.get("leads") or o.get("rows"))] = o.get("seconds")
    for (bench, backend, size), seconds in loads.items():
        if backend == "postgres":
            figure(rows, f"{bench} {size} on PostgreSQL", seconds, "s", "the same on SQLite, same run",
                   loads.get((bench, "sqlite", size)), raw[0]["load_before"] if raw else "", "<= 1x")


def _list(rows, out, ld):
    o = out[-1]
    b = next(iter({x.get("rows"): x for x in o.get("baseline_datatable", [])}.values()), {})
    for res in o.get("results", []):
        figure(rows, f"list first paint ({res['login']}, {res['size']})", res.get("first_paint_ms"), "ms",
               "DataTable holding the rows", b.get("first_paint_ms") or b.get("mount_ms"), ld)


def _live(rows, out, ld):
    for o in out:
        figure(rows, f"live change seen ({o.get('db', '')})", o.get("median_ms"), "ms", "target", o.get("target_ms"),
               ld, "<= 2000 ms")


def _search(rows, out, ld):
    for r in out[0]["results"]:
        if r["leads"] < 100_000:
            continue  # the baseline's own figures
        for f in r["figures"]:
            figure(rows, f"search {f['kind']} '{f['text']}' ({f['login']}, {r['backend']}, {r['leads']:,} leads)",
                   f["median_ms"], "ms", f"same at {f['baseline']}", f["baseline_ms"], ld, "<= 100 ms")


SUMMARY = {"bench_start.py": _start, "bench_memory.py": _memory, "bench_board.py": _board,
           "bench_report.py": _report, "bench_demo.py": _demo, "bench_import.py": _import, "bench_list.py": _list,
           "bench_live.py": _live, "bench_search.py": _search}


def generic(rows, out, ld):
    """Any bench printing ``{"figures": [{"figure", "value", "unit", "baseline", "baseline_value", ...}]}``."""
    for o in out:
        for f in o.get("figures", []) if isinstance(o.get("figures"), list) else []:
            figure(rows, f["figure"], f.get("value"), f.get("unit", ""), f.get("baseline", "baseline"),
                   f.get("baseline_value"), ld, f.get("target"))


def summarise(raw: list) -> list:
    rows: list = []
    for r in raw:
        if not r["output"]:
            rows.append({"figure": r["script"], "error": r.get("error") or "no output"})
            continue
        try:
            SUMMARY.get(r["script"], generic)(rows, r["output"], r["load_before"])
        except (KeyError, TypeError, IndexError) as exc:  # a script changed its output: keep the raw
            rows.append({"figure": r["script"], "error": f"cannot read its output: {exc!r}"})
    try:
        bulk_loads(rows, raw)
    except (KeyError, TypeError, IndexError) as exc:
        rows.append({"figure": "bulk loads", "error": f"cannot read their output: {exc!r}"})
    return rows


# ------------------------------------------------------------------ how each bench is called (one line each)
# d: {"sqlite": {size: path}, "pg": {size: url}, "sizes": [...], "small": path, "big": path, "full": bool}
ARGS = {
    "bench_start.py": lambda d: [["--user", "boss", *[x for s in d["sizes"] for x in ("--db", d["sqlite"][s])]]],
    "bench_memory.py": lambda d: [["--user", "boss", *d["sqlite"].values(), *d["pg"].values()]],
    "bench_board.py": lambda d: [[d["small"], d["big"]]],  # its baseline is raw sqlite3
    "bench_report.py": lambda d: [[d["big"], "boss", "sup1", "rep1"]],
    "bench_list.py": lambda d: [["--big", d["big"]]],
    "bench_live.py": lambda d: [[d["small"], *d["pg"].values()]],
    "bench_demo.py": lambda d: [["100000", *(["1000000"] if d["full"] else [])], *([["--pg", "100000"]] * bool(d["pg"]))],
    "bench_import.py": lambda d: [["100000", *(["1000000"] if d["full"] else [])], *([["--pg", "100000"]] * bool(d["pg"]))],
    "bench_search.py": lambda d: [["--admin", "boss", d["small"], d["big"], *d["pg"].values()]],
    # its own demo databases of 100k leads (it batches and undoes on them): SQLite, and PostgreSQL when used
    "bench_batch.py": lambda d: [["--leads", "100000", *([] if d["pg"] else ["--no-pg"])]],
}


def every_database(d: dict) -> list[list[str]]:
    """A bench without an entry in ARGS: every database, SQLite then PostgreSQL (``DB [DB ...]``)."""
    return [[*d["sqlite"].values(), *d["pg"].values()]]


def benches() -> list[str]:
    """The bench scripts: bench_*.py that run as a program (a helper module of one, bench_import_pg.py, does not)."""
    def runs(name: str) -> bool:
        with open(os.path.join(HERE, name), encoding="utf-8") as f:
            return '__name__ == "__main__"' in f.read()

    return sorted(f for f in os.listdir(HERE) if f.startswith("bench_") and f.endswith(".py") and runs(f))


def table(out: dict) -> str:
    """The figures as docs/PERFORMANCE.md shows them."""
    try:
        with open("/proc/loadavg") as f:
            loadavg = f.read().strip()
    except OSError:
        loadavg = out["load_after"]
    lines = [f"`python bench/run_all.py`, {out['date']}, {out['cores']} cores, `cat /proc/loadavg` before: "
             f"{out['proc_loadavg_before']}, after: {loadavg}", "",
             "| figure | value | baseline (same run) | ratio | target |", "|---|---|---|---|---|"]
    for f in out["figures"]:
        if "error" in f:
            lines.append(f"| {f['figure']} | – | {f['error']} | – | – |")
        else:
            lines.append(f"| {f['figure']} | {f['value']:,} {f['unit']} | {f['baseline']}: {f['baseline_value']:,} "
                         f"{f['unit']} | {f['ratio']}x | {f['target'] or '–'} |")
    return "\n".join(lines) + "\n"


def main(argv=None) -> dict:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--dir", default="/tmp/bench_scale")
    p.add_argument("--sizes", default="1k,100k,1m")
    p.add_argument("--pg", dest="pg", action="store_true", default=None)
    p.add_argument("--no-pg", dest="pg", action="store_false")
    p.add_argument("--full", action="store_true")
    p.add_argument("--use", action="append", default=[], metavar="SIZE=PATH",
                   help="reuse this demo database for a size (1m=/tmp/m1.db, pg1m=postgresql://...; "
                        "it needs an admin boss)")
    p.add_argument("--only", help="comma-separated scripts to run (e.g. bench_start.py,bench_memory.py)")
    p.add_argument("--list", action="store_true", help="say which benches would run, with which arguments")
    p.add_argument("--markdown", metavar="FILE", help="also write the table to FILE")
    a = p.parse_args(argv)
    sizes = [s for s in a.sizes.split(",") if s]
    given = dict(u.split("=", 1) for u in a.use)
    if a.list:
        d = {"sqlite": {s: given.get(s, f"{a.dir}/{s}.db") for s in sizes}, "pg": {}, "sizes": sizes,
             "full": a.full}
        d.update(small=d["sqlite"][sizes[0]], big=d["sqlite"][sizes[-1]])
        for script in benches():
            print(script, *(" ".join(x) for x in ARGS.get(script, every_database)(d)))
        return {}
    os.makedirs(a.dir, exist_ok=True)
    use_pg = pg_reachable() if a.pg is None else a.pg
    with open("/proc/loadavg") as f:
        proc_before = f.read().strip()
    started = {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "load_before": load(),
               "proc_loadavg_before": proc_before, "cores": os.cpu_count()}
    dbs = {s: given.get(s) or ensure_sqlite(a.dir, s) for s in sizes}
    pg = {s: given.get(f"pg{s}") or ensure_pg(s) for s in sizes if s != "1m" or a.full or f"pg{s}" in given} \
        if use_pg else {}
    d = {"sqlite": dbs, "pg": pg, "sizes": sizes, "small": dbs[sizes[0]], "big": dbs[sizes[-1]], "full": a.full}
    only = set(a.only.split(",")) if a.only else None
    raw = [run(script, *args) for script in benches() if only is None or script in only
           for args in ARGS.get(script, every_database)(d)]
    out = {"bench": "run_all", **started, "load_after": load(), "sqlite": dbs, "postgres": pg or
           ("skipped: --no-pg" if a.pg is False else "skipped: not reachable at 127.0.0.1:5432" if not use_pg
            else {}), "figures": summarise(raw), "raw": raw}
    print(json.dumps(out, indent=1, ensure_ascii=False))
    text = table(out)
    print(text, file=sys.stderr)
    if a.markdown:
        with open(a.markdown, "w") as f:
            f.write(text)
    return out


if __name__ == "__main__":
    main()
