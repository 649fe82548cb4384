"""The report's numbers (funnel, conversion and win rates, cycle, forecasts, breakdowns), computed in one place with SQL aggregates.

Both the stats panel and ``tui-crm report`` call :func:`report`; the panel
and the command line therefore cannot disagree.

Scope: the acting user's access (``scope.scope_expr``), optionally narrowed
by an owner login and/or a team name (still within access).

Period (``since``/``until``: inclusive dates, local to the acting user's
time zone, so a day is that user's midnight to midnight even across a DST
change) selects leads:

by **creation time** (PRODUCT §3), for every figure: totals (leads, open,
won, lost, dormant, rates, won amount, pipeline, forecasts, average cycle),
the funnel (reached counts, stage conversion, days in stage, open counts),
the four breakdowns, the lost reasons and ``won_by_month``. Rates are
therefore "of the leads created in the period, how many were won";
lost-reason counts add up to ``totals.lost`` and ``Σ won_by_month.count ==
totals.won`` with or without a period (the months are those the period's
leads were won in, by the local calendar; a period set, the chart once
counted deals won in it whatever their creation, 8+8+3 beside Won 10).

Definitions:

- open = pending, in_progress or paused; dormant is outside the pipeline.
- conversion rate = won / leads; win rate = won / (won + lost); a rate with
  no denominator is ``None`` (shown "–").
- funnel: a lead reached a stage if it was ever in it (stage history, or its
  current stage) or in a later one; a won lead reached every stage and
  ``won``. Conversion to next = reached(next) / reached(this).
- average days in stage: over completed stays in the stage history (rows
  with a ``left_at``), i.e. each time a lead left the stage (moved on or
  back, won or lost); stays still running are left out.
- conversion cycle: won time − first contact time (creation time where no
  first contact is known), in days, averaged over won leads whose won time
  is known.
- pipeline = Σ expected amount of open leads (a lead without an amount adds
  0); weighted forecast = Σ amount × probability (the lead's own, else its
  stage's); historical forecast = Σ amount × won / reached(lead's stage),
  the share of leads of the scope and period that reached that stage and
  were won.

Money is integer cents throughout and exact: the weighted and historical
forecasts are summed exactly (integers and fractions) and rounded half up to
the cent once, at the end. Rates are unrounded floats.

Every figure comes from a handful of GROUP BY queries; Python only combines
their few aggregate rows (per owner, per source × industry, per stage).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from fractions import Fraction

import peewee as pw

from ...domain.vocab import OPEN_STATUSES
from ...store.models import Lead, Team, User
from .. import scope
from ..context import Session
from . import summed
from .funnel import funnel, stage_bits
from .sql import (OwnedPart, SummaryPart, both, conditions, half_up, indexed, time_range, rate_of, sum_if,
                  scope_parts, summary_parts)


@dataclass
class Period:
    since: date | None = None
    until: date | None = None

    def __bool__(self) -> bool:
        return bool(self.since or self.until)


def day_start(ctx: Session, day: date) -> int:
    """UTC epoch seconds of the local midnight that starts ``day`` in the user's zone."""
    return int(datetime.combine(day, time(0), tzinfo=ctx.tz).timestamp())


def period_bounds(ctx: Session, period: Period | None) -> tuple[int | None, int | None]:
    """[start, end) in epoch seconds for inclusive local dates."""
    if not period:
        return None, None
    start = day_start(ctx, period.since) if period.since else None
    end = day_start(ctx, period.until + timedelta(days=1)) if period.until else None
    return start, end


def _stage_prob(ctx: Session):
    cases = [(s.key, s.probability) for s in ctx.stages]
    return pw.Case(Lead.stage, cases, 0) if cases else pw.Value(0)


def _aggregates(ctx: Session) -> list:
    """The per-group sums every breakdown and the totals are made of."""
    is_open = Lead.status.in_(OPEN_STATUSES)
    is_won = Lead.status == "won"
    won_known = is_won & Lead.won_at.is_null(False)
    amount = pw.fn.COALESCE(Lead.amount_cents, 0)
    return [
        pw.fn.COUNT(Lead.id).alias("leads"),
        sum_if(is_open, 1).alias("open"),
        sum_if(is_won, 1).alias("won"),
        sum_if(Lead.status == "lost", 1).alias("lost"),
        sum_if(Lead.status == "dormant", 1).alias("dormant"),
        sum_if(is_won, pw.fn.COALESCE(Lead.won_amount_cents, 0)).alias("won_cents"),
        sum_if(is_open, amount).alias("pipeline_cents"),
        # amount × percent: exact integer cents × 100
        sum_if(is_open, amount * pw.fn.COALESCE(Lead.probability, _stage_prob(ctx))).alias("weighted_x100"),
        sum_if(won_known, Lead.won_at - pw.fn.COALESCE(Lead.first_contact_at, Lead.created_at)).alias("cycle_s"),
        sum_if(won_known, 1).alias("cycle_n"),
    ]


