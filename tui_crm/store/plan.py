"""Schema v19: ``lead.plan_until``, the latest due of a lead's open tasks (its own and those it shares, a task
on several leads), kept beside ``next_follow_up_at`` (the earliest) by every task writer in the same UPDATE
(store/next_due.refresh: the services, batch work and its undo; import and demo write both from the
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

MANY = 50_000  # tasks: a PostgreSQL upgrade fills the column with the lead's indexes off
STALL_INDEX = ("lead_stall", "lead (status, plan_until, stage_entered_at, next_follow_up_at, owner_id, batch_id)")


def support(db: pw.Database) -> None:
    """The index the stall count reads (idempotent: schema.create and step_19)."""
    name, spec = STALL_INDEX
    db.execute_sql(f'CREATE INDEX IF NOT EXISTS "{name}" ON {spec}')
    if isinstance(db, pw.PostgresqlDatabase):  # the new column's figures (sampled), else the planner guesses
        db.execute_sql("ANALYZE lead")
    elif db.table_exists("sqlite_stat1"):  # the planner's figures for the new index
        db.execute_sql(f'ANALYZE "{name}"')


def _open_statuses() -> str:
    from ..domain.vocab import OPEN_TASK_STATUSES

    return ", ".join(f"'{s}'" for s in OPEN_TASK_STATUSES)


def latest_by_lead() -> str:
    """SQL: (lead_id, d) for every lead with an open task: the latest due of its own and its shared open tasks
    (what next_due.refresh reads per lead, for all leads at once: one hash aggregate, not a subquery per lead)."""
    st = _open_statuses()
    return (f"SELECT lead_id, MAX(d) AS d FROM (SELECT lead_id, due_at AS d FROM task WHERE lead_id IS NOT NULL "
            f"AND status IN ({st}) UNION ALL SELECT tl.lead_id, t.due_at FROM task t JOIN task_lead tl "
            f"ON tl.task_id = t.id WHERE t.status IN ({st})) o GROUP BY lead_id")


def _differs(db: pw.Database, a: str, b: str) -> str:
    """SQL: ``a`` and ``b`` differ, NULLs alike (SQLite before 3.39 knows no IS DISTINCT FROM)."""
    return f"{a} IS DISTINCT FROM {b}" if isinstance(db, pw.PostgresqlDatabase) else f"{a} IS NOT {b}"


def differing_sql(db: pw.Database) -> str:
    """SQL: (id, d) of the leads whose plan_until is not ``d``, the latest due of their open tasks (NULL: none)."""
    return (f"SELECT l.id, m.d FROM lead l LEFT JOIN ({latest_by_lead()}) m ON m.lead_id = l.id "
            f"WHERE {_differs(db, 'l.plan_until', 'm.d')}")


def recompute(db: pw.Database) -> int:
    """Set plan_until of every lead that differs from its tasks, in one set-based UPDATE; returns how many
    (inside the caller's transaction: a step of the upgrade, or ``db check --repair``)."""
    cur = db.execute_sql(f"UPDATE lead SET plan_until = x.d FROM ({differing_sql(db)}) x WHERE lead.id = x.id")
    return cur.rowcount


def check(db: pw.Database) -> list[str]:
    from ..i18n import _

    (n,) = db.execute_sql(f"SELECT count(*) FROM ({differing_sql(db)}) d").fetchone()
    if not n:
        return []
    return [_("lead plan: {n} leads' latest open task differs from plan_until (run `tui-crm db check --repair`)",
              n=n)]


def step_19(db: pw.Database) -> None:
    """v19: the column, filled from the open tasks, and its index."""
    if "plan_until" not in {c.name for c in db.get_columns("lead")}:
        migrator = migrating.migrator(db)
        migrating.migrate(migrator.add_column("lead", "plan_until", pw.BigIntegerField(null=True)))
    pg = isinstance(db, pw.PostgresqlDatabase)
    if pg and db.execute_sql("SELECT count(*) > %s FROM task", (MANY,)).fetchone()[0]:
        # PostgreSQL writes each updated lead's entry into every one of its ~20 indexes (the row does not fit
        # its full page: no HOT update): 1M leads took 8.6 min; with the indexes built once after, and the two
        # UPDATE triggers off (the column is in no summary and no history copy: they would find nothing
        # changed, after 40 s of looking at 640k rows), 4 min
        from .bulk import indexes_deferred, triggers_off

        unchanged = {"lead": ["report_sum_lead_update", "lead_history_copy"]}
        with indexes_deferred(db, ["lead"]), triggers_off(db, unchanged):
            recompute(db)
    else:
        recompute(db)
    support(db)
