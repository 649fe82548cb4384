"""Dates as reps say them: a day (``friday``, ``next monday``, ``周五``, ``下周一``, ``12月5日``, ``dec 5``,
``明天``, ``后天``, ``今晚``) and/or a time of day (``10am``, ``15:00``, ``下午3点``, ``三点半``, ``上午``,
``afternoon``). ``domain.parse.parse_datetime`` tries these after its own spellings.

What each means (the form previews what it read before saving, so nothing is silently guessed):
- a weekday alone is the next such day, today included while the time is still ahead; ``next``/``下`` is
  that day of next calendar week (weeks start on Monday: ``下周一`` and ``next monday`` are one day),
  ``this``/``本``/``这`` of this week;
- a month and day without a year is the next such date (today included);
- a day without a time is 09:00; a part of the day alone is 上午/morning 09:00, 中午/noon 12:00,
  下午/afternoon 14:00, 晚上/evening 19:00; a time without a day is today.
"""
from __future__ import annotations

import datetime as dt
import re

from .numerals import cn_number
from .lazy_re import lazy

__all__ = ["read_spoken"]

_WEEKDAYS = {"mon": 0, "monday": 0, "tue": 1, "tues": 1, "tuesday": 1, "wed": 2, "wednesday": 2, "thu": 3,
             "thur": 3, "thurs": 3, "thursday": 3, "fri": 4, "friday": 4, "sat": 5, "saturday": 5, "sun": 6,
             "sunday": 6}
_CN_WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6, "1": 0, "2": 1, "3": 2,
                "4": 3, "5": 4, "6": 5, "7": 6}
_MONTHS = {"jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3, "apr": 4, "april": 4, "may": 5,
           "jun": 6, "june": 6, "jul": 7, "july": 7, "aug": 8, "august": 8, "sep": 9, "sept": 9, "september": 9,
           "oct": 10, "october": 10, "nov": 11, "november": 11, "dec": 12, "december": 12}
# relative days: (days from today, the part of the day they imply)
_DAYS = {"today": (0, None), "tomorrow": (1, None), "day after tomorrow": (2, None), "tonight": (0, "evening"),
         "今天": (0, None), "今日": (0, None), "明天": (1, None), "明日": (1, None), "后天": (2, None),
         "大后天": (3, None), "今晚": (0, "晚上"), "明早": (1, "上午"), "明晚": (1, "晚上")}
_PARTS = {"上午": 9, "早上": 9, "早晨": 9, "中午": 12, "下午": 14, "傍晚": 18, "晚上": 19, "凌晨": 5,
          "morning": 9, "noon": 12, "midday": 12, "afternoon": 14, "evening": 19}
_CN_NUM = r"\d{1,2}|[零一二两三四五六七八九十]{1,3}"

_EN_WEEKDAY = lazy(r"(?:(?P<which>next|this|coming)\s+)?(?P<day>" + "|".join(
    sorted(_WEEKDAYS, key=len, reverse=True)) + r")\b")
_CN_WEEKDAY = lazy(r"(?P<which>下下个?|下个?|这个?|本)?(?:周|星期|礼拜)(?P<day>[一二三四五六日天1-7])")
_CN_MONTH_DAY = lazy(r"(?P<m>" + _CN_NUM + r")\s*月\s*(?P<d>" + _CN_NUM + r")\s*[日号]?")
_EN_MONTH_DAY = lazy(r"(?P<mon>[a-z]{3,9})\.?\s*(?P<d>\d{1,2})(?:st|nd|rd|th)?\b"
                           r"|(?P<d2>\d{1,2})(?:st|nd|rd|th)?\s*(?P<mon2>[a-z]{3,9})\.?(?![a-z])")
_EN_TIME = lazy(r"(?P<h>\d{1,2})(?::(?P<mi>\d{2}))?\s*(?P<ap>am|pm|a\.m\.|p\.m\.)?")
_CN_TIME = lazy(r"(?P<part>" + "|".join(_PARTS) + r")?\s*(?P<h>" + _CN_NUM + r")\s*[点點时時]"
                      r"(?:\s*(?P<half>半)|\s*(?P<quarter>一刻|三刻)|\s*(?P<mi>" + _CN_NUM + r")\s*分?)?")


