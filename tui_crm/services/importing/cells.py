"""What one cell of an import file says before it is converted: placeholders that mean empty,
which fields are text or times and how long a text may be, and the fast path for Chinese mobiles."""
from __future__ import annotations

import datetime as dt
import re

from ...domain import limits
from ...domain.contact import normalize_phone
from ...domain.text import unquote_cell

PLACEHOLDERS = {"-", "--", "—", "——", "/", "n/a", "na", "null", "none", "nil", "无", "暂无", "空", "#n/a"}
DATETIME_FIELDS = {"first_contact_at", "created_at", "closed_at", "next_follow_up_at", "last_contact_at", "won_at",
                   "lost_at", "stage_entered_at", "wake_up_at"}
TEXT_FIELDS = {"code", "company", "contact_name", "title", "other_contact", "industry", "company_size", "region",
               "need", "pain_points", "budget", "decision_maker", "tags", "product", "lost_reason", "next_action",
               "remarks", "contact_summary", "customer_feedback", "pause_reason", "stay_reason", "obstacle",
               "next_follow_up_task"}
IDENTIFYING = ("code", "company", "contact_name", "phone", "email")
METHOD_ALIASES = {"面谈": "visit", "上门": "visit", "拜访": "visit", "电话沟通": "phone", "call": "phone",
                  "视频会议": "meeting", "线上会议": "meeting", "短信": "phone", "邮件": "email", "e-mail": "email"}
_CN_MOBILE = re.compile(r"^(?:\+?86|0086)?(1[3-9]\d{9})$")
_PHONE_JUNK = re.compile(r"[\s\-().]")
DATE_HEAD = re.compile(
    r"^\s*(\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?(?:\s*\d{1,2}\s*[:：点]\s*(?:\d{1,2}分?)?)?"
    r"|\d{1,2}/\d{1,2}/\d{4}(?:\s+\d{1,2}:\d{2})?|\d{1,2}-[A-Za-z]{3}-\d{4}|\d{4}年\s*[qQ][1-4])")


def limit_of(field: str) -> int:
    """How long a text of ``field`` may be: the same limit a typed value has (``domain.limits.LEAD``)."""
    return limits.limit_of(field, limits.LEAD)


def cell_text(value) -> str:
    if value.__class__ is str:  # the common case (every CSV cell): no other checks
        s = value.strip()
        if s[:1] == "'":  # an export's guard against formulas ('=…, '+86…, '-5.00)
            s = unquote_cell(s).strip()
        return "" if len(s) <= 4 and s.lower() in PLACEHOLDERS else s
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat(sep=" ") if isinstance(value, dt.datetime) else value.isoformat()
    s = str(value).strip()
    return "" if s.lower() in PLACEHOLDERS else s


def fast_phone(text: str, region: str) -> str:
    m = _CN_MOBILE.match(_PHONE_JUNK.sub("", text)) if region == "CN" else None
    return "+86" + m.group(1) if m else normalize_phone(text, region)
