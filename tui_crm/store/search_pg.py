"""PostgreSQL: the substring search text in a table of its own, ``lead_search`` (schema v21).

Up to v20 the pg_trgm GIN index was an expression index on lead itself. PostgreSQL writes a new version of a
row at every update, and a column that an index names changed (an owner, a stage, a status) gives it new
entries in every index of the table: the trigram index's ~100 per lead too, though the text it indexes was
the same. That was more than half of any update of many leads (a raw UPDATE of the owner of 100,000 leads:
22 s with it, 8-11 s without; docs/PERFORMANCE.md) and so of every batch action (issue 15). Here the text lives
in ``lead_search`` (lead id, the text), which only a change of the searched columns writes:

- statement triggers on lead add the text of inserted leads (one INSERT over the transition table, so an
  import's COPY or the demo's load costs one statement per chunk) and take that of deleted ones;
- a row trigger on an update of the searched columns, when the text did change, writes the new text;
- all three in SECURITY DEFINER functions: a user's role (``db roles``) may only read the table, and only the
  rows of the leads it may see (store/pgpolicies.py), while every write of a lead keeps it;
- ``db check`` compares it with the leads, ``db check --repair`` writes it again.

The searches ask ``lead.id IN (SELECT lead_id FROM lead_search WHERE body ILIKE …)`` (the page's first pass reads
those ids alone, leads.search_ids), or, walking the page's order, look each lead's own text up by key
(search.pg_row_match). A session under row security (a user's own role) matches lead's own columns instead:
there the policies run before any non-leakproof test, so the trigram index serves neither form, and each
lead_search row would cost a look-up of its lead for its policy (queries.substring_expr).
SQLite is unchanged (its FTS5 table was always a table of its own).
"""
from __future__ import annotations

import peewee as pw

TABLE = "lead_search"
INDEX = "lead_search_body_trgm"
OLD_INDEX = "lead_search_trgm"  # v2-v20: the expression index on lead
TRIGGERS = ("lead_search_ai", "lead_search_ad", "lead_search_au")


def text_expr(cols: tuple[str, ...], row: str | None) -> str:
    """SQL: the searched text of the lead ``row`` (a table alias, NEW or OLD; None: the columns unqualified)."""
    prefix = f"{row}." if row else ""
    return "(" + " || ' ' || ".join(f"coalesce({prefix}{c},'')" for c in cols) + ")"


def table() -> pw.Table:
    """``lead_search`` for peewee queries (lead_id, body), bound to the models' database."""
    from .models import database_proxy

    return pw.Table(TABLE, ("lead_id", "body")).bind(database_proxy)


def triggers(db: pw.Database, cols: tuple[str, ...]) -> None:
    """The three triggers and their functions over the searched columns ``cols`` (idempotent)."""
    from .pg_definer import closed_trigger_functions, trigger_function  # only when installing (the first screen)

    (schema,) = db.execute_sql("SELECT quote_ident(current_schema())").fetchone()
    upsert = "ON CONFLICT (lead_id) DO UPDATE SET body = EXCLUDED.body"
    add = f"INSERT INTO {TABLE} (lead_id, body) SELECT n.id, {text_expr(cols, 'n')} FROM new_rows n {upsert};"
    trigger_function(db, "crm_search_add", f"{add} RETURN NULL;", schema)
    # by EXECUTE, planned for the tables as they are at each run (store/trigger_plans.py says why)
    drop = f"EXECUTE 'DELETE FROM {TABLE} s USING old_rows o WHERE s.lead_id = o.id';"
    trigger_function(db, "crm_search_drop", f"{drop} RETURN NULL;", schema)
    put = f"INSERT INTO {TABLE} (lead_id, body) VALUES (NEW.id, {text_expr(cols, 'NEW')}) {upsert};"
    trigger_function(db, "crm_search_set", f"{put} RETURN NULL;", schema)
    for name in TRIGGERS:
        db.execute_sql(f"DROP TRIGGER IF EXISTS {name} ON lead")
    db.execute_sql("CREATE TRIGGER lead_search_ai AFTER INSERT ON lead REFERENCING NEW TABLE AS new_rows "
                   "FOR EACH STATEMENT EXECUTE FUNCTION crm_search_add()")
    db.execute_sql("CREATE TRIGGER lead_search_ad AFTER DELETE ON lead REFERENCING OLD TABLE AS old_rows "
                   "FOR EACH STATEMENT EXECUTE FUNCTION crm_search_drop()")
    db.execute_sql(f"CREATE TRIGGER lead_search_au AFTER UPDATE OF {', '.join(cols)} ON lead FOR EACH ROW "
                   f"WHEN ({text_expr(cols, 'OLD')} IS DISTINCT FROM {text_expr(cols, 'NEW')}) "
                   "EXECUTE FUNCTION crm_search_set()")
    db.execute_sql(closed_trigger_functions(schema))  # SECURITY DEFINER: nobody else may attach them


