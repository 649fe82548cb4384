"""The substring search index, kept in step with the leads by the database.

SQLite: an FTS5 table with the trigram tokenizer over code, company, contact,
need, remarks and the names' pinyin (external content = lead, triggers keep it in step).
PostgreSQL: the same text in a table of its own with a pg_trgm GIN index (store/search_pg.py).
Phones are searched by the digits-reversed ``phone_rev`` column (suffix = prefix of the reversed digits),
not by this index, so a masked phone is never matched by its digits.
"""
from __future__ import annotations

import re

import peewee as pw

# store/search_pg (PostgreSQL's table) is imported where it is used: the first screen needs none of it
FTS_COLUMNS = ("code", "company", "contact_name", "need", "remarks", "pinyin")


def live_columns(db: pw.Database) -> tuple[str, ...]:
    """FTS_COLUMNS the lead table has: the upgrade steps before v9 (no pinyin yet) build the index
    over the columns of their time, and v9 builds it again over all."""
    present = {c.name for c in db.get_columns("lead")}
    return tuple(c for c in FTS_COLUMNS if c in present)


def reversed_digits(phone: str | None) -> str | None:
    if not phone:
        return None
    digits = re.sub(r"\D", "", phone)
    return digits[::-1] or None


def derived(row: dict, current) -> dict:
    """The searched columns kept from others, for an update ``row`` of the lead ``current``: phone_rev
    from the phone, pinyin from the company and contact (what ``row`` leaves out is ``current``'s)."""
    from ..domain.spell import spelling

    out = {}
    if "phone" in row:
        out["phone_rev"] = reversed_digits(row["phone"])
    if "company" in row or "contact_name" in row:
        out["pinyin"] = spelling(row.get("company", current.company), row.get("contact_name", current.contact_name))
    return out


def is_pg(db: pw.Database) -> bool:
    return isinstance(db, pw.PostgresqlDatabase)


def _triggers_sql(names: tuple[str, ...] = FTS_COLUMNS) -> list[str]:
    cols = ", ".join(names)
    new = ", ".join(f"new.{c}" for c in names)
    old = ", ".join(f"old.{c}" for c in names)
    return [
        # rows staged by an import (batch_id set) are indexed by the importer itself, chunk by chunk,
        # in the same transaction that inserts them (services/importing.py): the index stays exact
        f"CREATE TRIGGER IF NOT EXISTS lead_fts_ai AFTER INSERT ON lead WHEN new.batch_id IS NULL BEGIN "
        f"INSERT INTO lead_fts(rowid, {cols}) VALUES (new.id, {new}); END",
        f"CREATE TRIGGER IF NOT EXISTS lead_fts_ad AFTER DELETE ON lead BEGIN "
        f"INSERT INTO lead_fts(lead_fts, rowid, {cols}) VALUES ('delete', old.id, {old}); END",
        f"CREATE TRIGGER IF NOT EXISTS lead_fts_au AFTER UPDATE OF {cols} ON lead BEGIN "
        f"INSERT INTO lead_fts(lead_fts, rowid, {cols}) VALUES ('delete', old.id, {old}); "
        f"INSERT INTO lead_fts(rowid, {cols}) VALUES (new.id, {new}); END",
    ]


def trigram_ops(db: pw.Database) -> str:
    """PostgreSQL: pg_trgm's GIN operator class, named with the schema the extension lives in. A database holds
    the extension once, for all its schemas: where it is missing it is made in ``public``, which every schema's
    tui-crm finds by name here (made in the first team's own schema, as a bare CREATE EXTENSION did, the next
    team's schema could not be created: "operator class gin_trgm_ops does not exist", and dropping the first
    schema dropped the other teams' search indexes with it); in the current schema only when ``public`` is
    missing or closed to this user. The searches (ILIKE) need nothing of it by name."""
    look = ("SELECT quote_ident(n.nspname) FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
            "WHERE e.extname = 'pg_trgm'")
    row = db.execute_sql(look).fetchone()
    if row is None:
        try:
            with db.atomic():  # a savepoint inside the caller's transaction
                db.execute_sql("CREATE EXTENSION pg_trgm SCHEMA public")
        except pw.DatabaseError:
            db.execute_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        row = db.execute_sql(look).fetchone()
    return f"{row[0]}.gin_trgm_ops"


def install(db: pw.Database) -> None:
    """Create the index (idempotent) and fill it from the leads."""
    if is_pg(db):
        from . import search_pg

        search_pg.install(db, live_columns(db), trigram_ops(db))
        db.execute_sql("CREATE INDEX IF NOT EXISTS lead_phone_rev_pattern ON lead (phone_rev text_pattern_ops)")
        return
    cols = ", ".join(live_columns(db))
    db.execute_sql(f"CREATE VIRTUAL TABLE IF NOT EXISTS lead_fts USING fts5({cols}, content='lead', "
                   "content_rowid='id', tokenize='trigram')")
    ensure_triggers(db)
    db.execute_sql("INSERT INTO lead_fts(lead_fts) VALUES ('rebuild')")


TRIGGER_NAMES = ("lead_fts_ai", "lead_fts_ad", "lead_fts_au")


def _norm(sql: str | None) -> str:
    return " ".join((sql or "").replace("IF NOT EXISTS ", "").split())


