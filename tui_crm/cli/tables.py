"""Plain-text tables of the command line that never cut what a user types back or counts on.

A column is ``id`` (a code, a phone, a login: never cut), ``money`` (never cut, right-aligned) or
``text`` (may be cut with "…" to fit a terminal). On a terminal narrower than the table, columns give way
by rank (the highest rank drops first) before any text is cut; piped or redirected output is never cut
and never wrapped: one line per row, every column at its full width, so ``grep`` and ``cut`` see it all.
"""
from __future__ import annotations

import os
import shutil
import sys

from ..domain.text import cell_width, fit, printable

TEXT_MIN = 10  # a text column is not narrowed below this (or its own width)
GAP = 2


def _cell(value) -> str:
    text = printable("" if value is None else str(value))
    return " ".join(text.split()) if ("\n" in text or "\t" in text) else text


def terminal_width(stream=None) -> int | None:
    """The terminal's width for ``stream`` (stdout), None when it is not a terminal (piped: no limit)."""
    stream = stream or sys.stdout
    try:
        if not stream.isatty():
            return None
    except (AttributeError, ValueError):
        return None
    if os.environ.get("COLUMNS", "").isdigit():
        return int(os.environ["COLUMNS"])
    return shutil.get_terminal_size().columns


def layout(headers: list[str], rows: list[list[str]], kinds: list[str], ranks: list[int],
           width: int | None) -> list[tuple[int, int]]:
    """(column index, width) of the columns shown, in their order."""
    natural = [max([cell_width(headers[i])] + [cell_width(r[i]) for r in rows]) for i in range(len(headers))]
    shown = list(range(len(headers)))

    def least(i):
        return natural[i] if kinds[i] in ("id", "money") else min(natural[i], TEXT_MIN)

    if width is None:
        return [(i, natural[i]) for i in shown]
    while len(shown) > 1 and sum(least(i) for i in shown) + GAP * (len(shown) - 1) > width:
        shown.remove(max(shown, key=lambda i: (ranks[i], i)))
    widths = {i: least(i) for i in shown}
    spare = width - sum(widths.values()) - GAP * (len(shown) - 1)
    for i in sorted(shown, key=lambda i: ranks[i]):  # the more important text gets its room first
        extra = min(max(spare, 0), natural[i] - widths[i])
        widths[i] += extra
        spare -= extra
    return [(i, widths[i]) for i in shown]


def print_table(headers: list[str], rows: list[list], styles: dict[tuple[int, int], str] | None = None, *,
                kinds: list[str] | None = None, ranks: list[int] | None = None, stream=None) -> None:
    """A table on ``stream`` (stdout). ``kinds`` per column (id / money / text, default text), ``ranks`` per
    column (lower stays longer; default: the order). ``styles`` colours a cell by (row, column) on a terminal.
    Cells are plain text: brackets are not markup, control characters are dropped."""
    from rich.console import Console
    from rich.text import Text

    stream = stream or sys.stdout
    n = len(headers)
    kinds = kinds or ["text"] * n
    ranks = ranks or list(range(n))
    styles = styles or {}
    cells = [[_cell(v) for v in row] for row in rows]
    heads = [_cell(h) for h in headers]
    cols = layout(heads, cells, kinds, ranks, terminal_width(stream))
    console = Console(file=stream, soft_wrap=True, highlight=False)

    def line(values, r=None) -> Text:
        out = Text()
        for k, (i, w) in enumerate(cols):
            if k:
                out.append(" " * GAP)
            align = "right" if kinds[i] == "money" else "left"
            last = k == len(cols) - 1 and align == "left"
            text = values[i] if last and cell_width(values[i]) <= w else fit(values[i], w, align)
            out.append(text, style=styles.get((r, i), "") if r is not None else "bold")
        out.rstrip()  # an empty last cell leaves no gap behind it
        return out

    console.print(line(heads), soft_wrap=True)
    for r, row in enumerate(cells):
        console.print(line(row, r), soft_wrap=True)
