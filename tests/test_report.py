"""The report's figures against hand-computed expectations (SQLite and PostgreSQL).

The dataset (built through the services, the clock moved; T0 = 2024-10-01 10:00 Shanghai):

lead owner   source   industry amount   story                                              status
L1   rep_a1  expo     制造业   1000.00  first contact T0+1d; qualified T0+2d; proposal T0+4d;
                                        won T0+10d for 1200.00 (cycle 9 d)                 won
L2   rep_a1  website  –        none     won at T0+3d straight from acquired (skips every
                                        stage), 500.00, no first contact (cycle 3 d)       won
L3   rep_a2  expo     制造业   2000.00  qualified T0+1d; proposal T0+3d; lost T0+6d;
                                        reopened T0+8d (back in proposal)                  in_progress
L4   rep_b1  referral 医疗     3000.00  created T0+1d; jumps to negotiation T0+2d;
                                        lost "Timing" T0+5d                                lost
L5   rep_b1  referral 医疗     333.33   created T0+2d, probability set to 33 %             pending
L6   rep_a2  expo     –        700.00   created T0+2d; qualified T0+3d; dormant T0+4d      dormant
"""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from tui_crm import clock
from tui_crm.services import leads
from tui_crm.services.reports import figures as rep
from tui_crm.store.models import Lead, User

SH = ZoneInfo("Asia/Shanghai")
T0 = datetime(2024, 10, 1, 10, 0, tzinfo=SH)
DAY = timedelta(days=1)


def at(days: float) -> datetime:
    return T0 + timedelta(days=days)


@pytest.fixture
def six(world):
    w = world
    clock.set_now(at(0))
    l1 = w.lead("rep_a1", source="expo", industry="制造业", amount_cents=100000,
                first_contact_at=int(at(1).timestamp()))
    l2 = w.lead("rep_a1", source="website")
    l3 = w.lead("rep_a2", source="expo", industry="制造业", amount_cents=200000)
    clock.set_now(at(1))
    l4 = w.lead("rep_b1", source="referral", industry="医疗", amount_cents=300000)
    leads.move_stage(w.as_("rep_a2"), l3.code, "qualified")
    clock.set_now(at(2))
    l5 = w.lead("rep_b1", source="referral", industry="医疗", amount_cents=33333)
    leads.update_lead(w.as_("rep_b1"), l5.code, {"probability": 33})
    l6 = w.lead("rep_a2", source="expo", amount_cents=70000)
    leads.move_stage(w.as_("rep_a1"), l1.code, "qualified")
    leads.move_stage(w.as_("rep_b1"), l4.code, "negotiation")
    clock.set_now(at(3))
    leads.set_outcome(w.as_("rep_a1"), l2.code, "won", {"won_amount_cents": 50000, "product": "P"})
    leads.move_stage(w.as_("rep_a2"), l3.code, "proposal")
    leads.move_stage(w.as_("rep_a2"), l6.code, "qualified")
    clock.set_now(at(4))
    leads.move_stage(w.as_("rep_a1"), l1.code, "proposal")
    leads.set_outcome(w.as_("rep_a2"), l6.code, "dormant", {"wake_up_at": at(30)})
    clock.set_now(at(5))
    leads.set_outcome(w.as_("rep_b1"), l4.code, "lost", {"lost_reason": "Timing"})
    clock.set_now(at(6))
    leads.set_outcome(w.as_("rep_a2"), l3.code, "lost", {"lost_reason": "价格过高"})
    clock.set_now(at(8))
    leads.set_outcome(w.as_("rep_a2"), l3.code, "in_progress", {})
    clock.set_now(at(10))
    leads.set_outcome(w.as_("rep_a1"), l1.code, "won", {"won_amount_cents": 120000, "product": "P"})
    clock.set_now(datetime(2024, 11, 1, 10, 0, tzinfo=SH))
    return w


def by_key(rows, key="key"):
    return {r[key]: r for r in rows}


def test_totals_hand_computed(six):
    t = rep.report(six.ctx)["totals"]
    assert (t["leads"], t["open"], t["won"], t["lost"], t["dormant"]) == (6, 2, 2, 1, 1)
    assert t["conversion_rate"] == 2 / 6
    assert t["win_rate"] == 2 / 3
    assert t["won_amount_cents"] == 170000
    assert t["pipeline_amount_cents"] == 233333  # L3 2000.00 + L5 333.33; L2 has no amount, L6 is dormant
    # L3 2000.00 × 50 % (proposal) + L5 333.33 × 33 % = 1000.00 + 109.9989 → 1110.00 (half up, once)
    assert t["weighted_forecast_cents"] == 111000
    # proposal: 2 won of 4 reached → 2000.00 × 1/2; acquired: 2 of 6 → 333.33 / 3 = 111.11
    assert t["historical_forecast_cents"] == 111111
    assert t["avg_cycle_days"] == pytest.approx((9 + 3) / 2)


