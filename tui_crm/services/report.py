"""The numbers of PRODUCT.md §3, computed in one place with SQL aggregates.

Both the stats panel and ``tui-crm report`` call :func:`report`. Money is
integer cents throughout; rates are floats (None when the denominator is 0).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import peewee as pw

from ..domain.vocab import OPEN_STATUSES
from ..store.models import Lead, StageHistory, Team, User
from . import scope
from .context import Session


@dataclass
class Period:
    since: date | None = None
    until: date | None = None


def _rate(num, den):
    return None if not den else num / den


def _period_expr(ctx: Session, period: Period | None) -> pw.Expression | None:
    if not period:
        return None
    expr = None
    if period.since:
        start = int(datetime.combine(period.since, time(0), tzinfo=ctx.tz).timestamp())
        expr = Lead.created_at >= start
    if period.until:
        end = int(datetime.combine(period.until + timedelta(days=1), time(0), tzinfo=ctx.tz).timestamp())
        e = Lead.created_at < end
        expr = e if expr is None else expr & e
    return expr


def _cond(ctx: Session, owner: str | None, team: str | None, period: Period | None) -> pw.Expression:
    cond = scope.narrow(ctx, owner, team)
    p = _period_expr(ctx, period)
    return cond if p is None else cond & p


def _sum_if(expr, value):
    return pw.fn.SUM(pw.Case(None, [(expr, value)], 0))


def _weighted_expr(ctx: Session):
    """amount × probability (percent) in cents×100, exact integers; stage probability when the lead has none."""
    cases = [(Lead.stage == s.key, s.probability) for s in ctx.stages]
    stage_prob = pw.Case(None, cases, 0) if cases else pw.Value(0)
    return Lead.amount_cents * pw.fn.COALESCE(Lead.probability, stage_prob)


def _cycle_expr():
    return Lead.won_at - pw.fn.COALESCE(Lead.first_contact_at, Lead.created_at)


def _group_stats(ctx: Session, cond, key_expr, key_name: str, join_user: bool = False) -> list[dict]:
    is_won = Lead.status == "won"
    q = Lead.select(key_expr.alias("key"), pw.fn.COUNT(Lead.id).alias("leads"),
                    _sum_if(is_won, 1).alias("won"), _sum_if(Lead.status == "lost", 1).alias("lost"),
                    _sum_if(is_won, pw.fn.COALESCE(Lead.won_amount_cents, 0)).alias("won_cents"),
                    _sum_if(is_won, _cycle_expr()).alias("cycle_s"))
    if join_user:
        q = q.join(User, on=(Lead.owner == User.id)).join(Team, pw.JOIN.LEFT_OUTER, on=(User.team == Team.id))
    rows = q.where(cond).group_by(key_expr).order_by(key_expr).dicts()
    out = []
    for r in rows:
        won, lost = int(r["won"] or 0), int(r["lost"] or 0)
        out.append({"key": r["key"], "leads": int(r["leads"]), "won": won, "lost": lost,
                    "conversion_rate": _rate(won, r["leads"]), "win_rate": _rate(won, won + lost),
                    "won_amount_cents": int(r["won_cents"] or 0),
                    "avg_cycle_days": None if not won else float(r["cycle_s"] or 0) / won / 86400})
    return out


def totals(ctx: Session, cond) -> dict:
    is_open = Lead.status.in_(OPEN_STATUSES)
    r = Lead.select(
        pw.fn.COUNT(Lead.id).alias("leads"), _sum_if(is_open, 1).alias("open"),
        _sum_if(Lead.status == "won", 1).alias("won"), _sum_if(Lead.status == "lost", 1).alias("lost"),
        _sum_if(Lead.status == "dormant", 1).alias("dormant"),
        _sum_if(Lead.status == "won", pw.fn.COALESCE(Lead.won_amount_cents, 0)).alias("won_cents"),
        _sum_if(is_open, pw.fn.COALESCE(Lead.amount_cents, 0)).alias("pipeline_cents"),
        _sum_if(is_open, pw.fn.COALESCE(_weighted_expr(ctx), 0)).alias("weighted_x100"),
        _sum_if(Lead.status == "won", _cycle_expr()).alias("cycle_s"),
    ).where(cond).dicts().get()
    leads, won, lost = int(r["leads"] or 0), int(r["won"] or 0), int(r["lost"] or 0)
    return {
        "leads": leads, "open": int(r["open"] or 0), "won": won, "lost": lost, "dormant": int(r["dormant"] or 0),
        "conversion_rate": _rate(won, leads), "win_rate": _rate(won, won + lost),
        "won_amount_cents": int(r["won_cents"] or 0), "pipeline_amount_cents": int(r["pipeline_cents"] or 0),
        # Σ amount × percent / 100, rounded half-up to the cent
        "weighted_forecast_cents": (int(r["weighted_x100"] or 0) + 50) // 100,
        "avg_cycle_days": None if not won else float(r["cycle_s"] or 0) / won / 86400,
    }


def funnel(ctx: Session, cond) -> tuple[list[dict], dict[str, float | None]]:
    """Reached counts per open stage and won; also the historical win share per stage."""
    keys = ctx.stage_keys
    pos = {k: i for i, k in enumerate(keys)}
    pos_case = pw.Case(StageHistory.stage, [(k, i) for k, i in pos.items()], -1)
    hist = (StageHistory.select(StageHistory.lead, pw.fn.MAX(pos_case).alias("maxpos"))
            .group_by(StageHistory.lead).alias("h"))
    last = len(keys)
    reached_pos = pw.Case(None, [(Lead.status == "won", last)], pw.fn.COALESCE(hist.c.maxpos, -1))
    cur_pos = pw.Case(Lead.stage, [(k, i) for k, i in pos.items()], -1)
    reached_expr = pw.fn.MAX(reached_pos, cur_pos) if not ctx.is_postgres else pw.fn.GREATEST(reached_pos, cur_pos)
    rows = (Lead.select(reached_expr.alias("p"), Lead.status, pw.fn.COUNT(Lead.id).alias("n"))
            .join(hist, pw.JOIN.LEFT_OUTER, on=(hist.c.lead_id == Lead.id)).where(cond)
            .group_by(reached_expr, Lead.status).dicts())
    at_least = [0] * (last + 1)
    won_at_least = [0] * (last + 1)
    for r in rows:
        p = int(r["p"])
        if r["status"] == "won":
            p = last
        for i in range(0, max(p, -1) + 1):
            at_least[i] += r["n"]
            if r["status"] == "won":
                won_at_least[i] += r["n"]
    open_rows = {r["stage"]: r for r in Lead.select(Lead.stage, pw.fn.COUNT(Lead.id).alias("n"),
                                                   pw.fn.SUM(pw.fn.COALESCE(Lead.amount_cents, 0)).alias("amt"))
                 .where(cond & Lead.status.in_(OPEN_STATUSES)).group_by(Lead.stage).dicts()}
    stays = {r["stage"]: r for r in StageHistory.select(
        StageHistory.stage, pw.fn.AVG(StageHistory.left_at - StageHistory.entered_at).alias("avg"))
        .join(Lead, on=(StageHistory.lead == Lead.id))
        .where(cond & StageHistory.left_at.is_null(False)).group_by(StageHistory.stage).dicts()}
    out = []
    for i, key in enumerate(keys + ["won"]):
        nxt = at_least[i + 1] if i + 1 <= last else None
        avg = stays.get(key, {}).get("avg")
        o = open_rows.get(key, {})
        out.append({"stage": key, "reached": at_least[i],
                    "conversion_to_next": None if nxt is None else _rate(nxt, at_least[i]),
                    "avg_days_in_stage": None if key == "won" or avg is None else float(avg) / 86400,
                    "open_count": int(o.get("n") or 0), "open_amount_cents": int(o.get("amt") or 0)})
    share = {key: _rate(won_at_least[i], at_least[i]) for i, key in enumerate(keys)}
    return out, share


def historical_forecast(ctx: Session, cond, share: dict[str, float | None]) -> int:
    rows = (Lead.select(Lead.stage, pw.fn.SUM(pw.fn.COALESCE(Lead.amount_cents, 0)).alias("amt"))
            .where(cond & Lead.status.in_(OPEN_STATUSES)).group_by(Lead.stage).dicts())
    total = sum(int(r["amt"] or 0) * (share.get(r["stage"]) or 0) for r in rows)
    return int(round(total))


def lost_reasons(ctx: Session, cond) -> list[dict]:
    rows = list(Lead.select(pw.fn.COALESCE(Lead.lost_reason, "").alias("reason"), pw.fn.COUNT(Lead.id).alias("n"))
                .where(cond & (Lead.status == "lost")).group_by(pw.SQL("1")).order_by(pw.SQL("2 DESC"), pw.SQL("1"))
                .dicts())
    total = sum(r["n"] for r in rows)
    return [{"reason": r["reason"] or "–", "count": r["n"], "share": _rate(r["n"], total)} for r in rows]


def won_by_month(ctx: Session, cond) -> list[dict]:
    """Won count and amount per local month of the won time."""
    offset = int(ctx.now().astimezone(ctx.tz).utcoffset().total_seconds())
    if ctx.is_postgres:
        month = pw.fn.to_char(pw.fn.to_timestamp(Lead.won_at + offset).cast("timestamp"), "YYYY-MM")
    else:
        month = pw.fn.strftime("%Y-%m", Lead.won_at + offset, "unixepoch")
    rows = (Lead.select(month.alias("month"), pw.fn.COUNT(Lead.id).alias("n"),
                        pw.fn.SUM(pw.fn.COALESCE(Lead.won_amount_cents, 0)).alias("amt"))
            .where(cond & (Lead.status == "won") & Lead.won_at.is_null(False)).group_by(month).order_by(month).dicts())
    return [{"month": r["month"], "count": r["n"], "amount_cents": int(r["amt"] or 0)} for r in rows]


def report(ctx: Session, *, owner: str | None = None, team: str | None = None, period: Period | None = None) -> dict:
    cond = _cond(ctx, owner, team, period)
    funnel_rows, share = funnel(ctx, cond)
    out = {"totals": totals(ctx, cond), "funnel": funnel_rows}
    out["totals"]["historical_forecast_cents"] = historical_forecast(ctx, cond, share)
    out["by_owner"] = _group_stats(ctx, cond, User.login, "owner", join_user=True)
    out["by_team"] = _group_stats(ctx, cond, pw.fn.COALESCE(Team.name, "–"), "team", join_user=True)
    out["by_source"] = _group_stats(ctx, cond, Lead.source, "source")
    out["by_industry"] = _group_stats(ctx, cond, pw.fn.COALESCE(Lead.industry, "–"), "industry")
    out["lost_reasons"] = lost_reasons(ctx, cond)
    out["won_by_month"] = won_by_month(ctx, cond)
    return out


def _money(cents: int | None):
    return None if cents is None else round(cents / 100, 2)


def to_json(data: dict) -> dict:
    """The §4 JSON shape: money in currency units to 0.01, rates unrounded."""
    def conv(d: dict) -> dict:
        out = {}
        for k, v in d.items():
            if k.endswith("_cents"):
                out[k[:-6]] = _money(v)
            else:
                out[k] = v
        return out

    t = conv(data["totals"])
    return {
        "totals": t,
        "funnel": [conv(r) for r in data["funnel"]],
        **{k: [conv(r) for r in data[k]] for k in ("by_owner", "by_team", "by_source", "by_industry")},
        "lost_reasons": data["lost_reasons"],
        "won_by_month": [conv(r) for r in data["won_by_month"]],
    }
