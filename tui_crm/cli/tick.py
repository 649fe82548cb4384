"""``tick``: the rule sweep once (escalations, reminders, wake-ups, complete-record tasks), for cron on a host
where no app is open; it may run beside open apps and other ticks (each rule claims what it does)."""
from __future__ import annotations

from ..i18n import _
from .common import print_json, session


def cmd_tick(args) -> int:
    from ..services import activity

    ctx = session(args)
    result = ctx.call(activity.sweep, ctx)
    if args.format == "json":
        print_json(result.to_dict())
    else:
        print(_("escalated {e} · reminded {r} · woken {w} · resumed {p} · complete-record tasks {c}",
                e=result.escalated, r=result.reminded, w=result.woken, p=result.resumed, c=result.record_tasks))
    return 0