SUMS = ("leads", "open", "won", "lost", "dormant", "won_cents", "pipeline_cents", "weighted_x100", "cycle_s",
        "cycle_n")


def _add(acc: dict, row: dict) -> None:
    for k in SUMS:
        acc[k] = acc.get(k, 0) + int(row.get(k) or 0)


def _figures(s: dict) -> dict:
    """Rates, money and the cycle from a group's sums."""
    leads, won, lost = s.get("leads", 0), s.get("won", 0), s.get("lost", 0)
    n = s.get("cycle_n", 0)
    return {
        "leads": leads, "open": s.get("open", 0), "won": won, "lost": lost, "dormant": s.get("dormant", 0),
        "conversion_rate": rate_of(won, leads), "win_rate": rate_of(won, won + lost),
        "won_amount_cents": s.get("won_cents", 0), "pipeline_amount_cents": s.get("pipeline_cents", 0),
        "weighted_forecast_cents": half_up(Fraction(s.get("weighted_x100", 0), 100)),
        "avg_cycle_days": None if not n else s.get("cycle_s", 0) / n / 86400,
    }


BREAKDOWN_KEYS = ("key", "leads", "won", "lost", "conversion_rate", "win_rate", "won_amount_cents",
                  "avg_cycle_days", "open", "pipeline_amount_cents", "weighted_forecast_cents")


def _breakdown(groups: dict) -> list[dict]:
    out = []
    for key in sorted(groups, key=lambda k: (k is None, str(k))):
        f = _figures(groups[key])
        f["key"] = key
        out.append({k: f[k] for k in BREAKDOWN_KEYS})
    return out


def people_rows(ctx: Session, cond) -> tuple[dict, list[dict], list[dict], list[dict]]:
    """Totals, by owner, by team, and the per-stage rows the funnel needs, from one GROUP BY
    owner, stage, status, stages_seen (read in the order of the ``lead_report_owner`` index)
    per part of the scope; the rows of the parts are simply added up."""
    rows = [r for c in conditions(cond)
            for r in (summed.people(ctx, c) if isinstance(c, SummaryPart) else _people_query(ctx, c).dicts())]
    ids = sorted({r["owner_id"] for r in rows})
    users = {u.id: (u.login, u.team_id) for u in User.select(User.id, User.login, User.team).where(User.id.in_(ids))} \
        if ids else {}
    teams = {t.id: t.name for t in Team.select(Team.id, Team.name)}
    total: dict = {}
    by_owner: dict = {}
    by_team: dict = {}
    for r in rows:
        login, team_id = users.get(r["owner_id"], (str(r["owner_id"]), None))
        _add(total, r)
        _add(by_owner.setdefault(login, {}), r)
        _add(by_team.setdefault(teams.get(team_id), {}), r)
    return _figures(total), _breakdown(by_owner), _breakdown(by_team), rows


def _edge(ctx: Session, c, q):
    """A partial day at a period's edge reads the leads created then (``lead_created_at``)."""
    return indexed(ctx, q, Lead, "lead_created_at") if isinstance(c, OwnedPart) and c.edge else q


def _people_query(ctx: Session, c):
    q = (Lead.select(Lead.owner.alias("owner_id"), Lead.stage, Lead.status, Lead.stages_seen, *_aggregates(ctx))
         .where(c).group_by(Lead.owner, Lead.stage, Lead.status, Lead.stages_seen))
    return _edge(ctx, c, q)


def _dims_query(ctx: Session, c):
    if isinstance(c, SummaryPart):
        return summed.dims(ctx, c)
    q = Lead.select(Lead.source, Lead.industry, *_aggregates(ctx)).where(c).group_by(Lead.source, Lead.industry)
    return _edge(ctx, c, q).dicts()


