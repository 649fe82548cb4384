"""Memory (issue 17, target 1): peak RSS of the app with the list, board, stats, queue and a lead's
detail opened, at each database given, beside a bare Textual app under Pilot (the baseline) in the
same run.

    python bench/bench_memory.py /tmp/k1.db /tmp/m1.db [--user root] [--trace]

Each figure comes from a fresh process (peak RSS is per process: ``ru_maxrss``), headless (Pilot,
140x40), which opens the screens in the order a user would (1 list, 3 board, 4 stats, 2 queue, then
back to the list and Enter on the first lead) and records the peak after each. ``--trace`` runs the
walk again under tracemalloc and prints the 15 biggest allocation sites still alive after it (what
holds memory). Prints JSON with the machine's load.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))


def peak_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def now_mb() -> float:
    with open("/proc/self/statm") as f:
        return round(int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20, 1)


async def quiet(app, timeout: float = 300.0) -> None:
    """Until no worker runs and no database call is in flight for a few looks in a row."""
    deadline = time.monotonic() + timeout
    calm = 0
    while calm < 5:
        if time.monotonic() > deadline:
            raise TimeoutError("the app never went quiet")
        busy = getattr(app, "db_busy", False) or any(not w.is_finished for w in app.workers)
        calm = 0 if busy or not app.screen.is_mounted else calm + 1
        await asyncio.sleep(0.02)


async def walk(url: str, login: str, trace: bool) -> dict:
    from tui_crm.app import CrmApp
    from tui_crm.services.context import open_session

    if trace:
        import tracemalloc

        tracemalloc.start(12)
    ctx = open_session(url, login)
    app = CrmApp(ctx, tick_seconds=0)
    steps: dict[str, dict] = {}
    t0 = time.perf_counter()
    async with app.run_test(size=(140, 40)) as pilot:
        while not (getattr(app.screen, "table", None) is not None and app.screen.table.rows):
            await asyncio.sleep(0.01)
        await quiet(app)
        steps["list"] = {"peak_mb": peak_mb(), "rss_mb": now_mb(), "s": round(time.perf_counter() - t0, 2)}
        for key, name in (("3", "board"), ("4", "stats"), ("2", "queue")):
            t = time.perf_counter()
            await pilot.press(key)
            await quiet(app)
            steps[name] = {"peak_mb": peak_mb(), "rss_mb": now_mb(), "s": round(time.perf_counter() - t, 2),
                           "screen": type(app.screen).__name__}
        t = time.perf_counter()
        await pilot.press("1")
        await quiet(app)
        await pilot.press("enter")
        await quiet(app)
        steps["detail"] = {"peak_mb": peak_mb(), "rss_mb": now_mb(), "s": round(time.perf_counter() - t, 2),
                           "screen": type(app.screen).__name__}
        out = {"steps": steps, "peak_mb": peak_mb()}
        if trace:
            import tracemalloc

            snap = tracemalloc.take_snapshot().filter_traces([tracemalloc.Filter(False, tracemalloc.__file__)])
            out["traced_mb"] = round(sum(s.size for s in snap.statistics("filename")) / 2**20, 1)
            out["top"] = [{"kb": round(s.size / 1024), "count": s.count,
                           "where": [f"{os.path.relpath(f.filename, os.path.join(HERE, '..'))}:{f.lineno}"
                                     for f in s.traceback[-6:]]}
                          for s in snap.statistics("traceback")[:15]]
    return out


async def bare() -> dict:
    from textual.app import App
    from textual.widgets import Static

    class Bare(App):
        def compose(self):
            yield Static("ready")

    async with Bare().run_test(size=(140, 40)) as pilot:
        await pilot.pause(0.2)
    return {"peak_mb": peak_mb()}


def child(args) -> dict:
    if args.one == "bare":
        return asyncio.run(bare())
    return asyncio.run(walk(args.one, args.user, args.trace))


def measure(target: str, user: str, trace: bool = False) -> dict:
    cmd = [sys.executable, os.path.abspath(__file__), "--one", target, "--user", user] + (["--trace"] if trace else [])
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=1800)
    if out.returncode:
        raise RuntimeError(out.stderr[-2000:])
    return json.loads(out.stdout.strip().splitlines()[-1])


def load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def main(argv=None) -> dict:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("db", nargs="*", default=["/tmp/k1.db"])
    p.add_argument("--user", default="root")
    p.add_argument("--trace", action="store_true")
    p.add_argument("--one", help=argparse.SUPPRESS)
    a = p.parse_args(argv)
    if a.one:
        print(json.dumps(child(a)))
        return {}
    out = {"bench": "memory", "load_before": load(), "baseline_bare_textual": measure("bare", a.user), "figures": {}}
    for db in a.db:
        out["figures"][os.path.basename(db)] = measure(db, a.user)
    first = out["figures"][os.path.basename(a.db[0])]["peak_mb"]
    for name, fig in out["figures"].items():
        fig["ratio_to_first_db"] = round(fig["peak_mb"] / first, 2)
        fig["ratio_to_bare"] = round(fig["peak_mb"] / out["baseline_bare_textual"]["peak_mb"], 2)
    if a.trace:
        out["trace"] = {os.path.basename(db): measure(db, a.user, trace=True) for db in a.db}
    out["load_after"] = load()
    print(json.dumps(out, indent=1))
    return out


if __name__ == "__main__":
    main()
