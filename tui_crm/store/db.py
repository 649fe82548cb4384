"""connect(url): one entry point to SQLite or PostgreSQL with the right settings."""
from __future__ import annotations

import os
from urllib.parse import unquote, urlparse

import peewee as pw

from ..i18n import _
from . import models


class StoreError(Exception):
    """The database cannot be opened or used; the message is for the user."""


def _sqlite_path(url: str) -> str:
    if url.startswith("sqlite:///"):
        return unquote(url[len("sqlite:///"):]) or ":memory:"
    if url.startswith("sqlite://"):
        return ":memory:"
    return url


def is_postgres(url: str) -> bool:
    return url.startswith(("postgres://", "postgresql://"))


def make_database(url: str) -> pw.Database:
    if is_postgres(url):
        p = urlparse(url)
        extra = {}
        query = dict(part.split("=", 1) for part in p.query.split("&") if "=" in part)
        if query.get("schema"):  # a schema of its own (tests, several teams on one server)
            extra["options"] = f"-csearch_path={query['schema']},public"
        return pw.PostgresqlDatabase(
            (p.path or "/").lstrip("/") or "postgres",
            user=unquote(p.username) if p.username else None,
            password=unquote(p.password) if p.password else None,
            host=p.hostname or None, port=p.port or None,
            autoconnect=True, **extra,
        )
    path = _sqlite_path(url)
    if path != ":memory:":
        parent = os.path.dirname(os.path.abspath(path))
        if not os.path.isdir(parent):
            raise StoreError(_("no such directory for the database: {parent}", parent=parent))
    return pw.SqliteDatabase(
        path, timeout=5, lock_type="IMMEDIATE", check_same_thread=False,
        pragmas={"journal_mode": "wal", "synchronous": "normal", "foreign_keys": 1,
                 "busy_timeout": 5000, "cache_size": -32000, "temp_store": "memory",
                 "threads": 2},  # large sorts (CREATE INDEX after a bulk load, ORDER BY) on 2 cores: ~30 % faster
    )


def _cannot_open(url: str, exc: Exception) -> str:
    return _("cannot open database {url}: {error}", url=url, error=(str(exc).strip().splitlines() or [""])[0])


_OPEN: dict[str, pw.Database] = {}  # one Database per URL: every session shares its connections


def connect(url: str, *, create: bool = True, upgrade: bool = False, strict: bool = True) -> pw.Database:
    """Open the database at ``url``, bind the models, create or check the schema.

    A new (empty) database gets the current schema. An older schema is
    upgraded only when ``upgrade`` is true (``tui-crm db upgrade``);
    otherwise :class:`StoreError` says to run it.
    """
    from . import schema

    db = _OPEN.get(url)
    if db is None:
        db = _OPEN[url] = make_database(url)
    try:
        db.connect(reuse_if_open=True)
    except pw.OperationalError as exc:
        _OPEN.pop(url, None)
        raise StoreError(_cannot_open(url, exc)) from exc
    except Exception as exc:  # psycopg2 errors and friends
        _OPEN.pop(url, None)
        raise StoreError(_cannot_open(url, exc)) from exc
    models.database_proxy.initialize(db)
    try:
        version = schema.current_version(db)
    except pw.DatabaseError as exc:
        db.close()
        _OPEN.pop(url, None)
        raise StoreError(_cannot_open(url, exc)) from exc
    if not strict and version is not None:
        return db
    if version is None:
        if not create:
            raise StoreError(_("not a tui-crm database: {url}", url=url))
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
