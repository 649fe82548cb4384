"""How long typed text may be: the one table of limits for every text a person enters.

The services refuse a longer text (so the command line, the TUI and import all refuse the same, with
one line naming the field and its limit); the TUI's inputs carry these as their max length; tests
that fill every form with the longest allowed value import them from here. A limit is in characters
(a Chinese character is one), never more than the column that stores the value (PostgreSQL would
refuse it with a database error instead).

``LEAD``, ``FOLLOW_UP``, ``TASK``, ``OUTCOME``, ``USER``, ``STAGE`` map a field's name (as the service
and the form call it) to its limit; :func:`limit_of` answers for any field, :func:`too_long` finds the
first text of a set of values that is longer than its table allows.
"""
from __future__ import annotations

TEXT = 4000  # free text (a need, remarks, a follow-up's words): about two pages
LINE = 200  # a one-line text no table names (a date, an amount or a choice as typed)
SEARCH = 200  # a search text: longer than any field it could match
LOGIN = 32
PHONE = 40  # as typed ("+86 139-1234-5678 转 801"); stored as E.164
EMAIL = 200
CODE = 64
NAME = 100  # a person's or a team's name
LABEL = 64  # a stage, source or tag name
REASON = 200  # a lost reason (a pick list of its own), a product
PATH = 4096  # a file's path (Linux's PATH_MAX)

LEAD: dict[str, int] = {
    "code": CODE, "company": 200, "contact_name": NAME, "title": 100, "phone": PHONE, "email": EMAIL,
    "other_contact": 200, "source": LABEL, "industry": 100, "company_size": 50, "region": 100, "need": TEXT,
    "pain_points": TEXT, "budget": 100, "decision_maker": 200, "obstacle": TEXT, "stay_reason": TEXT,
    "remarks": TEXT, "next_action": TEXT, "escalation_note": TEXT, "product": REASON,
    "lost_reason": REASON, "pause_reason": TEXT, "tags": TEXT, "owner": LOGIN, "stage": LABEL,
    "priority": LINE, "amount": LINE, "expected_close_date": LINE, "follow_up_days": LINE,
    "contact_summary": TEXT, "customer_feedback": TEXT, "next_follow_up_task": 200,
}
FOLLOW_UP: dict[str, int] = {
    "summary": TEXT, "customer_words": TEXT, "reading": TEXT, "objection": TEXT, "handling": TEXT,
    "next_action": 200,  # it becomes the next task's title
    "method": LINE, "sentiment": LINE, "reached": LINE, "at": LINE, "next_at": LINE,
}
TASK: dict[str, int] = {"title": 200, "result": TEXT, "kind": LINE, "due": LINE, "priority": LINE,
                        "owner": LOGIN, "remind": 8}
OUTCOME: dict[str, int] = {"product": REASON, "lost_reason": REASON, "pause_reason": TEXT, "reason": TEXT,
                           "note": TEXT, "won_amount": LINE, "won_at": LINE, "lost_at": LINE, "wake_up_at": LINE}
USER: dict[str, int] = {"login": LOGIN, "name": NAME, "team": NAME, "role": LINE, "tz": 64, "lang": 8}
STAGE: dict[str, int] = {"name": LABEL}
FILE: dict[str, int] = {"file": PATH, "path": PATH}
TAG = LABEL


def limit_of(field: str, table: dict[str, int] | None = None) -> int:
    """How many characters ``field`` may hold: its entry in ``table`` (LEAD when none is given), else LINE."""
    return (LEAD if table is None else table).get(field, LINE)


def too_long(values: dict, table: dict[str, int] | None = None) -> tuple[str, int, int] | None:
    """``(field, limit, length)`` of the first text in ``values`` longer than ``table`` allows, else None.
    Values that are not text (amounts as cents, dates as times) are not looked at."""
    for field, value in values.items():
        if value.__class__ is str:
            limit = limit_of(field, table)
            if len(value) > limit:
                return field, limit, len(value)
    return None
