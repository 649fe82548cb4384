"""Batch work at scale (issue 15, item 4): "at 100,000 marked leads a batch finishes in seconds with a progress bar
and never blocks other users' writes for more than a second".

    python bench/bench_batch.py [--leads 100000] [--dir /tmp/bench_batch] [--pg | --no-pg] [--actions a,b]

For SQLite (a file in ``--dir``) and PostgreSQL (a database ``bench_batch``, when 127.0.0.1:5432 answers) it loads
the demo (``--leads``, admin ``boss``, 8 reps) once and reuses it, then as the admin marks every lead (``*`` on an
unfiltered list) and runs each action (reassign to one rep, tag, move to a stage, one task for all, mark lost with a
reason) through the service the TUI calls, asks ``db check``'s summary check, then undoes it (the next action finds
the data as it was) and asks again. Meanwhile another process edits
one lead after another as a supervisor (a write of its own transaction, 20 a second) and times each write: its longest
wait is the figure the issue names. Beside each batch, the baseline measured in the same run: the same database
doing the least such a batch must do:, one raw UPDATE of every lead plus one bulk INSERT of a change row per lead,
in one transaction, rolled back. Prints one JSON object per backend.
"""
from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import run_all  # noqa: E402  (bench/ is the script's own folder: its load and PostgreSQL probe)

PG_BASE = "postgresql://postgres@127.0.0.1:5432/"
ACTIONS = {"reassign": {"login": "rep1"}, "tag": {"add": ["展会", "高意向"]},
           "move": {"stage": "qualified", "reason": "bench"}, "task": {"title": "Call after the fair"},
           "lost": {"lost_reason": "invalid contact"}}


def load() -> str:
    return run_all.load(2)


def ensure(url: str, leads: int) -> float | None:
    """The demo database at ``url`` (built once; the seconds it took, None when reused)."""
    from tui_crm.services.admin import demo
    from tui_crm.services.context import open_session
    from tui_crm.store.models import Lead

    if url.startswith("postgresql://"):
        name = url.rsplit("/", 1)[1]
        exists = subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-tAc",
                                 f"SELECT 1 FROM pg_database WHERE datname = '{name}'"], capture_output=True, text=True)
        if exists.stdout.strip() != "1":
            subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", f"CREATE DATABASE {name}"], check=True)
    ctx = open_session(url, upgrade=True)
    try:
        n = Lead.select().count()
        if n >= leads:
            return None
        if n:
            raise SystemExit(f"{url} holds {n} leads, not {leads}: remove it first")
        t = time.perf_counter()
        demo.generate(ctx, leads=leads, reps=8, seed=11, admin_login="boss")
        return round(time.perf_counter() - t, 1)
    finally:
        ctx.close()


# ------------------------------------------------------------------ the other user, writing meanwhile
def writer(url: str, stop, out) -> None:
    """As sup1, edit the leads of their team one after another (each its own transaction), timing each write;
    ``out`` gets the waits in seconds (a write that failed: -1)."""
    from tui_crm.services import leads
    from tui_crm.services.context import open_session
    from tui_crm.store.models import Lead, User

    ctx = open_session(url, "sup1")
    team = User.get(User.login == "sup1").team_id
    members = User.select(User.id).where(User.team == team)
    codes = [c for (c,) in Lead.select(Lead.code).where(Lead.owner.in_(members)).limit(200).tuples()]
    waits, i = [], 0
    out.put("ready")
    while not stop.is_set():
        t = time.perf_counter()
        try:
            leads.update_lead(ctx, codes[i % len(codes)], {"remarks": f"bench write {i}"})
            waits.append(time.perf_counter() - t)
        except Exception:  # noqa: BLE001 — counted: a write that did not happen
            waits.append(-1.0)
        i += 1
        time.sleep(0.05)
    ctx.close()
    out.put(waits)


# ------------------------------------------------------------------ the baseline
def baseline(url: str) -> float:
    """One raw UPDATE of every lead and one bulk INSERT of a change row per lead, one transaction, rolled back."""
    from tui_crm.services.context import open_session
    from tui_crm.store import bulk
    from tui_crm.store.models import Lead

    ctx = open_session(url, "boss")
    db = ctx.db
    ids = [i for (i,) in Lead.select(Lead.id).tuples()]
    t = time.perf_counter()
    with db.atomic() as txn:
        db.execute_sql('UPDATE "lead" SET "updated_at" = "updated_at" + 1, "version" = "version" + 1')
        bulk.insert_rows(db, "change", ("at", "user_id", "entity", "entity_id", "lead_id", "action", "diff"),
                         ((0, None, "lead", i, i, "bench", '{"bench": [null, 1]}') for i in ids))
        took = time.perf_counter() - t
        txn.rollback()
    ctx.close()
    return round(took, 2)


