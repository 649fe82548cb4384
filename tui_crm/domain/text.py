"""Terminal text: cell widths (CJK and full-width characters take two cells), and user text made safe
to store and to print (no control characters), spreadsheet cells that run no formula."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from .limits import SEARCH

__all__ = ["cell_width", "fit", "wrap", "clean", "clean_values", "has_controls", "printable", "sheet_cell",
           "unquote_cell", "SEARCH_LIMIT"]

_ELLIPSIS = "…"


@lru_cache(maxsize=4096)
def _char_width(c: str) -> int:
    """Cells one character takes: 0 for combining/control/format, 2 for wide."""
    if unicodedata.combining(c) or unicodedata.category(c) in ("Mn", "Me", "Cf", "Cc"):
        return 0
    return 2 if unicodedata.east_asian_width(c) in ("W", "F") else 1


def cell_width(s: str) -> int:
    """Terminal cells ``s`` takes (``"客户"`` is 4, ``"abc"`` is 3)."""
    if s.isascii() and s.isprintable():  # most cells: one cell a character, no look-ups
        return len(s)
    return sum(map(_char_width, s))


def fit(s: str, width: int, align: str = "left") -> str:
    """``s`` truncated with ``…`` and padded to exactly ``width`` cells.

    Control characters (newlines, tabs) become spaces. A wide character is
    never split: when only one cell is left for it, a space takes its place.
    ``align`` is ``left``, ``right`` or ``center``.
    """
    if width <= 0:
        return ""
    s = str(s)
    if not (s.isascii() and s.isprintable()):
        s = "".join(" " if unicodedata.category(c) == "Cc" else c for c in s)
    if cell_width(s) > width:
        limit, used, kept = width - 1, 0, []
        for c in s:
            w = _char_width(c)
            if used + w > limit:
                break
            kept.append(c)
            used += w
        s = "".join(kept) + _ELLIPSIS
    pad = width - cell_width(s)
    if align == "right":
        return " " * pad + s
    if align == "center":
        return " " * (pad // 2) + s + " " * (pad - pad // 2)
    return s + " " * pad


# a line never starts with these (closing marks and Chinese sentence punctuation)
_NO_LINE_START = set("，。、：；！？）》」』”’,.:;!?)]}%")
# ... nor ends with these (opening marks)
_NO_LINE_END = set("（《「『“‘([{")


def _tokens(s: str) -> list[str]:
    """Words (runs of narrow characters), single wide characters and single spaces: a wide character
    may be broken before or after, a narrow word only at a space."""
    out: list[str] = []
    for c in s:
        if c.isspace():
            out.append(" ")
        elif _char_width(c) == 2 or not out or out[-1] == " " or _char_width(out[-1][-1]) == 2:
            out.append(c)
        else:
            out[-1] += c
    return out


def _cut(word: str, width: int) -> list[str]:
    """A word wider than ``width`` in pieces of at most ``width`` cells, at character boundaries."""
    pieces, piece, used = [], "", 0
    for c in word:
        w = _char_width(c)
        if used + w > width and piece:
            pieces.append(piece)
            piece, used = "", 0
        piece, used = piece + c, used + w
    return pieces + [piece] if piece else pieces


def wrap(s: str, width: int) -> list[str]:
    """``s`` broken into lines of at most ``width`` cells: at spaces, and between wide (CJK) characters,
    never inside a character; a line does not start with closing punctuation (the character before it
    moves down with it) nor end with an opening one. A word longer than ``width`` is cut at a character boundary."""
    width = max(2, width)
    lines: list[list[str]] = [[]]

    def used(toks: list[str]) -> int:
        return sum(cell_width(t) for t in toks)

    for tok in _tokens(" ".join(str(s).split())):
        line = lines[-1]
        if tok == " ":
            if line:
                line.append(" ")
            continue
        pieces = _cut(tok, width) if cell_width(tok) > width else [tok]
        for piece in pieces:
            line = lines[-1]
            if line and used(line) + cell_width(piece) > width:
                while line and line[-1] == " ":
                    line.pop()
                carry = []
                if (piece[0] in _NO_LINE_START and len(line) > 1 and line[-1] != " "
                        and cell_width(line[-1] + piece) <= width):
                    carry = [line.pop()]
                while (len(line) > 1 and line[-1] in _NO_LINE_END
                       and cell_width(line[-1] + "".join(carry) + piece) <= width):
                    carry.insert(0, line.pop())
                lines.append(carry)
                line = lines[-1]
            line.append(piece)
    return ["".join(toks).rstrip() for toks in lines if "".join(toks).strip()]


# ------------------------------------------------------------------ user text on the way in and out
# Bidirectional overrides and isolates reorder what a reader sees ("Trojan Source"); they are format
# characters (Cf), not controls, but are dropped with them. Other Cf (zero-width joiners in emoji) stay.
_DROP = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")

SEARCH_LIMIT = SEARCH  # domain.limits: a search text longer than any field it could match


def clean(text: str) -> str:
    """``text`` without control characters other than tab and newline (a CR of CRLF goes too), and
    without bidirectional overrides: what user text is stored as (anything but text is returned as is)."""
    return _DROP.sub("", text) if text.__class__ is str else text


def clean_values(values: dict) -> dict:
    """A copy of ``values`` with every text :func:`clean`: what a service stores of what a person typed."""
    return {k: clean(v) for k, v in values.items()}


def has_controls(text: str) -> bool:
    """True when :func:`clean` would change ``text``."""
    return _DROP.search(text) is not None


def printable(text: str) -> str:
    """``text`` safe to write to a terminal: no escape sequence, no control character but tab and newline.
    For text read from the database, which may predate :func:`clean`."""
    return clean(text) if isinstance(text, str) else text



_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def sheet_cell(value):
    """A value as a CSV or XLSX cell may hold it: text that a spreadsheet would run as a formula
    (starting with = + - @ tab or CR) gets a leading ``'``; control characters (which XLSX cannot
    hold) are dropped. Import takes the ``'`` off again (:func:`unquote_cell`)."""
    if not isinstance(value, str) or not value:
        return value
    if value.startswith(_FORMULA_START):
        value = "'" + value
    return clean(value) if has_controls(value) else value


def unquote_cell(text: str) -> str:
    """The value :func:`sheet_cell` quoted, as it was: ``'=1+1`` -> ``=1+1``. A ``'`` before a tab
    or CR stays: stored text never starts with white space, so no export quoted one, and the
    cell ``'<tab>0`` is someone's own text."""
    return text[1:] if text[:1] == "'" and text[1:2] in ("=", "+", "-", "@") else text
