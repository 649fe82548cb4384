"""How Chinese names are typed on a Latin keyboard: the full pinyin and the initials of a company's
and a contact's name (腾飞科技有限公司 -> ``tengfeikejiyouxiangongsi tfkjyxgs``, 王建林 -> ``wangjianlin wjl``),
stored beside the lead (``lead.pinyin``) so that the search index finds ``tfkj``, ``tengfei`` and
``wjl`` as it finds any substring. pypinyin segments a name into words and reads each word (so that
重庆 is chongqing, 银行 yinhang); a word's reading is cached, since names share their words
(有限公司, 科技, 北京): a name costs tens of microseconds, not the half millisecond of a fresh reading."""
from __future__ import annotations

from functools import lru_cache

from .lazy_re import lazy

_HAN = lazy(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff]+")
_LATIN = lazy(r"[a-z0-9]+")


@lru_cache(maxsize=65536)
def _word(word: str) -> tuple[str, ...]:
    """The syllables of one Chinese word (characters without a reading are left out)."""
    from pypinyin import Style, lazy_pinyin

    return tuple(s for s in lazy_pinyin(word, style=Style.NORMAL, errors="ignore") if s.isascii() and s)


def _syllables(name: str) -> list[tuple[str, bool]]:
    """(text, is_pinyin) parts of ``name`` in order: Chinese runs read as syllables, other text as words."""
    from pypinyin.seg.simpleseg import seg

    parts: list[tuple[str, bool]] = []
    pos = 0
    for m in _HAN.finditer(name):
        parts += [(w, False) for w in _LATIN.findall(name[pos:m.start()].lower())]
        for word in seg(m.group()):
            parts += [(s, True) for s in _word(word)]
        pos = m.end()
    parts += [(w, False) for w in _LATIN.findall(name[pos:].lower())]
    return parts


@lru_cache(maxsize=16384)
def _one(name: str) -> str:
    """``full initials`` of one name, or "" when it has no Chinese character."""
    if not _HAN.search(name):
        return ""
    parts = _syllables(name)
    full = "".join(p for p, _s in parts)
    initials = "".join(p[0] if is_pinyin else p for p, is_pinyin in parts)
    return " ".join(dict.fromkeys(x for x in (full, initials) if x))


def spelling(*names: str | None) -> str | None:
    """The pinyin spellings of ``names`` for the search index, or None when none is Chinese."""
    out = " ".join(s for s in (_one(n.strip()) for n in names if n and not n.isascii()) if s)  # ASCII: no Chinese
    return out or None
