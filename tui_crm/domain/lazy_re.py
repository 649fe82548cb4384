"""A regular expression compiled when it is first used, not when its module is imported.

Compiling is pure Python (re._parser, re._compiler) and costly: the date, amount and pinyin patterns of
domain.parse, spoken, money and spell were 5% of the instructions to the app's first screen, which uses none
of them (issue 17). ``lazy(pattern, flags)`` stands where ``re.compile(pattern, flags)`` stood: the first
attribute asked for compiles it, and the compiled pattern's methods are then kept on the object, so later calls
cost what a compiled pattern's do. Not a ``re.Pattern``: give it to ``re.sub`` and friends as ``p.sub(...)``.
"""
from __future__ import annotations

import re

_KEPT = ("match", "fullmatch", "search", "sub", "subn", "split", "findall", "finditer", "scanner", "pattern",
         "flags", "groups", "groupindex")


class LazyPattern:
    def __init__(self, pattern: str, flags: int = 0):
        self._source = (pattern, flags)

    def __getattr__(self, name: str):  # only for what is not kept yet: the first use
        compiled = re.compile(*self._source)
        for kept in _KEPT:
            setattr(self, kept, getattr(compiled, kept))
        return getattr(compiled, name)

    def __repr__(self) -> str:
        return f"lazy({self._source[0]!r})"


def lazy(pattern: str, flags: int = 0) -> LazyPattern:
    return LazyPattern(pattern, flags)
