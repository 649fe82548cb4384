"""CSV records with the physical line each starts on; a record the file's own rules break is marked,
not guessed at.

``records(fh, delimiter, encoding)`` yields ``(line, cells)``. ``cells`` is a :class:`Malformed`
(an empty row to whatever samples rows, a refusal to the converter) for:

- a quote that is never closed (it reached the end of the file): the record starting at ``line`` is
  refused at the cell the quote opened, and reading goes on at the next line, so one stray ``"``
  does not swallow every row after it (one still open past csv's field limit, where it might yet
  close, stops the import with its line: :class:`Unreadable`);
- text after a closing quote (``"Acme"Ltd``), which csv would join silently (``AcmeLtd``);
- a NUL byte in a cell (binary data);
- bytes that are not in the file's encoding (a UTF-8 file with rows pasted from a GBK export), and,
  in a GB18030 file, a cell written in UTF-8: a file in two encodings is read in one, so the other
  rows' text would come out garbled.

``fh`` is a text stream opened with ``errors=ERRORS`` (surrogateescape that counts, so clean files
are not searched for escaped bytes) and ``newline=""``.
"""
from __future__ import annotations

import codecs
import csv
import re
from collections import deque
from typing import Iterator

from ...i18n import _

_ODD = re.compile("[\x00\udc80-\udcff]")  # a NUL, or a byte the encoding could not read (surrogateescape)
ERRORS = "tui-crm-import"  # the decoding error handler to open the file with: surrogateescape, counted
_undecodable = [0]
_escape = codecs.lookup_error("surrogateescape")


def _count_and_escape(exc: UnicodeDecodeError):
    _undecodable[0] += 1
    return _escape(exc)


codecs.register_error(ERRORS, _count_and_escape)


class Malformed(list):
    """A record read as nothing, with why: ``index`` is the cell's column (0-based; None: the row)."""

    def __init__(self, index: int | None, value: str, reason: str):
        super().__init__()
        self.index, self.value, self.reason = index, value, reason


def _gb_file(encoding: str) -> bool:
    return encoding.replace("-", "").replace("_", "").lower() in ("gb18030", "gbk", "gb2312")


def _as_utf8(text: str, encoding: str) -> str | None:
    """``text`` of a GB18030 file read as UTF-8, if its bytes are UTF-8 with two or more non-ASCII
    characters (GB18030 text is almost never valid UTF-8 that long); else None."""
    try:
        other = text.encode(encoding, "surrogateescape").decode("utf-8")
    except (UnicodeDecodeError, UnicodeEncodeError):
        return None
    return other if sum(1 for ch in other if ord(ch) > 127) >= 2 else None


def _shown(text: str, encoding: str) -> str:
    """A cell as the user may read it: bytes of another encoding as that encoding (best guess), NUL as ``\\0``."""
    raw = text.encode(encoding, "surrogateescape")
    for other in ("utf-8", "gb18030"):
        try:
            return raw.decode(other).replace("\x00", "\\0")
        except UnicodeDecodeError:
            continue
    return raw.decode(encoding, "replace").replace("\x00", "\\0")


def _odd_cell(cells: list[str], encoding: str) -> Malformed | None:
    gb = _gb_file(encoding)
    for i, cell in enumerate(cells):
        if "\x00" in cell:
            return Malformed(i, _shown(cell, encoding), _("a NUL byte: binary data, not text"))
        if _ODD.search(cell):
            return Malformed(i, _shown(cell, encoding),
                             _("bytes that are not {encoding} like the rest of the file: save the file in one "
                               "encoding", encoding=encoding.upper()))
        if gb and not cell.isascii() and (utf8 := _as_utf8(cell, encoding)) is not None:
            return Malformed(i, utf8, _("written in UTF-8 while the rest of the file is {encoding}: save the file "
                                        "in one encoding", encoding=encoding.upper()))
    return None


class Unreadable(Exception):
    """A record that is not a quoting mistake and cannot be read (a cell past csv's field limit)."""

    def __init__(self, line: int, error: str):
        super().__init__(error)
        self.line, self.error = line, error


def _quote_problem(text: str, delimiter: str) -> tuple[int, int, str | None]:
    """Where a record's quotes go wrong: (column, offset of that cell, "after") for the first cell with
    text after its closing quote, else (…, "open") for a cell whose quote never closes, else None."""
    cell, start, i, n = 0, 0, 0, len(text)
    at_start, quoted = True, False
    while i < n:
        c = text[i]
        if quoted:
            if c == '"':
                if i + 1 < n and text[i + 1] == '"':
                    i += 2
                    continue
                quoted = False
                if i + 1 < n and text[i + 1] not in (delimiter, "\r", "\n"):
                    return cell, start, "after"
            i += 1
            continue
        if c == '"' and at_start:
            quoted = True
        elif c == delimiter:
            cell, start = cell + 1, i + 1
        at_start = c == delimiter
        i += 1
    return cell, start, ("open" if quoted else None)


def records(fh, delimiter: str, encoding: str) -> Iterator[tuple[int, list]]:
    back: deque[tuple[int, str]] = deque()  # lines to read again after a quote that never closed
    taken: list[tuple[int, str]] = []  # the lines of the record being read
    odd = [False]  # the record has a line with a NUL or bytes of another encoding
    gb = _gb_file(encoding)

    lines, count = iter(fh), [0]

    def source() -> Iterator[str]:  # one per csv reader: a reader that met the end ends its source
        while True:
            if back:
                item = back.popleft()
            else:
                line = next(lines, None)
                if line is None:
                    return
                count[0] += 1
                item = (count[0], line)
            text = item[1]
            if "\x00" in text or (not text.isascii() and ((_undecodable[0] and _ODD.search(text))
                                                          or (gb and _as_utf8(text, encoding)))):
                odd[0] = True
            taken.append(item)
            yield text

    while True:
        reader = csv.reader(source(), delimiter=delimiter, strict=True)
        try:
            for cells in reader:
                start = taken[0][0] if taken else 1
                taken.clear()
                if odd[0]:
                    odd[0] = False
                    bad = _odd_cell(cells, encoding)
                    if bad is not None:
                        yield start, bad
                        continue
                yield start, cells
            return
        except csv.Error as exc:
            record, start = list(taken), (taken[0][0] if taken else 1)
            taken.clear()
            odd[0] = False
            text = "".join(line for _n, line in record)
            index, at, problem = _quote_problem(text, delimiter)
            value = text[at:].splitlines()[0][:80] if text[at:] else ""
            if problem == "after":
                yield start, Malformed(index, value, _("text after a closing quote: quote the whole cell and "
                                                       "double each quote inside it"))
            elif problem == "open" and "end of data" in str(exc):
                yield start, Malformed(index, value, _("a quote opened here is never closed; the lines after it "
                                                       "are read on their own"))
                back.extendleft(reversed(record[1:]))
            elif problem == "open":  # it may close further on: which lines are rows would be a guess
                raise Unreadable(start, _("a quote opened here is not closed within {n} characters",
                                          n=csv.field_size_limit()))
            else:
                raise Unreadable(start, str(exc)) from None