def test_funnel_reached_skips_reopen_and_stays(six):
    f = by_key(rep.report(six.ctx)["funnel"], "stage")
    assert list(f) == ["acquired", "qualified", "proposal", "negotiation", "won"]
    # L2 skipped to won: reached all; L4 jumped to negotiation then lost: reached all open stages;
    # L3 lost in proposal then reopened: up to proposal; L6 up to qualified; L5 acquired only
    assert [f[k]["reached"] for k in f] == [6, 5, 4, 3, 2]
    assert f["acquired"]["conversion_to_next"] == 5 / 6
    assert f["qualified"]["conversion_to_next"] == 4 / 5
    assert f["proposal"]["conversion_to_next"] == 3 / 4
    assert f["negotiation"]["conversion_to_next"] == 2 / 3
    assert f["won"]["conversion_to_next"] is None
    # completed stays only: acquired L1 2, L2 3, L3 1, L4 1, L6 1 (L5 still there)
    assert f["acquired"]["avg_days_in_stage"] == pytest.approx(8 / 5)
    assert f["qualified"]["avg_days_in_stage"] == pytest.approx(2.0)  # L1 2, L3 2 (L6 still in it, dormant)
    assert f["proposal"]["avg_days_in_stage"] == pytest.approx(4.5)  # L1 6, L3 3 (its stay since reopening runs)
    assert f["negotiation"]["avg_days_in_stage"] == pytest.approx(3.0)  # L4
    assert f["won"]["avg_days_in_stage"] is None
    assert (f["acquired"]["open_count"], f["acquired"]["open_amount_cents"]) == (1, 33333)
    assert (f["proposal"]["open_count"], f["proposal"]["open_amount_cents"]) == (1, 200000)
    assert (f["qualified"]["open_count"], f["negotiation"]["open_count"], f["won"]["open_count"]) == (0, 0, 0)


def test_breakdowns_have_both_rates(six):
    r = rep.report(six.ctx)
    o = by_key(r["by_owner"])
    assert set(o) == {"rep_a1", "rep_a2", "rep_b1"}
    assert (o["rep_a1"]["leads"], o["rep_a1"]["won"], o["rep_a1"]["lost"]) == (2, 2, 0)
    assert o["rep_a1"]["conversion_rate"] == 1.0 and o["rep_a1"]["win_rate"] == 1.0
    assert o["rep_a1"]["won_amount_cents"] == 170000 and o["rep_a1"]["avg_cycle_days"] == pytest.approx(6)
    assert o["rep_a2"]["conversion_rate"] == 0.0 and o["rep_a2"]["win_rate"] is None  # reopened, nothing closed
    assert o["rep_a2"]["avg_cycle_days"] is None
    assert o["rep_b1"]["conversion_rate"] == 0.0 and o["rep_b1"]["win_rate"] == 0.0
    t = by_key(r["by_team"])
    assert (t["A"]["leads"], t["A"]["won"], t["A"]["lost"], t["A"]["conversion_rate"], t["A"]["win_rate"]) \
        == (4, 2, 0, 0.5, 1.0)
    assert (t["B"]["leads"], t["B"]["won"], t["B"]["lost"], t["B"]["win_rate"]) == (2, 0, 1, 0.0)
    s = by_key(r["by_source"])
    assert (s["expo"]["leads"], s["expo"]["won"], s["expo"]["conversion_rate"]) == (3, 1, 1 / 3)
    assert (s["website"]["leads"], s["website"]["won_amount_cents"]) == (1, 50000)
    assert (s["referral"]["leads"], s["referral"]["lost"], s["referral"]["win_rate"]) == (2, 1, 0.0)
    i = by_key(r["by_industry"])
    assert set(i) == {"制造业", "医疗", None}
    assert (i[None]["leads"], i[None]["won"], i[None]["conversion_rate"]) == (2, 1, 0.5)
    assert (i["制造业"]["won"], i["制造业"]["won_amount_cents"]) == (1, 120000)
    assert r["lost_reasons"] == [{"reason": "Timing", "count": 1, "share": 1.0}]  # L3's loss was undone
    assert r["won_by_month"] == [{"month": "2024-10", "count": 2, "amount_cents": 170000}]


