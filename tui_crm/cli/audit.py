"""``audit``: who did what and when (supervisors their team's, admins everything), as text, JSON or CSV."""
from __future__ import annotations

import csv
import sys

from .common import parse_date, print_json, session


def cmd_audit(args) -> int:
    from ..domain.text import fit, printable, sheet_cell
    from ..services.admin import audit, audit_text

    ctx = session(args)
    f = audit.AuditFilter(parse_date(ctx, args.since), parse_date(ctx, args.until), args.filter_user, args.lead,
                          args.action)
    found = audit.entries(ctx, f)
    if args.format == "json":
        print_json([e.to_dict(ctx.tz) for e in found])
    elif args.format == "csv":
        w = csv.writer(sys.stdout)
        w.writerow(["id", "at", "user", "action", "entity", "entity_id", "lead", "changes"])
        for e in found:
            w.writerow([sheet_cell(x) for x in (e.id, e.at.astimezone(ctx.tz).isoformat(), e.user, e.action,
                                                e.entity, e.entity_id, e.lead or "", e.changes_text())])
    else:
        # in words, in the reader's language, as the audit screen shows them (JSON and CSV keep the keys);
        # columns are counted in cells, so a Chinese action or login keeps the next column in line
        for e in found:
            line = "  ".join((f"{e.at.astimezone(ctx.tz):%Y-%m-%d %H:%M:%S}", fit(e.user or "-", 12),
                              fit(audit_text.what(e), 16), fit(e.lead or "-", 20), audit_text.details(ctx, e)))
            print(printable(line).rstrip())
    return 0
