"""How an import's staging writes share SQLite's one write lock: transactions sized by time, a gap
between them, checkpoints off the lock.

Each commit rewrites every index page the transaction touched (18 indexes on lead), so longer
transactions are much cheaper per row (measured: 1,000-row chunks 4.5k rows/s, 5,000-row chunks
8.2k rows/s, raw executemany); every other writer waits for the one under way, so none may be long.
A transaction is sized by time, not rows: it writes its rows in parts of about PART_SECONDS each
and commits once TXN_SECONDS have gone, so a slow moment (a loaded machine, cold index pages) ends
it early instead of holding the lock longer. Between two transactions the lock stays free LOCK_GAP:
every tui-crm write tries BEGIN IMMEDIATE every 5 ms while another process holds the file
(store/db.py), so a writer that is waiting is sure to land in the gap (SQLite's lock is not fair; a
raw sqlite3 client, whose busy handler retries up to 100 ms apart, may wait longer). The WAL
checkpoints run on a side connection (store/checkpoints.py) after each commit.
PostgreSQL has no database-wide write lock (its row locks, the code counters', queue fairly): no gap.
"""
from __future__ import annotations

import time
from typing import Callable

import peewee as pw

from ...store.checkpoints import SideCheckpointer
from ...store.statistics import GrowingTables
from ...store.db import WRITE_GAP_SECONDS

TXN_SECONDS, CHUNK_MIN, CHUNK_MAX = 0.3, 200, 20000  # a transaction's length; the rows read ahead of one
# a part of a transaction (rows adapted to the time); each part drops and creates again the insert triggers
# idle on staged rows (write.IDLE_ON_STAGED, ~4 ms): parts of 0.15 s measured 7,001-7,370 rows/s at 100k rows,
# 0.1 s 6,763-6,809, 0.3 s (one a transaction) 7,216-7,227; 0.05 s ~7 % below 0.1 s
PART_SECONDS, PART_MIN, PART_MAX = 0.15, 50, 2000
# PostgreSQL drops no trigger per part, and each COPY fires the summaries' statement triggers once: one part a
# transaction (100k rows: 17.7-18.0 s against 18.6-21.4 s with 0.15 s parts, alternating)
PG_PART_SECONDS, PG_PART_MAX = TXN_SECONDS, CHUNK_MAX
LOCK_GAP = WRITE_GAP_SECONDS


class Pacer:
    """Writes an import's chunks in time-sized transactions on ``db``; ``chunk`` is how many rows to read
    ahead of the next one (adapted as the tables grow)."""

    def __init__(self, db: pw.Database, chunk: int, bulk: bool, tables: GrowingTables | None = None):
        self.db, self.chunk, self.tables = db, chunk, tables
        pg = isinstance(db, pw.PostgresqlDatabase)
        self.gap = 0 if pg else LOCK_GAP
        self.part_seconds, self.part_max = (PG_PART_SECONDS, PG_PART_MAX) if pg else (PART_SECONDS, PART_MAX)
        self.part = 500
        self.last = 0.0  # when our last transaction ended
        self.checkpoints = SideCheckpointer(db) if bulk else None

    def write(self, recs: list, write_part: Callable[[list], None], end: Callable[[], None], adapt: bool) -> None:
        """``write_part(rows)`` for consecutive parts of ``recs``, as many per transaction as TXN_SECONDS
        allow (at least one); ``end()`` last in each transaction."""
        done = 0
        while done < len(recs):
            wait = self.gap - (time.perf_counter() - self.last)
            if wait > 0:
                time.sleep(wait)
            started, first = time.perf_counter(), done
            try:
                with self.db.atomic():
                    while done < len(recs) and (done == first or time.perf_counter() - started < TXN_SECONDS):
                        t = time.perf_counter()
                        part = recs[done:done + self.part]
                        write_part(part)
                        done += len(part)
                        per_row = (time.perf_counter() - t) / len(part)
                        self.part = int(max(PART_MIN, min(self.part_max, self.part_seconds / max(per_row, 1e-6))))
                    end()
            finally:
                self.last = time.perf_counter()
                if self.checkpoints is not None:
                    self.checkpoints.committed()
            if self.tables is not None:  # the planner's figures for the look-ups of the next chunks
                self.tables.added(done - first)
            if adapt:
                want = (done - first) * TXN_SECONDS / max(self.last - started, 1e-3)
                self.chunk = int(max(CHUNK_MIN, min(CHUNK_MAX, 0.5 * self.chunk + 0.5 * want)))

    def close(self) -> None:
        if self.checkpoints is not None:
            self.checkpoints.close()
