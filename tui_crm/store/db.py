"""connect(url): one entry point to SQLite or PostgreSQL with the right settings."""
from __future__ import annotations

import os
import re
import threading
import time
from urllib.parse import unquote

import peewee as pw

from ..i18n import _
from . import models, pgmasks, pgurl
from .faults import FileGone
from .reconnect import Reconnecting


class StoreError(Exception):
    """The database cannot be opened or used; the message is for the user."""


def sqlite_path(url: str) -> str:
    """The file of a SQLite URL or path (``:memory:`` for an in-memory database)."""
    if url.startswith("sqlite:///"):
        return unquote(url[len("sqlite:///"):]) or ":memory:"
    if url.startswith("sqlite://"):
        return ":memory:"
    return url


def is_postgres(url: str) -> bool:
    return pgurl.is_postgres(url)


_THREAD = threading.local()  # what this thread's connections are for (label_thread)


def label_thread(label: str | None) -> None:
    """This thread's later PostgreSQL connections carry ``label`` after their application_name
    (``tui-crm:rep1 counts``): the app's connection for slow counts is told apart in pg_stat_activity."""
    _THREAD.label = label


def load_psycopg2() -> None:
    """Hand psycopg2 to peewee, which was imported without it on purpose (tui_crm/pg_driver.py): the
    module globals its psycopg2 adapter reads, and the driver's transaction states on the adapter."""
    if pw.psycopg2 is not None:
        return
    import psycopg2
    from psycopg2 import extensions
    from psycopg2.extras import Json, register_uuid

    pw.pg_extensions, pw.pg_register_uuid, pw.Json_pg2 = extensions, register_uuid, Json
    adapter = pw.Psycopg2Adapter
    adapter.txn_idle = extensions.TRANSACTION_STATUS_IDLE
    adapter.txn_inerror = extensions.TRANSACTION_STATUS_INERROR
    adapter.txn_unknown = extensions.TRANSACTION_STATUS_UNKNOWN
    pw.psycopg2 = psycopg2  # last: it says the rest is there


class PostgresDatabase(Reconnecting, pw.PostgresqlDatabase):
    """PostgreSQL as libpq reads the URL (store/pgurl.py); ``given_name`` is the URL's own
    application_name, kept beside ``tui-crm:LOGIN`` (:func:`name_connections`). A lost
    connection comes back (store/reconnect.py). psycopg2 is loaded here, not with peewee."""
    given_name: str | None = None

    def init(self, database, **kwargs):
        load_psycopg2()  # before peewee picks its adapter
        super().init(database, **kwargs)

    def _initialize_connection(self, conn):
        super()._initialize_connection(conn)
        with conn.cursor() as cur:
            # no JIT for this application's short statements: the planner priced a batch's UPDATE with its
            # per-lead subquery high enough to compile it (0.4 s of a 0.5 s statement on 200 leads; a summary
            # trigger's statements alike, store/pg_definer.NO_JIT)
            cur.execute("SET jit = off")
        pgmasks.enter(conn)  # an admin's role reads contacts masked by the server
        label = getattr(_THREAD, "label", None)
        if label:
            name = f"{self.connect_params.get('application_name') or 'tui-crm'} {label}"
            with conn.cursor() as cur:
                cur.execute("SELECT set_config('application_name', %s, false)", (name,))


def may_exist(url: str) -> bool:
    """False when ``url`` names an SQLite file that is not there (or memory): opening it would create it.
    A PostgreSQL URL may always name a database."""
    if is_postgres(url):
        return True
    path = sqlite_path(url)
    return path != ":memory:" and os.path.isfile(path)


