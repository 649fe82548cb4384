"""Chinese numerals in amounts and counted offsets (八万, 两千, 三天后, 半小时后), the spellings Chinese reps type
in every amount and date field (PRODUCT §4); split from test_parse.py."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, strategies as st

from tui_crm.domain.errors import InvalidValue
from tui_crm.domain.parse import parse_amount, parse_datetime

SH = ZoneInfo("Asia/Shanghai")
NY = ZoneInfo("America/New_York")
NOW = dt.datetime(2024, 5, 1, 14, 30, 12, 500000, tzinfo=SH)  # a Wednesday afternoon


# --- Chinese numerals in amounts and counted offsets ---------------------------

@pytest.mark.parametrize("text,cents", [
    ("八万", 8_000_000), ("1.5万", 1_500_000), ("两千", 200_000), ("¥八万", 8_000_000), ("八万元", 8_000_000),
    ("八万块", 8_000_000), ("人民币十万元", 10_000_000), ("十五万", 15_000_000), ("三千五百元", 350_000),
    ("一千零五", 100_500), ("二十万零五百", 20_050_000), ("壹万贰仟", 1_200_000), ("一亿二千万", 12_000_000_000),
    ("三千五", 350_000), ("两万三", 2_300_000), ("1万2", 1_200_000), ("3千5", 350_000), ("2.5千万", 2_500_000_000),
    ("十", 1_000), ("两百", 20_000), ("一百一十", 11_000),
])
def test_amounts_in_chinese_numerals(text, cents):
    assert parse_amount(text) == cents


@pytest.mark.parametrize("text", ["8万万", "五百三千", "一二", "万", "百万元", "两千两千", "八万x"])
def test_bad_chinese_amounts_raise(text):
    with pytest.raises(InvalidValue):
        parse_amount(text)


_CN = "零一二三四五六七八九"


def _spell_group(n: int) -> str:
    """0 < n < 10000 in formal Chinese numerals (a reference written independently of the parser)."""
    out, zero = "", False
    for value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        d = n // value % 10
        if d:
            out += ("零" if zero and out else "") + _CN[d] + unit
            zero = False
        else:
            zero = True
    return out


def spell_cn(n: int) -> str:
    parts = []
    for value, unit in ((10**8, "亿"), (10**4, "万"), (1, "")):
        g = n // value % 10000
        if g:
            lead = "零" if parts and g < 1000 else ""
            parts.append(lead + _spell_group(g) + unit)
        elif parts and parts[-1] != "零":
            parts.append("零")
    return "".join(parts).rstrip("零")


@given(st.integers(min_value=1, max_value=10**12 - 1))
def test_every_whole_amount_reads_back_from_chinese_numerals(n):
    assert parse_amount(spell_cn(n)) == n * 100
    assert parse_amount(spell_cn(n) + "元") == n * 100


@pytest.mark.parametrize("text,expected", [
    ("三天后", dt.datetime(2024, 5, 4, 14, 30, 12, tzinfo=SH)),
    ("3天后", dt.datetime(2024, 5, 4, 14, 30, 12, tzinfo=SH)),
    ("十五天之后", dt.datetime(2024, 5, 16, 14, 30, 12, tzinfo=SH)),
    ("两周后", dt.datetime(2024, 5, 15, 14, 30, 12, tzinfo=SH)),
    ("两个星期以后", dt.datetime(2024, 5, 15, 14, 30, 12, tzinfo=SH)),
    ("半小时后", dt.datetime(2024, 5, 1, 15, 0, 12, tzinfo=SH)),
    ("一个半小时后", dt.datetime(2024, 5, 1, 16, 0, 12, tzinfo=SH)),
    ("两个小时后", dt.datetime(2024, 5, 1, 16, 30, 12, tzinfo=SH)),
    ("十分钟后", dt.datetime(2024, 5, 1, 14, 40, 12, tzinfo=SH)),
    ("15分钟后", dt.datetime(2024, 5, 1, 14, 45, 12, tzinfo=SH)),
    ("半天后", dt.datetime(2024, 5, 2, 2, 30, 12, tzinfo=SH)),
    ("三个月后", dt.datetime(2024, 8, 1, 14, 30, 12, tzinfo=SH)),
    ("两天前", dt.datetime(2024, 4, 29, 14, 30, 12, tzinfo=SH)),
    ("+10m", dt.datetime(2024, 5, 1, 14, 40, 12, tzinfo=SH)),
    ("+1mo", dt.datetime(2024, 6, 1, 14, 30, 12, tzinfo=SH)),
    ("in 30 minutes", dt.datetime(2024, 5, 1, 15, 0, 12, tzinfo=SH)),
    ("in an hour", dt.datetime(2024, 5, 1, 15, 30, 12, tzinfo=SH)),
    ("in 2 weeks", dt.datetime(2024, 5, 15, 14, 30, 12, tzinfo=SH)),
    ("３天后", dt.datetime(2024, 5, 4, 14, 30, 12, tzinfo=SH)),
])
def test_counted_offsets_in_chinese_and_english(text, expected):
    assert parse_datetime(text, SH, NOW) == expected


@pytest.mark.parametrize("text", ["半个月后", "1.5周后", "三天", "天后", "一二天后", "+10x"])
def test_bad_counted_offsets_raise(text):
    with pytest.raises(InvalidValue):
        parse_datetime(text, SH, NOW)


def test_days_keep_the_wall_clock_across_a_dst_change_and_hours_are_elapsed():
    before = dt.datetime(2024, 3, 9, 9, 0, tzinfo=NY)  # the night of 10 March has 23 hours in New York
    assert parse_datetime("1天后", NY, before) == dt.datetime(2024, 3, 10, 9, 0, tzinfo=NY)
    assert parse_datetime("24小时后", NY, before) == dt.datetime(2024, 3, 10, 10, 0, tzinfo=NY)
