"""Scoped reports (supervisor, rep, --owner/--team, a period) take the owner-led path of services/report.py:
an explicit owner list plus the leads shared with the actor, and the stays read from the lead copies on
stage_history (schema v5). Expectations are written by hand from the six-lead story of test_report.py:

completed stays (days): L1 acquired 2, qualified 2, proposal 6 | L2 acquired 3 | L3 acquired 1, qualified 2,
proposal 3 | L4 acquired 1, negotiation 3 | L6 acquired 1 (qualified still running). L5 has none.
Team A owns L1 L2 (rep_a1), L3 L6 (rep_a2); team B owns L4 L5 (rep_b1).
"""
from __future__ import annotations

from datetime import date

import pytest

from tui_crm.services import leads
from tui_crm.services.reports import figures as rep
from tui_crm.store import schema, summary_triggers

from test_report import by_key, six  # noqa: F401  (the fixture)


def days(f):
    return {k: (None if r["avg_days_in_stage"] is None else pytest.approx(r["avg_days_in_stage"]))
            for k, r in by_key(f, "stage").items()}


TEAM_A_DAYS = {"acquired": 7 / 4, "qualified": 2.0, "proposal": 4.5, "negotiation": None, "won": None}


def test_supervisor_team_scope_hand_computed(six):  # noqa: F811
    r = rep.report(six.as_("sup_a"))
    assert r["totals"]["leads"] == 4 and r["totals"]["won"] == 2 and r["totals"]["dormant"] == 1
    assert days(r["funnel"]) == TEAM_A_DAYS
    assert [x["reached"] for x in r["funnel"]] == [4, 4, 3, 2, 2]
    # the same leads asked for by an admin narrowed to team A (the unscoped computation, filtered)
    a = rep.report(six.ctx, team="A")
    assert days(a["funnel"]) == TEAM_A_DAYS and a["totals"] == r["totals"]
    assert a["by_source"] == r["by_source"] and a["by_owner"] == r["by_owner"]


def test_shared_lead_counts_once_in_the_scope(six):  # noqa: F811
    l4 = next(x for x in rep.report(six.ctx)["by_owner"] if x["key"] == "rep_b1")
    assert l4["leads"] == 2
    from tui_crm.store.models import Lead, User
    lead4 = Lead.get((Lead.owner == User.get(User.login == "rep_b1").id) & (Lead.status == "lost"))
    leads.share(six.as_("rep_b1"), lead4.code, "sup_a")
    r = rep.report(six.as_("sup_a"))
    assert (r["totals"]["leads"], r["totals"]["lost"]) == (5, 1)
    assert days(r["funnel"]) == {"acquired": 8 / 5, "qualified": 2.0, "proposal": 4.5, "negotiation": 3.0,
                                 "won": None}
    assert [x["reached"] for x in r["funnel"]] == [5, 5, 4, 3, 2]
    assert r["lost_reasons"] == [{"reason": "Timing", "count": 1, "share": 1.0}]
    # narrowed to rep_b1: only the shared lead, not rep_b1's other lead
    b = rep.report(six.as_("sup_a"), owner="rep_b1")
    assert b["totals"]["leads"] == 1 and days(b["funnel"])["negotiation"] == 3.0
    # narrowed to team A: the shared lead (owned in team B) is out
    assert rep.report(six.as_("sup_a"), team="A")["totals"]["leads"] == 4


def test_reassigned_lead_moves_its_stays_with_it(six):  # noqa: F811
    from tui_crm.store.models import Lead, User
    lead4 = Lead.get((Lead.owner == User.get(User.login == "rep_b1").id) & (Lead.status == "lost"))
    leads.reassign(six.ctx, lead4.code, "rep_a2")
    a = rep.report(six.as_("sup_a"))
    assert a["totals"]["leads"] == 5
    assert days(a["funnel"])["negotiation"] == 3.0 and days(a["funnel"])["acquired"] == 8 / 5
    b = rep.report(six.as_("sup_b"))  # L5 only, still in acquired: no completed stay
    assert b["totals"]["leads"] == 1
    assert days(b["funnel"]) == {k: None for k in TEAM_A_DAYS}
    mine = rep.report(six.as_("rep_a2"))
    assert days(mine["funnel"]) == {"acquired": 3 / 3, "qualified": 2.0, "proposal": 3.0, "negotiation": 3.0,
                                    "won": None}


def test_period_scoped_stays(six):  # noqa: F811
    # created on 2024-10-03 (local): L5 (team B) and L6 (team A)
    p = rep.Period(date(2024, 10, 3), date(2024, 10, 3))
    r = rep.report(six.as_("sup_a"), period=p)
    assert (r["totals"]["leads"], r["totals"]["dormant"]) == (1, 1)
    assert days(r["funnel"]) == {"acquired": 1.0, "qualified": None, "proposal": None, "negotiation": None,
                                 "won": None}
    r1 = rep.report(six.as_("rep_a1"), period=rep.Period(date(2024, 10, 1), date(2024, 10, 1)))
    assert days(r1["funnel"]) == {"acquired": 5 / 2, "qualified": 2.0, "proposal": 6.0, "negotiation": None,
                                  "won": None}


def test_v4_database_upgrades_to_v5(six):  # noqa: F811
    db = six.ctx.db
    pg = six.ctx.is_postgres
    # turn it back into a v4 database: no copies on stage_history, no triggers, no index, no summaries
    summary_triggers.uninstall(db)
    db.execute_sql(f'DROP INDEX "{schema.STAY_INDEX[0]}"')
    for trig, table in (("stage_history_lead_copy", "stage_history"), ("stage_history_lead_move", "stage_history"),
                        ("lead_history_copy", "lead")):
        db.execute_sql(f"DROP TRIGGER IF EXISTS {trig}" + (f" ON {table}" if pg else ""))
    for col in schema.STAY_COLUMNS:
        db.execute_sql(f"ALTER TABLE stage_history DROP COLUMN {col}")
    db.execute_sql("UPDATE meta SET value = '4' WHERE key = 'schema_version'")
    assert schema.current_version(db) == 4
    assert schema.upgrade(db) == (4, schema.LATEST)
    assert schema.check(db) == []
    assert days(rep.report(six.as_("sup_a"))["funnel"]) == TEAM_A_DAYS
    assert days(rep.report(six.as_("sup_b"))["funnel"])["negotiation"] == 3.0
    # and the triggers keep the copies in step after the upgrade
    from tui_crm.store.models import Lead, User
    lead4 = Lead.get((Lead.owner == User.get(User.login == "rep_b1").id) & (Lead.status == "lost"))
    leads.reassign(six.ctx, lead4.code, "rep_a1")
    assert days(rep.report(six.as_("sup_a"))["funnel"])["negotiation"] == 3.0
    assert days(rep.report(six.as_("sup_b"))["funnel"])["negotiation"] is None
