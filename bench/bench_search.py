"""Search speed (issue 17, target 5; issue 18's pinyin): the list's first page for each kind of search, as a rep
and as an admin, on every database given (1k beside 1M, SQLite and PostgreSQL), target 0.1 s at 1M.

    python bench/bench_search.py DB [DB ...] [--rep rep1] [--admin LOGIN] [--runs 5]

Each DB is a demo database (``tui-crm demo --leads N``; a path or a postgresql:// URL). The bench adds, once,
the probe leads the demo lacks (a lead of the rep: 腾飞科技有限公司, contact 王建林, with a phone and the tag
展会VIP; another 腾飞 lead of another rep), then times ``pages.after`` (what the list asks for its first page)
for: a company fragment (腾飞科技 and a fragment of a demo company), the probe's phone's last four digits
(as its owner), a contact's name, a tag, pinyin in full (tengfei) and initials (tfkj, wjl). Each figure is the
median of ``--runs`` after one warm-up, with the rows found and whether the probe lead is among them. The
baseline, in the same run, is the same search on the first (smallest) database given. On SQLite it also prints
how the rep's search reads the lead table (EXPLAIN QUERY PLAN of each query the page sends): by primary key
or the rep's own owner-index range, never a walk over other reps' leads.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time

PROBE = {"company": "腾飞科技有限公司", "contact_name": "王建林", "phone": "13912345678", "source": "referral",
         "need": "bench_search probe"}
OTHER = {"company": "腾飞物流", "contact_name": "李腾飞", "phone": "13887654321", "source": "referral",
         "need": "bench_search probe"}
TAG = "展会VIP"


def ensure_probes(ctx, rep: str, other: str) -> int:
    """The probe lead's id (added on the first run, as the admin, owned by ``rep``)."""
    from tui_crm.services import leads
    from tui_crm.services.leads import tags
    from tui_crm.store.models import Lead

    found = Lead.get_or_none((Lead.company == PROBE["company"]) & (Lead.need == PROBE["need"]))
    if found is not None:
        return found.id
    view = leads.add_lead(ctx, {**PROBE, "owner": rep}, allow_duplicate=True)
    leads.add_lead(ctx, {**OTHER, "owner": other}, allow_duplicate=True)
    tags.change_tags(ctx, [view.id], add=[TAG])
    return view.id


def demo_fragment(ctx) -> str:
    """Four characters from the middle of a demo company's name (蓝海科技 of 南京蓝海科技有限公司)."""
    from tui_crm.store.models import Lead

    name = Lead.select(Lead.company).where(Lead.company.contains("科技")).order_by(Lead.id).first().company
    i = name.find("科技")
    return name[max(0, i - 2):i + 2]


def plan_lines(ctx, run) -> list[str]:
    """How the lead table is read by the queries ``run`` sends (SQLite's EXPLAIN QUERY PLAN)."""
    db = ctx.db
    cls = type(db)
    execute = cls.execute_sql
    lines: list[str] = []

    def traced(self, sql, params=None, *args, **kwargs):
        if sql.lstrip().upper().startswith("SELECT") and '"lead"' in sql:
            lines.extend(r[3] for r in execute(self, "EXPLAIN QUERY PLAN " + sql, params).fetchall())
        return execute(self, sql, params, *args, **kwargs)

    cls.execute_sql = traced
    try:
        run()
    finally:
        cls.execute_sql = execute
    return sorted({x for x in lines if x.startswith(("SCAN t1", "SEARCH t1", "SCAN lead ", "SEARCH lead "))})


def measure(url: str, rep: str, admin: str | None, runs: int) -> dict:
    from tui_crm.services.context import open_session
    from tui_crm.services.leads import pages
    from tui_crm.store.models import User

    ctx = open_session(url)
    admin = admin or User.select(User.login).where(User.role == "admin").order_by(User.id).first().login
    other = User.select(User.login).where((User.role == "rep") & (User.login != rep)).order_by(User.id).first().login
    ctx.act_as(admin)
    probe = ensure_probes(ctx, rep, other)
    n = ctx.db.execute_sql("SELECT count(*) FROM lead").fetchone()[0]
    searches = {"company fragment": "腾飞科技", "demo company fragment": demo_fragment(ctx),
                "phone last four (owner)": PROBE["phone"][-4:], "contact name": PROBE["contact_name"],
                "tag": "VIP", "pinyin full": "tengfei", "pinyin initials": "tfkj", "pinyin initials (name)": "wjl"}
    out = {"db": url if "://" in url else os.path.basename(url), "backend": "postgres" if ctx.is_postgres else "sqlite",
           "leads": n, "figures": []}
    for login in (rep, admin):
        ctx.act_as(login)
        for kind, text in searches.items():
            query = pages.ListQuery(search=text)
            rows = pages.after(ctx, query, None, 100)  # warm-up (and the scope's size, kept 30 s)
            times = []
            for _ in range(runs):
                t0 = time.perf_counter()
                rows = pages.after(ctx, query, None, 100)
                times.append((time.perf_counter() - t0) * 1000)
            fig = {"kind": kind, "text": text, "login": login, "role": ctx.actor.role,
                   "median_ms": round(statistics.median(times), 1), "best_ms": round(min(times), 1),
                   "rows": len(rows), "probe_found": any(v.id == probe for v in rows)}
            if login == rep and not ctx.is_postgres:
                fig["lead_reads"] = plan_lines(ctx, lambda: pages.after(ctx, query, None, 100))
            out["figures"].append(fig)
    ctx.db.close()
    return out


def main(argv=None) -> list:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("dbs", nargs="+", metavar="DB")
    p.add_argument("--rep", default="rep1")
    p.add_argument("--admin", help="an admin login (default: the first admin)")
    p.add_argument("--runs", type=int, default=5)
    a = p.parse_args(argv)
    os.environ.setdefault("TUI_CRM_LANG", "en")
    load_before = " ".join(f"{x:.1f}" for x in os.getloadavg())
    results = [measure(db, a.rep, a.admin, a.runs) for db in a.dbs]
    base = {}  # the baseline: the same search, login and backend on the smallest database given
    for r in sorted(results, key=lambda r: r["leads"]):
        for f in r["figures"]:
            key = (r["backend"], f["login"], f["kind"])
            if key not in base:
                base[key] = (r["db"], f["median_ms"])
            f["baseline"], f["baseline_ms"] = base[key]
            f["ratio"] = round(f["median_ms"] / base[key][1], 2) if base[key][1] else None
            f["target_ms"] = 100
    out = {"bench": "search", "load_before": load_before,
           "load_after": " ".join(f"{x:.1f}" for x in os.getloadavg()), "results": results}
    print(json.dumps(out, indent=1, ensure_ascii=False))
    return results


if __name__ == "__main__":
    sys.exit(main() and 0)
