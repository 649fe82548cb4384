"""Report, stats-panel and list-count speed at scale: prints one JSON object per database.

Usage: python bench/bench_report.py DB [DB ...] [--users boss,sup1,rep1] [--no-panel] [--counts-only]
DB: a demo database file or PostgreSQL URL (tui-crm --db DB --user boss demo --leads 1000000); give the
1k one beside the 1M one and each prints its figures, so they read side by side.
Measures, per login: `tui-crm report --format json` as a subprocess (cold process, wall time), the report
service in process for all time, this quarter and this month in the user's zone (read from the summary
tables, schema v14) beside the same report from the lead rows in the same run (``rows_*``: what it was
before v14), the list's status counts (shown, overdue, today, stalled; and without stalled), and the stats
panel opening in a headless app until its figures show. ``--counts-only``: the list's counts alone (no
report, no panel: the report from the lead rows takes minutes at 1M).
"""
from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time


def best(fn, runs: int = 3) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return round(min(times), 3)


def cli(db: str, login: str) -> float:
    t = time.perf_counter()
    subprocess.run([sys.executable, "-m", "tui_crm", "--db", db, "--user", login, "report", "--format", "json"],
                   check=True, capture_output=True)
    return time.perf_counter() - t


def in_process(db: str, login: str, counts_only: bool = False) -> dict:
    from tui_crm.services.context import open_session
    from tui_crm.services.leads import pages
    from tui_crm.services.leads.pages import ListQuery
    from tui_crm.services.reports import figures as rep

    ctx = open_session(db, login)
    out = {}
    for name in () if counts_only else ("all", "quarter", "month"):
        period = rep.preset_period(ctx, name)
        out[f"service_{name}_s"] = best(lambda: rep.report(ctx, period=period))
        out[f"rows_{name}_s"] = best(lambda: rep.report(ctx, period=period, summaries=False), runs=1)
    q = ListQuery()
    out["list_status_counts_s"] = best(lambda: pages.status_counts(ctx, q))
    for name in ("overdue", "today", "stalled"):
        out[f"list_{name}_s"] = best(lambda: pages.count(ctx, ListQuery((name,))))
    out["list_shown_s"] = best(lambda: pages.count(ctx, q))
    out["leads"] = ctx.db.execute_sql("SELECT count(*) FROM lead").fetchone()[0]
    ctx.close()
    return out


async def panel(db: str, login: str) -> float:
    from tui_crm.app import CrmApp
    from tui_crm.services.context import open_session

    ctx = open_session(db, login)
    app = CrmApp(ctx)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        t = time.perf_counter()
        await pilot.press("4")
        while getattr(app.screen, "data", None) is None:
            await asyncio.sleep(0.01)
        took = time.perf_counter() - t
        await pilot.press("q")
    return took


def name(db: str) -> str:
    if db.startswith("postgres"):
        from tui_crm.store.pgurl import redact

        return redact(db)
    return db


def main() -> None:
    args = sys.argv[1:]
    logins = ["boss", "sup1", "rep1"]
    if "--users" in args:
        i = args.index("--users")
        logins = args[i + 1].split(",")
        del args[i:i + 2]
    counts_only = "--counts-only" in args
    with_panel = "--no-panel" not in args and not counts_only
    dbs = [a for a in args if a not in ("--no-panel", "--counts-only")] or ["/tmp/stats_1m.db"]
    for db in dbs:
        out = {"db": name(db), "machine": f"{os.cpu_count()} cores", "load": os.getloadavg()[0], "runs": []}
        for login in logins:
            if counts_only:
                out["runs"].append({"login": login, **in_process(db, login, True)})
                continue
            got = {"login": login, "cli_report_json_s": round(min(cli(db, login) for _ in range(2)), 3),
                   **in_process(db, login)}
            got["service_report_s"] = got["service_all_s"]  # the name run_all.py reads
            if with_panel:
                got["panel_open_s"] = round(asyncio.run(panel(db, login)), 3)
            out["runs"].append(got)
        out["load_after"] = os.getloadavg()[0]
        print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
