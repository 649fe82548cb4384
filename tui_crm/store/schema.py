"""Schema versions, creation, in-place upgrades and ``db check``.

How a schema change is made (see docs/ARCHITECTURE.md): change the models, bump ``LATEST``, add a step to
``STEPS`` that brings a database of the previous version to the new one without losing data
(``playhouse.migrate`` for columns, raw SQL for what it cannot express), and add a test that upgrades a
database created with the older DDL."""
from __future__ import annotations

import json
from typing import Callable

import peewee as pw

from ..domain.rules import Settings
from ..domain.vocab import DEFAULT_STAGES, SOURCES
from . import (history_copy, migrating, plan, schema_indexes, schema_team, search, spelling, summaries,
               summary_triggers)
from .models import ALL_MODELS, Lead, Meta, Source, Stage

LATEST = 21


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
        report_support(db)
        board_support(db)
        stay_support(db)
        list_support(db)
        sweep_support(db)
        plan.support(db)
        seed_defaults()
        summary_triggers.support(db)
        _set_version(LATEST)


# ----------------------------------------------------------------- steps
def _step_2(db: pw.Database) -> None:
    """v2: digits-reversed phone column for suffix search, and the substring index."""
    migrator = migrating.migrator(db)
    cols = {c.name for c in db.get_columns("lead")}
    if "phone_rev" not in cols:
        migrating.migrate(migrator.add_column("lead", "phone_rev", pw.CharField(max_length=32, null=True)),
                migrator.add_index("lead", ("phone_rev",), False))
    for lead_id, phone in db.execute_sql("SELECT id, phone FROM lead WHERE phone IS NOT NULL"):
        Lead.update(phone_rev=search.reversed_digits(phone)).where(Lead.id == lead_id).execute()
    search.install(db)


# covering indexes for the report (services/report.py): each of its GROUP BYs reads one index in order
# (v14: the by-owner and by-source/industry ones gave way to the summary tables, store/summaries.py)
REPORT_INDEXES = {
    "lead_report_closed": ("lead", "status, won_at, won_amount_cents, lost_reason, owner_id, created_at, batch_id"),
    "stage_history_stays": ("stage_history", "stage, left_at, entered_at, lead_id"),
}


def _is_pg(db: pw.Database) -> bool:
    return isinstance(db, pw.PostgresqlDatabase)


