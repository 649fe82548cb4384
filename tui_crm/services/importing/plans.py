"""下次跟进计划 and its kin: a cell holding the next follow-up's date and what to do then
(``2024-11-05 电话回访确认预算``, ``2024年5月10日前发送方案``)."""
from __future__ import annotations

from ...domain.errors import InvalidValue
from ...domain.parse import parse_datetime
from .cells import DATE_HEAD


def plan_of(text: str, tz, now, v: dict) -> None:
    """Set ``next_follow_up_at`` from the date at the start of ``text`` and ``next_action`` from the rest
    (or the whole text when it starts with no date)."""
    m = DATE_HEAD.match(text)
    due = None
    rest = text
    if m:
        try:
            due = int(parse_datetime(m.group(1), tz, now).timestamp())
            rest = text[m.end():]
        except InvalidValue:
            due = None
    else:
        head, _sep, tail = text.partition(" ")
        try:
            due = int(parse_datetime(head, tz, now).timestamp())
            rest = tail
        except InvalidValue:
            due = None
    rest = rest.strip(" ,，:：;；-—")
    if due is not None:
        v["next_follow_up_at"] = due
    if rest:
        v.setdefault("next_action", rest)