def drop_triggers(db: pw.Database) -> None:
    """For a bulk load (the demo): :func:`install` with ``fill`` after it brings the text back in step."""
    for name in TRIGGERS:
        db.execute_sql(f"DROP TRIGGER IF EXISTS {name} ON lead")


def fill(db: pw.Database, cols: tuple[str, ...], ops: str) -> None:
    """Every lead's text written anew, the index built once over it (inside the caller's transaction)."""
    db.execute_sql(f"DROP INDEX IF EXISTS {INDEX}")
    db.execute_sql(f"TRUNCATE {TABLE}")  # (a DELETE left a whole table of dead rows behind)
    db.execute_sql(f"INSERT INTO {TABLE} (lead_id, body) SELECT l.id, {text_expr(cols, 'l')} FROM lead l")
    db.execute_sql(f"CREATE INDEX {INDEX} ON {TABLE} USING gin (body {ops})")
    db.execute_sql(f"ANALYZE {TABLE}")


def install(db: pw.Database, cols: tuple[str, ...], ops: str, refill: bool = True) -> None:
    """The table, its triggers and its index (idempotent); ``refill``: its rows written from the leads."""
    db.execute_sql(f"CREATE TABLE IF NOT EXISTS {TABLE} (lead_id bigint PRIMARY KEY, body text NOT NULL)")
    db.execute_sql(f"DROP INDEX IF EXISTS {OLD_INDEX}")
    triggers(db, cols)
    if refill:
        fill(db, cols, ops)
    else:
        db.execute_sql(f"CREATE INDEX IF NOT EXISTS {INDEX} ON {TABLE} USING gin (body {ops})")


def check(db: pw.Database, cols: tuple[str, ...]) -> list[str]:
    """One line per problem: the table, index or triggers missing (or disabled), or leads whose text differs. Every
    name is read with the schema's: an admin's own role sees ``lead`` as a masking view (store/pgmasks.py)."""
    from ..i18n import _

    repair = "tui-crm db check --repair"
    (schema,) = db.execute_sql("SELECT quote_ident(current_schema())").fetchone()
    if not db.execute_sql("SELECT 1 FROM pg_tables WHERE schemaname = current_schema() AND tablename = %s",
                          (TABLE,)).fetchone():
        return [_("search index: the table {table} is missing (run `{command}`)", table=TABLE, command=repair)]
    out = []
    if not db.execute_sql("SELECT 1 FROM pg_indexes WHERE schemaname = current_schema() AND indexname = %s",
                          (INDEX,)).fetchone():
        out.append(_("search index: {name} is missing (run `{command}`)", name=INDEX, command=repair))
    have = {r[0] for r in db.execute_sql("SELECT tgname FROM pg_trigger WHERE tgrelid = to_regclass(%s) "
                                         "AND tgenabled <> 'D'", (f"{schema}.lead",))}
    missing = [t for t in TRIGGERS if t not in have]
    if missing:
        out.append(_("search index: triggers {names} are missing (run `{command}`)", names=", ".join(missing),
                     command=repair))
    (n,) = db.execute_sql(f"SELECT count(*) FROM {schema}.lead l FULL JOIN {schema}.{TABLE} s ON s.lead_id = l.id "
                          f"WHERE l.id IS NULL OR s.lead_id IS NULL OR s.body IS DISTINCT FROM {text_expr(cols, 'l')}"
                          ).fetchone()
    if n:
        out.append(_("search index: {n} leads' search text differs from the leads (run `{command}`)", n=n,
                     command=repair))
    return out
