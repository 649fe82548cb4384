"""The report's summary tables (schema v14): exact aggregates of the committed leads, kept by triggers.

Each table holds, per UTC day of a lead's creation (``day``) and owner, the sums the report adds up
(services/reports/figures.py, funnel.py); the report reads whole days from them and the partial days
at a period's edges (a user's local midnight) from the lead rows, so every figure stays exact in any
time zone. Which leads count: those of no import or of a committed one (``scope.committed()``).

- ``report_people``: by stage, status and stages_seen (totals, by owner, by team, the funnel; the board's
  column headers and the list's count of all leads, over every day);
  money as raw sums (the status decides what they mean when read), the weighted forecast split into
  the leads' own probabilities (``known_x100``) and amounts that take their stage's (``noprob_cents``).
- ``report_dims``: by source and industry (the two breakdowns); the weighted forecast with the stage's
  probability of the time it was written, which a change of a stage's probability (or active flag)
  corrects by trigger.
- ``report_lost``: lost leads by reason; ``report_won``: won leads by the UTC day they were won
  (``won_by_month`` asks the lead rows only about a day that holds a local month's start).
- ``report_stays``: completed stays (stage_history with a ``left_at``) by the lead's creation day and
  owner (the lead copies on stage_history, schema v5) and stage.
- ``report_due`` (v16): the working leads (pending, in progress) with a next follow-up, by its hour
  (``hour``: epoch seconds // 3600; grain 1 in blocks of 16 hours), owner and stage: the overdue and
  due-today counts of the list and the board read whole hours from it and the partial hours at the ends
  (now, a local midnight off the hour) from the rows.

The triggers (store/summary_triggers.py) cover every writer, in the writer's transaction: the app's
services, batch work, import (a staging batch counts once it is committed, by a trigger on
``import_batch.state``), demo (``suspended``: rebuilt once at the end of its load), undo, restore.
``db check`` compares each table with a recomputation (:func:`check`), ``db check --repair``
rebuilds them (:func:`rebuild`). Rows whose sums all came back to zero are left until a rebuild.
"""
from __future__ import annotations

from dataclasses import dataclass

import peewee as pw

OPEN = "('pending', 'in_progress', 'paused')"


def day_of(col: str, unit: int = 86400) -> str:
    """SQL: floor(col / unit) on both backends (their integer division truncates towards zero; no ``%``,
    which psycopg2 would read as a parameter)."""
    return f"(CASE WHEN {col} >= 0 THEN {col} / {unit} ELSE -(({unit - 1} - {col}) / {unit}) END)"


HOUR = 3600


BLOCK = 16  # days in a grain-1 row (a period reads whole blocks, then whole days at its ends)
GRAINS = (0, 1)


def block_of(day: str) -> str:
    return f"(CASE WHEN {day} >= 0 THEN {day} / {BLOCK} ELSE -(({BLOCK - 1} - {day}) / {BLOCK}) END)"


def committed(r: str, col: str = "batch_id") -> str:
    return (f"({r}.{col} IS NULL OR EXISTS (SELECT 1 FROM import_batch b WHERE b.id = {r}.{col} "
            f"AND b.state = 'committed'))")


LIVE = "('staging', 'committed')"  # the import batches whose leads a per-batch delta follows


def live(r: str, col: str = "batch_id") -> str:
    """SQL: the row ``r`` belongs to an import batch that is staging or committed (its delta kept)."""
    return (f"({r}.{col} IS NOT NULL AND EXISTS (SELECT 1 FROM import_batch b WHERE b.id = {r}.{col} "
            f"AND b.state IN {LIVE}))")


