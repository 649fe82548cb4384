"""``report``: funnel, conversion and forecast of the acting user's scope, as text, JSON or CSV."""
from __future__ import annotations

import sys

from .common import parse_date, session


def cmd_report(args) -> int:
    from ..services.reports import figures as rep
    from ..services.reports.render import render

    ctx = session(args)
    period = rep.Period(parse_date(ctx, args.since), parse_date(ctx, args.until))
    data = rep.report(ctx, owner=args.owner, team=args.team, period=period)
    render(ctx, data, args.format, sys.stdout)
    return 0
