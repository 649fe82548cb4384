"""How stages and due dates read on screen, in the user's language and time zone: one place for the
list, the queue, the detail and the board.

Due states are said in words ("overdue 2d", "today 13:00"), never by colour alone.
"""
from __future__ import annotations

from datetime import datetime, tzinfo

from .domain import rules
from .i18n import _


def stage_label(ctx, key: str | None) -> str:
    """A stage's label in the current language; an unknown key reads as itself."""
    return ctx.stage_label(key)


def short_when(value: datetime | None, tz: tzinfo) -> str:
    """A date-time in a cell: ``11-05 14:00`` (local), ``–`` when there is none."""
    return value.astimezone(tz).strftime("%m-%d %H:%M") if value else "–"


def _due(state: str | None, days: int, local: datetime | None, tz: tzinfo) -> str:
    if state == rules.OVERDUE:
        return _("overdue {days}d", days=days) if days > 0 else _("overdue {time}", time=local.strftime("%H:%M"))
    if state == rules.DUE_TODAY:
        return _("today {time}", time=local.strftime("%H:%M"))
    return short_when(local, tz)


def due_text(ctx, view) -> str:
    """A lead's next follow-up: ``overdue 2d``, ``overdue 09:00``, ``today 13:00`` or ``11-05 14:00``."""
    nxt = view.next_follow_up_at
    local = nxt.astimezone(ctx.tz) if nxt else None
    return _due(view.due_state, view.overdue_days, local, ctx.tz)


def task_due_text(ctx, task) -> str:
    """A task's due time, in the same words as a lead's next follow-up."""
    local = task.due_at.astimezone(ctx.tz)
    state = rules.OVERDUE if task.overdue else rules.DUE_TODAY if task.due_today else None
    days = (ctx.now().astimezone(ctx.tz).date() - local.date()).days if task.overdue else 0
    return _due(state, days, local, ctx.tz)
