"""Report and stats-panel speed at scale: prints JSON figures.

Usage: python bench/bench_report.py DB [LOGIN ...]
Build the database first: tui-crm --db /tmp/stats_1m.db --user boss demo --leads 1000000
Measures, per login: `tui-crm report --format json` as a subprocess (cold process, wall time), the
report service in process, and the stats panel opening in a headless app until its figures show.
"""
from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time


def cli(db: str, login: str) -> float:
    t = time.perf_counter()
    subprocess.run([sys.executable, "-m", "tui_crm", "--db", db, "--user", login, "report", "--format", "json"],
                   check=True, capture_output=True)
    return time.perf_counter() - t


def service(db: str, login: str) -> float:
    from tui_crm.services.reports import figures as rep
    from tui_crm.services.context import open_session

    ctx = open_session(db, login)
    t = time.perf_counter()
    rep.report(ctx)
    return time.perf_counter() - t


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


def main() -> None:
    db = sys.argv[1]
    logins = sys.argv[2:] or ["boss"]
    out = {"db": db, "machine": "2 cores", "runs": []}
    for login in logins:
        out["runs"].append({"login": login,
                            "cli_report_json_s": round(min(cli(db, login) for _ in range(2)), 3),
                            "service_report_s": round(min(service(db, login) for _ in range(2)), 3),
                            "panel_open_s": round(asyncio.run(panel(db, login)), 3)})
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
