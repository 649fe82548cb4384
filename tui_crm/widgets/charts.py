"""Terminal charts drawn with rich: horizontal bars that read at 80 columns, in 16 colours and in CJK.

Every bar carries its numbers in words next to it, so nothing is said by colour or length alone.
"""
from __future__ import annotations

from rich.text import Text

from ..domain.text import cell_width, fit

EIGHTHS = " ▏▎▍▌▋▊▉█"


def bar(value: float, top: float, width: int) -> str:
    """A bar of ``width`` cells at most, in eighths of a cell; empty when ``top`` is 0."""
    if width <= 0 or not top or value <= 0:
        return ""
    eighths = max(1, round(value / top * width * 8))
    full, part = divmod(min(eighths, width * 8), 8)
    return "█" * full + (EIGHTHS[part] if part else "")


def bar_rows(rows: list[tuple[str, float, str]], width: int, style: str = "cyan",
             label_width: int | None = None) -> Text:
    """One line per ``(label, value, annotation)``: the label, a bar scaled to the largest value, the annotation.

    The annotation (the numbers in words) is always shown in full; the bar takes what is left.
    """
    out = Text(no_wrap=True, overflow="crop")
    if not rows:
        return out
    lw = label_width if label_width is not None else min(16, max(cell_width(r[0]) for r in rows))
    aw = max(cell_width(r[2]) for r in rows)
    top = max((r[1] for r in rows), default=0)
    bw = max(4, width - lw - aw - 3)
    for i, (lab, value, note) in enumerate(rows):
        if i:
            out.append("\n")
        out.append(fit(lab, lw) + " ")
        b = bar(value, top, bw)
        out.append(b, style=style)
        out.append(" " * (bw - len(b)) + " ")
        out.append(fit(note, aw, "right"))
    return out
