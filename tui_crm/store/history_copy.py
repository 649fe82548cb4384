"""PostgreSQL: stage_history's copy of its lead's owner, creation time and batch kept by one statement per
UPDATE of lead (schema v18).

Until v17 the copy was a row trigger: each lead a statement changed ran its own ``UPDATE stage_history …
WHERE lead_id = …``, and each of those fired stage_history's statement-level summary trigger
(store/summary_triggers.py) once more: a batch that reassigned 5,000 leads ran 5,000 summary updates of two
or three rows each, 6-7 s of the chunk's 9 s (measured on 100,000 demo leads). The copy is now a statement
trigger over the UPDATE's transition tables: one UPDATE of every history row whose lead changed one of the
three columns, so the summary trigger runs once over all of them, and not at all for an UPDATE that changed
none (most of them: an edit, a note, a move). PostgreSQL allows no column list on a trigger with transition
tables, hence the test of the three columns in the function. SQLite keeps its row trigger (store/schema.py):
its summary triggers are row triggers there too, and a batch chunk turns them off (store/summary_chunks.py).
"""
from __future__ import annotations

import peewee as pw

# the leads whose owner, creation time or batch the statement changed: the new rows less the old ones (a set
# difference, hashed or sorted, NULLs alike: IS DISTINCT FROM; a join of the two transition tables on id is
# planned as a nested loop, quadratic in the rows updated: minutes for an UPDATE of 100,000 leads)
CHANGED = ("SELECT id, owner_id, created_at, batch_id FROM new_rows "
           "EXCEPT SELECT id, owner_id, created_at, batch_id FROM old_rows")


def pg_install(db: pw.Database) -> None:
    """The statement-level ``lead_history_copy`` trigger and its function (idempotent)."""
    db.execute_sql(
        "CREATE OR REPLACE FUNCTION lead_history_copy() RETURNS trigger AS $$ BEGIN "
        f"IF EXISTS ({CHANGED}) THEN "
        # by EXECUTE: planned for stage_history as it is now (store/trigger_plans.py)
        "EXECUTE $q$UPDATE stage_history h SET lead_owner_id = n.owner_id, lead_created_at = n.created_at, "
        f"lead_batch_id = n.batch_id FROM ({CHANGED}) n WHERE h.lead_id = n.id$q$; "
        "END IF; RETURN NULL; END $$ LANGUAGE plpgsql SET jit = off")
    db.execute_sql("DROP TRIGGER IF EXISTS lead_history_copy ON lead")
    db.execute_sql("CREATE TRIGGER lead_history_copy AFTER UPDATE ON lead REFERENCING OLD TABLE AS old_rows "
                   "NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION lead_history_copy()")


def step_18(db: pw.Database) -> None:
    """v18, PostgreSQL (SQLite: nothing to change): the history copy one statement per UPDATE, and the summary
    trigger functions made again with JIT off (store/pg_definer.NO_JIT)."""
    if isinstance(db, pw.PostgresqlDatabase):
        from . import summary_triggers

        pg_install(db)
        summary_triggers.install(db, fill=False)


def lead_copy_function(db: pw.Database) -> None:
    """PostgreSQL: fill stage_history's lead copies from the lead, except for an insert that brings
    them itself (a bulk writer such as the importer: the per-row look-up is most of its history cost)."""
    db.execute_sql(
        "CREATE OR REPLACE FUNCTION stage_history_lead_copy() RETURNS trigger AS $$ BEGIN "
        "IF TG_OP = 'INSERT' AND NEW.lead_owner_id IS NOT NULL THEN RETURN NEW; END IF; "
        "SELECT owner_id, created_at, batch_id INTO NEW.lead_owner_id, NEW.lead_created_at, NEW.lead_batch_id "
        "FROM lead WHERE id = NEW.lead_id; RETURN NEW; END $$ LANGUAGE plpgsql")