@dataclass(frozen=True)
class Summary:
    """One summary table: its key and value columns as SQL over a source row ``{r}``."""
    table: str
    source: str  # lead | stage_history
    keys: tuple[tuple[str, str, str], ...]  # (column, type, expression)
    values: tuple[tuple[str, str], ...]  # (column, expression summed)
    where: str  # which source rows count (besides committed)
    depends: tuple[str, ...]  # source columns the row's contribution reads
    batch_col: str = "batch_id"
    block_key: str = "day"  # the time key that grain 1 groups in blocks of BLOCK (a day, or an hour)

    def key_names(self) -> list[str]:
        return ["grain"] + [k for k, _t, _e in self.keys]

    def value_names(self) -> list[str]:
        return [v for v, _e in self.values]

    def columns(self) -> list[str]:
        return self.key_names() + self.value_names()

    def exprs(self, r: str, sign: str = "", grain: int = 0) -> list[str]:
        """Key expressions (the grain first; its ``day`` a day or a block of days) then (signed) value
        expressions over the row alias ``r``."""
        keys = [str(grain)] + [(block_of(e) if grain and k == self.block_key else e).format(r=r) for k, _t, e in self.keys]
        vals = [f"{sign}({e.format(r=r)})" for _v, e in self.values]
        return keys + vals

    def filter(self, r: str) -> str:
        return self.where.format(r=r)

    def nonzero(self, prefix: str = "") -> str:
        return " OR ".join(f"{prefix}{v} <> 0" for v in self.value_names())

    def ddl(self, pg: bool) -> str:
        cols = ["grain BIGINT NOT NULL"] + [f"{k} {t} NOT NULL" for k, t, _e in self.keys]
        cols += [f"{v} BIGINT NOT NULL DEFAULT 0" for v in self.value_names()]
        # grain, then owner: the whole database's blocks are one range, a scope's one range per owner
        first = ["grain", "owner_id", self.block_key]
        pk = ", ".join(first + [k for k in self.key_names() if k not in first])
        return (f"CREATE TABLE IF NOT EXISTS {self.table} ({', '.join(cols)}, PRIMARY KEY ({pk}))"
                + ("" if pg else " WITHOUT ROWID"))

    # ---- the per-batch delta (schema v15): the table's grain-0 rows of one import batch's rows, kept from its
    # first staged chunk on (each chunk adds its aggregate), so the batch's flip to committed (or undone) adds
    # (or takes) a few hundred delta rows instead of aggregating the batch's leads under the write lock
    @property
    def delta(self) -> str:
        return f"{self.table}_delta"

    def delta_names(self) -> list[str]:
        return ["batch_id"] + [k for k, _t, _e in self.keys] + self.value_names()

    def delta_exprs(self, r: str, sign: str = "") -> list[str]:
        return [f"{r}.{self.batch_col}"] + self.exprs(r, sign)[1:]

    def delta_ddl(self, pg: bool) -> str:
        cols = ["batch_id BIGINT NOT NULL"] + [f"{k} {t} NOT NULL" for k, t, _e in self.keys]
        cols += [f"{v} BIGINT NOT NULL DEFAULT 0" for v in self.value_names()]
        pk = ", ".join(["batch_id"] + [k for k, _t, _e in self.keys])
        return (f"CREATE TABLE IF NOT EXISTS {self.delta} ({', '.join(cols)}, PRIMARY KEY ({pk}))"
                + ("" if pg else " WITHOUT ROWID"))

    def delta_select(self, where: str) -> str:
        """SELECT of delta rows recomputed from the source rows matching ``where`` (over ``r``), grouped."""
        n = len(self.keys) + 1
        exprs = self.delta_exprs("r")
        vals = [f"SUM({e})" for e in exprs[n:]]
        return (f"SELECT {', '.join(exprs[:n] + vals)} FROM {self.source} r WHERE {self.filter('r')} AND {where} "
                f"GROUP BY {', '.join(str(i + 1) for i in range(n))}")

    def from_delta(self, batch: str, sign: str, grain: int, also: str = "") -> str:
        """SELECT of this table's rows of grain ``grain`` from batch ``batch``'s delta, signed (``also``: more
        of the WHERE)."""
        keys = [str(grain)] + [block_of(k) if grain and k == self.block_key else k for k, _t, _e in self.keys]
        if not grain:
            return (f"SELECT {', '.join(keys + [f'{sign} {v}' for v in self.value_names()])} FROM {self.delta} "
                    f"WHERE batch_id = {batch}{also}")
        return (f"SELECT {', '.join(keys + [f'{sign} SUM({v})' for v in self.value_names()])} FROM {self.delta} "
                f"WHERE batch_id = {batch}{also} GROUP BY {', '.join(str(i + 2) for i in range(len(keys) - 1))}")

    def recompute_sql(self, grain: int | None = None) -> str:
        """SELECT of the table's rows recomputed from the source rows (GROUP BY the keys), of one grain
        or (None) of both."""
        if grain is None:
            return " UNION ALL ".join(self.recompute_sql(g) for g in GRAINS)
        n = len(self.keys) + 1
        exprs = self.exprs("r", grain=grain)
        vals = [f"SUM({e})" for e in exprs[n:]]
        where = f"{self.filter('r')} AND {committed('r', self.batch_col)}"
        return (f"SELECT {', '.join(exprs[:n] + vals)} FROM {self.source} r WHERE {where} "
                f"GROUP BY {', '.join(str(i + 1) for i in range(n))}")


