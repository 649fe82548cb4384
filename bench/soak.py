"""Soak (issue 14): N minutes of six command-line writers and two headless TUIs per backend, with one
of their PostgreSQL connections terminated every minute; then every write is checked.

    python bench/soak.py [--minutes 10] [--backend sqlite|postgres|both] [--kill-every 60]
                         [--writers 6] [--tuis 2] [--pause 0.5]

- A writer is a process calling the command line's ``main`` (``tui-crm --user boss log CODE
  --method phone --summary S``) in a loop, each summary unique, on a few shared leads (they contend for the rows);
  a write is timed from the call to its return.
- A TUI is a process running the real app headless (Textual's Pilot): it logs follow-ups through
  the follow-up form (``f``, the summary typed, ``ctrl+s``, timed until the form closes) and walks the
  screens (list, board, stats, queue) between writes.
- PostgreSQL: a database of its own (``soak_<random>``, dropped after); every ``--kill-every``
  seconds one connection of the soak's processes is ended with ``pg_terminate_backend``.
- Afterwards: a summary the writer was told was saved must be stored once; one it was told was not
  saved must be absent; none may be stored twice (``lost``, ``doubled``); a process that ended
  with an error or a traceback is a crash. Prints one JSON object per backend.
"""
from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid

PG_SERVER = os.environ.get("TUI_CRM_SOAK_PG", "postgresql://postgres@127.0.0.1:5432")
LEADS = 6


# ------------------------------------------------------------------ roles (child processes)
def writer(url: str, codes: list[str], name: str, until: float, pause: float, out: str) -> None:
    from tui_crm.cli import main

    n = 0
    with open(out, "a", encoding="utf-8") as log:
        while time.time() < until:
            n += 1
            summary = f"soak {name} #{n}"
            code = random.choice(codes)
            err = io.StringIO()
            t0 = time.perf_counter()
            with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
                try:
                    rc = main(["--db", url, "--user", "boss", "log", code, "--method", "phone", "--summary", summary])
                except SystemExit as exc:  # argparse: a bad command line
                    rc = exc.code
            ms = (time.perf_counter() - t0) * 1000
            log.write(json.dumps({"summary": summary, "ok": rc == 0, "ms": ms, "error": err.getvalue().strip(),
                                  "unsure": "may or may not" in err.getvalue()}) + "\n")
            log.flush()
            time.sleep(pause)


async def tui(url: str, login: str, name: str, until: float, pause: float, out: str) -> None:
    from tui_crm.app import CrmApp
    from tui_crm.services.context import open_session

    app = CrmApp(open_session(url, login), tick_seconds=1.0, poll_seconds=0.5)
    n = 0
    with open(out, "a", encoding="utf-8") as log:
        async with app.run_test(size=(120, 36), headless=True) as pilot:
            await asyncio.sleep(1)
            while time.time() < until:
                for key in random.sample(["1", "3", "4", "2", "1"], 3):
                    await pilot.press(key)
                    await asyncio.sleep(pause)
                await pilot.press("1")
                await asyncio.sleep(pause)
                if not app.screen.table.rows:
                    continue
                n += 1
                summary = f"soak {name} #{n}"
                await pilot.press("f")
                form = await _until(lambda: app.screen if type(app.screen).__name__ == "FollowUpForm" and
                                    app.screen.query("#f-summary") else None, 30)
                if form is None:
                    continue
                form.query_one("#f-summary").value = summary
                t0 = time.perf_counter()
                press = asyncio.create_task(pilot.press("ctrl+s"))
                closed = await _until(lambda: app.screen is not form or "not saved" in _error(form) or
                                      "may or may not" in _error(form), 120)
                ms = (time.perf_counter() - t0) * 1000
                await press
                ok = bool(closed) and app.screen is not form
                log.write(json.dumps({"summary": summary, "ok": ok, "ms": ms, "error": "" if ok else _error(form),
                                      "unsure": "may or may not" in _error(form)}) + "\n")
                log.flush()
                if not ok:
                    form.dismiss(None)
                if not app.is_running:
                    raise SystemExit("the app ended")
        assert app.return_code in (None, 0), app.return_code


