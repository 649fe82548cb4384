"""playhouse.migrate for the schema steps, imported only when a step runs: it imports psycopg2 through
playhouse.postgres_ext, which a start on SQLite never needs (tui_crm/pg_driver.py)."""
from __future__ import annotations

import peewee as pw


def migrator(db: pw.Database):
    from playhouse.migrate import PostgresqlMigrator, SqliteMigrator

    return (PostgresqlMigrator if isinstance(db, pw.PostgresqlDatabase) else SqliteMigrator)(db)


def migrate(*operations) -> None:
    from playhouse.migrate import migrate as run

    run(*operations)
