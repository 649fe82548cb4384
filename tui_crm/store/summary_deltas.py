"""The per-batch deltas of the summary tables (schema v15), kept by triggers beside the summaries' own.

A summary counts an import batch's leads only once the batch is committed; aggregating the batch at
that flip held the write lock for seconds at 100k rows. So each summary ``s`` has a delta table
``s.delta``: the grain-0 rows of the rows of each staging or committed batch, keyed by the batch.

- SQLite: a staged chunk adds its aggregate itself (``summaries.add_chunk``, one GROUP BY per summary in
  the chunk's own transaction); row triggers keep the delta for every later write of a row of a live
  batch (a committed batch's leads edited, an earlier chunk's lead updated by a later duplicate, a staged
  lead handed on) and for inserts into a committed batch.
- PostgreSQL: the statement triggers over the transition tables add the deltas of every statement (a
  COPY of a staged chunk is one aggregate).
- The flip of a batch to committed adds its delta (both grains) to the summaries, a flip away takes it
  off; a batch that is undone or failed drops its delta (its leads no longer count anywhere).

Everything is generic over ``summaries.SUMMARIES``: a summary declared there has its delta, its
triggers, its check and its rebuild with no edit here.
"""
from __future__ import annotations

from .summaries import DIMS, GRAINS, LIVE, OPEN, SUMMARIES, Summary, live, sqlite_row_triggers

FLIP = "(OLD.state = 'committed') <> (NEW.state = 'committed')"
SIGN = "(CASE WHEN NEW.state = 'committed' THEN 1 ELSE -1 END) *"
DEAD = f"OLD.state IN {LIVE} AND NEW.state NOT IN {LIVE}"


def upsert(s: Summary, select_sql: str, pg: bool) -> str:
    excluded = "EXCLUDED" if pg else "excluded"
    sets = ", ".join(f"{v} = {s.delta}.{v} + {excluded}.{v}" for v in s.value_names())
    pk = ", ".join(s.delta_names()[:len(s.keys) + 1])
    return f"INSERT INTO {s.delta} ({', '.join(s.delta_names())}) {select_sql} ON CONFLICT ({pk}) DO UPDATE SET {sets}"


def _row(s: Summary, r: str, sign: str) -> str:
    """SQLite: the row ``r``'s (signed) share added to its batch's delta, when that batch is live."""
    return upsert(s, f"SELECT {', '.join(s.delta_exprs(r, sign))} WHERE {s.filter(r)} AND {live(r, s.batch_col)}",
                  False)


def flip(summary_upsert, pg: bool) -> list[str]:
    """The statements of the flip of batch ``NEW`` (an import_batch row trigger): its delta added to (or taken
    from) the summaries when it flips to (from) committed; its delta dropped once it is neither staging nor
    committed. ``summary_upsert(s, select_sql, pg)`` is the summaries' own upsert."""
    out = [summary_upsert(s, s.from_delta("NEW.id", SIGN, g, also="" if pg else f" AND {FLIP}"), pg)
           for s in SUMMARIES for g in GRAINS]
    if pg:
        out = [f"IF {FLIP} THEN {' '.join(x + ';' for x in out)} END IF"]
    out += [f"DELETE FROM {s.delta} WHERE batch_id = NEW.id" + ("" if pg else f" AND {DEAD}") for s in SUMMARIES]
    if pg:
        out[1:] = [f"IF {DEAD} THEN {' '.join(x + ';' for x in out[1:])} END IF"]
    return out


def gone(batch: str) -> list[str]:
    """The deltas of a batch being deleted (after its leads went)."""
    return [f"DELETE FROM {s.delta} WHERE batch_id = {batch}" for s in SUMMARIES]


def stage_fix(key: str, delta: str, pg: bool) -> str:
    """report_dims' weighted correction of a stage's probability change, for the deltas of the live batches'
    open leads of stage ``key`` without an own probability."""
    n = len(DIMS.keys) + 1
    keys = DIMS.delta_exprs("r")[:n]
    vals = [f"SUM(COALESCE(r.amount_cents, 0)) * {delta}" if c == "weighted_x100" else "0" for c in DIMS.value_names()]
    return upsert(DIMS, f"SELECT {', '.join(keys + vals)} FROM lead r WHERE r.stage = {key} AND r.status IN {OPEN} "
                        f"AND r.probability IS NULL AND {live('r')} GROUP BY {', '.join(str(i + 1) for i in range(n))}",
                  pg)


# ------------------------------------------------------------------ SQLite
def sqlite_names() -> tuple[str, ...]:
    return (("report_dlt_lead_ins", "report_dlt_lead_del", "report_dlt_hist_ins", "report_dlt_hist_del")
            + tuple(f"report_dlt_upd_{s.table}" for s in SUMMARIES))


def sqlite(db) -> None:
    # a staged chunk's inserts are added by the importer (summaries.add_chunk), in one GROUP BY
    sqlite_row_triggers(
        db, "report_dlt", _row,
        lambda col: (f"NEW.{col} IS NOT NULL AND EXISTS (SELECT 1 FROM import_batch b WHERE b.id = NEW.{col} "
                     "AND b.state = 'committed')"),
        lambda col: live("OLD", col),
        lambda col, changed: f"(OLD.{col} IS NOT NULL OR NEW.{col} IS NOT NULL) AND ({changed})")


# ------------------------------------------------------------------ PostgreSQL
def pg_select(s: Summary, parts: list[tuple[str, str]]) -> str:
    """SELECT of the summed, signed delta shares of the transition tables ``parts`` [(table, sign)] whose rows
    belong to a live batch."""
    names = s.delta_names()
    selects = []
    for table, sign in parts:
        cols = ", ".join(f"{e} AS {c}" for e, c in zip(s.delta_exprs("r", sign), names))
        selects.append(f"SELECT {cols} FROM {table} r WHERE {s.filter('r')} AND {live('r', s.batch_col)}")
    keys = names[:len(s.keys) + 1]
    sums = ", ".join(f"SUM({v}) AS {v}" for v in s.value_names())
    having = " OR ".join(f"SUM({v}) <> 0" for v in s.value_names())
    return (f"SELECT {', '.join(keys)}, {sums} FROM ({' UNION ALL '.join(selects)}) d GROUP BY {', '.join(keys)} "
            f"HAVING {having} ORDER BY {', '.join(keys)}")


def pg_statements(mine: list[Summary], parts: list[tuple[str, str]]) -> str:
    return " ".join(upsert(s, pg_select(s, parts), True) + ";" for s in mine)
