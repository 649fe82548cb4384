"""Schema v20, PostgreSQL: the trigger statements that join a growing table are planned at each run.

PL/pgSQL keeps the plan of a statement without parameters for the life of the connection, until something
invalidates it (an ANALYZE of the table, an ALTER): made when the table was small, it stays. The stages-seen
trigger of stage_history (an UPDATE of lead joined to the statement's new rows) was planned at a connection's
first history insert; a new database's lead table then holds a few rows, so it read the whole lead table by a
sequential scan at every later insert: an import into an empty database planned it at its first chunk and
spent 38 ms per chunk at 100,000 leads, 6.9 s of a 35 s import (pg_stat_statements, auto_explain), growing
with every chunk; an app connected to a new team's database all day did the same for every stage move, and
the history copy of lead (an UPDATE of stage_history joined to the changed leads) likewise. A server with
autovacuum off never invalidates them. Run by EXECUTE, each is planned for the table as it is now (a plan
costs well under a millisecond beside a scan of the table).

SQLite prepares its trigger programs per statement: nothing to change there.
"""
from __future__ import annotations

import peewee as pw

# lead.stages_seen kept by one UPDATE per INSERT statement on stage_history (its transition table), not one
# per row; leads that already carry the bits (the importer writes them) are not touched
SEEN_UPDATE = ("UPDATE lead SET stages_seen = lead.stages_seen | s.bits FROM (SELECT n.lead_id, "
               "bit_or(1::bigint << st.id) AS bits FROM new_rows n JOIN stage st ON st.key = n.stage AND st.id < 63 "
               "GROUP BY n.lead_id) s WHERE lead.id = s.lead_id AND (lead.stages_seen & s.bits) <> s.bits")


def seen_trigger(db: pw.Database) -> None:
    """PostgreSQL: ``stage_history_seen``, the statement trigger that keeps ``lead.stages_seen`` (idempotent).
    EXECUTE sees the statement's transition table as a plain statement would."""
    db.execute_sql(
        "CREATE OR REPLACE FUNCTION stage_history_seen() RETURNS trigger AS $$ BEGIN "
        f"EXECUTE $q${SEEN_UPDATE}$q$; RETURN NULL; END $$ LANGUAGE plpgsql SET jit = off")
    db.execute_sql("DROP TRIGGER IF EXISTS stage_history_seen ON stage_history")
    db.execute_sql("CREATE TRIGGER stage_history_seen AFTER INSERT ON stage_history REFERENCING NEW TABLE AS "
                   "new_rows FOR EACH STATEMENT EXECUTE FUNCTION stage_history_seen()")


def step_20(db: pw.Database) -> None:
    """v20, PostgreSQL (SQLite: nothing to change): the stages-seen and history-copy triggers' statements
    planned at each run."""
    if isinstance(db, pw.PostgresqlDatabase):
        from . import history_copy

        seen_trigger(db)
        history_copy.pg_install(db)
