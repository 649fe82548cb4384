"""PostgreSQL: the planner's figures for the tables a bulk writer grows, kept up as it grows them.

The planner estimates how many rows a condition matches from the table's statistics (ANALYZE). A new
database's tables were analysed empty (schema creation), so it has no figures for their columns and guesses
that each value of ``email = ANY(...)`` matches 0.5 % of the rows: the importer's look-up of a chunk's e-mails
and phones among the stored leads (services/importing/run.py) was then planned as a sequential scan of every
lead, 9 ms a chunk at 100,000 leads and growing (auto_explain). Autovacuum analyses a table once a tenth of it
has changed, but at most once a minute, and a server may run without it (this machine's does). So the writer
analyses the columns it looks rows up by itself, once it has grown the table by the rows the statistics knew
(at least MIN_ROWS): five times over an import of 100,000 rows into an empty database (each samples at most
30,000 rows; the whole table's columns took 0.35 s at 100,000 leads, most of it the trigram expression's),
once or never into a large one; the rest of the table's statistics are autovacuum's. ANALYZE takes no lock
that holds up other users' reads or writes; a role that does not own the tables is told so in a warning and
nothing happens (then no more tries until it grows again).
SQLite plans without statistics unless ANALYZE ran once (the demo runs it): nothing to do there.
"""
from __future__ import annotations

from typing import Sequence

import peewee as pw

GROWTH, MIN_ROWS = 1.0, 5000


class GrowingTables:
    """Tracks rows added to the tables of ``columns`` (``{table: (column, ...)}``; call :meth:`added` after
    each commit) and analyses those columns of a table that has grown past its statistics (outside any
    transaction: ANALYZE then reads what was committed)."""

    def __init__(self, db: pw.Database, columns: dict[str, Sequence[str]]):
        self.db, self.columns = db, columns
        self.known = {t: self._counted(t) for t in columns} if isinstance(db, pw.PostgresqlDatabase) else {}
        self.grown = dict.fromkeys(self.known, 0)

    def _counted(self, table: str) -> float:
        (n,) = self.db.execute_sql("SELECT GREATEST(reltuples, 0) FROM pg_class WHERE oid = %s::regclass",
                                   (f'"{table}"',)).fetchone()
        return float(n)

    def added(self, rows: int) -> None:
        """``rows`` more rows in each table (about one of each per lead for an import), committed."""
        for table in self.known:
            self.grown[table] += rows
            if self.grown[table] >= max(MIN_ROWS, GROWTH * self.known[table]) and not self.db.in_transaction():
                cols = ", ".join(f'"{c}"' for c in self.columns[table])
                try:  # SKIP_LOCKED: a VACUUM or an index build under way on the table is not waited for
                    self.db.execute_sql(f'ANALYZE (SKIP_LOCKED) "{table}" ({cols})')
                except pw.DatabaseError:  # a statement or lock timeout: the figures wait for the next time
                    pass
                self.known[table] = max(self._counted(table), self.known[table] + self.grown[table])
                self.grown[table] = 0
