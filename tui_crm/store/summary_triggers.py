"""The triggers that keep the summary tables (store/summaries.py) in the writer's own transaction.

SQLite: row triggers on lead and stage_history (an insert or delete adds or takes its row's share, an
update of a column a table reads takes the old share and adds the new one), each an upsert that adds
to the key's sums. PostgreSQL: one statement trigger per operation over its transition tables (one
GROUP BY upsert per statement, so a bulk insert or a batch's chunk costs one aggregate), in
SECURITY DEFINER functions: a user's role (``db roles``) may only read the summaries, and only the
rows of the owners it may see (store/pgpolicies.py), while every write it makes keeps them.

Both: an import batch's leads count from the moment it is committed (and stop when it is undone);
a batch deleted with its leads takes them off first; a stage's probability or active flag changed
corrects the weighted forecast of its open leads without an own probability (``report_dims``).
"""
from __future__ import annotations

import peewee as pw

from . import summary_deltas as deltas
from .summaries import (DIMS, DUE, GRAINS, OPEN, SUMMARIES, Summary, committed, is_pg, rebuild,
                        sqlite_row_triggers)


def _pk(s: Summary) -> str:
    return ", ".join(s.key_names())


def _upsert(s: Summary, select_sql: str, pg: bool) -> str:
    excluded = "EXCLUDED" if pg else "excluded"
    sets = ", ".join(f"{v} = {s.table}.{v} + {excluded}.{v}" for v in s.value_names())
    return f"INSERT INTO {s.table} ({', '.join(s.columns())}) {select_sql} ON CONFLICT ({_pk(s)}) DO UPDATE SET {sets}"


def _row_upserts(s: Summary, r: str, sign: str) -> str:
    """SQLite: the row ``r``'s (signed) share added to both grains."""
    return "; ".join(_upsert(s, f"SELECT {', '.join(s.exprs(r, sign, g))} WHERE {s.filter(r)} AND "
                                f"{committed(r, s.batch_col)}", False) for g in GRAINS)


def _prob(row: str) -> str:
    """A stage row's probability as the report reads it: active stages only."""
    return f"(CASE WHEN {row}.active THEN {row}.probability ELSE 0 END)"


def _stage_fix(key: str, delta: str, grain: int) -> str:
    """SELECT of report_dims' weighted correction for the open leads of stage ``key`` without an own
    probability: their amount times ``delta`` (new probability - old)."""
    cols = DIMS.value_names()
    n = len(DIMS.keys) + 1
    keys = DIMS.exprs("r", grain=grain)[:n]
    vals = [f"SUM(COALESCE(r.amount_cents, 0)) * {delta}" if c == "weighted_x100" else "0" for c in cols]
    return (f"SELECT {', '.join(keys + vals)} FROM lead r WHERE r.stage = {key} AND r.status IN {OPEN} "
            f"AND r.probability IS NULL AND {committed('r')} GROUP BY {', '.join(str(i + 1) for i in range(n))}")


SQLITE_NAMES = ("report_sum_lead_ins", "report_sum_lead_del", "report_sum_hist_ins", "report_sum_hist_del",
                "report_sum_batch", "report_sum_batch_del", "report_sum_stage_upd", "report_sum_stage_del",
                "report_sum_stage_ins") + tuple(f"report_sum_upd_{s.table}" for s in SUMMARIES) + deltas.sqlite_names()


def _sqlite(db: pw.Database) -> None:
    sqlite_row_triggers(db, "report_sum", _row_upserts, lambda col: committed("NEW", col),
                        lambda col: committed("OLD", col), lambda col, changed: changed)
    deltas.sqlite(db)
    # the batch's delta (a few hundred rows), not its leads, added or taken at the flip
    flip = "; ".join(deltas.flip(_upsert, False))
    db.execute_sql("CREATE TRIGGER IF NOT EXISTS report_sum_batch AFTER UPDATE OF state ON import_batch "
                   f"WHEN {deltas.FLIP} OR ({deltas.DEAD}) BEGIN {flip}; END")
    # its leads go first, while the batch still says whether they counted (the cascade would come after)
    db.execute_sql("CREATE TRIGGER IF NOT EXISTS report_sum_batch_del BEFORE DELETE ON import_batch BEGIN "
                   f"DELETE FROM lead WHERE batch_id = OLD.id; {'; '.join(deltas.gone('OLD.id'))}; END")
    for name, when, key, delta in (
            ("report_sum_stage_upd", f"AFTER UPDATE OF probability, active ON stage WHEN {_prob('NEW')} <> "
                                     f"{_prob('OLD')}", "NEW.key", f"({_prob('NEW')} - {_prob('OLD')})"),
            ("report_sum_stage_del", "AFTER DELETE ON stage", "OLD.key", f"(0 - {_prob('OLD')})"),
            ("report_sum_stage_ins", "AFTER INSERT ON stage", "NEW.key", _prob("NEW"))):
        fixes = "; ".join([_upsert(DIMS, _stage_fix(key, delta, g), False) for g in GRAINS]
                          + [deltas.stage_fix(key, delta, False)])
        db.execute_sql(f"CREATE TRIGGER IF NOT EXISTS {name} {when} BEGIN {fixes}; END")