DAY = ("day", "BIGINT", day_of("{r}.created_at"))
OWNER = ("owner_id", "BIGINT", "{r}.owner_id")
AMOUNT = "COALESCE({r}.amount_cents, 0)"
WON_KNOWN = "{r}.status = 'won' AND {r}.won_at IS NOT NULL"
STAGE_PROB = "COALESCE({r}.probability, (SELECT s.probability FROM stage s WHERE s.key = {r}.stage AND s.active), 0)"


def _if(cond: str, value: str) -> str:
    return f"CASE WHEN {cond} THEN {value} ELSE 0 END"


PEOPLE = Summary(
    "report_people", "lead",
    (DAY, OWNER, ("stage", "VARCHAR(64)", "{r}.stage"), ("status", "VARCHAR(16)", "{r}.status"),
     ("stages_seen", "BIGINT", "{r}.stages_seen")),
    (("leads", "1"), ("won_cents", "COALESCE({r}.won_amount_cents, 0)"), ("amount_cents", AMOUNT),
     ("known_x100", _if("{r}.probability IS NOT NULL", AMOUNT + " * {r}.probability")),
     ("noprob_cents", _if("{r}.probability IS NULL", AMOUNT)),
     ("cycle_s", _if("{r}.won_at IS NOT NULL", "{r}.won_at - COALESCE({r}.first_contact_at, {r}.created_at)")),
     ("cycle_n", _if("{r}.won_at IS NOT NULL", "1")),
     ("due_n", _if("{r}.next_follow_up_at IS NOT NULL", "1"))),  # the board's "nothing planned"
    "1 = 1",
    ("created_at", "owner_id", "stage", "status", "stages_seen", "won_amount_cents", "amount_cents", "probability",
     "won_at", "first_contact_at", "next_follow_up_at"))

IS_OPEN = "{r}.status IN " + OPEN
DIMS = Summary(
    "report_dims", "lead",
    (DAY, OWNER, ("source", "VARCHAR(64)", "{r}.source"), ("industry", "VARCHAR(100)", "COALESCE({r}.industry, '')")),
    (("leads", "1"), ("open", _if(IS_OPEN, "1")), ("won", _if("{r}.status = 'won'", "1")),
     ("lost", _if("{r}.status = 'lost'", "1")), ("dormant", _if("{r}.status = 'dormant'", "1")),
     ("won_cents", _if("{r}.status = 'won'", "COALESCE({r}.won_amount_cents, 0)")),
     ("pipeline_cents", _if(IS_OPEN, AMOUNT)),
     ("weighted_x100", _if(IS_OPEN, f"{AMOUNT} * {STAGE_PROB}")),
     ("cycle_s", _if(WON_KNOWN, "{r}.won_at - COALESCE({r}.first_contact_at, {r}.created_at)")),
     ("cycle_n", _if(WON_KNOWN, "1"))),
    "1 = 1",
    ("created_at", "owner_id", "source", "industry", "status", "won_amount_cents", "amount_cents", "probability",
     "stage", "won_at", "first_contact_at"))

