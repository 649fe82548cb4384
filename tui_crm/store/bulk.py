"""Fast bulk loads (demo data, imports, batch actions) inside the caller's transaction: COPY on PostgreSQL,
raw executemany on SQLite."""
from __future__ import annotations

import weakref
from contextlib import contextmanager, suppress
from itertools import chain
from typing import Iterable, Sequence

import peewee as pw


def insert_rows(db: pw.Database, table: str, columns: Sequence[str], rows: Iterable[Sequence],
                chunk: int = 20000) -> int:
    """Insert tuples into ``table``; returns the row count. Call inside ``db.atomic()``.

    PostgreSQL: ``COPY ... FROM STDIN`` (text format, :func:`copy_line`), about twice as fast as
    multi-row INSERTs; under row-level security, where PostgreSQL refuses ``COPY FROM``, multi-row
    INSERTs (the policies' checks apply to them). SQLite: ``executemany``."""
    n = 0
    pg = isinstance(db, pw.PostgresqlDatabase)
    if pg:
        cur = db.cursor()
        send = _insert_values if _secured(cur, table) else _copy
    else:
        sql, conn = sqlite_insert_sql(table, columns), db.connection()
    batch: list = []
    for row in rows:
        batch.append(row)
        if len(batch) >= chunk:
            send(cur, table, columns, batch) if pg else conn.executemany(sql, batch)
            n += len(batch)
            batch = []
    if batch:
        send(cur, table, columns, batch) if pg else conn.executemany(sql, batch)
        n += len(batch)
    return n


def id_list(ids: Iterable[int]) -> str:
    """``(1, 2, 3)``: ids (integers, from the database) as SQL, one literal each: a chunk of 20,000 ids is
    one short string, not 20,000 bound parameters (SQLite's limit is 32,766; peewee builds each one)."""
    return "(" + (", ".join(str(int(i)) for i in ids) or "NULL") + ")"


def ids_in(ids: Iterable[int]) -> pw.SQL:
    """:func:`id_list` for a peewee ``.in_()``."""
    return pw.SQL(id_list(ids))


def insert_new(db: pw.Database, table: str, columns: Sequence[str], rows: list) -> None:
    """Insert tuples into ``table`` that a unique index may already hold (those are left as they are), in
    one statement per 20,000 rows: ``INSERT OR IGNORE`` (SQLite), ``ON CONFLICT DO NOTHING`` (PostgreSQL,
    where row-level security checks each row as it would any INSERT's). No peewee row building."""
    cols = ", ".join(f'"{c}"' for c in columns)
    for i in range(0, len(rows), 20000):
        part = rows[i:i + 20000]
        if isinstance(db, pw.PostgresqlDatabase):
            from psycopg2.extras import execute_values

            execute_values(db.cursor(), f'INSERT INTO "{table}" ({cols}) VALUES %s ON CONFLICT DO NOTHING', part,
                           page_size=len(part))
        else:
            db.connection().executemany(
                f'INSERT OR IGNORE INTO "{table}" ({cols}) VALUES ({", ".join("?" for _ in columns)})', part)


_SECURED: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()  # connection -> {table: row security}


def _secured(cur, table: str) -> bool:
    """Row-level security applies to this connection's writes into ``table``: asked once per connection and
    table (its role does not change), since a writer of many chunks (an import, the demo) would ask per chunk."""
    known = _SECURED.setdefault(cur.connection, {})
    if table not in known:
        cur.execute("SELECT row_security_active(%s)", (f'"{table}"',))
        known[table] = bool(cur.fetchone()[0])
    return known[table]


# COPY's text format: backslash, tab, newline and carriage return escaped, NULL as \N (a value "\N" is
# sent as "\\N", so it stays the two characters); everything else, CJK and emoji included, as it is
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def copy_field(value) -> str:
    """One value as COPY's text format reads it back: the same string, number or boolean; None is NULL."""
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, str):
        return value.translate(_COPY_ESCAPES)
    return str(value).translate(_COPY_ESCAPES)


def copy_line(row: Sequence) -> str:
    return "\t".join([copy_field(v) for v in row]) + "\n"


# the fast path's values: None is NULL; True and False as 1 and 0, which a boolean column reads as they are and
# which the ints 1 and 0 (equal to them, so the same key) are anyway; every other str or int as str() gives it
_PLAIN = {None: "\\N", True: "1", False: "0"}
_PLAIN_TYPES = frozenset({str, int, bool, type(None)})  # a float 1.0 or a Decimal 1.00 would hash as True


