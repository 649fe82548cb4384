"""Logins: what a valid one is, and the login derived from a person's name.

A login is 1–32 characters of ``a-z 0-9 . _ -``. It goes into SSH forced
commands, PostgreSQL role names and file names, so nothing else is let in.
A name becomes a login by writing Chinese characters in pinyin
(张玉玲 → ``zhangyuling``), dropping accents (José → ``jose``) and every other
character (``new rep;id`` → ``newrepid``); a clash gets a number
(``zhangyuling2``).
"""
from __future__ import annotations

import re
import unicodedata

MAX_LOGIN = 32
_VALID = re.compile(r"[a-z0-9._-]{1,%d}" % MAX_LOGIN)
_DROP = re.compile(r"[^a-z0-9._-]+")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff]")


def is_valid_login(login: str) -> bool:
    return bool(_VALID.fullmatch(login or ""))


def _romanised(name: str) -> str:
    if _HAN.search(name):
        from pypinyin import Style, lazy_pinyin

        name = "".join(lazy_pinyin(name, style=Style.NORMAL, errors=lambda chars: chars))
    return unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")


def login_from_name(name: str, taken: set[str] | frozenset[str] = frozenset()) -> str:
    """A valid login for ``name`` that is not in ``taken`` (a number appended on a clash)."""
    base = _DROP.sub("", _romanised(name).lower()).strip(".-") or "user"
    base = base[:MAX_LOGIN]
    login, k = base, 2
    while login in taken:
        suffix = str(k)
        login, k = base[:MAX_LOGIN - len(suffix)] + suffix, k + 1
    return login
