"""Reading import files: CSV in any common dialect and encoding, XLSX.

``open_table(path)`` returns a :class:`Table`: the header cells and an
iterator of ``(line, cells)`` where ``line`` is the file's line number of the
row (header = 1; for CSV the physical line the record starts on, so a quoted
multi-line cell does not shift the numbers after it).
"""
from __future__ import annotations

import codecs
import csv
import io
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from contextlib import contextmanager
from typing import BinaryIO, Callable, Iterator

from ...domain.text import clean
from ...i18n import _
from ...threads import short_turns
from ..errors import ServiceError
from . import csvrows

SAMPLE = 256 * 1024
DELIMITERS = ",;\t|"


class UnreadableFile(ServiceError):
    """Nothing could be read from the file (exit 1)."""


@dataclass
class Table:
    path: str
    format: str
    headers: list[str]
    rows: Iterator[tuple[int, list]]
    encoding: str | None = None
    delimiter: str | None = None
    size: int = 0
    position: callable = field(default=lambda: 0)  # bytes read so far (for progress); 0 if unknown
    close: callable = field(default=lambda: None)


def detect_format(path: str, fmt: str | None) -> str:
    if fmt:
        return fmt
    with open(path, "rb") as fh:
        head = fh.read(4)
    if head.startswith(b"PK\x03\x04") or path.lower().endswith((".xlsx", ".xlsm")):
        return "xlsx"
    return "csv"


