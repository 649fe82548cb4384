"""Dates as reps say them (domain.spoken through parse_datetime): these were refused before, and a form
showed "not a date" for what a rep types every day."""
import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from tui_crm.domain.errors import InvalidValue
from tui_crm.domain.parse import parse_amount, parse_datetime

SH = ZoneInfo("Asia/Shanghai")
FRIDAY = dt.datetime(2024, 11, 1, 10, 0, tzinfo=SH)  # a Friday, 10:00


def at(month, day, hour, minute=0, year=2024):
    return dt.datetime(year, month, day, hour, minute, tzinfo=SH)


@pytest.mark.parametrize("text,expected", [
    ("next monday 10am", at(11, 4, 10)), ("下周一上午10点", at(11, 4, 10)), ("Next Monday 10 AM", at(11, 4, 10)),
    ("周五", at(11, 8, 9)), ("friday", at(11, 8, 9)),  # today's 09:00 has passed: next week's
    ("周五 15:00", at(11, 1, 15)), ("friday 3pm", at(11, 1, 15)),  # still ahead today
    ("周五上午", at(11, 8, 9)), ("礼拜三", at(11, 6, 9)), ("星期日下午", at(11, 3, 14)), ("周一", at(11, 4, 9)),
    ("下周五", at(11, 8, 9)), ("next friday", at(11, 8, 9)), ("this friday 4pm", at(11, 1, 16)),
    ("下下周一", at(11, 11, 9)), ("mon 10:00", at(11, 4, 10)), ("monday morning", at(11, 4, 9)),
    ("12月5日", at(12, 5, 9)), ("12月5号 14:00", at(12, 5, 14)), ("十二月五日", at(12, 5, 9)),
    ("dec 5", at(12, 5, 9)), ("5 Dec 2pm", at(12, 5, 14)), ("10月1日", at(10, 1, 9, year=2025)),  # passed: next year
    ("明天上午", at(11, 2, 9)), ("明天下午3点", at(11, 2, 15)), ("明天下午三点半", at(11, 2, 15, 30)),
    ("后天下午", at(11, 3, 14)), ("今晚8点", at(11, 1, 20)), ("明早", at(11, 2, 9)), ("tonight", at(11, 1, 19)),
    ("tomorrow at 3pm", at(11, 2, 15)), ("下午3点", at(11, 1, 15)), ("下午三点一刻", at(11, 1, 15, 15)),
    ("10am", at(11, 1, 10)), ("15:30", at(11, 1, 15, 30)), ("中午", at(11, 1, 12)),
    ("+10m", at(11, 1, 10, 10)), ("半小时后", at(11, 1, 10, 30)), ("三天后", at(11, 4, 10)),
    ("２０２４年１２月５日", at(12, 5, 0)),  # a full date keeps its own reading (00:00)
])
def test_dates_reps_type(text, expected):
    assert parse_datetime(text, SH, now=FRIDAY) == expected


@pytest.mark.parametrize("text", ["9", "friday junk", "周八", "13月5日", "2月30日", "25点", "下午", "mars 5",
                                  "mon 25:00", "13pm"])
def test_what_is_not_a_date_is_still_refused(text):
    if text == "下午":  # a part of the day alone is today at its hour
        assert parse_datetime(text, SH, now=FRIDAY) == at(11, 1, 14)
        return
    with pytest.raises(InvalidValue):
        parse_datetime(text, SH, now=FRIDAY)


def test_spoken_dates_need_now():
    with pytest.raises(InvalidValue):
        parse_datetime("friday", SH)


@pytest.mark.parametrize("text,cents", [("八万", 8000000), ("1.5万", 1500000), ("两千", 200000), ("8万", 8000000)])
def test_amount_words(text, cents):
    assert parse_amount(text) == cents
