"""Reading dates, amounts and percentages the way people write them.

Used by the command line and by import (PRODUCT §4 "Import" Values). Every
parser raises InvalidValue on text it cannot read; none of them guesses.
Money is integer cents, computed with Decimal only.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from tui_crm.domain.errors import InvalidValue
from tui_crm.domain.numerals import CN_NUMERAL_CHARS, cn_number
from tui_crm.domain.spoken import read_spoken
from tui_crm.domain.money import parse_amount  # noqa: F401  (money lives in domain.money; kept here for callers)
from tui_crm.domain.lazy_re import lazy

__all__ = [
    "parse_datetime",
    "parse_date",
    "parse_amount",
    "parse_percent",
    "format_amount",
    "format_amount_short",
]

_MONTHS = {
    "jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3,
    "apr": 4, "april": 4, "may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7,
    "aug": 8, "august": 8, "sep": 9, "sept": 9, "september": 9, "oct": 10,
    "october": 10, "nov": 11, "november": 11, "dec": 12, "december": 12,
}
_MON = r"(?P<mon>[a-z]{3,9})\.?"
_ORD = r"(?:st|nd|rd|th)?"
_CN_NUM = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}

# Date spellings, matched at the start of the folded, lower-cased text; the
# rest of the text must then be empty or a time of day.
_DATES = [
    lazy(r"(?P<y>\d{4})(?P<sep>[-/.])(?P<m>\d{1,2})(?P=sep)(?P<d>\d{1,2})(?!\d)"),
    lazy(r"(?P<y>\d{4})\s*年\s*(?P<m>\d{1,2})\s*月\s*(?:(?P<d>\d{1,2})\s*[日号])?"),
    lazy(r"(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})(?!\d)"),
    lazy(r"(?P<m>\d{1,2})/(?P<d>\d{1,2})/(?P<y>\d{4})(?!\d)"),  # day first when asked: _SLASHED
    lazy(r"(?P<d>\d{1,2})\.(?P<m>\d{1,2})\.(?P<y>\d{4})(?!\d)"),  # 15.12.2024: Europe writes the day first
    lazy(r"(?P<d>\d{1,2})" + _ORD + r"[-\s/]*" + _MON + r"[-\s/,]*(?P<y>\d{4})(?!\d)"),
    lazy(_MON + r"[-\s]*(?P<d>\d{1,2})" + _ORD + r",?[-\s,]*(?P<y>\d{4})(?!\d)"),
    lazy(_MON + r"[-\s,]*(?P<y>\d{4})(?!\d)"),
    lazy(r"(?P<y>\d{4})[-/](?P<m>\d{1,2})(?![\d/.-])"),
]
_QUARTER = lazy(
    r"^(?:(?P<y>\d{4})\s*(?:年\s*|-\s*)?(?:q(?P<q>[1-4])|第?(?P<cq>[一二三四1-4])季度?)"
    r"|q(?P<q2>[1-4])[\s,/-]*(?P<y2>\d{4}))$"
)
_OFFSET = r"(?P<off>z|utc|gmt|[+-]\d{2}(?::?\d{2})?)?"
_TIME_WEST = lazy(
    r"^(?P<h>\d{1,2}):(?P<mi>\d{2})(?::(?P<s>\d{2})(?:[.,]\d{1,9})?)?\s*(?P<ap>am|pm|a\.m\.|p\.m\.)?\s*"
    + _OFFSET + "$"
)
_TIME_AMPM = lazy(r"^(?P<h>\d{1,2})\s*(?P<ap>am|pm|a\.m\.|p\.m\.)$")
_TIME_CN = lazy(
    r"^(?P<part>上午|早上|中午|下午|晚上|凌晨)?\s*(?P<h>\d{1,2})\s*[点點时時]"
    r"(?:\s*(?P<mi>\d{1,2})\s*分?|(?P<half>半))?(?:\s*(?P<s>\d{1,2})\s*秒)?$"
)
_RELATIVE_DAYS = {
    "today": 0, "今天": 0, "今日": 0, "tomorrow": 1, "明天": 1, "明日": 1,
    "后天": 2, "day after tomorrow": 2, "yesterday": -1, "昨天": -1, "前天": -2,
    "next week": 7, "下周": 7, "下星期": 7,
}
_UNIT_WORDS = {
    "d": "day", "day": "day", "days": "day", "天": "day", "日": "day",
    "w": "week", "wk": "week", "week": "week", "weeks": "week", "周": "week", "星期": "week", "礼拜": "week",
    "h": "hour", "hr": "hour", "hrs": "hour", "hour": "hour", "hours": "hour", "小时": "hour", "钟头": "hour",
    "m": "minute", "min": "minute", "mins": "minute", "minute": "minute", "minutes": "minute",
    "分钟": "minute", "分": "minute",
    "mo": "month", "month": "month", "months": "month", "月": "month",
}
_SHIFT_WEST = lazy(
    r"^(?:(?P<sign>[+-])\s*(?P<n>\d{1,4})\s*(?P<unit>mo|months?|min|mins|minutes?|m|d|days?|w|wk|weeks?|h|hrs?|hours?)"
    r"|in\s+(?P<n2>\d{1,4}|an?)\s*(?P<unit2>days?|weeks?|hours?|minutes?|mins?|months?))$")
_SHIFT_CN = lazy(r"^(?P<n>[\d.," + CN_NUMERAL_CHARS + r"]+|半)(?P<half>个半|半)?个?"
                       r"(?P<unit>天|日|周|星期|礼拜|小时|钟头|分钟|分|月)(?P<dir>后|以后|之后|前|以前|之前)$")
_EXCEL_EPOCH = dt.datetime(1899, 12, 30)
_NINE = dt.time(9, 0)


def _fold(text: object) -> str:
    """NFKC (full-width digits and colons), strip, lower-case, single spaces."""
    s = unicodedata.normalize("NFKC", str(text)).strip().lower()
    return re.sub(r"\s+", " ", s)


def _localize(naive: dt.datetime, tz: dt.tzinfo) -> dt.datetime:
    """Attach ``tz`` to a naive local time (pytz zones need ``localize``)."""
    localize = getattr(tz, "localize", None)
    return localize(naive) if localize else naive.replace(tzinfo=tz)


def _offset(token: str | None, raw: object) -> dt.tzinfo | None:
    """A fixed offset from ``Z``/``UTC``/``+08:00``/``+0800``/``+08``."""
    if not token:
        return None
    if token in ("z", "utc", "gmt"):
        return dt.timezone.utc
    sign = -1 if token[0] == "-" else 1
    digits = token[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:] or 0)
    if hours > 23 or minutes > 59:
        raise InvalidValue(f"not a date: {raw!r}")
    return dt.timezone(sign * dt.timedelta(hours=hours, minutes=minutes))


def _time_of_day(rest: str, raw: object) -> tuple[dt.time, dt.tzinfo | None]:
    """Read what follows the date: nothing, ``09:15[:30][+08:00]``, ``3pm``, ``10点半``."""
    rest = re.sub(r"^(?:t|at|,|\s)+", "", rest).strip() if rest else ""
    if not rest:
        return dt.time(0, 0), None
    hour = minute = second = 0
    tz = None
    ap = None
    if m := _TIME_WEST.match(rest):
        hour, minute, second = int(m["h"]), int(m["mi"]), int(m["s"] or 0)
        ap, tz = m["ap"], _offset(m["off"], raw)
    elif m := _TIME_AMPM.match(rest):
        hour, ap = int(m["h"]), m["ap"]
    elif m := _TIME_CN.match(rest):
        hour, second = int(m["h"]), int(m["s"] or 0)
        minute = 30 if m["half"] else int(m["mi"] or 0)
        if m["part"] in ("下午", "晚上") and hour < 12:
            hour += 12
        elif m["part"] == "中午" and hour < 6:
            hour += 12
    else:
        raise InvalidValue(f"not a date: {raw!r}")
    if ap:
        if not 1 <= hour <= 12:
            raise InvalidValue(f"not a date: {raw!r}")
        hour = hour % 12 + (12 if ap.startswith("p") else 0)
    if hour > 23 or minute > 59 or second > 59:
        raise InvalidValue(f"not a date: {raw!r}")
    return dt.time(hour, minute, second), tz


_SLASHED = _DATES[3]
_SLASH_DATE = lazy(r"^\s*(\d{1,2})/(\d{1,2})/\d{4}(?!\d)")


def slash_order(texts) -> str | None:
    """How a column of ``dd/mm/yyyy`` or ``mm/dd/yyyy`` dates writes them: ``"dmy"`` when some first number is
    over 12 (``15/12/2024``) and no second one is, ``"mdy"`` when some second one is, else None."""
    first = second = False
    for t in texts:
        m = _SLASH_DATE.match(str(t))
        if m:
            first, second = first or int(m[1]) > 12, second or int(m[2]) > 12
    if first != second:
        return "dmy" if first else "mdy"
    return None


def _calendar(s: str, raw: object, day_first: bool = False) -> tuple[dt.date, str] | None:
    """Match a date spelling at the start of ``s``: (date, text after it); ``5/1/2024`` is May 1st, or the
    5th of January with ``day_first``."""
    if m := _QUARTER.match(s):
        year = int(m["y"] or m["y2"])
        quarter = int(m["q"] or m["q2"] or _CN_NUM[m["cq"]])
        return dt.date(year, 3 * quarter - 2, 1), ""
    for pattern in _DATES:
        m = pattern.match(s)
        if not m:
            continue
        parts = m.groupdict()
        if parts.get("mon") is not None:
            if parts["mon"] not in _MONTHS:
                continue
            month = _MONTHS[parts["mon"]]
        else:
            month = int(parts["m"])
        day = int(parts["d"]) if parts.get("d") else 1
        if day_first and pattern is _SLASHED:
            day, month = month, day
        try:
            return dt.date(int(parts["y"]), month, day), s[m.end():]
        except ValueError:
            raise InvalidValue(f"not a date: {raw!r}") from None
    return None


def counted_offset(s: str) -> tuple[Decimal, str] | None:
    """(how many, unit) of a counted offset, negative into the past: ``+3d``, ``-1w``, ``+10m``
    (minutes), ``+1mo``, ``in 2 hours``, ``in an hour``, ``三天后``, ``半小时后``, ``一个半小时后``,
    ``两周后``, ``十五分钟后``, ``3个月后``, ``两天前``; None for other text (already folded)."""
    if m := _SHIFT_WEST.match(s):
        n = m["n"] or m["n2"]
        count = Decimal(1) if n in ("a", "an") else Decimal(n)
        return (-count if m["sign"] == "-" else count), _UNIT_WORDS[m["unit"] or m["unit2"]]
    if m := _SHIFT_CN.match(s):
        unit = _UNIT_WORDS[m["unit"]]
        if m["n"] == "半":
            count = Decimal("0.5")
        else:
            count = Decimal(m["n"].replace(",", "")) if re.fullmatch(r"\d+(?:\.\d+)?", m["n"]) else cn_number(m["n"])
            if count is None:
                return None
            count += Decimal("0.5") if m["half"] else 0
        if unit in ("month", "week") and count != count.to_integral_value():
            return None  # 半个月, 1.5周: not a calendar step
        return (-count if m["dir"].endswith("前") else count), unit
    return None


def _relative(s: str, tz: dt.tzinfo, now: dt.datetime | None, raw: object) -> dt.datetime | None:
    """``today``/``明天``/``next week`` (09:00 local) and counted offsets (``+3d``, ``三天后``: days, weeks
    and months keep the time of ``now`` on the wall clock; ``+2h``, ``半小时后``: hours and minutes
    are elapsed time)."""
    shift = counted_offset(s)
    if s not in _RELATIVE_DAYS and s not in ("now", "现在") and not shift:
        return None
    if now is None:
        raise InvalidValue(f"not a date without the current time: {raw!r}")
    local = (now if now.tzinfo else _localize(now, tz)).astimezone(tz)
    if s in ("now", "现在"):
        return local
    if s in _RELATIVE_DAYS:
        day = local.date() + dt.timedelta(days=_RELATIVE_DAYS[s])
        return _localize(dt.datetime.combine(day, _NINE), tz)
    count, unit = shift
    if unit == "month":
        from dateutil.relativedelta import relativedelta

        return _localize(local.replace(tzinfo=None) + relativedelta(months=int(count)), tz)
    if unit in ("hour", "minute") or count != count.to_integral_value():  # 半天后: twelve hours from now
        seconds = count * {"minute": 60, "hour": 3600, "day": 86400, "week": 7 * 86400}[unit]
        return (local.astimezone(dt.timezone.utc) + dt.timedelta(seconds=int(seconds))).astimezone(tz)
    days = int(count) * (7 if unit == "week" else 1)
    return _localize(local.replace(tzinfo=None) + dt.timedelta(days=days), tz)


def _relative_day_at(s: str, tz: dt.tzinfo, now: dt.datetime | None, raw: object) -> dt.datetime | None:
    """``tomorrow 09:30``, ``明天下午3点``, ``today 5pm``: a relative day with a time of day."""
    word = next((w for w in sorted(_RELATIVE_DAYS, key=len, reverse=True)
                 if s.startswith(w) and len(s) > len(w)), None)
    if word is None:
        return None
    if now is None:
        raise InvalidValue(f"not a date without the current time: {raw!r}")
    clock, offset = _time_of_day(s[len(word):], raw)
    day = (now if now.tzinfo else _localize(now, tz)).astimezone(tz).date() + dt.timedelta(days=_RELATIVE_DAYS[word])
    naive = dt.datetime.combine(day, clock)
    return naive.replace(tzinfo=offset) if offset else _localize(naive, tz)


def _serial(value: Decimal, raw: object) -> dt.datetime:
    """An Excel serial day number (1900 date system) as a naive datetime."""
    if not Decimal(1) <= value < Decimal(2958466):
        raise InvalidValue(f"not a date: {raw!r}")
    seconds = int((value * 86400).to_integral_value(ROUND_HALF_UP))
    return _EXCEL_EPOCH + dt.timedelta(seconds=seconds)


def parse_datetime(text: object, tz: dt.tzinfo, now: dt.datetime | None = None, *,
                   allow_serial: bool = False, day_first: bool = False) -> dt.datetime:
    """Read a date/time as an aware datetime, to the second.

    Text without an offset is local time in ``tz``; text with one (``Z``,
    ``+08:00``) keeps that offset. A date alone is 00:00; the relative words
    (``today``, ``明天``, ``next week``…) need ``now`` and give 09:00 local,
    while ``+3d``/``3天后``/``+2h`` keep the time of ``now``. Excel serial
    numbers (``45413``) are read only with ``allow_serial``. ``datetime`` and
    ``date`` objects pass through (naive ones taken as ``tz``). ``day_first`` reads ``5/1/2024`` as
    the 5th of January (a file whose dates say so: :func:`slash_order`).
    """
    if isinstance(text, dt.datetime):
        result = text if text.tzinfo else _localize(text, tz)
        return result.replace(microsecond=0)
    if isinstance(text, dt.date):
        return _localize(dt.datetime.combine(text, dt.time()), tz)
    if isinstance(text, bool) or text is None:
        raise InvalidValue(f"not a date: {text!r}")
    if isinstance(text, int):
        text = str(text)  # 20240501, or a serial when allowed
    if isinstance(text, (float, Decimal)):
        if not allow_serial:
            raise InvalidValue(f"not a date: {text!r}")
        try:
            return _localize(_serial(Decimal(str(text)), text), tz)
        except InvalidOperation:
            raise InvalidValue(f"not a date: {text!r}") from None
    s = _fold(text)
    if not s:
        raise InvalidValue(f"not a date: {text!r}")
    if (rel := _relative(s, tz, now, text)) is not None:
        return rel.replace(microsecond=0)
    if now is not None and (said := read_spoken(s, (now if now.tzinfo else _localize(now, tz)).astimezone(tz))):
        return _localize(said, tz)  # friday, 下周一上午10点, 12月5日, 明天上午, 下午3点 (domain.spoken)
    if (rel := _relative_day_at(s, tz, now, text)) is not None:
        return rel
    found = _calendar(s, text, day_first)
    if found is None:
        if allow_serial and re.fullmatch(r"\d{1,7}(?:\.\d+)?", s):
            return _localize(_serial(Decimal(s), text), tz)
        raise InvalidValue(f"not a date: {text!r}")
    day, rest = found
    clock, offset = _time_of_day(rest, text)
    naive = dt.datetime.combine(day, clock)
    return naive.replace(tzinfo=offset) if offset else _localize(naive, tz)


def parse_date(text: object, now: dt.datetime | None = None, *, allow_serial: bool = False) -> dt.date:
    """The calendar date of ``text`` as written (relative words use ``now``'s zone)."""
    tz = now.tzinfo if now is not None and now.tzinfo else dt.timezone.utc
    if isinstance(text, dt.datetime):
        return text.date()
    return parse_datetime(text, tz, now, allow_serial=allow_serial).date()


# --- money and percentages -------------------------------------------------

def _decimal(value: object, what: str) -> Decimal:
    """int/float/Decimal to Decimal (floats through their shortest repr)."""
    if isinstance(value, bool):
        raise InvalidValue(f"not {what}: {value!r}")
    number = Decimal(value) if isinstance(value, (int, Decimal)) else Decimal(repr(value))
    if not number.is_finite():
        raise InvalidValue(f"not {what}: {value!r}")
    return number


def parse_percent(text: object) -> Decimal:
    """Read a percentage as a fraction 0..1: ``65.0%``, ``0.65`` and ``65`` -> 0.65.

    A bare number above 1 is taken as percent. Outside 0–100 % raises.
    """
    if isinstance(text, (int, float, Decimal)):
        number, has_sign = _decimal(text, "a percentage"), False
    else:
        s = _fold(text if text is not None else "").replace(" ", "")
        has_sign = s.endswith("%")
        s = s.removesuffix("%")
        if not re.fullmatch(r"-?(?:\d+(?:\.\d+)?|\.\d+)", s):
            raise InvalidValue(f"not a percentage: {text!r}")
        number = Decimal(s)
    if has_sign or number > 1:
        number /= 100
    if not 0 <= number <= 1:
        raise InvalidValue(f"not between 0% and 100%: {text!r}")
    return number.normalize() if number else Decimal(0)


def format_amount(cents: int | None) -> str:
    """``8000000`` -> ``80,000.00``; None -> ``–``."""
    if cents is None:
        return "–"
    sign = "-" if cents < 0 else ""
    units, rest = divmod(abs(int(cents)), 100)
    return f"{sign}{units:,}.{rest:02d}"


def format_amount_short(cents: int | None, style: str = "plain") -> str:
    """Compact money for cards: ``plain`` (or ``en``) ``80.0k``/``1.2M``/``3.4B``, ``cn`` (or ``zh``)
    ``8.0万``/``1.2亿``."""
    if cents is None:
        return "–"
    sign = "-" if cents < 0 else ""
    value = Decimal(abs(int(cents))) / 100
    steps = [(Decimal(10) ** 8, "亿"), (Decimal(10) ** 4, "万")] if style in ("cn", "zh") \
        else [(Decimal(10) ** 9, "B"), (Decimal(10) ** 6, "M"), (Decimal(1000), "k")]
    one = Decimal("0.1")
    for i, (size, suffix) in enumerate(steps):
        if value >= size or (value / size).quantize(one, ROUND_HALF_UP) >= 1:
            short = (value / size).quantize(one, ROUND_HALF_UP)
            if i > 0 and short >= steps[i - 1][0] / size:
                size, suffix = steps[i - 1]
                short = (value / size).quantize(one, ROUND_HALF_UP)
            return f"{sign}{short}{suffix}"
    return f"{sign}{value.quantize(Decimal(1), ROUND_HALF_UP)}"