def report_support(db: pw.Database) -> None:
    """What the report needs beyond the models (idempotent; create() and _step_3 both call it):
    the trigger that keeps ``lead.stages_seen`` and the covering indexes."""
    for name, (table, cols) in REPORT_INDEXES.items():
        db.execute_sql(f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" ({cols})')
    if _is_pg(db):
        _seen_trigger(db)
    else:
        db.execute_sql(
            "CREATE TRIGGER IF NOT EXISTS stage_history_seen AFTER INSERT ON stage_history BEGIN "
            "UPDATE lead SET stages_seen = stages_seen | (SELECT 1 << id FROM stage WHERE key = NEW.stage AND id < 63) "
            "WHERE id = NEW.lead_id AND EXISTS (SELECT 1 FROM stage WHERE key = NEW.stage AND id < 63 "
            "AND (lead.stages_seen & (1 << stage.id)) = 0); END")


def backfill_stages_seen(db: pw.Database, ids: list[int] | None = None) -> None:
    """Recompute ``lead.stages_seen`` from the stage history (exact): every lead (the upgrade) or the leads
    ``ids`` (an undo took stays out of their history), writing only the leads whose bits change."""
    if ids is not None and not ids:
        return
    from .bulk import id_list  # here: bulk is not needed before the first screen

    only = f"WHERE l.id IN {id_list(ids)}" if ids else ""
    db.execute_sql(  # each lead's bits computed once, written only where they differ
        f"UPDATE lead SET stages_seen = s.bits FROM (SELECT l.id, {seen_bits(db, 'l')} AS bits FROM lead l {only}) s "
        "WHERE lead.id = s.id AND lead.stages_seen <> s.bits")


def seen_bits(db: pw.Database, lead: str) -> str:
    """SQL: the stages_seen bits of the lead ``lead`` (its name in the statement), from its stage history."""
    bit = "bit_or(1::bigint << st.id)" if _is_pg(db) else "SUM(DISTINCT 1 << st.id)"
    return (f"COALESCE((SELECT {bit} FROM stage_history h JOIN stage st ON st.key = h.stage AND st.id < 63 "
            f"WHERE h.lead_id = {lead}.id), 0)")


def _step_3(db: pw.Database) -> None:
    """v3: ``lead.stages_seen`` (kept by a trigger) and covering indexes for the report."""
    cols = {c.name for c in db.get_columns("lead")}
    if "stages_seen" not in cols:
        db.execute_sql("ALTER TABLE lead ADD COLUMN stages_seen BIGINT NOT NULL DEFAULT 0")
    report_support(db)
    backfill_stages_seen(db)


# covering indexes for the board (services/board.py): the header GROUP BY reads only
# lead_board_column (no table rows), each column page is one ordered range of it
# (stage, status, next_follow_up_at), and "lost this month" is a range of lead_board_lost
BOARD_INDEXES = {
    "lead_board_column": ("lead", "stage, status, next_follow_up_at, amount_cents, probability, owner_id, batch_id"),
    "lead_board_lost": ("lead", "status, lost_at, amount_cents, owner_id, batch_id"),
}


def board_support(db: pw.Database) -> None:
    """The board's indexes (idempotent; create() and _step_4 both call it)."""
    for name, (table, cols) in BOARD_INDEXES.items():
        db.execute_sql(f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" ({cols})')
        if not _is_pg(db) and db.table_exists("sqlite_stat1"):  # the planner's figures for the new index
            db.execute_sql(f'ANALYZE "{name}"')


def _step_4(db: pw.Database) -> None:
    """v4: covering indexes for the board's headers and column pages."""
    board_support(db)


# report v5 (services/report.py, scoped stays): each stage_history row carries a copy of its lead's owner,
# creation time and import batch, kept by triggers, so the average days in stage of a scoped report is one
# range of ``stage_history_owner_stays`` per owner (exact; no join to lead row by row)
STAY_COLUMNS = ("lead_owner_id", "lead_created_at", "lead_batch_id")
STAY_INDEX = ("stage_history_owner_stays",
              "lead_owner_id, stage, left_at, entered_at, lead_created_at, lead_batch_id")


def stay_support(db: pw.Database, backfill: bool = False) -> None:
    """The lead copies on stage_history, their triggers and index (idempotent; create() and _step_5 call it)."""
    have = {c.name for c in db.get_columns("stage_history")}
    for col in STAY_COLUMNS:
        if col not in have:
            db.execute_sql(f"ALTER TABLE stage_history ADD COLUMN {col} BIGINT")
    if backfill:
        if _is_pg(db):
            db.execute_sql("UPDATE stage_history h SET lead_owner_id = l.owner_id, lead_created_at = l.created_at, "
                           "lead_batch_id = l.batch_id FROM lead l WHERE l.id = h.lead_id")
        else:
            db.execute_sql("UPDATE stage_history SET lead_owner_id = l.owner_id, lead_created_at = l.created_at, "
                           "lead_batch_id = l.batch_id FROM lead l WHERE l.id = stage_history.lead_id")
    name, cols = STAY_INDEX
    db.execute_sql(f'CREATE INDEX IF NOT EXISTS "{name}" ON "stage_history" ({cols})')
    if _is_pg(db):
        history_copy.lead_copy_function(db)
        _seen_trigger(db)
        db.execute_sql("DROP TRIGGER IF EXISTS stage_history_lead_copy ON stage_history")
        db.execute_sql("CREATE TRIGGER stage_history_lead_copy BEFORE INSERT OR UPDATE OF lead_id ON stage_history "
                       "FOR EACH ROW EXECUTE FUNCTION stage_history_lead_copy()")
        history_copy.pg_install(db)
    else:
        copy = ("UPDATE stage_history SET (lead_owner_id, lead_created_at, lead_batch_id) = "
                "(SELECT owner_id, created_at, batch_id FROM lead WHERE id = NEW.lead_id) WHERE id = NEW.id; END")
        # a bulk writer that fills the copies itself (the lead's own values) skips the per-row update
        db.execute_sql("CREATE TRIGGER IF NOT EXISTS stage_history_lead_copy AFTER INSERT ON stage_history "
                       "WHEN NEW.lead_owner_id IS NULL BEGIN " + copy)
        db.execute_sql("CREATE TRIGGER IF NOT EXISTS stage_history_lead_move AFTER UPDATE OF lead_id ON stage_history "
                       "BEGIN " + copy)
        db.execute_sql(
            "CREATE TRIGGER IF NOT EXISTS lead_history_copy AFTER UPDATE OF owner_id, created_at, batch_id ON lead "
            "WHEN NEW.owner_id IS NOT OLD.owner_id OR NEW.created_at IS NOT OLD.created_at "
            "OR NEW.batch_id IS NOT OLD.batch_id BEGIN "
            "UPDATE stage_history SET lead_owner_id = NEW.owner_id, lead_created_at = NEW.created_at, "
            "lead_batch_id = NEW.batch_id WHERE lead_id = NEW.id; END")
        if db.table_exists("sqlite_stat1"):
            db.execute_sql(f'ANALYZE "{name}"')


def _step_5(db: pw.Database) -> None:
    """v5: stage_history carries its lead's owner, creation time and batch, for the scoped report's stays."""
    stay_support(db, backfill=True)


# the lead list's sorts read these in order (SQLite appends the rowid, so (col) serves ORDER BY col, id)
LIST_INDEXES = {
    "lead_sort_next": "next_follow_up_at",
    "lead_sort_company": "company",
    "lead_sort_amount": "amount_cents",
    "lead_sort_stage": "stage",
}


def list_support(db: pw.Database) -> None:
    """The lead list's sort indexes (idempotent; create() and _step_6 both call it)."""
    for name, col in LIST_INDEXES.items():
        cols = f"{col}, id" if _is_pg(db) else col
        db.execute_sql(f'CREATE INDEX IF NOT EXISTS "{name}" ON "lead" ({cols})')


def _step_6(db: pw.Database) -> None:
    """v6: the list's sort indexes, built by the upgrade instead of at the first app start."""
    list_support(db)


# v7: indexes that are the leading columns of another index serve no query the longer one does not,
# and every insert pays for each (an import of 1M leads maintains them all row by row)
REDUNDANT_INDEXES = {
    "lead_owner_id": summary_triggers.OWNER_INDEX,  # (v14: the batch added)
    "lead_stage_status": "lead_board_column",
    "stage_history_lead_id": "stage_history_lead_id_entered_at",
    "stage_history_stage_left_at": "stage_history_stays",
    "task_lead_id": "task_lead_id_status_due_at",
    "task_owner_id": "task_owner_id_status_due_at",
    "follow_up_lead_id": "follow_up_lead_id_at",
}


def _step_7(db: pw.Database) -> None:
    """v7: drop the indexes made redundant by a longer one with the same leading columns; on PostgreSQL
    the history copy trigger skips inserts that bring the copies (as SQLite's ``WHEN`` always did) and the
    stages-seen trigger runs once per statement."""
    for name in REDUNDANT_INDEXES:
        db.execute_sql(f'DROP INDEX IF EXISTS "{name}"')
    if _is_pg(db):
        history_copy.lead_copy_function(db)
        _seen_trigger(db)


AUDIT_INDEXES = {"change_user_id_action_at": "change (user_id, action, at)", "change_at": "change (at)"}


def _step_8(db: pw.Database) -> None:
    """v8: the audit's questions read an index: one user's reveals of the last hour (the search limit),
    entries of a period, of a user, of an action."""
    for name, cols in AUDIT_INDEXES.items():
        db.execute_sql(f'CREATE INDEX IF NOT EXISTS "{name}" ON {cols}')
    db.execute_sql('DROP INDEX IF EXISTS "change_user_id"')  # the leading column of the first


def _step_10(db: pw.Database) -> None:
    """v10: each user's money style (cn 8.0万 / plain 80.0k) beside their language and zone."""
    if "money" not in {c.name for c in db.get_columns("user")}:
        migrator = migrating.migrator(db)
        migrating.migrate(migrator.add_column("user", "money", pw.CharField(max_length=8, null=True)))


# the rule sweep runs every 30 s in every open app: its questions read small partial indexes, never the
# whole task or lead table (the queries spell these conditions as literals, so SQLite can use them)
SWEEP_INDEXES = {
    "task_reminder_due": "task (due_at) WHERE reminded_at IS NULL",
    "lead_incomplete": "lead (id) WHERE incomplete <> ''",
}


def sweep_support(db: pw.Database) -> None:
    for name, spec in SWEEP_INDEXES.items():
        db.execute_sql(f'CREATE INDEX IF NOT EXISTS "{name}" ON {spec}')


def _step_11(db: pw.Database) -> None:
    """v11: a task remembers when its reminder went out (two sweeps at once send it once); a notification
    keeps its message key and values, to be shown in the reader's language."""
    migrator = migrating.migrator(db)
    ops = []
    if "reminded_at" not in {c.name for c in db.get_columns("task")}:
        ops.append(migrator.add_column("task", "reminded_at", pw.BigIntegerField(null=True)))
    if "message" not in {c.name for c in db.get_columns("notification")}:
        ops.append(migrator.add_column("notification", "message", pw.TextField(null=True)))
    if ops:
        migrating.migrate(*ops)
    sweep_support(db)


def _step_13(db: pw.Database) -> None:
    """v13: a lead keeps the currency its import file named (SE960000,00 is kronor, USD 1,200 dollars)."""
    if "currency" not in {c.name for c in db.get_columns("lead")}:
        migrator = migrating.migrator(db)
        migrating.migrate(migrator.add_column("lead", "currency", pw.CharField(max_length=3, null=True)))


def _seen_trigger(db: pw.Database, step: bool = False) -> None:
    """trigger_plans' stages-seen trigger (``step``: all of its v20) imported here: only a schema's creation or
    upgrade needs it, not the first screen."""
    from . import trigger_plans

    (trigger_plans.step_20 if step else trigger_plans.seen_trigger)(db)


STEPS = {2: _step_2, 3: _step_3, 4: _step_4, 5: _step_5, 6: _step_6, 7: _step_7, 8: _step_8,
         9: spelling.add_column, 10: _step_10, 11: _step_11,
         12: schema_team.step_12, 13: _step_13, 14: summary_triggers.step_14,
         15: summary_triggers.step_15, 16: summary_triggers.step_16, 17: schema_indexes.step_17,
         18: history_copy.step_18, 19: plan.step_19, 20: lambda db: _seen_trigger(db, step=True), 21: search.step_21}


def upgrade(db: pw.Database, progress: Callable[[int | None], None] | None = None) -> tuple[int, int]:
    """Bring the database to LATEST in place; returns (from, to). ``progress(version)`` as each step to ``version``
    begins (``None``: the closing maintenance, VACUUM on PostgreSQL), so a long upgrade says where it is."""
    start = current_version(db)
    if start is None:
        create(db)
        return (0, LATEST)
    version, report = start, progress or (lambda _version: None)
    while version < LATEST:
        with db.atomic():
            _lock(db)
            version = current_version(db) or 0
            if version >= LATEST:
                break
            report(version + 1)
            STEPS[version + 1](db)
            _set_version(version + 1)
            version += 1
    if start < 19 and isinstance(db, pw.PostgresqlDatabase) and not db.in_transaction():
        report(None)
        db.execute_sql("VACUUM (ANALYZE) lead")  # v19 rewrote most leads: index-only reads need the visibility map
    if start < LATEST and isinstance(db, pw.PostgresqlDatabase):
        from . import pgroles

        with db.atomic():
            pgroles.refresh(db)  # the users' roles may use the new tables and columns as the old
    return (start, LATEST)


# ----------------------------------------------------------------- check
def check(db: pw.Database) -> list[str]:
    """Problems found, one line each, in the user's language (empty when all is well)."""
    from ..i18n import _

    problems: list[str] = []
    version = current_version(db)
    if version != LATEST:
        problems.append(_("schema version {version} is not current ({latest}): run `tui-crm db upgrade`",
                          version=version, latest=LATEST))
    if isinstance(db, pw.SqliteDatabase):
        for (msg,) in db.execute_sql("PRAGMA integrity_check").fetchall():
            if msg != "ok":
                problems.append(_("integrity: {problem}", problem=msg))
        for table, rowid, parent, _fk in db.execute_sql("PRAGMA foreign_key_check").fetchall():
            problems.append(_("foreign key: {table} row {row} points to a missing {parent}", table=table, row=rowid,
                              parent=parent))
    else:
        problems += _pg_orphans(db)
    if version == LATEST:
        problems += search.check(db)
        problems += summaries.check(db)
        problems += plan.check(db)
    return problems


def _pg_orphans(db: pw.Database) -> list[str]:
    from ..i18n import _

    out = []
    for model in ALL_MODELS:
        for fk in model._meta.refs:
            rel = fk.rel_model._meta.table_name
            sql = (f'SELECT count(*) FROM "{model._meta.table_name}" t WHERE t."{fk.column_name}" IS NOT NULL '
                   f'AND NOT EXISTS (SELECT 1 FROM "{rel}" r WHERE r.id = t."{fk.column_name}")')
            n = db.execute_sql(sql).fetchone()[0]
            if n:
                out.append(_("foreign key: {n} rows of {table} point to a missing {parent}", n=n,
                             table=model._meta.table_name, parent=rel))
    return out