def copy_text(rows: list, width: int) -> str:
    """``rows`` (of ``width`` values) in COPY's text format: the values :func:`copy_line` writes (booleans as
    1 and 0). Rows of strings, ints, booleans and NULLs only are looked up and turned into text by C loops
    (``map``), not by a Python call per value (the demo's writer thread spent 4.5 s of a 100,000-lead load
    in copy_field, holding the GIL its generator needed); the result is then counted: as many tabs, newlines
    and backslashes as the rows' separators and NULLs make, and no carriage return, proves no value needed an
    escape. Else (or with a float, a Decimal, anything else among the values) one value at a time."""
    if not rows:
        return ""
    if set(map(type, chain.from_iterable(rows))) <= _PLAIN_TYPES:
        get = _PLAIN.get
        text = "\n".join(["\t".join(map(str, map(get, r, r))) for r in rows])
        if (text.count("\t") == len(rows) * (width - 1) and text.count("\n") == len(rows) - 1 and "\r" not in text
                and text.count("\\") == sum([r.count(None) for r in rows])):
            return text + "\n"
    return "".join([copy_line(r) for r in rows])


def _copy(cur, table: str, columns: Sequence[str], rows: list) -> None:
    import io

    cols = ", ".join(f'"{c}"' for c in columns)
    cur.copy_expert(f'COPY "{table}" ({cols}) FROM STDIN', io.StringIO(copy_text(rows, len(columns))))


def _insert_values(cur, table: str, columns: Sequence[str], rows: list) -> None:
    from psycopg2.extras import execute_values

    cols = ", ".join(f'"{c}"' for c in columns)
    execute_values(cur, f'INSERT INTO "{table}" ({cols}) VALUES %s', rows, page_size=len(rows))


def sqlite_insert_sql(table: str, columns: Sequence[str]) -> str:
    cols = ", ".join(f'"{c}"' for c in columns)
    return f'INSERT INTO "{table}" ({cols}) VALUES ({", ".join("?" for _ in columns)})'


class BackgroundWriter:
    """Run each batch's inserts on the caller's own connection and transaction. On PostgreSQL on a side thread
    while the caller builds the next batch: the server process parses and stores a COPY on the other core. On
    SQLite at once, on the caller's thread: a side thread's executemany gives the GIL up at every row's step and
    waits to take it back from the thread generating the next batch (a 300k-lead demo ran 3-4 % slower so).
    One batch at a time, in order; ``wait()`` re-raises a failed batch's error."""

    def __init__(self, db: pw.Database):
        from concurrent.futures import ThreadPoolExecutor

        self.pg = isinstance(db, pw.PostgresqlDatabase)
        self.conn = db.connection()  # the caller's connection: its open transaction
        self.pool = ThreadPoolExecutor(1, thread_name_prefix="bulk-writer") if self.pg else None
        self.pending = None

    def submit(self, batches: Sequence[tuple[str, Sequence[str], list]]) -> None:
        self.wait()
        if self.pool is None:
            self._write(batches)
        else:
            self.pending = self.pool.submit(self._write, batches)

    def _write(self, batches) -> None:
        cur = self.conn.cursor()
        for table, columns, rows in batches:
            if not rows:
                continue
            if self.pg:
                (_insert_values if _secured(cur, table) else _copy)(cur, table, columns, rows)
            else:
                cur.executemany(sqlite_insert_sql(table, columns), rows)

    def wait(self) -> None:
        if self.pending is not None:
            pending, self.pending = self.pending, None
            pending.result()

    def close(self) -> None:
        try:
            self.wait()
        finally:
            if self.pool is not None:
                self.pool.shutdown(wait=True)


def reset_sequences(db: pw.Database, tables: Sequence[str]) -> None:
    """After inserting explicit ids on PostgreSQL, move each id sequence past the max. Only forward, and
    only when it is behind: a session under row-level security sees a lower max than there is, and its
    role may use a sequence but not set it."""
    if not isinstance(db, pw.PostgresqlDatabase):
        return
    for t in tables:
        seq, top, last = db.execute_sql(
            f"SELECT s, (SELECT MAX(id) FROM \"{t}\"), pg_sequence_last_value(s::regclass) "
            f"FROM pg_get_serial_sequence('\"{t}\"', 'id') AS s").fetchone()
        if top is not None and top > (last or 0):
            db.execute_sql("SELECT setval(%s, %s, true)", (seq, top))


@contextmanager
def triggers_off(db: pw.Database, triggers: dict[str, Sequence[str]]):
    """Turn off the named triggers of each table (``{table: [name, ...]}``) for a bulk load whose rows
    already carry what they would write; back on after, as they were (SQLite: dropped and created again;
    PostgreSQL: ``ALTER TABLE ... DISABLE TRIGGER``, which the table's owner may). Use inside the load's
    transaction."""
    pg = isinstance(db, pw.PostgresqlDatabase)
    found: list = []
    for table, names in triggers.items():
        marks = ",".join(("%s" if pg else "?") for _ in names)
        if pg:
            found += db.execute_sql(
                f"SELECT %s, tgname FROM pg_trigger WHERE tgrelid = %s::regclass AND tgname IN ({marks}) "
                "AND tgenabled <> 'D'", (table, f'"{table}"', *names)).fetchall()
        else:
            found += db.execute_sql(f"SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ? "
                                    f"AND name IN ({marks})", (table, *names)).fetchall()
    for a, b in found:
        db.execute_sql(f'ALTER TABLE "{a}" DISABLE TRIGGER "{b}"' if pg else f'DROP TRIGGER "{a}"')

    def put_back(a, b) -> None:
        db.execute_sql(f'ALTER TABLE "{a}" ENABLE TRIGGER "{b}"' if pg else b)

    def put_back_missing() -> None:
        for a, b in found:
            if _trigger_off(db, pg, a, b):
                put_back(a, b)

    try:
        yield
    except BaseException:
        with suppress(Exception):
            put_back_missing()
        raise
    for a, b in found:
        put_back(a, b)