# ------------------------------------------------------------------ PostgreSQL
def _delta(s: Summary, parts: list[tuple[str, str]]) -> str:
    """SELECT of the summed, signed shares of the transition tables ``parts`` [(table, sign)], both grains."""
    names = s.columns()
    selects = []
    for (table, sign), g in ((p, g) for p in parts for g in GRAINS):
        exprs = s.exprs("r", sign, g)
        cols = ", ".join(f"{e} AS {c}" for e, c in zip(exprs, names))
        selects.append(f"SELECT {cols} FROM {table} r WHERE {s.filter('r')} AND {committed('r', s.batch_col)}")
    keys = s.key_names()
    sums = ", ".join(f"SUM({v}) AS {v}" for v in s.value_names())
    having = " OR ".join(f"SUM({v}) <> 0" for v in s.value_names())
    return (f"SELECT {', '.join(keys)}, {sums} FROM ({' UNION ALL '.join(selects)}) d GROUP BY {', '.join(keys)} "
            f"HAVING {having} ORDER BY {', '.join(keys)}")


PG_OPS = {"INSERT": ("REFERENCING NEW TABLE AS new_rows", [("new_rows", "")]),
          "DELETE": ("REFERENCING OLD TABLE AS old_rows", [("old_rows", "-")]),
          "UPDATE": ("REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows", [("old_rows", "-"), ("new_rows", "")])}


def _pg_function(db: pw.Database, name: str, body: str, schema: str) -> None:
    """A statement's or a row's summary trigger function (AFTER: its result is ignored)."""
    from .pg_definer import trigger_function  # only when installing (not on the first screen's path)

    trigger_function(db, name, f"{body} RETURN NULL;", schema)


def _pg(db: pw.Database) -> None:
    from .pg_definer import closed_trigger_functions, trigger_function

    (schema,) = db.execute_sql("SELECT quote_ident(current_schema())").fetchone()
    for source, short in (("lead", "lead"), ("stage_history", "hist")):
        mine = [s for s in SUMMARIES if s.source == source]
        for op, (ref, parts) in PG_OPS.items():
            fn = f"crm_sum_{short}_{op.lower()}"
            _pg_function(db, fn, " ".join(_upsert(s, _delta(s, parts), True) + ";" for s in mine)
                         + " " + deltas.pg_statements(mine, parts), schema)
            db.execute_sql(f"DROP TRIGGER IF EXISTS report_sum_{short}_{op.lower()} ON {source}")
            db.execute_sql(f"CREATE TRIGGER report_sum_{short}_{op.lower()} AFTER {op} ON {source} {ref} "
                           f"FOR EACH STATEMENT EXECUTE FUNCTION {fn}()")
    _pg_function(db, "crm_sum_batch", " ".join(x + ";" for x in deltas.flip(_upsert, True)), schema)
    db.execute_sql("DROP TRIGGER IF EXISTS report_sum_batch ON import_batch")
    db.execute_sql("CREATE TRIGGER report_sum_batch AFTER UPDATE OF state ON import_batch FOR EACH ROW "
                   "EXECUTE FUNCTION crm_sum_batch()")
    trigger_function(db, "crm_sum_batch_del", f"DELETE FROM lead WHERE batch_id = OLD.id; "
                                              f"{'; '.join(deltas.gone('OLD.id'))}; RETURN OLD;", schema)
    db.execute_sql("DROP TRIGGER IF EXISTS report_sum_batch_del ON import_batch")
    db.execute_sql("CREATE TRIGGER report_sum_batch_del BEFORE DELETE ON import_batch FOR EACH ROW "
                   "EXECUTE FUNCTION crm_sum_batch_del()")
    fix = {"upd": ("NEW.key", f"({_prob('NEW')} - {_prob('OLD')})"), "del": ("OLD.key", f"(0 - {_prob('OLD')})"),
           "ins": ("NEW.key", _prob("NEW"))}
    for op, event in (("upd", "UPDATE OF probability, active"), ("del", "DELETE"), ("ins", "INSERT")):
        body = " ".join([_upsert(DIMS, _stage_fix(*fix[op], g), True) + ";" for g in GRAINS]
                        + [deltas.stage_fix(*fix[op], True) + ";"])
        _pg_function(db, f"crm_sum_stage_{op}", body, schema)
        db.execute_sql(f"DROP TRIGGER IF EXISTS report_sum_stage_{op} ON stage")
        db.execute_sql(f"CREATE TRIGGER report_sum_stage_{op} AFTER {event} ON stage FOR EACH ROW "
                       f"EXECUTE FUNCTION crm_sum_stage_{op}()")
    db.execute_sql(closed_trigger_functions(schema))  # SECURITY DEFINER: nobody else may attach them


