"""``tasks list|add|set``: the tasks the acting user sees, one task for several leads, and their status (未开始 /
进行中 / 已完成 / 已搁置) with a result and the customer's sentiment change."""
from __future__ import annotations

import csv
import sys

from ..i18n import _, label
from .common import UserError, parse_dt, print_json, print_table, session

CSV_KEYS = ("id", "kind", "title", "status", "priority", "due_at", "owner", "leads", "result", "sentiment_before",
            "sentiment_after", "remind_minutes", "overdue")


def _table(ctx, rows) -> None:
    from ..domain.vocab import PRIORITIES, SENTIMENTS, TASK_STATUSES
    from ..services.activity.task_text import task_text

    out, styles = [], {}
    for r, t in enumerate(rows):
        due = t.due_at.astimezone(ctx.tz).strftime("%Y-%m-%d %H:%M")
        if t.overdue or t.due_today:
            due = f"{due} {_('overdue') if t.overdue else _('today')}"
            styles[(r, 3)] = "red" if t.overdue else "yellow"
        mood = "→".join(label(SENTIMENTS, s) for s in (t.sentiment_before, t.sentiment_after) if s)
        out.append([t.id, task_text(t), label(TASK_STATUSES, t.status), due, label(PRIORITIES, t.priority), t.owner,
                    ", ".join(t.leads) or "–", " · ".join(x for x in (t.result, mood) if x) or "–"])
    print_table([_("no."), _("task"), _("status"), _("due"), _("priority"), _("owner"), _("on leads"), _("result")],
                out, styles, kinds=["id", "text", "text", "id", "text", "id", "id", "text"],
                ranks=[0, 3, 2, 1, 6, 4, 5, 7])


def tasks_list(ctx, args) -> int:
    from ..domain.text import sheet_cell
    from ..services.activity import task_list

    rows = task_list.list_tasks(ctx, args.filter, owner=args.owner, team=args.team, limit=args.limit)
    if args.format == "json":
        print_json([t.to_json(ctx.tz) for t in rows])
    elif args.format == "csv":
        w = csv.writer(sys.stdout)
        w.writerow(CSV_KEYS)
        for t in rows:
            d = t.to_json(ctx.tz)
            w.writerow([sheet_cell("" if d[k] is None else ";".join(d[k]) if isinstance(d[k], list) else d[k])
                        for k in CSV_KEYS])
    else:
        _table(ctx, rows)
    return 0


def tasks_add(ctx, args) -> int:
    from ..services.activity import task_list

    due = parse_dt(ctx, args.due)
    if due is None:
        raise UserError(_("not a date: {value}", value=args.due))
    tid = ctx.call(task_list.add_task_for, ctx, args.codes, args.title, due, owner=args.owner,
                   priority=args.priority or "medium", remind=args.remind, kind=args.kind or "follow_up")
    if args.format == "json":
        print_json(task_list.get_task(ctx, tid).to_json(ctx.tz))
    else:
        print(tid)
    return 0


def tasks_set(ctx, args) -> int:
    from ..domain.vocab import TASK_STATUSES
    from ..services.activity import task_list

    t = ctx.call(task_list.set_task_status, ctx, args.id, args.status, args.result, args.sentiment)
    print(_("task {id}: {status}", id=t.id, status=label(TASK_STATUSES, t.status)))
    return 0


ACTIONS = {"list": tasks_list, "add": tasks_add, "set": tasks_set}


def cmd_tasks(args) -> int:
    ctx = session(args)
    return ACTIONS[args.sub](ctx, args)
