"""Schema v19: ``lead.plan_until``, the latest due of a lead's open tasks (its own and those it shares, a task
on several leads), kept beside ``next_follow_up_at`` (the earliest) by every task writer in the same UPDATE
(store/next_due.plan_values: the services, batch work and its undo; import and demo write both from the
tasks they write).

Why: the stall rule (domain.rules.is_stalled, services/leads/queries.filter_expr) asks whether a lead has
anything planned from now on. Until v18 that was an EXISTS over the open tasks for every open lead that had
overstayed its stage: the list's "stalled" count read 0.7 s on PostgreSQL and up to several seconds on a
loaded SQLite at 1M leads. With the column it is one range of ``lead_stall`` (status, plan_until, ...), read
from the index alone: the leads with nothing planned from now on, whatever their number of tasks.

``db check`` compares the column with its recomputation from the tasks; ``db check --repair`` recomputes it.
"""
from __future__ import annotations

import peewee as pw

from . import migrating

STALL_INDEX = ("lead_stall", "lead (status, plan_until, stage_entered_at, next_follow_up_at, owner_id, batch_id)")


def support(db: pw.Database) -> None:
    """The index the stall count reads (idempotent: schema.create and step_19)."""
    name, spec = STALL_INDEX
    db.execute_sql(f'CREATE INDEX IF NOT EXISTS "{name}" ON {spec}')


def _latest_sql(lead: str) -> str:
    """SQL: the latest due of lead ``lead``'s open tasks (a column reference), as next_due.latest_open_due."""
    from ..domain.vocab import OPEN_TASK_STATUSES

    st = ", ".join(f"'{s}'" for s in OPEN_TASK_STATUSES)
    return (f"(SELECT MAX(d) FROM (SELECT t.due_at AS d FROM task t WHERE t.lead_id = {lead} AND t.status IN ({st}) "
            f"UNION ALL SELECT t.due_at FROM task t JOIN task_lead tl ON tl.task_id = t.id "
            f"WHERE tl.lead_id = {lead} AND t.status IN ({st})) o)")


def differing_sql() -> str:
    """SQL: the leads whose plan_until is not the latest due of their open tasks (NULLs alike)."""
    has_tasks = ("plan_until IS NOT NULL OR EXISTS (SELECT 1 FROM task t WHERE t.lead_id = lead.id) "
                 "OR EXISTS (SELECT 1 FROM task_lead tl WHERE tl.lead_id = lead.id)")
    return (f"SELECT id FROM (SELECT id, plan_until AS p, {_latest_sql('lead.id')} AS f FROM lead WHERE {has_tasks}) x "
            "WHERE p <> f OR (p IS NULL) <> (f IS NULL)")


def recompute(db: pw.Database) -> int:
    """Set plan_until of every lead that differs from its tasks; returns how many (inside the caller's
    transaction: a step of the upgrade, or ``db check --repair``)."""
    from .bulk import id_list  # (not at import: the list's first screen imports the schema, not bulk loads)

    ids = [i for (i,) in db.execute_sql(differing_sql()).fetchall()]
    for start in range(0, len(ids), 20000):
        part = id_list(ids[start:start + 20000])
        db.execute_sql(f"UPDATE lead SET plan_until = {_latest_sql('lead.id')} WHERE id IN {part}")
    return len(ids)


def check(db: pw.Database) -> list[str]:
    from ..i18n import _

    (n,) = db.execute_sql(f"SELECT count(*) FROM ({differing_sql()}) d").fetchone()
    if not n:
        return []
    return [_("lead plan: {n} leads' latest open task differs from plan_until (run `tui-crm db check --repair`)",
              n=n)]


def step_19(db: pw.Database) -> None:
    """v19: the column, filled from the open tasks, and its index."""
    if "plan_until" not in {c.name for c in db.get_columns("lead")}:
        migrator = migrating.migrator(db)
        migrating.migrate(migrator.add_column("lead", "plan_until", pw.BigIntegerField(null=True)))
    recompute(db)
    support(db)
