"""The summary tables (store/summaries.py) kept by a batch chunk's own statements, set-based, on SQLite.

SQLite's summary triggers are row triggers: a batch that reassigns or moves 10,000 leads in a statement
runs some 16 upserts per lead (each summary's old share out and new share in, at both grains) and four
more per stage-history row it touches. :func:`adjusted` instead gathers the chunk's leads' shares (and
their stage-history rows') at the day grain, negative, into a TEMP scratch table by one GROUP BY per
table, turns those triggers off for the chunk's own statements (dropped and created again inside the
chunk's transaction: no other writer runs meanwhile, and a rollback brings them back), gathers the new
shares the same way, and adds the net of each key to its day row and its block row (one upsert each,
none where the net is nothing).
That is exact as long as the statements inside change no lead but the chunk's, and no stage-history
row but theirs (which is what a batch does); what they leave unchanged comes out and goes back alike.
A change of owner copies it into the chunk's stage-history rows by one UPDATE too (SQLite's lead_history_copy is a
row trigger: ~10 µs a lead more). Only the summaries that read a column the chunk changes are handled so (a one-task batch changes the
leads' next follow-up: report_people alone); the others keep their triggers.

PostgreSQL's triggers already work per statement over transition tables (one aggregate per statement):
:func:`adjusted` leaves them be there.
"""
from __future__ import annotations

from contextlib import contextmanager
from typing import Iterable

import peewee as pw

from . import bulk
from .summaries import GRAINS, SUMMARIES, Summary, block_of, committed, is_pg
from .summary_triggers import SQLITE_NAMES

LEAD_KEY = {"lead": "id", "stage_history": "lead_id"}  # which column names the lead, per source


def _scratch(s: Summary) -> str:
    """The connection's own table (TEMP: no other connection sees it, and the main schema is untouched)
    that gathers a chunk's day-grain shares of ``s``, out (negative) and back in."""
    return f"temp.chunk_{s.table}"


def _gather(s: Summary, ids: str, sign: str) -> str:
    """INSERT of the chunk's source rows' shares of ``s`` at the day grain into its scratch table, signed."""
    n = len(s.keys) + 1
    exprs = s.exprs("r", grain=0)
    vals = [f"{sign}SUM({e})" for e in exprs[n:]]
    # NOT INDEXED on lead: its rows by id (the planner would otherwise range over, say, every won lead)
    hint = " NOT INDEXED" if s.source == "lead" else ""
    return (f"INSERT INTO {_scratch(s)} ({', '.join(s.columns())}) SELECT {', '.join(exprs[:n] + vals)} "
            f"FROM {s.source} r{hint} WHERE r.{LEAD_KEY[s.source]} IN {ids} AND {s.filter('r')} AND "
            f"{committed('r', s.batch_col)} GROUP BY {', '.join(str(i + 1) for i in range(n))}")


def _apply(s: Summary, grain: int) -> str:
    """Upsert of the scratch table's net shares into ``s`` at ``grain`` (the day's, or its block's); a key
    whose shares came back to what they were (a lead the chunk left as it was) writes nothing."""
    names = s.key_names()[1:]
    keys = [block_of(k) if k == s.block_key and grain else k for k in names]
    sums = ", ".join(f"SUM({v})" for v in s.value_names())
    sets = ", ".join(f"{v} = {s.table}.{v} + excluded.{v}" for v in s.value_names())
    # grouped in the primary key's order (owner, the time key, the rest: Summary.ddl): the upserts walk the table
    order = sorted(range(len(names)), key=lambda i: (names[i] != "owner_id", names[i] != s.block_key, i))
    return (f"INSERT INTO {s.table} ({', '.join(s.columns())}) SELECT {grain}, {', '.join(keys)}, {sums} "
            f"FROM {_scratch(s)} WHERE 1 GROUP BY {', '.join(str(i + 2) for i in order)} "
            f"HAVING {' OR '.join(f'SUM({v}) <> 0' for v in s.value_names())} "
            f"ON CONFLICT ({', '.join(s.key_names())}) DO UPDATE SET {sets}")


def _scratch_ddl(s: Summary) -> str:
    cols = ", ".join(s.columns())
    return f"CREATE TEMP TABLE IF NOT EXISTS chunk_{s.table} ({cols})"


def _tables(columns: Iterable[str], history: bool) -> list[Summary]:
    """The summaries that read any of the lead ``columns`` (and with ``history`` those of stage_history)."""
    cols = set(columns)
    return [s for s in SUMMARIES if (s.source == "lead" and cols & set(s.depends))
            or (s.source == "stage_history" and history)]


def _triggers(tables: list[Summary]) -> dict[str, list[str]]:
    """The row triggers that keep ``tables`` on an update (and, for stage_history's, on an insert or
    delete); a lead's insert and delete triggers stay: a batch adds and removes no lead."""
    out: dict[str, list[str]] = {}
    for s in tables:
        names = [f"report_sum_upd_{s.table}"] + (["report_sum_hist_ins", "report_sum_hist_del"]
                                                 if s.source == "stage_history" else [])
        out.setdefault(s.source, []).extend(n for n in names if n in SQLITE_NAMES)
    return out


@contextmanager
def adjusted(db: pw.Database, lead_ids: list[int], columns: Iterable[str], history: bool = False):
    """Inside a chunk's transaction: the statements of the ``with`` block may change the ``columns`` of
    the leads ``lead_ids`` (and, with ``history``, insert, update or delete their stage-history rows), and
    the summaries that read them follow by two GROUP BYs per table and grain instead of row triggers
    (SQLite; PostgreSQL: nothing to do). Any other change the block makes is kept by the triggers that
    stay on (those of the summaries that read none of ``columns``), as any write's is."""
    tables = _tables(columns, history)
    if is_pg(db) or not lead_ids or not tables:
        yield
        return
    ids = bulk.id_list(lead_ids)
    for s in tables:
        db.execute_sql(_scratch_ddl(s))
        db.execute_sql(f"DELETE FROM {_scratch(s)}")
        db.execute_sql(_gather(s, ids, "-"))
    off = _triggers(tables)
    owner = "owner_id" in set(columns)
    if owner:  # the history's copy of the owner by one statement below, not a row trigger's UPDATE per lead
        off.setdefault("lead", []).append("lead_history_copy")
    with bulk.triggers_off(db, off):
        yield
        if owner:  # with report_stays' row trigger off, before the new shares (which read the copy) are gathered
            db.execute_sql("UPDATE stage_history SET lead_owner_id = (SELECT l.owner_id FROM lead l WHERE l.id = "
                           f"stage_history.lead_id) WHERE lead_id IN {ids}")
    for s in tables:
        db.execute_sql(_gather(s, ids, ""))
        for g in GRAINS:
            db.execute_sql(_apply(s, g))
        db.execute_sql(f"DELETE FROM {_scratch(s)}")
