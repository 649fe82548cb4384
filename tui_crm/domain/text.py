"""Terminal cell widths: CJK and full-width characters take two cells."""

from __future__ import annotations

import unicodedata

__all__ = ["cell_width", "fit"]

_ELLIPSIS = "…"


def _char_width(c: str) -> int:
    """Cells one character takes: 0 for combining/control/format, 2 for wide."""
    if unicodedata.combining(c) or unicodedata.category(c) in ("Mn", "Me", "Cf", "Cc"):
        return 0
    return 2 if unicodedata.east_asian_width(c) in ("W", "F") else 1


def cell_width(s: str) -> int:
    """Terminal cells ``s`` takes (``"客户"`` is 4, ``"abc"`` is 3)."""
    return sum(_char_width(c) for c in s)


def fit(s: str, width: int, align: str = "left") -> str:
    """``s`` truncated with ``…`` and padded to exactly ``width`` cells.

    Control characters (newlines, tabs) become spaces. A wide character is
    never split: when only one cell is left for it, a space takes its place.
    ``align`` is ``left``, ``right`` or ``center``.
    """
    if width <= 0:
        return ""
    s = "".join(" " if unicodedata.category(c) == "Cc" else c for c in str(s))
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
