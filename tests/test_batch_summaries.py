"""The report's summary tables stay exact through every batch action and its undo, on both backends, over
several chunks (store/summary_chunks.py: on SQLite a chunk's shares are taken out and put back by GROUP BY
with the row triggers off; on PostgreSQL the statement triggers keep them): ``db check`` finds nothing after
each, and the undo leaves the tables as the batch found them."""
from __future__ import annotations

from datetime import timedelta

import pytest

from tui_crm import clock
from tui_crm.services.leads import batch as batch_core, batch_run as batch, batch_undo
from tui_crm.services.leads.pages import ListQuery
from tui_crm.store import schema
from tui_crm.store.summaries import SUMMARIES

ACTIONS = [("reassign", {"login": "rep_a2"}), ("move", {"stage": "qualified", "reason": "fair"}),
           ("lost", {"lost_reason": "no budget"}), ("task", {"title": "Call after the fair"}),
           ("tag", {"add": ["展会"]})]


@pytest.fixture
def small_chunks(monkeypatch):
    """Chunks of three leads, no pause between them: a handful of leads make several chunks."""
    for mod, names in ((batch_core, ("CHUNK_FIRST", "CHUNK_MIN", "CHUNK_MAX")), (batch_undo, ("CHUNK_FIRST",))):
        for name in names:
            monkeypatch.setattr(mod, name, 3)
        monkeypatch.setattr(mod, "LOCK_GAP", 0)


def _tables(db) -> dict[str, set]:
    """Each table's rows of nonzero sums; report_people's over its keys but ``stages_seen``: a lead's stages
    seen keep the stage a move undone had brought it to (as before batch work; the funnel counts it)."""
    out = {}
    for s in SUMMARIES:
        keys = [k for k in s.key_names() if k != "stages_seen"]
        sums = ", ".join(f"SUM({v})" for v in s.value_names())
        rows = db.execute_sql(f"SELECT {', '.join(keys)}, {sums} FROM {s.table} GROUP BY {', '.join(keys)} "
                              f"HAVING {' OR '.join(f'SUM({v}) <> 0' for v in s.value_names())}").fetchall()
        out[s.table] = {tuple(r) for r in rows}
    return out


@pytest.mark.parametrize("action,params", ACTIONS, ids=[a for a, _p in ACTIONS])
def test_summaries_exact_after_each_batch_and_its_undo(world, small_chunks, action, params):
    a_leads, b_leads = [], []
    for i in range(4):
        a_leads.append(world.lead("rep_a1", amount=f"{1000 * (i + 1)}", source="展会").id)
        b_leads.append(world.lead("rep_b1", amount=f"{300 * (i + 1)}", source="referral",
                                  industry="manufacturing").id)
    boss = world.as_("boss")
    # some history first: half of them moved (a completed stay each) and one lost (closed: skipped by most)
    batch.run(boss, batch.Selection(ids=tuple(a_leads[:3])), "move", {"stage": "negotiation", "reason": "call"})
    batch.run(boss, batch.Selection(ids=tuple(b_leads)), "move", {"stage": "proposal", "reason": "sent"})
    lost_one = batch.run(world.as_("rep_b1"), batch.Selection(ids=(b_leads[0],)), "lost",
                         {"lost_reason": "went quiet"})
    assert lost_one.done == 1
    clock.set_now(boss.now() + timedelta(days=3))  # the batch a few days later: stays of their own length
    assert schema.check(boss.db) == []
    before = _tables(boss.db)
    p = dict(params)
    if action == "task":
        p["due"] = boss.now() + timedelta(days=2)
    res = batch.run(boss, batch.Selection(query=ListQuery()), action, p)
    assert res.done >= 6
    assert schema.check(boss.db) == []
    if action in ("reassign", "move", "lost"):
        assert _tables(boss.db) != before  # the batch did move figures around
    back = batch.undo(boss, res.batch_id)
    assert back.done == res.done
    assert schema.check(boss.db) == []
    assert _tables(boss.db) == before
