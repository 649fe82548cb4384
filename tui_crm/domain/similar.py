"""Company/contact similarity for "duplicate suspected" (PRODUCT §2.9).

Exact duplicates (same phone, email or code) are decided elsewhere; here two
leads are only *suspected* duplicates when company + contact name are at
least 90 % alike after normalising.
"""

from __future__ import annotations

import re
import unicodedata
from difflib import SequenceMatcher

__all__ = ["normalize_company", "similarity", "is_suspected_duplicate"]

# Chinese legal forms, longest first; removed from the end, repeatedly.
_CN_SUFFIXES = ("股份有限公司", "有限责任公司", "有限公司", "集团", "公司")
# English legal-form words, removed as trailing words ("Acme Co., Ltd.").
_EN_SUFFIXES = frozenset({
    "co", "company", "ltd", "inc", "incorporated", "llc", "corp", "corporation",
    "gmbh", "limited", "plc", "group",
})


def _fold(text: object) -> str:
    """NFKC, lower-case, letters and digits only."""
    s = unicodedata.normalize("NFKC", str(text or "")).lower()
    return "".join(c for c in s if unicodedata.category(c)[0] in "LN")


def normalize_company(name: str) -> str:
    """A company name reduced to what identifies it.

    ``"Acme Co., Ltd."`` -> ``"acme"``, ``"北京华为技术有限公司"`` -> ``"北京华为技术"``.
    A name that is nothing but a legal form is kept rather than emptied.
    """
    s = unicodedata.normalize("NFKC", str(name or "")).lower()
    words = [w for w in re.split(r"[^\w]+|_", s) if w]
    while len(words) > 1 and words[-1] in _EN_SUFFIXES:
        words.pop()
    folded = _fold("".join(words))
    changed = True
    while changed:
        changed = False
        for suffix in _CN_SUFFIXES:
            if folded.endswith(suffix) and len(folded) > len(suffix):
                folded = folded[: -len(suffix)]
                changed = True
                break
    return folded


def similarity(a: str, b: str) -> float:
    """How alike two strings are, 0..1, ignoring case, width, spaces and punctuation."""
    return SequenceMatcher(None, _fold(a), _fold(b), autojunk=False).ratio()


def is_suspected_duplicate(company_a: str, contact_a: str, company_b: str, contact_b: str,
                           threshold: float = 0.9) -> bool:
    """True when company + contact of two leads are ``threshold`` alike or more.

    Both sides need a company or a contact; blank pairs never match.
    """
    key_a = normalize_company(company_a) + _fold(contact_a)
    key_b = normalize_company(company_b) + _fold(contact_b)
    if not key_a or not key_b:
        return False
    return SequenceMatcher(None, key_a, key_b, autojunk=False).ratio() >= threshold