# ------------------------------------------------------------------ one backend
def run_backend(url: str, leads_n: int, actions: list[str]) -> dict:
    from datetime import timedelta

    from tui_crm.services.context import open_session
    from tui_crm.services.leads import batch_run as batch
    from tui_crm.services.leads.pages import ListQuery
    from tui_crm.store import summaries

    built = ensure(url, leads_n)
    out = {"db": url if "://" in url else os.path.basename(url), "leads": leads_n, "built_s": built,
           "baseline": "raw UPDATE of every lead + bulk INSERT of a change per lead, one transaction",
           "baseline_s": baseline(url), "target": "a batch in seconds; another user's write waits <= 1 s",
           "load_before": load(), "actions": []}
    boss = open_session(url, "boss")
    sel = batch.Selection(query=ListQuery())
    ctxmp = mp.get_context("spawn")
    for action in actions:
        params = dict(ACTIONS[action])
        if action == "task":
            params["due"] = boss.now() + timedelta(days=2)
        stop, q = ctxmp.Event(), ctxmp.Queue()
        w = ctxmp.Process(target=writer, args=(url, stop, q))
        w.start()
        assert q.get(timeout=120) == "ready"
        ticks: list[float] = []
        t = time.perf_counter()
        res = batch.run(boss, sel, action, params, progress=lambda a, b: ticks.append(time.perf_counter()))
        took = time.perf_counter() - t
        summaries_after = summaries.check(boss.db)
        t = time.perf_counter()
        back = batch.undo(boss, res.batch_id)
        undo_s = time.perf_counter() - t
        summaries_after_undo = summaries.check(boss.db)
        stop.set()
        waits = q.get(timeout=120)
        w.join(60)
        ok = [x for x in waits if x >= 0]
        out["actions"].append({
            "action": action, "done": res.done, "skipped": res.skipped, "batch_s": round(took, 2),
            "leads_per_s": round(res.done / took) if took else None, "vs_baseline": round(took / out["baseline_s"], 1),
            "progress_updates": len(ticks), "undo_s": round(undo_s, 2), "undone": back.done,
            "undo_vs_baseline": round(undo_s / out["baseline_s"], 1),
            "db_check_after": summaries_after or "ok", "db_check_after_undo": summaries_after_undo or "ok",
            "writer_writes": len(ok), "writer_failed": len(waits) - len(ok),
            "writer_max_wait_s": round(max(ok), 3) if ok else None,
            "writer_median_wait_s": round(statistics.median(ok), 3) if ok else None,
            "load": load()})
        print(json.dumps(out["actions"][-1], ensure_ascii=False), file=sys.stderr, flush=True)
    boss.close()
    out["load_after"] = load()
    return out


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--leads", type=int, default=100_000)
    p.add_argument("--dir", default="/tmp/bench_batch")
    p.add_argument("--pg", dest="pg", action="store_true", default=None)
    p.add_argument("--no-pg", dest="pg", action="store_false")
    p.add_argument("--sqlite", default=None, help="this SQLite file instead of DIR/N.db")
    p.add_argument("--pg-url", default=None, help="this PostgreSQL database instead of bench_batch_N")
    p.add_argument("--pg-only", action="store_true", help="PostgreSQL alone (no SQLite run)")
    p.add_argument("--actions", default=",".join(ACTIONS))
    a = p.parse_args(argv)
    os.makedirs(a.dir, exist_ok=True)
    os.environ.setdefault("TUI_CRM_LANG", "en")
    actions = [x for x in a.actions.split(",") if x]
    urls = [] if a.pg_only else [a.sqlite or os.path.join(a.dir, f"{a.leads}.db")]
    if a.pg_only or a.pg or (a.pg is None and run_all.pg_reachable()):
        urls.append(a.pg_url or f"{PG_BASE}bench_batch_{a.leads}")
    for url in urls:
        print(json.dumps({"bench": "batch", "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
                          "cores": os.cpu_count(), **run_backend(url, a.leads, actions)}, ensure_ascii=False),
              flush=True)


if __name__ == "__main__":
    main()