def test_scope_and_filters(six):
    w = six
    mine = rep.report(w.as_("rep_a1"))
    assert mine["totals"]["leads"] == 2 and {r["key"] for r in mine["by_owner"]} == {"rep_a1"}
    sup_b = rep.report(w.as_("sup_b"))["totals"]
    assert (sup_b["leads"], sup_b["lost"], sup_b["pipeline_amount_cents"]) == (2, 1, 33333)
    assert rep.report(w.ctx, owner="rep_a2")["totals"]["leads"] == 2
    tb = rep.report(w.ctx, team="B")
    assert tb["totals"]["leads"] == 2 and [r["key"] for r in tb["by_team"]] == ["B"]
    # a rep asking for someone else's leads gets an empty report, not theirs
    other = rep.report(w.as_("rep_a1"), owner="rep_b1")
    assert other["totals"]["leads"] == 0


def test_empty_scope_has_null_rates(six):
    e = rep.report(six.as_("rep_a1"), owner="rep_b1")
    t = e["totals"]
    assert (t["conversion_rate"], t["win_rate"], t["avg_cycle_days"]) == (None, None, None)
    assert (t["won_amount_cents"], t["pipeline_amount_cents"], t["weighted_forecast_cents"],
            t["historical_forecast_cents"]) == (0, 0, 0, 0)
    assert all(r["reached"] == 0 and r["conversion_to_next"] is None and r["avg_days_in_stage"] is None
               for r in e["funnel"])
    assert e["by_owner"] == [] and e["lost_reasons"] == [] and e["won_by_month"] == []
    j = rep.to_json(e)
    assert j["totals"]["conversion_rate"] is None and j["totals"]["won_amount"] == 0


def test_period_on_creation_inclusive_local_dates(six):
    ctx = six.ctx
    t = rep.report(ctx, period=rep.Period(date(2024, 10, 2), None))["totals"]
    assert t["leads"] == 3  # L4 (10-02), L5 and L6 (10-03)
    t = rep.report(ctx, period=rep.Period(None, date(2024, 10, 1)))["totals"]
    assert (t["leads"], t["won"]) == (3, 2)  # L1, L2, L3
    t = rep.report(ctx, period=rep.Period(date(2024, 10, 2), date(2024, 10, 2)))["totals"]
    assert t["leads"] == 1 and t["win_rate"] == 0.0  # L4 alone


def _won_at(world, login, when: datetime, cents=10000, created=None):
    clock.set_now(created or when - timedelta(hours=1))
    v = world.lead(login, amount_cents=cents)
    clock.set_now(when)
    leads.set_outcome(world.as_(login), v.code, "won", {"won_amount_cents": cents, "product": "P",
                                                         "reason": "a long talk"})
    return v


def test_day_and_month_boundaries_in_the_users_zone(world):
    # 23:59:59 on Oct 31 and 00:00:00 on Nov 1 in Shanghai are 15:59:59 and 16:00:00 UTC on Oct 31
    _won_at(world, "rep_a1", datetime(2024, 10, 31, 23, 59, 59, tzinfo=SH), 100,
            created=datetime(2024, 10, 31, 23, 0, tzinfo=SH))
    _won_at(world, "rep_a1", datetime(2024, 11, 1, 0, 0, 0, tzinfo=SH), 200,
            created=datetime(2024, 11, 1, 0, 0, tzinfo=SH))
    clock.set_now(datetime(2024, 11, 1, 10, tzinfo=SH))
    r = rep.report(world.ctx)
    assert r["won_by_month"] == [{"month": "2024-10", "count": 1, "amount_cents": 100},
                                 {"month": "2024-11", "count": 1, "amount_cents": 200}]
    oct_ = rep.report(world.ctx, period=rep.Period(date(2024, 10, 1), date(2024, 10, 31)))
    assert oct_["totals"]["leads"] == 1 and oct_["totals"]["won_amount_cents"] == 100
    assert oct_["won_by_month"] == [{"month": "2024-10", "count": 1, "amount_cents": 100}]
    nov = rep.report(world.ctx, period=rep.Period(date(2024, 11, 1), date(2024, 11, 1)))
    assert nov["totals"]["leads"] == 1 and nov["won_by_month"][0]["month"] == "2024-11"


