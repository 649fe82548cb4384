"""The ``lead.pinyin`` column (domain.spell): schema step 9 adds it, fills it for the leads there
are and rebuilds the search index over it."""
from __future__ import annotations

import peewee as pw

from ..domain.spell import spelling
from . import migrating, search

CHUNK = 5000


def backfill(db: pw.Database) -> int:
    """Fill ``pinyin`` from company and contact for every lead; returns how many have one."""
    n, last = 0, 0
    mark = "%s" if search.is_pg(db) else "?"
    while True:
        rows = db.execute_sql(f"SELECT id, company, contact_name FROM lead WHERE id > {mark} ORDER BY id LIMIT {CHUNK}",
                              (last,)).fetchall()
        if not rows:
            return n
        last = rows[-1][0]
        todo = [(s, lid) for lid, company, contact in rows if (s := spelling(company, contact))]
        if todo:
            db.cursor().executemany(f"UPDATE lead SET pinyin = {mark} WHERE id = {mark}", todo)
            n += len(todo)


def add_column(db: pw.Database) -> None:
    """v9: the names' pinyin beside each lead, in the search index."""
    if "pinyin" not in {c.name for c in db.get_columns("lead")}:
        migrator = migrating.migrator(db)
        migrating.migrate(migrator.add_column("lead", "pinyin", pw.TextField(null=True)))
    backfill(db)
    if search.is_pg(db):
        db.execute_sql("DROP INDEX IF EXISTS lead_search_trgm")
    else:  # the FTS table's columns are fixed when it is made
        for name in search.TRIGGER_NAMES:
            db.execute_sql(f"DROP TRIGGER IF EXISTS {name}")
        db.execute_sql("DROP TABLE IF EXISTS lead_fts")
    search.install(db)