def _dimensions(ctx: Session, cond) -> tuple[list[dict], list[dict]]:
    """By source and by industry, from one GROUP BY source, industry."""
    rows = [r for c in conditions(cond)
            for r in _dims_query(ctx, c)]
    by_source: dict = {}
    by_industry: dict = {}
    for r in rows:
        _add(by_source.setdefault(r["source"], {}), r)
        industry = (r["industry"] or "").strip() or None
        _add(by_industry.setdefault(industry, {}), r)
    return _breakdown(by_source), _breakdown(by_industry)


def lost_reasons(ctx: Session, cond) -> list[dict]:
    reason = pw.fn.TRIM(pw.fn.COALESCE(Lead.lost_reason, ""))
    counts: dict = {}
    for c in conditions(cond):
        if isinstance(c, SummaryPart):
            for k, n in summed.lost(ctx, c).items():
                counts[k] = counts.get(k, 0) + n
            continue
        q = _edge(ctx, c, Lead.select(reason.alias("reason"), pw.fn.COUNT(Lead.id).alias("n"))
                  .where(c & (Lead.status == "lost")).group_by(reason))
        for r in q.dicts():
            counts[r["reason"]] = counts.get(r["reason"], 0) + int(r["n"])
    rows = [{"reason": k, "n": n} for k, n in counts.items()]
    total = sum(int(r["n"]) for r in rows)
    rows.sort(key=lambda r: (-int(r["n"]), r["reason"] == "", r["reason"]))
    return [{"reason": r["reason"] or None, "count": int(r["n"]), "share": rate_of(int(r["n"]), total)}
            for r in rows]


def month_starts(ctx: Session, first: int, last: int) -> list[tuple[str, int]]:
    """(``YYYY-MM``, UTC start) of every local month from the one holding ``first`` to the one holding ``last``,
    plus the start of the month after (label ``""``). Computed per month in the user's zone, so DST moves
    each boundary correctly."""
    tz = ctx.tz
    d = datetime.fromtimestamp(first, tz)
    y, m = d.year, d.month
    end = datetime.fromtimestamp(last, tz)
    out = []
    while (y, m) <= (end.year, end.month):
        out.append((f"{y:04d}-{m:02d}", int(datetime(y, m, 1, tzinfo=tz).timestamp())))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    out.append(("", int(datetime(y, m, 1, tzinfo=tz).timestamp())))
    return out


def won_by_month(ctx: Session, cond) -> list[dict]:
    """Won count and amount of the scope's leads (``cond``: the period on their creation time, like every
    other figure) per local calendar month of their won time."""
    got: dict = {}
    for c in conditions(cond):
        if isinstance(c, SummaryPart):
            summed.won_months(ctx, c, got)
        else:
            _won_rows(ctx, c, got)
    got = {k: v for k, v in got.items() if v["n"]}
    if not got:
        return []
    first, last = min(got), max(got)
    y, m = int(first[:4]), int(first[5:])
    labels = []
    while f"{y:04d}-{m:02d}" <= last:  # every month of the span, empty ones included, so a chart shows the gaps
        labels.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return [{"month": label, "count": got.get(label, {}).get("n", 0), "amount_cents": got.get(label, {}).get("amt", 0)}
            for label in labels]


def _won_rows(ctx: Session, part, got: dict) -> None:
    c = part & (Lead.status == "won") & Lead.won_at.is_null(False)
    lo, hi = _edge(ctx, part, Lead.select(pw.fn.MIN(Lead.won_at), pw.fn.MAX(Lead.won_at)).where(c)).tuples().get()
    if lo is None:
        return
    bounds = month_starts(ctx, int(lo), int(hi))
    month = pw.Case(None, [(Lead.won_at < bounds[i + 1][1], bounds[i][0]) for i in range(len(bounds) - 1)], "")
    for r in _edge(ctx, part, Lead.select(month.alias("month"), pw.fn.COUNT(Lead.id).alias("n"),
                                          pw.fn.SUM(pw.fn.COALESCE(Lead.won_amount_cents, 0)).alias("amt"))
                   .where(c).group_by(pw.SQL("1"))).dicts():
        acc = got.setdefault(r["month"], {"n": 0, "amt": 0})
        acc["n"] += int(r["n"] or 0)
        acc["amt"] += int(r["amt"] or 0)


