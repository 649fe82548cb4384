"""What a database failure is, in the user's words.

``kind(exc)`` sorts a driver or peewee error (or a :class:`Disconnected`) into one of
``"disconnect"`` (the server went away, restarted, or ended this session), ``"full"`` (no
space left), ``"readonly"`` (a read-only file, a standby after failover), ``"locked"``,
``"gone"`` (the database file was moved or deleted) or ``None`` (not a database failure:
a bug, let it show). ``describe(exc, url)`` is the one line a user reads, never with the
password in it.
"""
from __future__ import annotations

import sqlite3

import peewee as pw

from ..i18n import _
from . import pgurl

# SQLSTATE classes and codes of PostgreSQL that mean the connection is gone
_PG_DISCONNECT = ("08", "57P01", "57P02", "57P03")
_PG_FULL = ("53100",)  # disk_full
_PG_READONLY = ("25006",)  # read_only_sql_transaction: a standby, or a server set read-only
# SQLite primary result codes
_SQLITE = {13: "full", 8: "readonly", 5: "locked", 6: "locked", 14: "gone"}
_SQLITE_IOERR = 10
_SQLITE_READONLY_DBMOVED = 1032


class Disconnected(pw.OperationalError):
    """The connection was lost: ``applied`` says whether the write in flight committed, False (it
    did not) or None (cannot be known); ``gave_up``: it could not be made again in time."""

    def __init__(self, message: str, applied: bool | None = False, gave_up: bool = False):
        super().__init__(message)
        self.applied = applied
        self.gave_up = gave_up


class FileGone(pw.OperationalError):
    """The SQLite file at the database's path is not the one open (moved or deleted): a write would go
    into a file nobody will find again (SQLite in WAL mode does not notice)."""


def _chain(exc: BaseException):
    """The exception, the driver error peewee wrapped and their causes."""
    seen = set()
    todo = [exc]
    while todo:
        e = todo.pop(0)
        if e is None or id(e) in seen:
            continue
        seen.add(id(e))
        yield e
        todo += [getattr(e, "orig", None)]  # peewee keeps the driver's error as .orig
        todo += [a for a in getattr(e, "args", ())[:1] if isinstance(a, BaseException)]
        todo += [e.__cause__, e.__context__]


def _pg_kind(e: BaseException) -> str | None:
    try:
        import psycopg2
    except ImportError:  # pragma: no cover - the driver is a dependency
        return None
    if not isinstance(e, psycopg2.Error):
        return None
    code = getattr(e, "pgcode", None) or ""
    if code.startswith(_PG_DISCONNECT) or code in _PG_DISCONNECT:
        return "disconnect"
    if code in _PG_FULL:
        return "full"
    if code in _PG_READONLY:
        return "readonly"
    if isinstance(e, psycopg2.InterfaceError):
        return "disconnect"  # "connection already closed"
    if isinstance(e, psycopg2.OperationalError) and not code:
        return "disconnect"  # libpq: server closed the connection, could not connect, timeout
    return "other"


def _sqlite_kind(e: BaseException) -> str | None:
    if not isinstance(e, sqlite3.Error):
        return None
    code = getattr(e, "sqlite_errorcode", None)
    if code is None:
        return "other"
    if code == _SQLITE_READONLY_DBMOVED:
        return "gone"
    primary = code & 0xFF
    if primary == _SQLITE_IOERR:
        text = str(e).lower()
        return "full" if "full" in text else "gone"
    return _SQLITE.get(primary, "other")


def kind(exc: BaseException) -> str | None:
    """What failed, or None when ``exc`` is not a database failure."""
    for e in _chain(exc):
        if isinstance(e, Disconnected):
            return "disconnect"
        if isinstance(e, FileGone):
            return "gone"
        for probe in (_pg_kind, _sqlite_kind):
            found = probe(e)
            if found and found != "other":
                return found
            if found == "other":
                return "other"
    if isinstance(exc, (pw.OperationalError, pw.InterfaceError)):
        text = str(exc).lower()
        if "connection already closed" in text or "server closed the connection" in text:
            return "disconnect"
        return "other"
    if isinstance(exc, pw.DatabaseError):
        return "other"
    return None


def is_disconnect(exc: BaseException) -> bool:
    return kind(exc) == "disconnect"


# what the database did to us, not a bug of ours: the app says it and runs on
FAILURES = ("disconnect", "full", "readonly", "locked", "gone")


def applied(exc: BaseException) -> bool | None:
    """Of a failed write: False (nothing of it was saved) or None (it may have been)."""
    own = next((e for e in _chain(exc) if isinstance(e, Disconnected)), None)
    return own.applied if own is not None else False


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0].strip() if text else type(exc).__name__


MESSAGES = {
    "disconnect": lambda error: _("lost the connection to the database: {error}", error=error),
    "full": lambda error: _("the disk is full: the database could not be written ({error})", error=error),
    "readonly": lambda error: _("the database is read-only: nothing can be saved ({error})", error=error),
    "locked": lambda error: _("the database is busy: another program holds it ({error})", error=error),
    "gone": lambda error: _("the database file is gone or cannot be read ({error})", error=error),
    "other": lambda error: _("database error: {error}", error=error),
}


def describe(exc: BaseException, url: str | None = None) -> str:
    """One line for the user: what happened to the database, the driver's first line, no password.
    A :class:`Disconnected` is already such a line."""
    own = next((e for e in _chain(exc) if isinstance(e, Disconnected)), None)
    if own is not None:
        return pgurl.scrub(_first_line(own), url)
    k = kind(exc) or "other"
    return pgurl.scrub(MESSAGES[k](_first_line(exc)), url)
