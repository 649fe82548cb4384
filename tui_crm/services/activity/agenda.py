"""The acting user's open follow-up tasks as an iCalendar file (RFC 5545), written by hand.

One VEVENT per open task (15 minutes at its due time, an alarm at its
reminder lead time); CRLF line ends, lines folded at 75 octets.
"""
from __future__ import annotations

from datetime import datetime, timezone

import peewee as pw

from ...domain.vocab import OPEN_TASK_STATUSES
from ...i18n import _
from ...store.models import Lead, Task
from ..context import Session


def escape(text: str) -> str:
    return (text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n"))


def fold(line: str) -> str:
    """Fold a content line at 75 octets without splitting a UTF-8 character."""
    out, cur, size = [], "", 0
    for ch in line:
        n = len(ch.encode("utf-8"))
        if size + n > 75:
            out.append(cur)
            cur, size = " ", 1
        cur += ch
        size += n
    out.append(cur)
    return "\r\n".join(out)


def _utc(ts: int) -> str:
    return datetime.fromtimestamp(ts, timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def paused_now(ctx: Session):
    """A paused lead (暂缓) until its resume date (``wake_up_at``; none: until it is resumed by hand): its
    tasks are out of the agenda and send no reminders."""
    now_ts = int(ctx.now().timestamp())
    return (Lead.status == "paused") & (Lead.wake_up_at.is_null() | (Lead.wake_up_at > now_ts))


def ics(ctx: Session) -> str:
    from .. import scope

    q = (Task.select(Task, Lead.code, Lead.company, Lead.contact_name)
         .join(Lead, on=(Task.lead == Lead.id), join_type=pw.JOIN.LEFT_OUTER)
         .where((Task.owner == ctx.actor.id) & Task.status.in_(OPEN_TASK_STATUSES)
                & (Task.lead.is_null() | (scope.committed() & ~paused_now(ctx))))
         .order_by(Task.due_at))
    stamp = _utc(int(ctx.now().timestamp()))
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//tui-crm//agenda//EN", "CALSCALE:GREGORIAN",
             "METHOD:PUBLISH", "X-WR-CALNAME:tui-crm"]
    for t in q.objects():
        title = _(t.title) if t.title else t.title  # a rule's title is stored in English
        what = " · ".join(x for x in (title, getattr(t, "code", None), getattr(t, "company", None)) if x)
        desc = "\n".join(x for x in (f"{t.kind} ({t.priority})", getattr(t, "contact_name", None) or "") if x)
        lines += ["BEGIN:VEVENT", f"UID:task-{t.id}@tui-crm", f"DTSTAMP:{stamp}", f"DTSTART:{_utc(t.due_at)}",
                  "DURATION:PT15M", f"SUMMARY:{escape(what)}", f"DESCRIPTION:{escape(desc)}",
                  f"CATEGORIES:{escape(t.kind)}", "STATUS:CONFIRMED"]
        if t.remind_minutes:
            lines += ["BEGIN:VALARM", "ACTION:DISPLAY", f"DESCRIPTION:{escape(what)}",
                      f"TRIGGER:-PT{int(t.remind_minutes)}M", "END:VALARM"]
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)