def stale_triggers(db: pw.Database) -> list[str]:
    """Names of the index triggers whose stored SQL is not the wanted one (or that are missing)."""
    have = dict(db.execute_sql("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'").fetchall())
    return [name for name, sql in zip(TRIGGER_NAMES, _triggers_sql(live_columns(db))) if _norm(have.get(name)) != _norm(sql)]


def ensure_triggers(db: pw.Database) -> list[str]:
    """Create the triggers, replacing any whose SQL differs from the wanted one (no version bump:
    trigger text is not a schema step). Call inside a transaction. Returns the names replaced."""
    if is_pg(db):
        return []
    stale = stale_triggers(db)
    for name, sql in zip(TRIGGER_NAMES, _triggers_sql(live_columns(db))):
        if name in stale:
            db.execute_sql(f"DROP TRIGGER IF EXISTS {name}")
            db.execute_sql(sql)
    return stale


def suspend(db: pw.Database) -> None:
    """Drop the triggers for a bulk load; call :func:`resume` or :func:`index_rows` after."""
    if is_pg(db):
        from . import search_pg

        search_pg.drop_triggers(db)
        return
    for name in ("lead_fts_ai", "lead_fts_ad", "lead_fts_au"):
        db.execute_sql(f"DROP TRIGGER IF EXISTS {name}")


def resume(db: pw.Database, rebuild: bool = True) -> None:
    if is_pg(db):
        from . import search_pg

        search_pg.install(db, live_columns(db), trigram_ops(db), refill=rebuild)
        return
    for sql in _triggers_sql(live_columns(db)):
        db.execute_sql(sql)
    if rebuild:
        db.execute_sql("INSERT INTO lead_fts(lead_fts) VALUES ('rebuild')")


def index_rows(db: pw.Database, where_sql: str, params: tuple = ()) -> None:
    """Add leads chosen by ``where_sql`` to the index (after a load with triggers off)."""
    if is_pg(db):
        return
    cols = ", ".join(live_columns(db))
    db.execute_sql(f"INSERT INTO lead_fts(rowid, {cols}) SELECT id, {cols} FROM lead WHERE {where_sql}", params)


def check(db: pw.Database) -> list[str]:
    if is_pg(db):
        from . import search_pg

        return search_pg.check(db, live_columns(db))
    from ..i18n import _

    repair = "tui-crm db check --repair"
    problems = []
    if not db.table_exists("lead_fts"):
        return [_("search index: the table {table} is missing (run `{command}`)", table="lead_fts", command=repair)]
    try:
        db.execute_sql("INSERT INTO lead_fts(lead_fts, rank) VALUES ('integrity-check', 1)")
    except pw.DatabaseError as exc:
        problems.append(_("search index out of step with the leads: {error} (run `{command}`)", error=exc,
                          command=repair))
    trig = {r[0] for r in db.execute_sql("SELECT name FROM sqlite_master WHERE type='trigger'")}
    missing = set(TRIGGER_NAMES) - trig
    if missing:
        problems.append(_("search index: triggers {names} are missing (run `{command}`)",
                          names=", ".join(sorted(missing)), command=repair))
    # triggers of the older kind (no WHEN on lead_fts_ai) keep the index exact too; an import
    # replaces them with ensure_triggers() before it stages anything
    return problems


def repair(db: pw.Database) -> None:
    """``db check --repair``: the index written anew from the leads, its triggers as they should be."""
    if is_pg(db):
        from . import search_pg

        search_pg.install(db, live_columns(db), trigram_ops(db))
        return
    ensure_triggers(db)
    db.execute_sql("INSERT INTO lead_fts(lead_fts) VALUES ('rebuild')")


def step_21(db: pw.Database) -> None:
    """v21, PostgreSQL: the search text in a table of its own (store/search_pg.py); SQLite: nothing to do."""
    if is_pg(db):
        install(db)


def pg_own_text_match(text_pattern: str) -> pw.Node:
    """PostgreSQL: the lead's own searched columns are ILIKE ``text_pattern``, for a session under row security."""
    from . import search_pg

    return pw.SQL(f"{search_pg.text_expr(FTS_COLUMNS, None)} ILIKE %s", (text_pattern,))


def pg_row_match(text_pattern: str) -> pw.Expression:
    """PostgreSQL: the lead's own searched text (looked up by its id, one row) is ILIKE ``text_pattern``: for a
    walk in the list's order that stops at a page. A scalar subquery stays a per-row test: as ``IN`` or
    ``EXISTS`` the planner read and hashed every match first (70,002 at 100k for 有限公司: 360 ms a page, where the
    expression on lead's own columns took 160 ms)."""
    from . import search_pg
    from .models import Lead

    table = search_pg.table()
    return pw.Expression(table.select(table.body).where(table.lead_id == Lead.id), pw.OP.ILIKE, text_pattern)


def pg_match(text_pattern: str) -> pw.SelectQuery:
    """PostgreSQL: the ids of the leads whose searched text is ILIKE ``text_pattern`` (escaped by the caller)."""
    from . import search_pg

    table = search_pg.table()
    return table.select(table.lead_id).where(table.body.ilike(text_pattern))


def fts_query(text: str) -> str:
    """An FTS5 MATCH string for a literal substring (trigram: ≥3 chars)."""
    return '"' + text.replace('"', '""') + '"'