def test_month_buckets_follow_dst(world):
    """New York: 00:30 on Nov 1 is EDT (UTC-4), whatever the offset is on the day the report runs."""
    ny = ZoneInfo("America/New_York")
    User.update(tz="America/New_York").where(User.login << ["rep_a1", "boss"]).execute()
    _won_at(world, "rep_a1", datetime(2024, 11, 1, 0, 30, tzinfo=ny), 100,   # 04:30Z: November in New York
            created=datetime(2024, 11, 1, 0, 10, tzinfo=ny))  # 04:10Z: created on Nov 1 in New York
    _won_at(world, "rep_a1", datetime(2024, 3, 31, 23, 30, tzinfo=ny), 200)  # 03:30Z Apr 1: March in New York
    _won_at(world, "rep_a1", datetime(2024, 3, 1, 0, 15, tzinfo=ny), 400)    # EST, 05:15Z: March
    clock.set_now(datetime(2024, 12, 15, 12, tzinfo=timezone.utc))  # winter: EST (UTC-5) now
    r = rep.report(world.as_("boss"))
    got = {m["month"]: (m["count"], m["amount_cents"]) for m in r["won_by_month"]}
    assert got["2024-03"] == (2, 600) and got["2024-04"] == (0, 0) and got["2024-11"] == (1, 100)
    assert got["2024-10"] == (0, 0)
    assert list(got)[0] == "2024-03" and list(got)[-1] == "2024-11"  # every month of the span, in order
    # inclusive local dates: Nov 1 in New York starts at 04:00Z (EDT)
    nov1 = rep.report(world.as_("boss"), period=rep.Period(date(2024, 11, 1), date(2024, 11, 1)))
    assert nov1["won_by_month"] == [{"month": "2024-11", "count": 1, "amount_cents": 100}]


def test_won_per_month_counts_the_period_s_leads_like_every_other_figure(world):
    """Issue 12 defect 11: with a period set, won per month counted every deal won in it, whatever its creation
    (owner rep3 this quarter: Won 10 beside 8+8+3); the period is on the creation time for every figure."""
    _won_at(world, "rep_a1", datetime(2024, 10, 20, 10, tzinfo=SH), 100, created=datetime(2024, 9, 25, 10, tzinfo=SH))
    _won_at(world, "rep_a1", datetime(2024, 10, 21, 10, tzinfo=SH), 200, created=datetime(2024, 10, 2, 10, tzinfo=SH))
    _won_at(world, "rep_a1", datetime(2024, 11, 5, 10, tzinfo=SH), 400, created=datetime(2024, 10, 30, 10, tzinfo=SH))
    clock.set_now(datetime(2024, 11, 10, 10, tzinfo=SH))
    for ctx, owner in ((world.ctx, None), (world.ctx, "rep_a1"), (world.as_("rep_a1"), None)):
        r = rep.report(ctx, owner=owner, period=rep.Period(date(2024, 10, 1), date(2024, 10, 31)))
        assert r["totals"]["won"] == 2 == sum(m["count"] for m in r["won_by_month"])
        assert r["won_by_month"] == [{"month": "2024-10", "count": 1, "amount_cents": 200},
                                     {"month": "2024-11", "count": 1, "amount_cents": 400}]
        everything = rep.report(ctx, owner=owner)
        assert sum(m["count"] for m in everything["won_by_month"]) == everything["totals"]["won"] == 3


def test_won_lead_without_won_time_does_not_skew_cycle(world):
    v = _won_at(world, "rep_a1", at(4), 100, created=at(0))  # cycle 4 days (no first contact)
    w2 = _won_at(world, "rep_a1", at(6), 100, created=at(0))
    Lead.update(won_at=None).where(Lead.id == w2.id).execute()  # e.g. an import without a close date
    t = rep.report(world.ctx)["totals"]
    assert t["won"] == 2 and t["avg_cycle_days"] == pytest.approx(4.0)
    assert v.code


def test_json_shape_and_money(six):
    j = rep.to_json(rep.report(six.ctx))
    assert list(j["totals"])[:12] == ["leads", "open", "won", "lost", "dormant", "conversion_rate", "win_rate",
                                      "won_amount", "pipeline_amount", "weighted_forecast",
                                      "historical_forecast", "avg_cycle_days"]
    assert j["totals"]["pipeline_amount"] == 2333.33 and j["totals"]["historical_forecast"] == 1111.11
    assert set(j["funnel"][0]) >= {"stage", "reached", "conversion_to_next", "avg_days_in_stage", "open_count",
                                   "open_amount"}
    for section in ("by_owner", "by_team", "by_source", "by_industry"):
        assert set(j[section][0]) >= {"key", "leads", "won", "lost", "conversion_rate", "win_rate", "won_amount",
                                      "avg_cycle_days"}
    assert j["won_by_month"] == [{"month": "2024-10", "count": 2, "amount": 1700.0}]


def test_money_halfway_rounds_up_exactly(world):
    # 0.05 × 50 % = 0.025 → 0.03 (half up, exact), twice: 0.05 → and the sum rounded once: 0.05
    a = world.lead("rep_a1", amount_cents=5)
    leads.move_stage(world.as_("rep_a1"), a.code, "proposal")
    t = rep.report(world.ctx)["totals"]
    assert t["weighted_forecast_cents"] == 3
    b = world.lead("rep_a1", amount_cents=5)
    leads.move_stage(world.as_("rep_a1"), b.code, "proposal")
    assert rep.report(world.ctx)["totals"]["weighted_forecast_cents"] == 5
