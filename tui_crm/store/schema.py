"""Schema versions, creation, in-place upgrades and ``db check``.

How a schema change is made (see docs/ARCHITECTURE.md): change the models,
bump ``LATEST``, add a step to ``STEPS`` that brings a database of the
previous version to the new one without losing data (``playhouse.migrate``
for columns, raw SQL for what it cannot express), and add a test that
upgrades a database created with the older DDL.
"""
from __future__ import annotations

import json

import peewee as pw
from playhouse.migrate import PostgresqlMigrator, SqliteMigrator, migrate

from ..domain.rules import Settings
from ..domain.vocab import DEFAULT_STAGES, SOURCES
from . import search
from .models import ALL_MODELS, Lead, Meta, Source, Stage

LATEST = 2


def current_version(db: pw.Database) -> int | None:
    if not db.table_exists("meta"):
        return None
    row = Meta.get_or_none(Meta.key == "schema_version")
    return int(row.value) if row else None


def _set_version(version: int) -> None:
    Meta.insert(key="schema_version", value=str(version)).on_conflict(
        conflict_target=[Meta.key], update={Meta.value: str(version)}).execute()


def _lock(db: pw.Database) -> None:
    """Serialise schema work across processes (SQLite: the IMMEDIATE write lock)."""
    if isinstance(db, pw.PostgresqlDatabase):
        db.execute_sql("SELECT pg_advisory_xact_lock(74657)")


def seed_defaults() -> None:
    if not Stage.select().exists():
        for pos, (key, en, zh, prob) in enumerate(DEFAULT_STAGES):
            Stage.create(key=key, label_en=en, label_zh=zh, position=pos, probability=prob)
    if not Source.select().exists():
        for key, (en, zh) in SOURCES.items():
            Source.create(key=key, label_en=en, label_zh=zh)
    if not Meta.get_or_none(Meta.key == "settings"):
        Meta.create(key="settings", value=json.dumps(Settings().to_dict()))


def create(db: pw.Database) -> None:
    with db.atomic():
        _lock(db)
        if current_version(db) is not None:  # another process won the race
            return
        db.create_tables(ALL_MODELS)
        search.install(db)
        seed_defaults()
        _set_version(LATEST)


# ----------------------------------------------------------------- steps
def _step_2(db: pw.Database) -> None:
    """v2: digits-reversed phone column for suffix search, and the substring index."""
    migrator = (PostgresqlMigrator if isinstance(db, pw.PostgresqlDatabase) else SqliteMigrator)(db)
    cols = {c.name for c in db.get_columns("lead")}
    if "phone_rev" not in cols:
        migrate(migrator.add_column("lead", "phone_rev", pw.CharField(max_length=32, null=True)),
                migrator.add_index("lead", ("phone_rev",), False))
    for lead_id, phone in db.execute_sql("SELECT id, phone FROM lead WHERE phone IS NOT NULL"):
        Lead.update(phone_rev=search.reversed_digits(phone)).where(Lead.id == lead_id).execute()
    search.install(db)


STEPS = {2: _step_2}


def upgrade(db: pw.Database) -> tuple[int, int]:
    """Bring the database to LATEST in place; returns (from, to)."""
    start = current_version(db)
    if start is None:
        create(db)
        return (0, LATEST)
    version = start
    while version < LATEST:
        with db.atomic():
            _lock(db)
            version = current_version(db) or 0
            if version >= LATEST:
                break
            STEPS[version + 1](db)
            _set_version(version + 1)
            version += 1
    return (start, LATEST)


# ----------------------------------------------------------------- check
def check(db: pw.Database) -> list[str]:
    """Problems found, one line each (empty when all is well)."""
    problems: list[str] = []
    version = current_version(db)
    if version != LATEST:
        problems.append(f"schema version {version} is not current ({LATEST}): run `tui-crm db upgrade`")
    if isinstance(db, pw.SqliteDatabase):
        for (msg,) in db.execute_sql("PRAGMA integrity_check").fetchall():
            if msg != "ok":
                problems.append(f"integrity: {msg}")
        for table, rowid, parent, _ in db.execute_sql("PRAGMA foreign_key_check").fetchall():
            problems.append(f"foreign key: {table} row {rowid} points to a missing {parent}")
    else:
        problems += _pg_orphans(db)
    if version == LATEST:
        problems += search.check(db)
    return problems


def _pg_orphans(db: pw.Database) -> list[str]:
    out = []
    for model in ALL_MODELS:
        for fk in model._meta.refs:
            rel = fk.rel_model._meta.table_name
            sql = (f'SELECT count(*) FROM "{model._meta.table_name}" t WHERE t."{fk.column_name}" IS NOT NULL '
                   f'AND NOT EXISTS (SELECT 1 FROM "{rel}" r WHERE r.id = t."{fk.column_name}")')
            n = db.execute_sql(sql).fetchone()[0]
            if n:
                out.append(f"foreign key: {n} {model._meta.table_name} rows point to a missing {rel}")
    return out
