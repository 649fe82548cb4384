"""Dates, amounts and percentages in the spellings import and the CLI accept (PRODUCT §4)."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, strategies as st

from tui_crm.domain.errors import InvalidValue
from tui_crm.domain.parse import (
    format_amount,
    format_amount_short,
    parse_amount,
    parse_date,
    parse_datetime,
    parse_percent,
)

SH = ZoneInfo("Asia/Shanghai")
NY = ZoneInfo("America/New_York")
UTC = dt.timezone.utc
NOW = dt.datetime(2024, 5, 1, 14, 30, 12, 500000, tzinfo=SH)  # a Wednesday afternoon


def local(*args):
    return dt.datetime(*args, tzinfo=SH)


# --- parse_datetime -----------------------------------------------------------

@pytest.mark.parametrize("text,expected", [
    ("2024-05-01", local(2024, 5, 1)),
    ("2024-05-01T09:15", local(2024, 5, 1, 9, 15)),
    ("2024-05-01 09:15:30", local(2024, 5, 1, 9, 15, 30)),
    ("2024-05-01T09:15:30.987654", local(2024, 5, 1, 9, 15, 30)),
    ("01-May-2024", local(2024, 5, 1)),
    ("07-Apr-2015", local(2015, 4, 7)),
    ("1 May 2024", local(2024, 5, 1)),
    ("May 1, 2024", local(2024, 5, 1)),
    ("September 30 2024", local(2024, 9, 30)),
    ("5/1/2024", local(2024, 5, 1)),
    ("12/31/2024 18:00", local(2024, 12, 31, 18, 0)),
    ("2024/05/01 09:15", local(2024, 5, 1, 9, 15)),
    ("2024.05.01", local(2024, 5, 1)),
    ("2024年5月1日", local(2024, 5, 1)),
    ("2024年5月1日 10:00", local(2024, 5, 1, 10, 0)),
    ("2024年5月1日10点", local(2024, 5, 1, 10, 0)),
    ("2024年5月1日 10点30分", local(2024, 5, 1, 10, 30)),
    ("2024年5月1日下午3点半", local(2024, 5, 1, 15, 30)),
    ("2023年11月2日10:00", local(2023, 11, 2, 10, 0)),
    ("2024年5月1号", local(2024, 5, 1)),
    ("2024年Q2", local(2024, 4, 1)),
    ("2024 Q2", local(2024, 4, 1)),
    ("2024q4", local(2024, 10, 1)),
    ("Q3 2024", local(2024, 7, 1)),
    ("2024年第二季度", local(2024, 4, 1)),
    ("2024年第1季度", local(2024, 1, 1)),
    ("2024年5月", local(2024, 5, 1)),
    ("2024-05", local(2024, 5, 1)),
    ("May 2024", local(2024, 5, 1)),
    ("20240501", local(2024, 5, 1)),
    (20240501, local(2024, 5, 1)),
    ("２０２４年５月１日", local(2024, 5, 1)),
    ("２０２４－０５－０１　０９：１５", local(2024, 5, 1, 9, 15)),
    ("May 1, 2024 at 3pm", local(2024, 5, 1, 15, 0)),
    ("2024-05-01 9:05 PM", local(2024, 5, 1, 21, 5)),
    ("2024-05-01 12:00 am", local(2024, 5, 1, 0, 0)),
    (dt.date(2024, 5, 1), local(2024, 5, 1)),
    (dt.datetime(2024, 5, 1, 9, 15, 30, 123), local(2024, 5, 1, 9, 15, 30)),
])
def test_spellings_in_local_time(text, expected):
    got = parse_datetime(text, SH)
    assert got == expected
    assert got.tzinfo is not None and got.utcoffset() == dt.timedelta(hours=8)
    assert got.microsecond == 0


@pytest.mark.parametrize("text,expected_utc,offset_hours", [
    ("2024-05-01 09:15:30+08:00", dt.datetime(2024, 5, 1, 1, 15, 30, tzinfo=UTC), 8),
    ("2024-05-01T01:02:03Z", dt.datetime(2024, 5, 1, 1, 2, 3, tzinfo=UTC), 0),
    ("2024-05-01T10:00-0500", dt.datetime(2024, 5, 1, 15, 0, tzinfo=UTC), -5),
    ("2024-05-01 10:00 UTC", dt.datetime(2024, 5, 1, 10, 0, tzinfo=UTC), 0),
])
def test_explicit_offset_is_kept(text, expected_utc, offset_hours):
    got = parse_datetime(text, NY)
    assert got == expected_utc
    assert got.utcoffset() == dt.timedelta(hours=offset_hours)


def test_naive_text_takes_the_given_zone():
    assert parse_datetime("2024-07-04 12:00", NY).utcoffset() == dt.timedelta(hours=-4)
    assert parse_datetime("2024-01-04 12:00", NY).utcoffset() == dt.timedelta(hours=-5)


@pytest.mark.parametrize("text,expected", [
    ("today", local(2024, 5, 1, 9, 0)),
    ("今天", local(2024, 5, 1, 9, 0)),
    ("Tomorrow", local(2024, 5, 2, 9, 0)),
    ("明天", local(2024, 5, 2, 9, 0)),
    ("后天", local(2024, 5, 3, 9, 0)),
    ("yesterday", local(2024, 4, 30, 9, 0)),
    ("昨天", local(2024, 4, 30, 9, 0)),
    ("next week", local(2024, 5, 8, 9, 0)),
    ("下周", local(2024, 5, 8, 9, 0)),
    ("+3d", local(2024, 5, 4, 14, 30, 12)),
    ("+ 3 days", local(2024, 5, 4, 14, 30, 12)),
    ("in 2 days", local(2024, 5, 3, 14, 30, 12)),
    ("3天后", local(2024, 5, 4, 14, 30, 12)),
    ("２天前", local(2024, 4, 29, 14, 30, 12)),
    ("-1d", local(2024, 4, 30, 14, 30, 12)),
    ("+1w", local(2024, 5, 8, 14, 30, 12)),
    ("+2h", local(2024, 5, 1, 16, 30, 12)),
    ("2小时后", local(2024, 5, 1, 16, 30, 12)),
    ("now", local(2024, 5, 1, 14, 30, 12)),
])
def test_relative_words(text, expected):
    assert parse_datetime(text, SH, now=NOW) == expected


def test_relative_words_use_the_users_day_not_utcs():
    late_evening_utc = dt.datetime(2024, 5, 1, 20, 0, tzinfo=UTC)  # already 2 May in Shanghai
    assert parse_datetime("today", SH, now=late_evening_utc) == local(2024, 5, 2, 9, 0)


def test_relative_words_need_now():
    with pytest.raises(InvalidValue):
        parse_datetime("today", SH)


@pytest.mark.parametrize("text", [
    "", "   ", "xyz", "hello", "2024-13-01", "2024-02-30", "31/12/2024", "May", "2024",
    "2024-05-01 25:00", "2024-05-01 10:61", "2024-05-01 junk", "45413", "13pm 2024",
    "5/1/24", "2024年13月", "2024 Q5", None, True, 45413.0,
])
def test_unreadable_dates_raise(text):
    with pytest.raises(InvalidValue):
        parse_datetime(text, SH, now=NOW)


def test_error_message():
    with pytest.raises(InvalidValue) as info:
        parse_datetime("xyz", SH)
    assert str(info.value) == "not a date: 'xyz'"


@pytest.mark.parametrize("value,expected", [
    ("45413", local(2024, 5, 1)),
    (45413, local(2024, 5, 1)),
    (45413.5, local(2024, 5, 1, 12, 0)),
    ("42005", local(2015, 1, 1)),
    ("20240501", local(2024, 5, 1)),
])
def test_excel_serials_only_when_allowed(value, expected):
    assert parse_datetime(value, SH, allow_serial=True) == expected


def test_parse_date():
    assert parse_date("2024年5月1日 10:00") == dt.date(2024, 5, 1)
    assert parse_date("2024-05-01T23:30+08:00") == dt.date(2024, 5, 1)
    assert parse_date("明天", now=NOW) == dt.date(2024, 5, 2)
    assert parse_date("45413", allow_serial=True) == dt.date(2024, 5, 1)
    with pytest.raises(InvalidValue):
        parse_date("hello")


MONTH_ABBR = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
MONTH_FULL = ["January", "February", "March", "April", "May", "June", "July", "August",
              "September", "October", "November", "December"]
SPELLINGS = [
    lambda d: f"{d.year:04d}-{d.month:02d}-{d.day:02d}",
    lambda d: f"{d.day:02d}-{MONTH_ABBR[d.month - 1]}-{d.year}",
    lambda d: f"{d.day} {MONTH_FULL[d.month - 1]} {d.year}",
    lambda d: f"{MONTH_ABBR[d.month - 1]} {d.day}, {d.year}",
    lambda d: f"{d.month}/{d.day}/{d.year}",
    lambda d: f"{d.year}/{d.month:02d}/{d.day:02d} 09:15",
    lambda d: f"{d.year}.{d.month:02d}.{d.day:02d}",
    lambda d: f"{d.year}年{d.month}月{d.day}日",
    lambda d: f"{d.year}年{d.month}月{d.day}日 10:00",
    lambda d: f"{d.year}年{d.month}月{d.day}日10点",
    lambda d: f"{d.year:04d}{d.month:02d}{d.day:02d}",
    lambda d: f"{d.year}-{d.month:02d}-{d.day:02d}T08:00:00+08:00",
]


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2999, 12, 31)),
       st.sampled_from(SPELLINGS))
def test_every_spelling_reads_back_the_same_date(day, spell):
    assert parse_date(spell(day)) == day
    assert parse_datetime(spell(day), SH).date() == day


@given(st.integers(min_value=1900, max_value=2999), st.integers(min_value=1, max_value=4))
def test_quarters_start_on_their_first_day(year, quarter):
    first = dt.date(year, 3 * quarter - 2, 1)
    for text in (f"{year}年Q{quarter}", f"{year} Q{quarter}", f"{year}年第{'一二三四'[quarter - 1]}季度"):
        assert parse_date(text) == first


# --- amounts --------------------------------------------------------------------

@pytest.mark.parametrize("text,cents", [
    ("80000", 8_000_000), ("80,000", 8_000_000), ("¥80,000", 8_000_000),
    ("￥80,000.50", 8_000_050), ("80000元", 8_000_000), ("8万", 8_000_000),
    ("8.5万", 8_500_000), ("8.5万元", 8_500_000), ("1.2亿", 12_000_000_000),
    ("RMB 80000", 8_000_000), ("CNY80000", 8_000_000), ("$1,200", 120_000),
    ("80k", 8_000_000), ("80K", 8_000_000), ("1.5M", 150_000_000), ("0", 0),
    ("０.０１", 1), ("1,234,567.89", 123_456_789), (" 2910 ", 291_000),
    ("0.005", 1), ("0.004", 0), ("1,891.5", 189_150),
    (80000, 8_000_000), (1891.5, 189_150), (0.1, 10), (Decimal("19.99"), 1999),
])
def test_parse_amount(text, cents):
    assert parse_amount(text) == cents


@pytest.mark.parametrize("text", [
    "", "  ", "abc", "-5", "-¥80", "¥-80", -1, -0.5, "8万万", "1,2", "80,00", "1.2.3",
    "1e5", "NaN", float("nan"), float("inf"), None, True, "80 000 000 km",
])
def test_bad_amounts_raise(text):
    with pytest.raises(InvalidValue):
        parse_amount(text)


AMOUNT_SPELLINGS = [
    lambda c: f"{c // 100}.{c % 100:02d}",
    lambda c: f"{c // 100:,}.{c % 100:02d}",
    lambda c: f"¥{c // 100:,}.{c % 100:02d}",
    lambda c: f"￥{c // 100:,}.{c % 100:02d}",
    lambda c: f"{c // 100}.{c % 100:02d}元",
    lambda c: f"RMB {c // 100}.{c % 100:02d}",
    lambda c: f"${c // 100:,}.{c % 100:02d}",
]


@given(st.integers(min_value=0, max_value=10**13), st.sampled_from(AMOUNT_SPELLINGS))
def test_amount_spellings_read_back_exactly(cents, spell):
    assert parse_amount(spell(cents)) == cents


@given(st.integers(min_value=0, max_value=10**8))
def test_wan_and_k_units_are_exact(n):
    # n/100 万 == n * 100 yuan; n/1000 k... written with exact decimals
    assert parse_amount(f"{n // 100}.{n % 100:02d}万") == n * 100 * 100
    assert parse_amount(f"{n // 1000}.{n % 1000:03d}k") == n * 100


@given(st.integers(min_value=0, max_value=10**13))
def test_format_amount_reads_back(cents):
    assert parse_amount(format_amount(cents)) == cents


# --- percentages ----------------------------------------------------------------

@pytest.mark.parametrize("text,expected", [
    ("65.0%", Decimal("0.65")), ("0.65", Decimal("0.65")), ("65", Decimal("0.65")),
    ("65％", Decimal("0.65")), ("100%", Decimal("1")), ("0%", Decimal("0")),
    ("1", Decimal("1")), ("20.5%", Decimal("0.205")), (" 65 % ", Decimal("0.65")),
    (0.65, Decimal("0.65")), (65, Decimal("0.65")), (Decimal("0.5"), Decimal("0.5")),
])
def test_parse_percent(text, expected):
    got = parse_percent(text)
    assert got == expected
    assert isinstance(got, Decimal)


def test_parse_percent_is_tidy():
    assert str(parse_percent("65.0%")) == "0.65"


@pytest.mark.parametrize("text", ["", "abc", "101%", "150", "-5%", "-0.1", "65%%", None, "1e2"])
def test_bad_percentages_raise(text):
    with pytest.raises(InvalidValue):
        parse_percent(text)


@given(st.integers(min_value=0, max_value=1000))
def test_percent_spellings_agree(tenths):
    as_percent = f"{tenths // 10}.{tenths % 10}%"
    expected = Decimal(tenths) / 1000
    assert parse_percent(as_percent) == expected
    if tenths > 10:
        assert parse_percent(as_percent[:-1]) == expected


# --- formatting -----------------------------------------------------------------

@pytest.mark.parametrize("cents,text", [
    (8_000_000, "80,000.00"), (8_000_050, "80,000.50"), (0, "0.00"), (5, "0.05"),
    (123_456_789, "1,234,567.89"), (-150, "-1.50"), (None, "–"),
])
def test_format_amount(cents, text):
    assert format_amount(cents) == text


@pytest.mark.parametrize("cents,en,zh", [
    (8_000_000, "80.0k", "8.0万"),
    (120_000_000, "1.2M", "120.0万"),
    (12_000_000_000, "120.0M", "1.2亿"),
    (120_000_000_000, "1.2B", "12.0亿"),
    (80_000, "800", "800"),
    (99_995_000, "1.0M", "100.0万"),
    (999_960_000_00, "1.0B", "10.0亿"),
    (0, "0", "0"),
    (None, "–", "–"),
])
def test_format_amount_short(cents, en, zh):
    assert format_amount_short(cents) == en
    assert format_amount_short(cents, style="plain") == en
    assert format_amount_short(cents, style="cn") == zh


@pytest.mark.parametrize("text,expected", [
    ("tomorrow 09:30", dt.datetime(2024, 5, 2, 9, 30, tzinfo=SH)),
    ("明天下午3点", dt.datetime(2024, 5, 2, 15, 0, tzinfo=SH)),
    ("明天 10点半", dt.datetime(2024, 5, 2, 10, 30, tzinfo=SH)),
    ("today 5pm", dt.datetime(2024, 5, 1, 17, 0, tzinfo=SH)),
    ("后天 08:00", dt.datetime(2024, 5, 3, 8, 0, tzinfo=SH)),
])
def test_a_relative_day_with_a_time_of_day(text, expected):
    # a rep types the next call as "tomorrow 09:30"; it was refused ("tomorrow" alone worked)
    assert parse_datetime(text, SH, NOW) == expected


def test_a_relative_day_with_something_else_after_it_is_refused():
    with pytest.raises(InvalidValue):
        parse_datetime("tomorrowish", SH, NOW)