def detect_encoding(sample: bytes) -> str:
    """utf-8-sig for a BOM, utf-8 when it decodes, else charset-normalizer's guess (GB18030 for GBK)."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        sample.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        if len(sample) >= SAMPLE and exc.reason == "unexpected end of data":  # a character cut by the sample's end
            return "utf-8"
    if _mostly_utf8(sample):  # a UTF-8 file with some rows in another encoding: those rows are refused
        return "utf-8"
    from charset_normalizer import from_bytes

    best = from_bytes(sample, cp_isolation=["gb18030", "big5", "utf_8", "cp1252", "latin_1"]).best()
    enc = best.encoding if best else "gb18030"
    if enc.replace("_", "").lower() in ("cp1252", "latin1", "iso88591", "windows1252") or (
            enc.replace("_", "").lower() == "big5" and len(sample) < 4096):
        # on a small sample the guess between one-byte and Chinese is weak: text that decodes
        # cleanly as GB18030 is far more likely Chinese (a lone “ or é between ASCII does not)
        try:
            sample.decode("gb18030")
            return "gb18030"
        except UnicodeDecodeError:
            pass
    if enc.replace("_", "").lower() in ("gbk", "gb2312", "gb18030", "hz"):
        return "gb18030"  # a superset: what Chinese Excel writes as GBK reads as GB18030
    return enc


def _mostly_utf8(sample: bytes) -> bool:
    """Most lines with non-ASCII bytes are valid UTF-8 (text in another encoding almost never is)."""
    odd = [line for line in sample.split(b"\n")[:-1] if not line.isascii()]
    good = 0
    for line in odd:
        try:
            line.decode("utf-8")
            good += 1
        except UnicodeDecodeError:
            pass
    return bool(odd) and good * 2 > len(odd)


def sniff_delimiter(text: str, truncated: bool = False) -> str:
    """The delimiter that splits the first records most consistently into the header's width.

    Each candidate is tried with the csv module itself (so quoted cells holding other delimiters,
    quotes or newlines are read as the import will read them); the score is the share of records
    with as many cells as the header, then the width. ``csv.Sniffer`` alone guessed ',' for a
    semicolon file whose remarks held a comma and a quote (found by the property test)."""
    best, best_score = ",", (0.0, 0)
    for delim in DELIMITERS:
        widths: list[int] = []
        try:
            for rec in csv.reader(io.StringIO(text), delimiter=delim):
                if any(c.strip() for c in rec):
                    widths.append(len(rec))
                if len(widths) > 60:
                    break
        except csv.Error:
            continue
        if truncated and len(widths) <= 60:
            widths = widths[:-1]  # the sample's last record may be cut short
        if not widths or widths[0] < 2:
            continue
        score = (sum(1 for w in widths if w == widths[0]) / len(widths), widths[0])
        if score > best_score:
            best, best_score = delim, score
    return best


def named_encoding(name: str) -> str:
    """The codec a user named (``--encoding``, the import screen), GBK and GB2312 read as GB18030 (a superset);
    an unknown name is refused in one line."""
    try:
        codec = codecs.lookup(name.strip()).name
    except LookupError:
        raise UnreadableFile(_("unknown encoding {name}: try utf-8, gb18030, big5, utf-16 or cp1252",
                               name=name.strip()[:40])) from None
    return "gb18030" if codec in ("gbk", "gb2312") else codec


def open_csv(path: str, header_row: int | None = None, encoding: str | None = None) -> Table:
    size = os.path.getsize(path)
    with open(path, "rb") as fh:
        sample = fh.read(SAMPLE)
    if not sample.strip():
        raise UnreadableFile(_("{path}: the file is empty", path=path))
    utf16 = sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    if not utf16 and sample.count(b"\x00") > max(8, len(sample) // 100):  # binary; a stray NUL refuses only its row
        raise UnreadableFile(_("{path}: not a CSV or XLSX file", path=path))
    encoding = named_encoding(encoding) if encoding else detect_encoding(sample)
    text = sample.decode(encoding, errors="replace")
    delimiter = sniff_delimiter(text, truncated=len(sample) >= SAMPLE)
    raw = open(path, "rb")
    fh = io.TextIOWrapper(raw, encoding=encoding, errors=csvrows.ERRORS, newline="")

    def read() -> Iterator[tuple[int, list]]:
        try:
            yield from csvrows.records(fh, delimiter, encoding)
        except csvrows.Unreadable as exc:
            raise UnreadableFile(_("line {line}: {error}", line=exc.line, error=exc.error)) from None
        finally:
            raw.close()

    try:
        headers, rows = pick_header(read(), header_row, path)
    except BaseException:
        raw.close()
        raise
    if isinstance(headers, csvrows.Malformed):
        raw.close()
        raise UnreadableFile(_("{path}: the header row cannot be read: {reason}", path=path, reason=headers.reason))
    return Table(path, "csv", [clean(str(h)) for h in headers], _no_wider(rows, len(headers)), encoding, delimiter,
                 size,
                 position=lambda: raw.tell() if not raw.closed else size, close=raw.close)


def _no_wider(rows: Iterator[tuple[int, list]], width: int) -> Iterator[tuple[int, list]]:
    """A CSV row with values past the header's last column is refused: a delimiter or quote is out of
    place, and which value belongs to which column would be a guess (empty extra cells are fine)."""
    for line, cells in rows:
        if len(cells) > width and any(c.strip() for c in cells[width:]):
            extra = next(i for i in range(width, len(cells)) if cells[i].strip())
            yield line, csvrows.Malformed(extra, cells[extra], _(
                "the row has {cells} cells, the header {columns}: a delimiter or a quote out of place?",
                cells=len(cells), columns=width))
        else:
            yield line, cells


def open_xlsx(path: str, sheet: str | None = None, header_row: int | None = None) -> Table:
    import openpyxl

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # zip/XML errors of a broken or non-XLSX file
        raise UnreadableFile(_("{path}: cannot read it as XLSX: {error}", path=path, error=exc)) from None
    if sheet:
        if sheet not in wb.sheetnames:
            wb.close()
            raise UnreadableFile(_("{path}: no sheet named {sheet} (sheets: {names})", path=path, sheet=sheet,
                                   names=", ".join(wb.sheetnames)))
        ws = wb[sheet]
    else:
        ws = wb.worksheets[0]
    it = ws.iter_rows(values_only=True)
    total = ws.max_row or 0
    state = {"line": 1}

    def records() -> Iterator[tuple[int, list]]:
        try:
            for line, cells in enumerate(it, start=1):
                state["line"] = line
                yield line, list(cells)
        finally:
            wb.close()

    try:
        headers, rows = pick_header(records(), header_row, path)
    except BaseException:
        wb.close()
        raise
    return Table(path, "xlsx", ["" if h is None else clean(str(h)) for h in headers], rows, None, None, total,
                 position=lambda: state["line"], close=wb.close)


def open_table(path: str, fmt: str | None = None, sheet: str | None = None, header_row: int | None = None,
               encoding: str | None = None) -> Table:
    """The file's table; ``encoding`` names a CSV file's encoding instead of detecting it (an XLSX file
    holds its own)."""
    if not os.path.exists(path):
        raise UnreadableFile(_("no such file: {path}", path=path))
    if os.path.isdir(path):
        raise UnreadableFile(_("{path} is a directory", path=path))
    fmt = detect_format(path, fmt)
    return open_xlsx(path, sheet, header_row) if fmt == "xlsx" else open_csv(path, header_row, encoding)


HEADER_SCAN = 20  # records looked at for the header row when none is named


def _filled(cells: list) -> int:
    return sum(1 for c in cells if c is not None and str(c).strip())


def pick_header(records: Iterator[tuple[int, list]], header_row: int | None, path: str
                ) -> tuple[list, Iterator[tuple[int, list]]]:
    """The header cells and the rows after them. ``header_row`` (1-based) names the header; else it is
    found among the first records, skipping title rows above it (a lone ``全量导出``, an export date):
    the first row with two or more cells, unless a later one names clearly more known columns."""
    from .headers import field_for

    head: list[tuple[int, list]] = []
    if header_row is not None:
        if header_row < 1:
            raise UnreadableFile(_("--header-row counts from 1, not {n}", n=header_row))
        for rec in records:
            head.append(rec)
            if len(head) == header_row:
                return rec[1], records
        raise UnreadableFile(_("{path}: no row {n} (the file has {count} rows)", path=path, n=header_row,
                               count=len(head)))
    for rec in records:
        head.append(rec)
        if len(head) >= HEADER_SCAN:
            break
    if not head:
        raise UnreadableFile(_("{path}: the file is empty", path=path))

    def known(cells: list) -> int:
        return sum(1 for c in cells if c is not None and str(c).strip() and field_for(str(c)))

    wide = next((k for k, (_l, c) in enumerate(head) if _filled(c) >= 2), None)
    if wide is None:
        wide = next((k for k, (_l, c) in enumerate(head) if _filled(c)), 0)
    scores = [known(c) for _l, c in head]
    best = max(range(len(head)), key=lambda k: (scores[k], -k))
    pick = best if scores[best] >= 2 and scores[best] > scores[wide] else wide

    def rest() -> Iterator[tuple[int, list]]:
        yield from head[pick + 1:]
        yield from records

    return head[pick][1], rest()


def converted(table: Table, convert: Callable[[int, list], object], part_size: int = 500
              ) -> Iterator[tuple[list, int]]:
    """The table's rows through ``convert``, in lists, with the byte position reached, on the caller's thread.
    Not on a thread of its own beside the writer: the two share the GIL and every statement of the writer
    waits to take it back from a converting thread (an import of 100k rows measured 5-10 % slower so)."""
    part: list = []
    for line, cells in table.rows:
        part.append(convert(line, cells))
        if len(part) >= part_size:
            yield part, table.position()
            part = []
    yield part, table.position()


def converted_ahead(table: Table, convert: Callable[[int, list], object], depth: int = 8
                    ) -> Iterator[tuple[list, int]]:
    """:func:`converted` on a thread of its own, up to ``depth`` parts ahead of the caller: for PostgreSQL, whose
    writer's statements wait on the server with the GIL let go (psycopg2), so the next rows are read and
    converted while the server stores the last ones (a 100k-row import: see docs/PERFORMANCE.md). The
    converter touches no database; the GIL changes hands in short turns meanwhile (tui_crm/threads.py). A
    failure in the thread is raised here; a caller that stops early (an error, ^C) stops the thread before this
    returns."""
    import queue
    import threading

    parts: queue.Queue = queue.Queue(depth)
    stop = threading.Event()
    END = object()

    def work() -> None:
        try:
            for item in converted(table, convert):
                parts.put(item)
                if stop.is_set():
                    return
            parts.put(END)
        except BaseException as exc:  # handed to the caller
            parts.put(exc)

    reader = threading.Thread(target=work, name="import-reader", daemon=True)
    with short_turns():  # the writer's statements take the GIL back from the converter at once
        reader.start()
        try:
            while True:
                item = parts.get()
                if item is END:
                    return
                if isinstance(item, BaseException):
                    raise item
                yield item
        finally:
            stop.set()
            while reader.is_alive():  # a put waiting for room returns once the queue is drained
                try:
                    while True:
                        parts.get_nowait()
                except queue.Empty:
                    pass
                reader.join(0.05)


@contextmanager
def spooled(stream: BinaryIO) -> Iterator[str]:
    """The bytes of ``stream`` (standard input) in a private temporary file, deleted afterwards: a file
    can be sniffed for its format and encoding, and an XLSX needs to seek (and, for openpyxl, its suffix)."""
    head = stream.read(4)
    fd, path = tempfile.mkstemp(prefix="tui-crm-import-", suffix=".xlsx" if head == b"PK\x03\x04" else ".csv")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(head)
            shutil.copyfileobj(stream, out, 1024 * 1024)
        yield path
    finally:
        os.unlink(path)