def _num(text: str) -> int | None:
    if text.isdigit():
        return int(text)
    value = cn_number(text.replace("两", "二"))
    return int(value) if value is not None and value == int(value) else None


def _day(s: str, today: dt.date) -> tuple[dt.date | None, str | None, str]:
    """(the day said at the start of ``s``, a part of the day it implies, the rest); (None, None, s)."""
    for word in sorted(_DAYS, key=len, reverse=True):
        if s.startswith(word):
            shift, part = _DAYS[word]
            return today + dt.timedelta(days=shift), part, s[len(word):]
    m = _EN_WEEKDAY.match(s) or _CN_WEEKDAY.match(s)
    if m:
        is_cn = m.re.pattern == _CN_WEEKDAY.pattern  # lazy patterns: the compiled one is not the object itself
        weekday = _CN_WEEKDAYS[m["day"]] if is_cn else _WEEKDAYS[m["day"]]
        monday = today - dt.timedelta(days=today.weekday())
        which = m["which"] or ""
        if which.startswith("下下"):
            return monday + dt.timedelta(days=14 + weekday), None, s[m.end():]
        if which in ("next", "下", "下个"):
            return monday + dt.timedelta(days=7 + weekday), None, s[m.end():]
        if which in ("this", "这", "这个", "本"):
            return monday + dt.timedelta(days=weekday), None, s[m.end():]
        return today + dt.timedelta(days=(weekday - today.weekday()) % 7), "next", s[m.end():]
    m = _CN_MONTH_DAY.match(s)
    if m:
        month, day = _num(m["m"]), _num(m["d"])
    else:
        m = _EN_MONTH_DAY.match(s)
        if not m or (m["mon"] or m["mon2"]) not in _MONTHS:
            return None, None, s
        month, day = _MONTHS[m["mon"] or m["mon2"]], int(m["d"] or m["d2"])
    if month is None or day is None:
        return None, None, s
    for year in (today.year, today.year + 1):
        try:
            date = dt.date(year, month, day)
        except ValueError:
            return None, None, s
        if date >= today:
            return date, None, s[m.end():]
    return None, None, s


def _time(s: str, part: str | None) -> dt.time | None:
    """The time of day ``s`` says (all of it), or the part of the day's default; None if it says none."""
    if not s:
        return dt.time(_PARTS[part], 0) if part in _PARTS else None
    if s in _PARTS:
        return dt.time(_PARTS[s], 0)
    m = _CN_TIME.fullmatch(s)
    if m:
        hour = _num(m["h"])
        minute = 30 if m["half"] else 15 if m["quarter"] == "一刻" else 45 if m["quarter"] else \
            (_num(m["mi"]) if m["mi"] else 0)
        part = m["part"] or part
        if hour is None or minute is None:
            return None
        if part in ("下午", "傍晚", "晚上") and hour < 12 or part == "中午" and hour < 6:
            hour += 12
    else:
        m = _EN_TIME.fullmatch(s)
        if not m or (m["mi"] is None and m["ap"] is None):
            return None  # a bare number is not a time
        hour, minute = int(m["h"]), int(m["mi"] or 0)
        if m["ap"]:
            if not 1 <= hour <= 12:
                return None
            hour = hour % 12 + (12 if m["ap"].startswith("p") else 0)
        elif part in ("evening", "晚上") and hour < 12:
            hour += 12
    if hour > 23 or minute > 59:
        return None
    return dt.time(hour, minute)


def read_spoken(s: str, local_now: dt.datetime) -> dt.datetime | None:
    """The naive local date-time ``s`` (folded: NFKC, lower case, single spaces) says, read at
    ``local_now`` (naive or aware, in the user's zone); None when it is none of these spellings."""
    today = local_now.date()
    day, part, rest = _day(s, today)
    rest = re.sub(r"^(?:\s|,|at\b|in the\b|the\b|的)+", "", rest).strip()
    clock = _time(rest, part if part != "next" else None)
    if day is None and clock is None:
        return None
    if rest and clock is None:
        return None  # a day followed by something that is not a time
    if day is None:
        day = today
    when = dt.datetime.combine(day, clock or dt.time(9, 0))
    if part == "next" and when < local_now.replace(tzinfo=None):  # a weekday alone: today only while ahead
        when += dt.timedelta(days=7)
    return when
