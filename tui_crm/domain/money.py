"""Reading money the way people and other systems write it, as integer cents and the currency named.

``¥80,000``, ``8.5万``, ``八万``, ``两千``, ``80000元``, ``USD 1,200.50``, ``1200 SEK``, ``SE960000,00`` (with decimal
commas), ``€1.234,56``. A currency mark or ISO code before or after the number is stripped and
returned as an ISO 4217 code; ``¥`` and ``元`` are yuan. Decimal commas (``1.234,56``, ``960000,00``)
are read only when asked: ``1,234`` means one thousand two hundred and thirty-four otherwise.
"""
from __future__ import annotations

import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal

from tui_crm.domain.errors import InvalidValue
from tui_crm.domain.numerals import CN_NUMERAL_CHARS, cn_number
from tui_crm.domain.lazy_re import lazy

__all__ = ["parse_money", "parse_amount", "currency_code", "looks_decimal_comma"]

# symbols, words and prefixes -> ISO code (lower-case keys, after NFKC)
_MARKS = {
    "¥": "CNY", "元": "CNY", "元整": "CNY", "圆": "CNY", "块": "CNY", "块钱": "CNY", "rmb": "CNY", "人民币": "CNY",
    "$": "USD", "us$": "USD", "美元": "USD", "hk$": "HKD", "港币": "HKD", "港元": "HKD", "nt$": "TWD", "s$": "SGD",
    "a$": "AUD", "c$": "CAD", "€": "EUR", "欧元": "EUR", "£": "GBP", "英镑": "GBP", "円": "JPY", "日元": "JPY",
    "₩": "KRW", "₹": "INR", "₽": "RUB", "se": "SEK", "kr": "SEK", "fr.": "CHF",
}
_CODES = {
    "CNY", "USD", "EUR", "GBP", "JPY", "HKD", "TWD", "SGD", "AUD", "CAD", "NZD", "CHF", "SEK", "NOK", "DKK", "ISK",
    "PLN", "CZK", "HUF", "RON", "BGN", "TRY", "RUB", "UAH", "INR", "KRW", "THB", "MYR", "IDR", "PHP", "VND",
    "BRL", "MXN", "ARS", "CLP", "COP", "PEN", "ZAR", "EGP", "NGN", "KES", "AED", "SAR", "QAR", "ILS", "PKR",
    "BDT", "LKR", "MOP",
}
_WORDS = {"us dollar": "USD", "us dollars": "USD", "dollar": "USD", "dollars": "USD", "euro": "EUR",
          "euros": "EUR", "yuan": "CNY", "renminbi": "CNY", "pound": "GBP", "pounds": "GBP", "yen": "JPY",
          "swedish krona": "SEK", "krona": "SEK", "kronor": "SEK", "hong kong dollar": "HKD"}
_ALL = sorted([*_MARKS, *(c.lower() for c in _CODES)], key=len, reverse=True)
_PREFIX = lazy(r"^(?:" + "|".join(re.escape(m) for m in _ALL) + r")\s*(?=[\d.,+\-" + CN_NUMERAL_CHARS + r"]|$)")
_SUFFIX = lazy(r"\s*(?:" + "|".join(re.escape(m) for m in _ALL) + r")$")
_UNITS = {
    "亿": Decimal(10) ** 8, "万": Decimal(10) ** 4, "千": Decimal(1000), "w": Decimal(10) ** 4,
    "k": Decimal(1000), "m": Decimal(10) ** 6, "mm": Decimal(10) ** 6, "mn": Decimal(10) ** 6,
    "b": Decimal(10) ** 9, "bn": Decimal(10) ** 9, "百万": Decimal(10) ** 6,
}
_NUMBER = lazy(r"^(?:\d+|\d{1,3}(?:,\d{3})+)(?:\.\d+)?$|^\.\d+$")
_NUMBER_DC = lazy(r"^(?:\d+|\d{1,3}(?:\.\d{3})+)(?:,\d+)?$|^,\d+$")
_DC_SHAPE = lazy(r"^[^\d]*(?:\d{1,3}(?:\.\d{3})+,\d+|\d+,\d{1,2})[^\d]*$")


def _fold(text: object) -> str:
    s = unicodedata.normalize("NFKC", str(text)).strip().lower()
    return re.sub(r"\s+", " ", s).replace("\u00a0", " ")


def currency_code(text: object) -> str | None:
    """The ISO code a currency cell names (``USD``, ``$``, ``人民币``, ``US Dollars``), None if it names none."""
    s = _fold(text or "")
    if not s:
        return None
    if s.upper() in _CODES:
        return s.upper()
    if s in _MARKS:
        return _MARKS[s]
    if s in _WORDS:
        return _WORDS[s]
    m = re.match(r"^(.*?)\s*:\s*(\S+)$", s)  # SuiteCRM's "US Dollars : $"
    if m:
        return currency_code(m.group(1)) or currency_code(m.group(2))
    return None


def _mark(token: str) -> str:
    t = token.strip()
    return _MARKS.get(t) or t.upper()


def looks_decimal_comma(text: object) -> bool:
    """Whether ``text`` is a number written with a decimal comma (``960000,00``, ``1.234,56``)."""
    return bool(_DC_SHAPE.match(_fold(text or "").replace(" ", "")))


def parse_money(text: object, decimal_comma: bool = False) -> tuple[int, str | None]:
    """Integer cents and the currency named (None when none is). Empty or negative amounts raise."""
    if isinstance(text, bool):
        raise InvalidValue(f"not an amount: {text!r}")
    if isinstance(text, (int, float, Decimal)):
        number = Decimal(text) if isinstance(text, (int, Decimal)) else Decimal(repr(text))
        if not number.is_finite():
            raise InvalidValue(f"not an amount: {text!r}")
        currency = None
    else:
        s = _fold(text if text is not None else "")
        if not s:
            raise InvalidValue("empty amount")
        currency = None
        negative = s.startswith("-")
        s = s.lstrip("-+").strip()
        for pattern in (_PREFIX, _SUFFIX):
            m = pattern.search(s)
            if m:
                found = _mark(m.group(0))
                if currency and found != currency:
                    raise InvalidValue(f"two currencies in one amount: {text!r}")
                currency = found
                s = (s[:m.start()] + s[m.end():]).strip()
        negative = negative or s.startswith("-")
        s = s.lstrip("-+").replace(" ", "").replace("'", "")
        spoken = None if decimal_comma else cn_number(s)  # 八万, 两千, 1.5万, 三千五
        factor = Decimal(1)
        for unit in sorted(_UNITS, key=len, reverse=True):
            if s.endswith(unit):
                s, factor = s[: -len(unit)], _UNITS[unit]
                break
        if spoken is not None:
            s, factor = str(spoken), Decimal(1)
        elif decimal_comma:
            if not _NUMBER_DC.match(s):
                raise InvalidValue(f"not an amount: {text!r}")
            s = s.replace(".", "").replace(",", ".")
        elif not _NUMBER.match(s):
            raise InvalidValue(f"not an amount: {text!r}")
        number = Decimal(s.replace(",", "")) * factor
        if negative and number:
            raise InvalidValue(f"amount cannot be negative: {text!r}")
    if number < 0:
        raise InvalidValue(f"amount cannot be negative: {text!r}")
    return int((number * 100).quantize(Decimal(1), ROUND_HALF_UP)), currency


def parse_amount(text: object, decimal_comma: bool = False) -> int:
    """Read money as integer cents: ``¥80,000`` -> 8000000, ``8.5万`` -> 8500000."""
    return parse_money(text, decimal_comma)[0]