PG_TRIGGERS = ([(f"report_sum_{short}_{op.lower()}", source) for source, short in
                (("lead", "lead"), ("stage_history", "hist")) for op in PG_OPS]
               + [("report_sum_batch", "import_batch"), ("report_sum_batch_del", "import_batch")]
               + [(f"report_sum_stage_{op}", "stage") for op in ("upd", "del", "ins")])


def drop(db: pw.Database) -> None:
    if is_pg(db):
        for name, table in PG_TRIGGERS:
            db.execute_sql(f"DROP TRIGGER IF EXISTS {name} ON {table}")
    else:
        for name in SQLITE_NAMES:
            db.execute_sql(f"DROP TRIGGER IF EXISTS {name}")


# v14: the summary tables replace the report's two widest covering indexes on lead (every insert paid for
# both); the partial days at a period's edges read the leads created then (lead_created_at)
REPLACED_INDEXES = ("lead_report_owner", "lead_report_dims")


def support(db: pw.Database, fill: bool = False) -> None:
    """The tables and triggers (idempotent; schema.create and step_14 call it)."""
    install(db, fill=fill)


# the owner's and the due index also carry the batch, so the list's clock counts (overdue, due today) of a
# scope or of everyone read no lead row (old name, new name, columns). OWNER_INDEX is the owner's by name, for
# the queries that must read it (a rep's search on SQLite: INDEXED BY) and the index it makes redundant
OWNER_INDEX = "lead_owner_id_status_next_follow_up_at_batch_id"
WIDER_INDEXES = (("lead_owner_id_status_next_follow_up_at", OWNER_INDEX,
                  "lead (owner_id, status, next_follow_up_at, batch_id)"),
                 ("lead_status_next_follow_up_at", "lead_status_next_follow_up_at_batch_id",
                  "lead (status, next_follow_up_at, batch_id)"))


def step_14(db: pw.Database) -> None:
    """v14: the report's summary tables, filled from the leads and kept by triggers from now on."""
    for name in REPLACED_INDEXES:
        db.execute_sql(f'DROP INDEX IF EXISTS "{name}"')
    for old, new, spec in WIDER_INDEXES:
        db.execute_sql(f'CREATE INDEX IF NOT EXISTS "{new}" ON {spec}')
        db.execute_sql(f'DROP INDEX IF EXISTS "{old}"')
        if not is_pg(db) and db.table_exists("sqlite_stat1"):
            db.execute_sql(f'ANALYZE "{new}"')
    support(db, fill=True)


def step_15(db: pw.Database) -> None:
    """v15: the per-batch deltas (store/summary_deltas.py), filled for the batches staging or committed, and the
    triggers that keep them; the flip of a batch reads its delta instead of its leads."""
    drop(db)
    install(db, fill=True)


def step_16(db: pw.Database) -> None:
    """v16: ``report_due`` (the working leads by the hour of their next follow-up) and its per-batch delta,
    filled from the leads; the lead triggers made again so that they keep it too."""
    db.execute_sql(DUE.ddl(is_pg(db)))
    db.execute_sql(DUE.delta_ddl(is_pg(db)))
    drop(db)
    (_pg if is_pg(db) else _sqlite)(db)
    rebuild(db, only=(DUE,))


def install(db: pw.Database, fill: bool = True) -> None:
    """Create the tables and their triggers (idempotent) and fill them from the leads."""
    for s in SUMMARIES:
        db.execute_sql(s.ddl(is_pg(db)))
        db.execute_sql(s.delta_ddl(is_pg(db)))
    (_pg if is_pg(db) else _sqlite)(db)
    if fill:
        rebuild(db)


class suspended:
    """For a bulk load in one transaction (demo): the summary triggers off, then one rebuild."""

    def __init__(self, db: pw.Database):
        self.db = db

    def __enter__(self):
        drop(self.db)
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            rebuild(self.db)
        install(self.db, fill=False)
        return False


def uninstall(db: pw.Database) -> None:
    """The triggers and tables gone (a database as before v14: the upgrade tests build one so)."""
    drop(db)
    for s in SUMMARIES:
        db.execute_sql(f"DROP TABLE IF EXISTS {s.table}")
        db.execute_sql(f"DROP TABLE IF EXISTS {s.delta}")