def report(ctx: Session, *, owner: str | None = None, team: str | None = None, period: Period | None = None,
           summaries: bool = True) -> dict:
    """Every figure; ``summaries`` False computes them all from the lead rows (what the tests compare with)."""
    base = scope.narrow(ctx, owner, team)
    start, end = period_bounds(ctx, period)
    cond = both(base, time_range(Lead.created_at, start, end))
    whole = False
    if summaries and stage_bits(ctx) is not None:  # whole days from the summary tables, the edges from the leads
        cond = summary_parts(ctx, owner, team, start, end) or [Lead.id.is_null()]  # nobody: an empty report
    elif ctx.actor and (not ctx.actor.is_admin or owner or team):
        cond = scope_parts(ctx, owner, team, start, end)
        if not cond:
            cond = [Lead.id.is_null()]  # nobody: an empty report
    else:
        whole = bool(ctx.actor and ctx.actor.is_admin and not owner and not team and not period)
    totals, by_owner, by_team, rows = people_rows(ctx, cond)
    funnel_rows, historical = funnel(ctx, cond, rows, whole)
    totals["historical_forecast_cents"] = historical
    by_source, by_industry = _dimensions(ctx, cond)
    out = {"totals": totals, "funnel": funnel_rows, "by_owner": by_owner, "by_team": by_team,
           "by_source": by_source, "by_industry": by_industry, "lost_reasons": lost_reasons(ctx, cond),
           "won_by_month": won_by_month(ctx, cond)}
    out["period"] = {"since": period.since.isoformat() if period and period.since else None,
                     "until": period.until.isoformat() if period and period.until else None}
    out["scope"] = {"user": ctx.actor.login if ctx.actor else None, "owner": owner, "team": team}
    return out


TOTAL_KEYS = ("leads", "open", "won", "lost", "dormant", "conversion_rate", "win_rate", "won_amount",
              "pipeline_amount", "weighted_forecast", "historical_forecast", "avg_cycle_days")


def money(cents: int | None) -> float | None:
    """Cents as currency units, exact to 0.01 (the shortest float that prints as the cents)."""
    return None if cents is None else round(cents / 100, 2)


def to_json(data: dict) -> dict:
    """The §4 JSON shape: money in currency units to 0.01, rates unrounded."""
    def conv(d: dict) -> dict:
        return {(k[:-6] if k.endswith("_cents") else k): (money(v) if k.endswith("_cents") else v)
                for k, v in d.items()}

    totals = conv(data["totals"])
    return {
        "totals": {k: totals[k] for k in TOTAL_KEYS},
        "funnel": [conv(r) for r in data["funnel"]],
        **{k: [conv(r) for r in data[k]] for k in ("by_owner", "by_team", "by_source", "by_industry")},
        "lost_reasons": data["lost_reasons"],
        "won_by_month": [conv(r) for r in data["won_by_month"]],
        "period": data.get("period"),
        "scope": data.get("scope"),
    }


# ------------------------------------------------------------------ for the stats panel
PERIODS = ("all", "month", "quarter", "year")


def preset_period(ctx: Session, name: str) -> Period:
    """This month / quarter / year (local calendar of the user) or all time."""
    today = ctx.now().astimezone(ctx.tz).date()
    if name == "month":
        first = today.replace(day=1)
        months = 1
    elif name == "quarter":
        first = date(today.year, (today.month - 1) // 3 * 3 + 1, 1)
        months = 3
    elif name == "year":
        first = date(today.year, 1, 1)
        months = 12
    else:
        return Period()
    y, m = divmod(first.month - 1 + months, 12)
    return Period(first, date(first.year + y, m + 1, 1) - timedelta(days=1))


def scope_choices(ctx: Session) -> dict:
    """Owners and teams the actor may narrow the report to: none for a rep, their team for a supervisor."""
    a = ctx.actor
    if a is None or a.role == "rep":
        return {"owners": [], "teams": []}
    users = User.select(User.login, User.name, User.team).where(User.active == True)  # noqa: E712
    teams = Team.select(Team.name).order_by(Team.name)
    if not a.is_admin:
        users = users.where(User.team == a.team_id) if a.team_id is not None else users.where(User.id == a.id)
        teams = teams.where(Team.id == a.team_id) if a.team_id is not None else teams.where(Team.id == -1)
    return {"owners": [(u.login, u.name) for u in users.order_by(User.login)], "teams": [t.name for t in teams]}