LOST = Summary(
    "report_lost", "lead",
    (DAY, OWNER, ("reason", "VARCHAR(200)", "TRIM(COALESCE({r}.lost_reason, ''))")),
    (("n", "1"),),
    "{r}.status = 'lost'",
    ("created_at", "owner_id", "status", "lost_reason"))

WON = Summary(
    "report_won", "lead",
    (DAY, OWNER, ("won_day", "BIGINT", day_of("{r}.won_at"))),
    (("n", "1"), ("amount_cents", "COALESCE({r}.won_amount_cents, 0)")),
    WON_KNOWN,
    ("created_at", "owner_id", "status", "won_at", "won_amount_cents"))

STAYS = Summary(
    "report_stays", "stage_history",
    (("day", "BIGINT", day_of("{r}.lead_created_at")), ("owner_id", "BIGINT", "{r}.lead_owner_id"),
     ("stage", "VARCHAR(64)", "{r}.stage")),
    (("total_s", "{r}.left_at - {r}.entered_at"), ("n", "1")),
    "{r}.left_at IS NOT NULL AND {r}.lead_created_at IS NOT NULL AND {r}.lead_owner_id IS NOT NULL",
    ("lead_created_at", "lead_owner_id", "stage", "left_at", "entered_at", "lead_batch_id"),
    batch_col="lead_batch_id")

WORKING = "('pending', 'in_progress')"  # domain.vocab.WORKING_STATUSES: the leads that can be overdue
# v16: the working leads by the hour of their next follow-up (the list's and the board's overdue and due-today
# counts: whole hours from here, the partial hours at the ends from the lead rows, services/leads/scoped_counts)
DUE = Summary(
    "report_due", "lead",
    (("hour", "BIGINT", day_of("{r}.next_follow_up_at", HOUR)), OWNER, ("stage", "VARCHAR(64)", "{r}.stage")),
    (("n", "1"),),
    "{r}.status IN " + WORKING + " AND {r}.next_follow_up_at IS NOT NULL",
    ("next_follow_up_at", "owner_id", "stage", "status"), block_key="hour")

SUMMARIES = (PEOPLE, DIMS, LOST, WON, STAYS, DUE)
# every table of the summaries, their per-batch deltas too (the same row security on PostgreSQL: by owner)
TABLES = tuple(s.table for s in SUMMARIES) + tuple(s.delta for s in SUMMARIES)
LEAD_ID = {"lead": "id", "stage_history": "lead_id"}  # a source row's lead (a staged chunk is a range of them)


def is_pg(db: pw.Database) -> bool:
    return isinstance(db, pw.PostgresqlDatabase)


def add_chunk(db: pw.Database, source: str, batch_id: int, first: int, last: int) -> None:
    """SQLite: add the rows of ``source`` of import batch ``batch_id`` and leads ``first``..``last`` (a chunk just
    staged) to the batch's deltas, one GROUP BY per summary (PostgreSQL's statement triggers do it themselves)."""
    if is_pg(db):
        return
    for s in SUMMARIES:
        if s.source != source:
            continue
        sets = ", ".join(f"{v} = {s.delta}.{v} + excluded.{v}" for v in s.value_names())
        where = f"r.{s.batch_col} = {int(batch_id)} AND r.{LEAD_ID[source]} BETWEEN {int(first)} AND {int(last)}"
        db.execute_sql(f"INSERT INTO {s.delta} ({', '.join(s.delta_names())}) {s.delta_select(where)} "
                       f"ON CONFLICT ({', '.join(s.delta_names()[:len(s.keys) + 1])}) DO UPDATE SET {sets}")


