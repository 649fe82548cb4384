"""Lead list speed: first paint and keystrokes of the virtual list at 1k and 1M leads,
beside a plain Textual DataTable holding every row (the baseline).

    python bench/bench_list.py [--big /tmp/you_1m.db] [--baseline-rows 100000]

Builds a 1k database in a temp dir; the 1M one is reused (build it with
`tui-crm --db /tmp/<you>_1m.db --user boss demo --leads 1000000`). Prints JSON.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests"))

from tui_crm.services.admin import demo  # noqa: E402
from tui_crm.services import leads  # noqa: E402
from tui_crm.services.leads import pages  # noqa: E402
from tui_crm.services.context import open_session  # noqa: E402
from tui_helpers import running, settle  # noqa: E402


async def measure_virtual(url: str, login: str, size=(80, 24)) -> dict:
    from tui_crm.app import CrmApp

    ctx = open_session(url, login)
    pages.ensure_indexes(ctx)
    app = CrmApp(ctx, tick_seconds=0)
    before = pages.STATS["rows"]
    t0 = time.perf_counter()
    out: dict = {"login": login}
    async with app.run_test(size=size) as pilot:
        table = None
        while True:
            await asyncio.sleep(0.002)
            scr = app.screen
            if hasattr(scr, "table") and scr.table.rows:
                table = scr.table
                break
        await pilot.pause()
        out["first_paint_ms"] = round((time.perf_counter() - t0) * 1000, 1)
        await settle(app)
        out["counts_ready_ms"] = round((time.perf_counter() - t0) * 1000, 1)
        out["total"] = table.total
        out["rows_fetched_first_paint"] = pages.STATS["rows"] - before

        async def keys(*ks, n=20):
            t = time.perf_counter()
            for _ in range(n):
                await pilot.press(*ks)
                await settle(app, rounds=1)
            return round((time.perf_counter() - t) * 1000 / (n * len(ks)), 2)

        out["key_down_ms"] = await keys("down", n=40)
        out["key_pagedown_ms"] = await keys("pagedown", n=20)
        t = time.perf_counter()
        await pilot.press("end")
        await settle(app, rounds=1)
        out["key_end_ms"] = round((time.perf_counter() - t) * 1000, 1)
        await pilot.press("home")
        await settle(app)
        # a new query: the first page arrives on its own; counts follow on their own thread
        t = time.perf_counter()
        rows = table.rows
        app.screen.action_toggle("overdue")
        while table.rows is rows:
            await asyncio.sleep(0.002)
        out["filter_first_page_ms"] = round((time.perf_counter() - t) * 1000, 1)
        await settle(app)
        app.screen.action_toggle("overdue")
        await settle(app)
        # search as a quick typist types (80 ms between keys): time from the last key to its result.
        # (Pilot.press waits for the app to go idle after each key, counts included, so it is not used here.)
        out["search"] = {}
        search = app.screen.query_one("#search")
        for word in ("科技", "科技有限", "5678", "Acme"):
            search.value = ""
            await settle(app)
            for i in range(1, len(word) + 1):
                search.value = word[:i]
                await asyncio.sleep(0.08)
            t = time.perf_counter()
            while not (app.screen.list_query.search == word and not running(app.screen, "reload")):
                await asyncio.sleep(0.002)
            out["search"][word] = {"ms_after_last_key": round((time.perf_counter() - t) * 1000, 1),
                                   "rows": len(table.rows)}
        out["rows_fetched_total"] = pages.STATS["rows"] - before
        await settle(app)
    return out


async def measure_datatable(url: str, login: str, rows: int, size=(80, 24)) -> dict:
    """The baseline: every row loaded into a plain DataTable, then the first paint."""
    from textual.app import App
    from textual.widgets import DataTable

    ctx = open_session(url, login)
    t0 = time.perf_counter()
    views = leads.list_leads(ctx, limit=rows)
    load = time.perf_counter() - t0

    class Plain(App):
        def compose(self):
            yield DataTable()

        def on_mount(self):
            t = self.query_one(DataTable)
            t.add_columns("code", "company", "contact", "stage", "status", "next")
            t.add_rows([(v.code, v.company, v.contact_name, v.stage, v.status, str(v.next_follow_up_at))
                        for v in views])

    app = Plain()
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        paint = time.perf_counter() - t0
        t = time.perf_counter()
        for _ in range(20):
            await pilot.press("down")
        key = (time.perf_counter() - t) * 1000 / 20
    return {"rows": len(views), "load_ms": round(load * 1000, 1), "first_paint_ms": round(paint * 1000, 1),
            "key_down_ms": round(key, 2)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--big", default="/tmp/rep_1m.db")
    ap.add_argument("--baseline-rows", type=int, default=100_000)
    args = ap.parse_args()
    os.environ.setdefault("TUI_CRM_NOW", "2024-11-01T10:00:00+08:00")
    out = {"machine": f"{os.cpu_count()} cores", "results": []}
    small = os.path.join(tempfile.mkdtemp(), "k1.db")
    ctx = open_session(small)
    demo.generate(ctx, leads=1000, reps=8, seed=1, admin_login="boss")
    ctx.close()
    runs = [("1k", small)] + ([("1M", args.big)] if os.path.exists(args.big) else [])
    for name, url in runs:
        for login in ("boss", "rep1"):
            r = asyncio.run(measure_virtual(url, login))
            r["size"] = name
            out["results"].append(r)
            print(json.dumps(r), file=sys.stderr)
    out["baseline_datatable"] = [asyncio.run(measure_datatable(small, "boss", 1000))]
    if args.baseline_rows and os.path.exists(args.big):
        out["baseline_datatable"].append(asyncio.run(measure_datatable(args.big, "boss", args.baseline_rows)))
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
