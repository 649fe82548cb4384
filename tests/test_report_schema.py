"""Schema v3: a v2 database upgrades in place; stages_seen is backfilled and then kept by the trigger."""
from __future__ import annotations

import sqlite3

from tui_crm.services import leads
from tui_crm.services.reports import figures as rep, funnel
from tui_crm.services.context import open_session
from tui_crm.store import schema, summary_triggers
from tui_crm.store.models import Lead, Stage


def test_v2_database_upgrades_and_funnel_is_unchanged(world, tmp_path):
    if world.ctx.is_postgres:
        return  # the v2 database is built here with SQLite DDL
    a = world.lead("rep_a1", amount_cents=100)
    leads.move_stage(world.as_("rep_a1"), a.code, "negotiation")
    leads.set_outcome(world.as_("rep_a1"), a.code, "lost", {"lost_reason": "x"})
    world.lead("rep_a1")
    before = rep.report(world.ctx)["funnel"]
    summary_triggers.uninstall(world.ctx.db)  # v14's, which read stages_seen
    ids = {s.key: s.id for s in Stage.select()}
    assert Lead.get_by_id(a.id).stages_seen == (1 << ids["acquired"]) | (1 << ids["negotiation"])
    world.ctx.close()
    # turn it back into a v2 database: no column, no trigger, no report indexes
    conn = sqlite3.connect(world.url)
    for name in schema.REPORT_INDEXES:
        conn.execute(f'DROP INDEX "{name}"')
    conn.execute("DROP TRIGGER stage_history_seen")
    conn.execute("ALTER TABLE lead DROP COLUMN stages_seen")
    conn.execute("UPDATE meta SET value = '2' WHERE key = 'schema_version'")
    conn.commit()
    conn.close()
    ctx = open_session(world.url, "boss", upgrade=True)
    assert schema.current_version(ctx.db) == schema.LATEST
    assert schema.check(ctx.db) == []
    assert Lead.get_by_id(a.id).stages_seen == (1 << ids["acquired"]) | (1 << ids["negotiation"])
    assert rep.report(ctx)["funnel"] == before
    assert [r["reached"] for r in before] == [2, 1, 1, 1, 0]  # the lost lead reached up to negotiation
    schema.upgrade(ctx.db)  # idempotent
    assert schema.current_version(ctx.db) == schema.LATEST


def test_history_fallback_agrees_with_stages_seen(world):
    a = world.lead("rep_a1")
    leads.move_stage(world.as_("rep_a1"), a.code, "proposal")
    leads.move_stage(world.as_("rep_a1"), a.code, "qualified")  # moved back: still reached proposal
    world.lead("rep_b1")
    cond = rep.scope.narrow(world.ctx)
    rows = rep.people_rows(world.ctx, cond)[3]
    fast = funnel.reached_from_rows(world.ctx, rows, funnel.stage_bits(world.ctx))
    assert fast == funnel.reached_from_history(world.ctx, cond) == [2, 1, 1, 0]


def test_stages_seen_follows_a_many_row_history_insert(world):
    """The trigger keeps lead.stages_seen for a statement that inserts several stays of several leads
    (on PostgreSQL it runs once per statement over the inserted rows)."""
    a, b = world.lead("rep_a1"), world.lead("rep_a1")
    ids = {s.key: s.id for s in Stage.select()}
    mark = "%s" if world.ctx.is_postgres else "?"
    rows = [(a.id, "proposal"), (a.id, "negotiation"), (b.id, "qualified")]
    world.ctx.db.execute_sql(
        "INSERT INTO stage_history (lead_id, stage, entered_at) VALUES "
        + ", ".join([f"({mark}, {mark}, 1)"] * len(rows)), [x for r in rows for x in r])
    bit = {k: 1 << i for k, i in ids.items()}
    assert Lead.get_by_id(a.id).stages_seen == bit["acquired"] | bit["proposal"] | bit["negotiation"]
    assert Lead.get_by_id(b.id).stages_seen == bit["acquired"] | bit["qualified"]
    copies = world.ctx.db.execute_sql("SELECT DISTINCT lead_owner_id FROM stage_history").fetchall()
    assert copies == [(a.owner_id,)]  # the copy trigger filled the lead's owner in (no copies given)