def rebuild(db: pw.Database, only: tuple[Summary, ...] = SUMMARIES) -> None:
    """Recompute every summary table (or ``only`` those; and the deltas of the staging and committed import
    batches) from the lead rows (inside the caller's transaction)."""
    for s in only:
        db.execute_sql(f"DELETE FROM {s.delta}")
        db.execute_sql(f"INSERT INTO {s.delta} ({', '.join(s.delta_names())}) {s.delta_select(live('r', s.batch_col))}")
        db.execute_sql(f"DELETE FROM {s.table}")
        cols = ", ".join(s.columns())
        db.execute_sql(f"INSERT INTO {s.table} ({cols}) {s.recompute_sql(0)}")
        # the blocks from the days (a tenth of the rows), not from the leads again
        keys = [block_of(k) if k == s.block_key else k for k in s.key_names()[1:]]
        db.execute_sql(f"INSERT INTO {s.table} ({cols}) SELECT 1, {', '.join(keys)}, "
                       f"{', '.join(f'SUM({v})' for v in s.value_names())} FROM {s.table} WHERE grain = 0 "
                       f"GROUP BY {', '.join(str(i + 2) for i in range(len(keys)))}")
        if not is_pg(db) and db.table_exists("sqlite_stat1"):
            db.execute_sql(f"ANALYZE {s.table}")


def check(db: pw.Database) -> list[str]:
    """One line per summary table that differs from its recomputation (rows all zero left out)."""
    from ..i18n import _

    out = []
    for s in SUMMARIES:
        for table, names, fresh in ((s.table, s.columns(), s.recompute_sql()),
                                    (s.delta, s.delta_names(), s.delta_select(live("r", s.batch_col)))):
            stored = f"SELECT {', '.join(names)} FROM {table} WHERE {s.nonzero()}"
            fresh = f"SELECT * FROM ({fresh}) f"
            missing = db.execute_sql(f"SELECT count(*) FROM ({fresh} EXCEPT {stored}) d").fetchone()[0]
            extra = db.execute_sql(f"SELECT count(*) FROM ({stored} EXCEPT {fresh}) d").fetchone()[0]
            if missing or extra:
                out.append(_("summary {table}: {n} rows differ from the leads (run `tui-crm db check --repair`)",
                             table=table, n=missing + extra))
    return out


def count(db: pw.Database, owners: list[int] | None) -> int:
    """The committed leads owned by ``owners`` (None: everyone's), from the blocks of ``report_people``."""
    if owners is not None and not owners:
        return 0
    where = "" if owners is None else f" AND owner_id IN ({', '.join(db.param for _ in owners)})"
    (n,) = db.execute_sql(f"SELECT COALESCE(SUM(leads), 0) FROM report_people WHERE grain = 1{where}",
                          list(owners or [])).fetchone()
    return int(n)


def sqlite_row_triggers(db, prefix: str, row, when_insert, when_delete, when_update) -> None:
    """SQLite: on lead and on stage_history, an insert, a delete and, per summary, an update trigger
    (``{prefix}_lead_ins``, ``{prefix}_hist_del``, ``{prefix}_upd_{table}``, …) that run ``row(s, 'NEW' or
    'OLD', '' or '-')`` for the source's summaries, when ``when_insert(batch_col)``, ``when_delete(batch_col)``,
    ``when_update(batch_col, changed)`` (``changed``: one of the columns the summary reads differs)."""
    for source, short in (("lead", "lead"), ("stage_history", "hist")):
        mine = [s for s in SUMMARIES if s.source == source]
        if not mine:
            continue
        col = mine[0].batch_col
        db.execute_sql(f"CREATE TRIGGER IF NOT EXISTS {prefix}_{short}_ins AFTER INSERT ON {source} "
                       f"WHEN {when_insert(col)} BEGIN {'; '.join(row(s, 'NEW', '') for s in mine)}; END")
        db.execute_sql(f"CREATE TRIGGER IF NOT EXISTS {prefix}_{short}_del AFTER DELETE ON {source} "
                       f"WHEN {when_delete(col)} BEGIN {'; '.join(row(s, 'OLD', '-') for s in mine)}; END")
        for s in mine:
            cols = s.depends + ((s.batch_col,) if s.batch_col not in s.depends else ())
            changed = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in cols)
            db.execute_sql(
                f"CREATE TRIGGER IF NOT EXISTS {prefix}_upd_{s.table} AFTER UPDATE OF {', '.join(cols)} "
                f"ON {source} WHEN {when_update(col, changed)} BEGIN {row(s, 'OLD', '-')}; {row(s, 'NEW', '')}; END")
