"""Reading a summary table (store/summaries.py) over whole UTC days: a period as whole 16-day blocks
(grain 1), then whole days (grain 0), then the partial days at its ends, which the callers read from the
source rows. The report (services/reports) and the list's and board's clock counts (services/leads) share
it; it imports nothing of either, so the list's first screen stays light."""
from __future__ import annotations

import peewee as pw

from .summaries import BLOCK

DAY = 86400


def split_days(start: int | None, end: int | None, unit: int = DAY):
    """[start, end) as whole UTC days (or ``unit`` seconds) ``(lo, hi)`` (None when there is none) and the
    partial days at its edges, [(start, end)] in epoch seconds."""
    lo = None if start is None else -(-start // unit)
    hi = None if end is None else end // unit
    if lo is not None and hi is not None and lo >= hi:
        return None, [(start, end)]
    edges = []
    if start is not None and start < lo * unit:
        edges.append((start, lo * unit))
    if end is not None and hi * unit < end:
        edges.append((hi * unit, end))
    return (lo, hi), edges


class SummaryPart:
    """The whole UTC days ``[day_lo, day_hi)`` (None: unbounded) of the leads owned by ``owners`` (None:
    every owner), read from the summary tables (store/summaries.py); ``col``: the table's time key (its
    ``block_key``: ``day``, or ``hour`` for report_due)."""

    def __init__(self, owners: list[int] | None, day_lo: int | None, day_hi: int | None, col: str = "day"):
        self.owners, self.day_lo, self.day_hi, self.col = owners, day_lo, day_hi, col

    def ranges(self) -> list[tuple[int, int | None, int | None]]:
        """(grain, lo, hi): the whole blocks of days (grain 1) within the days, then the days at its ends."""
        lo, hi, size = self.day_lo, self.day_hi, BLOCK
        b0 = None if lo is None else -(-lo // size)
        b1 = None if hi is None else hi // size
        if b0 is not None and b1 is not None and b0 >= b1:
            return [(0, lo, hi)]
        out: list = [(1, b0, b1)]
        if lo is not None and lo < b0 * size:
            out.append((0, lo, b0 * size))
        if hi is not None and b1 * size < hi:
            out.append((0, b1 * size, hi))
        return out

    def where(self, db: pw.Database, grain: int, lo: int | None, hi: int | None) -> tuple[str, list]:
        p = db.param
        terms, params = [f"grain = {p}"], [grain]
        if self.owners is not None:
            terms.append(f"owner_id IN ({', '.join(p for _ in self.owners)})")
            params += self.owners
        if lo is not None:
            terms.append(f"{self.col} >= {p}")
            params.append(lo)
        if hi is not None:
            terms.append(f"{self.col} < {p}")
            params.append(hi)
        return " AND ".join(terms), params


def summed_rows(db: pw.Database, part: SummaryPart, table: str, select: str, group: str, having: str,
                extra: str = "") -> list[tuple]:
    """``SELECT select ... GROUP BY group HAVING having`` over the rows of ``table`` that ``part`` covers
    (``extra``: more conditions, `` AND ...``)."""
    branches, params = [], []
    for grain, lo, hi in part.ranges():
        where, got = part.where(db, grain, lo, hi)
        branches.append(f"SELECT * FROM {table} WHERE {where}{extra}")
        params += got
    sql = f"SELECT {select} FROM ({' UNION ALL '.join(branches)}) s GROUP BY {group} HAVING {having}"
    return db.execute_sql(sql, params).fetchall()
