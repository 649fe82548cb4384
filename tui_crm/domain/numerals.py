"""Chinese numerals: 八万, 两千, 十五, 一千零五, 1.5万, 三千五 (3500), as people write amounts and counts."""
from __future__ import annotations

import re
from decimal import Decimal

__all__ = ["cn_number", "CN_NUMERAL_CHARS"]

_DIGITS = {"零": 0, "〇": 0, "一": 1, "壹": 1, "二": 2, "贰": 2, "两": 2, "俩": 2, "三": 3, "叁": 3,
           "四": 4, "肆": 4, "五": 5, "伍": 5, "六": 6, "陆": 6, "七": 7, "柒": 7, "八": 8, "捌": 8,
           "九": 9, "玖": 9}
_SMALL = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
_BIG = {"万": 10**4, "萬": 10**4, "亿": 10**8, "億": 10**8}
CN_NUMERAL_CHARS = "".join(_DIGITS) + "".join(_SMALL) + "".join(_BIG)
_TOKEN = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+|\S")


def cn_number(s: str) -> Decimal | None:
    """The number ``s`` writes with Chinese numerals and units, or Arabic digits and Chinese units;
    None when it is not one. 八万 80000, 1.5万 15000, 两千 2000, 十五 15, 一千零五 1005, 壹万贰仟 12000,
    一亿二千万 120000000, and the spoken tail that takes the next unit down: 三千五 3500, 两万三 23000,
    1万2 12000. Units must fall (五百三千 and 8万万 are not numbers); a digit string alone is not one
    of these (the caller reads plain numbers)."""
    tokens, pos = [], 0
    for m in _TOKEN.finditer(s):
        if m.start() != pos:
            return None
        tokens.append(m.group())
        pos = m.end()
    if pos != len(s) or not tokens or not any(t in CN_NUMERAL_CHARS for t in tokens):
        return None
    total = Decimal(0)  # everything from the 亿 and 万 groups already read
    group = Decimal(0)  # the group being read, below its 万 or 亿: 三千五百
    number: Decimal | None = None  # digits read and not yet given a unit
    single = False  # that number is one digit (the spoken tail 三千五 applies to it)
    small = big = None  # the last units read, to keep units falling
    zero = False  # a 零 since the last unit: 一千零五 is 1005, not 1500
    for tok in tokens:
        if tok in ("零", "〇"):
            zero = True
        elif tok in _DIGITS or tok[0].isdigit() or tok[0] == ".":
            if number is not None:
                return None  # two numbers side by side: 一二, 3 5
            number = Decimal(_DIGITS[tok]) if tok in _DIGITS else Decimal(tok.replace(",", ""))
            single = tok in _DIGITS or len(tok) == 1
        elif tok in _SMALL:
            unit = _SMALL[tok]
            if small is not None and unit >= small:
                return None
            if number is None:
                if unit != 10:
                    return None  # 百 or 千 with no digit before it
                number = Decimal(1)  # 十五 is fifteen, 一百十 a hundred and ten
            group += number * unit
            number, small, zero = None, unit, False
        elif tok in _BIG:
            unit = _BIG[tok]
            if big is not None and unit >= big:
                return None
            part = group + (number or 0)
            if not part:
                return None
            total = (total + part) * unit if unit > 10**4 else total + part * unit
            group, number, small, big, zero = Decimal(0), None, None, unit, False
        else:
            return None
    if number is not None:
        last = small if small is not None else (big if not group else None)
        if last is not None and single and not zero and last >= 10:
            number *= Decimal(last) / 10  # 三千五 = 3500, 两万三 = 23000
        group += number
    return total + group