def _error(form) -> str:
    try:
        return str(form.query_one("#form-error").render())
    except Exception:  # noqa: BLE001 — the form is gone
        return ""


async def _until(predicate, seconds: float):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if value := predicate():
            return value
        await asyncio.sleep(0.05)
    return None


# ------------------------------------------------------------------ the run
def seed(url: str) -> list[str]:
    from tui_crm.services import admin, leads
    from tui_crm.services.context import open_session

    ctx = open_session(url)
    admin.add_user(ctx, "boss", "Boss", "admin")
    ctx.act_as("boss")
    admin.add_user(ctx, "rep1", "Rep 1", "rep", "A")
    admin.add_user(ctx, "rep2", "Rep 2", "rep", "A")
    codes = []
    for i in range(LEADS):
        rep = open_session(url, "rep1" if i % 2 == 0 else "rep2")
        codes.append(leads.add_lead(rep, {"company": f"Soak Co {i}", "contact_name": "Li", "phone": f"1390000{i:04d}",
                                          "source": "expo", "need": "servers"}).code)
        rep.close()
    ctx.close()
    return codes


def child(role: str, *args: str) -> subprocess.Popen:
    env = dict(os.environ, TUI_CRM_RETRY="60", PYTHONUNBUFFERED="1")
    return subprocess.Popen([sys.executable, __file__, "--role", role, *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)


def stored(url: str) -> dict[str, int]:
    from tui_crm.services.context import open_session

    ctx = open_session(url)
    rows = ctx.db.execute_sql(f"SELECT summary, count(*) FROM follow_up WHERE summary LIKE {ctx.db.param} "
                              "GROUP BY summary", ("soak %",)).fetchall()
    ctx.close()
    return {s: n for s, n in rows}


def killer(dbname: str, every: float, until: float) -> int:
    import psycopg2

    kills = 0
    next_kill = time.time() + every
    while time.time() < until - 5:
        time.sleep(min(1.0, max(0.0, next_kill - time.time())))
        if time.time() < next_kill:
            continue
        next_kill += every
        conn = psycopg2.connect(f"{PG_SERVER}/{dbname}")
        conn.autocommit = True
        cur = conn.cursor()
        cur.execute("SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND "
                    "application_name LIKE 'tui-crm%%' AND pid <> pg_backend_pid()")
        pids = [r[0] for r in cur.fetchall()]
        if pids:
            cur.execute("SELECT pg_terminate_backend(%s)", (random.choice(pids),))
            kills += 1
        conn.close()
    return kills


def soak(backend: str, minutes: float, kill_every: float, writers: int, tuis: int, pause: float) -> dict:
    tmp = tempfile.mkdtemp(prefix="soak-")
    dbname = None
    if backend == "sqlite":
        url = os.path.join(tmp, "soak.db")
    else:
        import psycopg2

        dbname = "soak_" + uuid.uuid4().hex[:10]
        conn = psycopg2.connect(f"{PG_SERVER}/postgres")
        conn.autocommit = True
        conn.cursor().execute(f'CREATE DATABASE "{dbname}"')
        conn.close()
        conn = psycopg2.connect(f"{PG_SERVER}/{dbname}")
        conn.autocommit = True
        conn.cursor().execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        conn.close()
        url = f"{PG_SERVER}/{dbname}"
    try:
        codes = seed(url)
        until = time.time() + minutes * 60
        logs = {f"w{i}": os.path.join(tmp, f"w{i}.jsonl") for i in range(writers)}
        logs |= {f"t{i}": os.path.join(tmp, f"t{i}.jsonl") for i in range(tuis)}
        procs = {name: child("writer", url, ",".join(codes), name, str(until), str(pause), path)
                 for name, path in logs.items() if name.startswith("w")}
        procs |= {name: child("tui", url, f"rep{i % 2 + 1}", name, str(until), str(pause), logs[name])
                  for i, name in enumerate(n for n in logs if n.startswith("t"))}
        kills = killer(dbname, kill_every, until) if dbname and kill_every > 0 else 0
        crashes, errors = 0, []
        for name, p in procs.items():
            try:
                out, err = p.communicate(timeout=minutes * 60 + 300)
            except subprocess.TimeoutExpired:
                p.kill()
                out, err = p.communicate()
            if p.returncode != 0 or "Traceback" in err:
                crashes += 1
                errors.append(f"{name}: exit {p.returncode}: {err.strip()[-400:]}")
        records = []
        for path in logs.values():
            if os.path.exists(path):
                with open(path, encoding="utf-8") as fh:
                    records += [json.loads(line) for line in fh if line.strip()]
        have = stored(url)
        told_saved = [r for r in records if r["ok"]]
        told_not = [r for r in records if not r["ok"] and not r["unsure"]]
        lost = [r["summary"] for r in told_saved if have.get(r["summary"], 0) == 0]
        ghost = [r["summary"] for r in told_not if have.get(r["summary"], 0) > 0]
        doubled = [s for s, n in have.items() if n > 1]
        ms = sorted(r["ms"] for r in told_saved)

        def pct(p: float) -> float | None:
            return round(ms[min(len(ms) - 1, int(p * len(ms)))], 1) if ms else None

        def latency(kind: str) -> dict:
            v = sorted(r["ms"] for r in told_saved if r["summary"].split()[1].startswith(kind))
            return {"n": len(v), "p50_ms": round(statistics.median(v), 1) if v else None,
                    "p99_ms": round(v[min(len(v) - 1, int(0.99 * len(v)))], 1) if v else None}

        return {"backend": backend, "minutes": minutes, "writers": writers, "tuis": tuis, "kills": kills,
                "writes": len(records), "saved": len(told_saved), "told_not_saved": len(told_not),
                "unsure": len(records) - len(told_saved) - len(told_not), "lost": len(lost),
                "saved_though_told_not": len(ghost), "doubled": len(doubled), "crashes": crashes,
                "p50_ms": pct(0.5), "p99_ms": pct(0.99), "cli": latency("w"), "tui": latency("t"),
                "errors": errors[:5] + [r["error"] for r in records if r["error"]][:5]}
    finally:
        from tui_crm.store.models import database_proxy

        if database_proxy.obj is not None:
            database_proxy.obj.close()
        if dbname:
            import psycopg2

            conn = psycopg2.connect(f"{PG_SERVER}/postgres")
            conn.autocommit = True
            conn.cursor().execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')
            conn.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--minutes", type=float, default=10.0)
    ap.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    ap.add_argument("--kill-every", type=float, default=60.0, help="seconds between killed connections (PostgreSQL)")
    ap.add_argument("--writers", type=int, default=6)
    ap.add_argument("--tuis", type=int, default=2)
    ap.add_argument("--pause", type=float, default=0.5, help="seconds between one process's writes")
    ap.add_argument("--role", help=argparse.SUPPRESS)
    args, rest = ap.parse_known_args()
    if args.role == "writer":
        url, codes, name, until, pause, out = rest
        writer(url, codes.split(","), name, float(until), float(pause), out)
        return
    if args.role == "tui":
        url, login, name, until, pause, out = rest
        asyncio.run(tui(url, login, name, float(until), float(pause), out))
        return
    for backend in (["sqlite", "postgres"] if args.backend == "both" else [args.backend]):
        print(json.dumps(soak(backend, args.minutes, args.kill_every, args.writers, args.tuis, args.pause)),
              flush=True)


if __name__ == "__main__":
    main()