def _trigger_off(db: pw.Database, pg: bool, a: str, b: str) -> bool:
    if pg:
        row = db.execute_sql("SELECT tgenabled FROM pg_trigger WHERE tgrelid = %s::regclass AND tgname = %s",
                             (f'"{a}"', b)).fetchone()
        return row is not None and row[0] == "D"
    return db.execute_sql("SELECT 1 FROM sqlite_master WHERE type = 'trigger' AND name = ?", (a,)).fetchone() is None


# After an error inside a bulk block, what it took away and is still missing is put back without ever masking the
# error (``suppress``): a transaction the error rolled back (SQLite's disk full, an I/O error) or aborted
# (PostgreSQL) brings everything back with its rollback, and a statement in it fails: left to that rollback.


# PostgreSQL builds a GIN trigram index several times faster with room to sort in (the default is 64 MB)
INDEX_BUILD_MEMORY = "256MB"


@contextmanager
def indexes_deferred(db: pw.Database, tables: Sequence[str]):
    """Drop the secondary (non-unique) indexes of ``tables`` for a bulk load, rebuild them after; on
    PostgreSQL their foreign keys too, added back (and so checked, by one join each) after.

    Building an index once over sorted data is several times faster than maintaining it row by row;
    PostgreSQL checks a foreign key row by row with a look-up each (most of a history row's cost).
    Use inside the load's transaction (whose user owns the tables).
    """
    keys: list = []
    pg = isinstance(db, pw.PostgresqlDatabase)
    if pg:
        rows = db.execute_sql(
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() "
            "AND tablename = ANY(%s) AND indexdef NOT LIKE 'CREATE UNIQUE%%'", (list(tables),)).fetchall()
        keys = db.execute_sql(
            "SELECT t.relname, c.conname, pg_get_constraintdef(c.oid) FROM pg_constraint c "
            "JOIN pg_class t ON t.oid = c.conrelid JOIN pg_namespace n ON n.oid = t.relnamespace "
            "WHERE c.contype = 'f' AND n.nspname = current_schema() AND t.relname = ANY(%s) ORDER BY 1, 2",
            (list(tables),)).fetchall()
    else:
        marks = ",".join("?" for _ in tables)
        rows = db.execute_sql(
            f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
            f"AND tbl_name IN ({marks}) AND sql NOT LIKE 'CREATE UNIQUE%'", tuple(tables)).fetchall()
    for name, _sql in rows:
        db.execute_sql(f'DROP INDEX "{name}"')
    for table, name, _def in keys:
        db.execute_sql(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')

    def put_back_missing() -> None:
        look = ("SELECT 1 FROM pg_indexes WHERE schemaname = current_schema() AND indexname = %s" if pg else
                "SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = ?")
        for name, sql in rows:
            if db.execute_sql(look, (name,)).fetchone() is None:
                db.execute_sql(sql)
        for table, name, definition in keys:
            if db.execute_sql("SELECT 1 FROM pg_constraint WHERE conname = %s AND conrelid = %s::regclass",
                              (name, f'"{table}"')).fetchone() is None:
                db.execute_sql(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}')

    try:
        yield
    except BaseException:
        with suppress(Exception):
            put_back_missing()
        raise
    if pg:
        db.execute_sql(f"SET LOCAL maintenance_work_mem = '{INDEX_BUILD_MEMORY}'")
    for _name, sql in rows:
        db.execute_sql(sql)
    for table, name, definition in keys:
        db.execute_sql(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}')


@contextmanager
def written_once(db: pw.Database, fresh: bool):
    """SQLite, a bulk load into a file that holds no rows yet (``fresh``): the load's pages go to the file once,
    under a rollback journal that has nothing to keep (SQLite journals no page the file did not hold when the
    transaction began), instead of twice (the WAL, then its checkpoint into the file: ~15 % of a 1M-lead demo);
    WAL again after, which every connection also sets when it opens (store/db.py). Nothing when the file is in
    use by another connection (leaving WAL needs it alone), on PostgreSQL, or for a load into a file with rows.
    While it loads, the file is held alone: another program that opens it meanwhile is told "database is locked"
    (and a plain reader holding a read transaction makes the load wait). Use around the load's transaction."""
    if isinstance(db, pw.PostgresqlDatabase) or not fresh or db.in_transaction():
        yield
        return
    try:
        mode = db.execute_sql("PRAGMA journal_mode = DELETE").fetchone()[0]
    except pw.OperationalError:  # another connection has the file open: WAL it stays
        mode = "wal"
    try:
        yield
    finally:
        if mode != "wal":
            db.execute_sql("PRAGMA journal_mode = WAL")