BUSY_SECONDS = 5  # how long a write waits for the file (SQLite's busy_timeout, the queue below)
# how often a write that finds the file locked by another process tries again (SQLite's own busy handler
# sleeps up to 100 ms between tries: an import or a batch had to leave the lock free for 110 ms after each of
# its transactions, a quarter of its time, for another user's write to be sure to land)
POLL_SECONDS = 0.005
# how long a bulk writer (an import, a batch) leaves the file free after each transaction: long enough for a
# writer that polls every POLL_SECONDS to land even on a loaded machine
WRITE_GAP_SECONDS = 0.04
_WRITES = re.compile(r"\s*(INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)
_WRITE_LOCKS: dict[str, threading.Lock] = {}
_WRITE_LOCKS_GUARD = threading.Lock()


def write_lock(path: str) -> threading.Lock:
    """The lock this process's writers of the SQLite file at ``path`` queue on (one per file)."""
    key = os.path.realpath(path)
    with _WRITE_LOCKS_GUARD:
        return _WRITE_LOCKS.setdefault(key, threading.Lock())


def _inode(path: str) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_dev, st.st_ino


class SqliteDatabase(pw.SqliteDatabase):
    """SQLite rolls a transaction back itself after some errors (a full disk, an I/O error); the
    rollback that follows then has nothing to undo and must not hide the error that ended it.
    A transaction does not begin when the file at the path is no longer the one open (moved or
    deleted: SQLite in WAL mode would write on into it unseen); it begins again once the file is back."""

    def _initialize_connection(self, conn):
        super()._initialize_connection(conn)
        self._state.inode = _inode(self.database) if self.database != ":memory:" else None

    def begin(self, *args, **kwargs):
        want = getattr(self._state, "inode", None)
        if want is not None and _inode(self.database) != want:
            raise FileGone(_("{path} was moved or deleted", path=self.database))
        self._queue_for_write()
        try:
            return self._begin_polling(*args, **kwargs)
        except BaseException:
            self._leave_write_queue()
            raise

    def _begin_polling(self, *args, **kwargs):
        """``BEGIN IMMEDIATE`` tried every POLL_SECONDS while another process holds the file, for at most
        BUSY_SECONDS (then "database is locked", as SQLite's busy handler would say); the busy timeout is off
        for the tries and back for everything after (a checkpoint, a read that must wait)."""
        conn = self.connection()
        if self.database == ":memory:":
            return super().begin(*args, **kwargs)
        deadline = time.monotonic() + BUSY_SECONDS
        conn.execute("PRAGMA busy_timeout = 0")
        try:
            while True:
                try:
                    return super().begin(*args, **kwargs)
                except pw.OperationalError as exc:
                    if "locked" not in str(exc) or time.monotonic() >= deadline:
                        raise
                time.sleep(POLL_SECONDS)
        finally:
            conn.execute(f"PRAGMA busy_timeout = {BUSY_SECONDS * 1000}")

    def commit(self):
        try:
            super().commit()
        finally:
            conn = self._state.conn
            if conn is None or not conn.in_transaction:
                self._leave_write_queue()

    def rollback(self):
        conn = self._state.conn
        try:
            if conn is not None and not conn.in_transaction:
                return
            super().rollback()
        finally:
            self._leave_write_queue()

    def _close(self, conn):
        self._leave_write_queue()
        super()._close(conn)

    def _queue_for_write(self) -> None:
        """This process's threads take their turn to write in the order they came, on a lock of the file,
        before ``BEGIN IMMEDIATE``: SQLite's busy handler polls with sleeps of up to 100 ms, so of many
        waiting threads some lost every race and gave up after the busy timeout while the file was free
        most of the time (60 follow-ups at once on one lead, 5 ms each). A thread waits in the queue at
        most the busy timeout (then: "database is locked", as before), and then for another process's
        write as SQLite's busy timeout allows."""
        if self.database == ":memory:" or getattr(self._state, "queued", False):
            return
        if not self._writers().acquire(timeout=BUSY_SECONDS):
            raise pw.OperationalError("database is locked")
        self._state.queued = True

    def _leave_write_queue(self) -> None:
        if getattr(self._state, "queued", False):
            self._state.queued = False
            self._writers().release()

    def _writers(self) -> threading.Lock:
        """The file's queue, looked up once per database object (every write transaction takes it)."""
        lock = self.__dict__.get("write_queue")
        if lock is None:
            lock = self.__dict__["write_queue"] = write_lock(self.database)
        return lock

    def execute_sql(self, sql, params=None):
        if self.is_closed() and self.autoconnect:
            self.connect()  # this thread's first statement: connected now, so a write on its own is seen as one
        conn = self._state.conn
        if conn is not None and not conn.in_transaction:
            if sql.startswith("ROLLBACK TO SAVEPOINT"):
                return conn.cursor()  # the whole transaction is gone already
            if _WRITES.match(sql) and self.database != ":memory:":
                with self.atomic():  # a write on its own: through the queue and the polling BEGIN as any other
                    return super().execute_sql(sql, params)
        return super().execute_sql(sql, params)


def make_database(url: str) -> pw.Database:
    if is_postgres(url):
        try:
            dsn, extra = pgurl.libpq_dsn(url)
        except ValueError as exc:
            raise StoreError(_cannot_open(url, exc)) from None
        db = PostgresDatabase(dsn, autoconnect=True, **extra)
        db.given_name = pgurl.given_application_name(url)
        return db
    path = sqlite_path(url)
    return SqliteDatabase(
        path, timeout=BUSY_SECONDS, lock_type="IMMEDIATE", check_same_thread=False,
        pragmas={"journal_mode": "wal", "synchronous": "normal", "foreign_keys": 1,
                 "busy_timeout": BUSY_SECONDS * 1000, "cache_size": -32000, "temp_store": "memory",
                 "threads": 2},  # large sorts (CREATE INDEX after a bulk load, ORDER BY) on 2 cores: ~30 % faster
    )


# The TUI's page cache per SQLite connection, KiB. A big cache helps the bulk loads and index builds of the
# command line (32 MB, above); on screens it only holds pages of the last aggregate scan, once for each of the
# app's three connections (UI, database thread, counts thread): 3 x 32 MB of RSS at 1M leads for no speed,
# as a scan over a million rows does not fit anyway and the OS keeps the file's pages (issue 17).
SCREEN_CACHE_KIB = 4096


def small_page_cache(db: pw.Database, kib: int = SCREEN_CACHE_KIB) -> None:
    """SQLite: this thread's connection of ``db`` and every one opened later keep at most ``kib`` KiB of
    pages in memory. Nothing on PostgreSQL (the server holds the cache)."""
    if isinstance(db, pw.SqliteDatabase):
        db.pragma("cache_size", -int(kib), permanent=True)


def _cannot_open(url: str, exc: Exception) -> str:
    """One line: the URL as it may be shown and the first line of the driver's error, without the password."""
    error = pgurl.scrub((str(exc).strip().splitlines() or [""])[0], url)
    return _("cannot open database {url}: {error}", url=pgurl.redact(url), error=error)


def name_connections(db: pw.Database, login: str) -> None:
    """PostgreSQL: this and every later connection of ``db`` carry application_name ``tui-crm:LOGIN``."""
    if not isinstance(db, PostgresDatabase):
        return
    name = pgurl.application_name(login, db.given_name)
    db.connect_params["application_name"] = name
    if not db.is_closed() and not db.in_transaction():
        db.execute_sql("SELECT set_config('application_name', %s, false)", (name,))


def _mode(path: str) -> int | None:
    try:
        return os.stat(path).st_mode & 0o777
    except FileNotFoundError:
        return None


def guard_file(url: str, *, create: bool) -> bool:
    """Before a SQLite file is opened: refuse one that other OS users can write (its -wal and -shm
    too), and a missing one unless ``create`` (then it is made, mode 0600). True when it was made."""
    if is_postgres(url):
        return False
    path = sqlite_path(url)
    if path == ":memory:":
        return False
    for part in (path, path + "-wal", path + "-shm"):
        mode = _mode(part)
        if mode is not None and mode & 0o022:
            raise StoreError(_("{path} can be written by other users (mode {mode}): run chmod 600 {path}",
                               path=part, mode=f"{mode:o}"))
    if _mode(path) is not None:
        return False
    parent = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(parent):
        raise StoreError(_("no such directory for the database: {parent}", parent=parent))
    if not create:
        raise StoreError(_("no database at {path} (check --db; `tui-crm demo` or the first "
                           "`tui-crm users add` creates one)", path=path))
    from ..files import create_private

    create_private(path)
    return True


def readable_by_others(url: str) -> str | None:
    """A warning when other OS users can read the SQLite file at ``url``, else None."""
    if is_postgres(url):
        return None
    path = sqlite_path(url)
    mode = _mode(path) if path != ":memory:" else None
    if mode is None or not mode & 0o044:
        return None
    return _("warning: other users can read {path} (mode {mode}): run chmod 600 {path}", path=path, mode=f"{mode:o}")


def _own_schema(db: pw.Database, url: str, create: bool) -> None:
    """PostgreSQL, ``schema=NAME``: the tables are there, the schema made if missing and ``create``, else refused
    (the search path ``NAME,public`` passed a missing one over: a new team's tables went into ``public``)."""
    name = pgurl.split_ours(url)[1].get("schema") if pgurl.is_postgres(url) else None
    if not name:
        return
    folded = name.lower()[:63]  # the search path names it unquoted: PostgreSQL folds it, and cuts it at 63
    current = "SELECT current_schema()"  # the path's first schema that exists and this role may use
    if db.execute_sql(current).fetchone()[0] == folded:
        return
    exists = db.execute_sql("SELECT 1 FROM pg_namespace WHERE nspname = %s", (folded,)).fetchone()
    if exists is None and not create:
        raise StoreError(_("schema {schema} does not exist in this database: {url}", schema=folded,
                           url=pgurl.redact(url)))
    if exists is None:
        try:
            db.execute_sql(f'CREATE SCHEMA IF NOT EXISTS "{folded}"')
        except pw.IntegrityError:  # another first start made it at the same moment
            pass
    if db.execute_sql(current).fetchone()[0] != folded:  # there, but not this role's to use
        raise StoreError(_("schema {schema}: this database role may not use it: {url}", schema=folded,
                           url=pgurl.redact(url)))


_OPEN: dict[str, pw.Database] = {}  # one Database per URL: every session shares its connections


def _forget(db: pw.Database, url: str) -> None:  # could not be opened: the next connect makes it anew
    db.close()
    _OPEN.pop(url, None)


def connect(url: str, *, create: bool = True, upgrade: bool = False, strict: bool = True) -> pw.Database:
    """Open the database at ``url``, bind the models, create or check the schema.

    A new (empty) database gets the current schema. An older schema is
    upgraded only when ``upgrade`` is true (``tui-crm db upgrade``);
    otherwise :class:`StoreError` says to run it. A SQLite file that is missing
    is made (mode 0600) only when ``create``; one that other OS users can write
    is refused (:func:`guard_file`).
    """
    from . import schema

    guard_file(url, create=create)
    db = _OPEN.get(url)
    fresh = db is None
    if fresh:
        db = _OPEN[url] = make_database(url)
    try:
        db.connect(reuse_if_open=True)
    except Exception as exc:  # sqlite3's and psycopg2's errors and friends
        _OPEN.pop(url, None)
        raise StoreError(_cannot_open(url, exc)) from exc
    models.database_proxy.initialize(db)
    try:
        if fresh:  # once per URL: the schema does not come and go under an open app
            _own_schema(db, url, create)
        version = schema.current_version(db)
    except StoreError:
        _forget(db, url)
        raise
    except pw.DatabaseError as exc:
        _forget(db, url)
        raise StoreError(_cannot_open(url, exc)) from exc
    if not strict and version is not None:
        return db
    if version is None:
        if not create:
            raise StoreError(_("not a tui-crm database: {url}", url=pgurl.redact(url)))
        schema.create(db)
    elif version < schema.LATEST:
        if not upgrade:
            raise StoreError(
                _("database schema is version {version}, this tui-crm needs {latest}: run `tui-crm db upgrade`",
                  version=version, latest=schema.LATEST))
        schema.upgrade(db)
    elif version > schema.LATEST:
        raise StoreError(_("database schema {version} is newer than this tui-crm ({latest})", version=version,
                           latest=schema.LATEST))
    return db


def backend(db: pw.Database) -> str:
    return "postgres" if isinstance(db, pw.PostgresqlDatabase) else "sqlite"
