"""PostgreSQL databases as older versions of tui-crm left them, for the upgrade tests."""
from __future__ import annotations

OLD_COLUMNS = ("code", "company", "contact_name", "need", "remarks", "pinyin")


def old_search(cur, cols: tuple[str, ...] = OLD_COLUMNS) -> None:
    """Schema v2-v20's search: no lead_search table, a trigram expression index on lead over ``cols`` (written
    out here as those versions did, not taken from the code under test)."""
    for name in ("lead_search_ai", "lead_search_ad", "lead_search_au"):
        cur.execute(f"DROP TRIGGER IF EXISTS {name} ON lead")
    cur.execute("DROP TABLE IF EXISTS lead_search")
    expr = " || ' ' || ".join(f"coalesce({c},'')" for c in cols)
    cur.execute("SELECT quote_ident(n.nspname) FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
                "WHERE e.extname = 'pg_trgm'")
    (ops_schema,) = cur.fetchone()
    cur.execute(f"CREATE INDEX lead_search_trgm ON lead USING gin (({expr}) {ops_schema}.gin_trgm_ops)")
