"""A big scope's search (issue 17, target 5): the scope is applied before the lead rows are read, so a rep's
search never walks other reps' leads (SQLite: EXPLAIN QUERY PLAN of every query the page runs), and it finds
what the plain search finds, whichever of its ways it takes (few matches read by key, many checked in the
rep's own range of the owner index, a common text matched row by row in the list's order)."""
from __future__ import annotations

import peewee as pw
import pytest

from tui_crm.services import leads
from tui_crm.services.leads import pages, queries, search_ids


def plans(ctx, monkeypatch, run) -> list[str]:
    """Every query plan line of the queries ``run`` sends that read the lead table."""
    seen: list[str] = []
    db = ctx.db
    execute = type(db).execute_sql

    def traced(self, sql, params=None, *args, **kwargs):
        if sql.lstrip().upper().startswith("SELECT") and '"lead"' in sql:
            seen.extend(r[3] for r in execute(self, "EXPLAIN QUERY PLAN " + sql, params).fetchall())
        return execute(self, sql, params, *args, **kwargs)

    monkeypatch.setattr(type(db), "execute_sql", traced)
    run()
    monkeypatch.setattr(type(db), "execute_sql", execute)
    return seen


def lead_reads(lines: list[str]) -> list[str]:
    """How the lead table itself (not lead_share, lead_tag, tag, user, import_batch) is read."""
    return [x for x in lines if x.startswith(("SCAN lead", "SEARCH lead", "SCAN t1", "SEARCH t1"))
            and not x.startswith(("SCAN lead_", "SEARCH lead_"))]


@pytest.fixture
def big_scope(world, monkeypatch):
    monkeypatch.setattr(queries, "SCOPED_SCAN_MAX", 0)  # the rep's scope counts as big: the index serves it
    mine = [world.lead("rep_a1", company=f"腾飞科技有限公司 {n}", contact_name="王建林").id for n in range(4)]
    world.lead("rep_a1", company="Other Co")
    theirs = [world.lead(rep, company=f"腾飞科技 {rep}", contact_name="王建林").id for rep in ("rep_a2", "rep_b1")]
    return world, mine, theirs


@pytest.mark.parametrize("probed_max", [5000, 0], ids=["by key", "owner index"])
def test_a_reps_search_reads_matches_by_key_or_its_own_range_never_a_walk(big_scope, monkeypatch, probed_max):
    world, mine, theirs = big_scope
    rep = world.as_("rep_a1")
    if rep.is_postgres:
        pytest.skip("the planner chooses on PostgreSQL (row-level policies say the rest): bench/bench_search.py")
    monkeypatch.setattr(search_ids, "PROBED_MAX", probed_max)
    found: list = []
    lines = plans(rep, monkeypatch,
                  lambda: found.extend(pages.after(rep, pages.ListQuery((), "腾飞科"), None, 50)))
    assert sorted(v.id for v in found) == sorted(mine)
    reads = lead_reads(lines)
    assert reads, lines  # it can fail: the plans were seen
    # only by primary key, or the rep's own range of an owner index (the search's check, the scope's size);
    # never a scan or a sort index's walk
    assert all("USING INTEGER PRIMARY KEY" in x or ("USING COVERING INDEX" in x and x.endswith("(owner_id=?)"))
               for x in reads), reads
    if probed_max == 0:
        assert any(search_ids.OWNER_INDEX in x for x in reads), reads


def test_every_way_finds_what_the_plain_search_finds(big_scope, monkeypatch):
    world, mine, theirs = big_scope
    for login in ("rep_a1", "sup_a", "boss"):
        ctx = world.as_(login)
        want = sorted(v.id for v in leads.list_leads(ctx, search="wjl"))
        for probed, common in ((5000, 20000), (0, 20000), (5000, 0)):
            monkeypatch.setattr(search_ids, "PROBED_MAX", probed)
            monkeypatch.setattr(search_ids, "COMMON", common)
            got = sorted(v.id for v in pages.after(ctx, pages.ListQuery((), "wjl"), None, 50))
            assert got == want, (login, probed, common)
    assert set(mine) <= set(want) and set(theirs) <= set(want)  # boss, last, sees them all


def test_written_matches_rank_before_pinyin_only_ones_whichever_way(big_scope, monkeypatch):
    world, mine, theirs = big_scope
    written = world.lead("rep_a1", company="TFKJ Trading").id
    rep = world.as_("rep_a1")
    for common in (20000, 0):
        monkeypatch.setattr(search_ids, "COMMON", common)
        ids = [v.id for v in pages.after(rep, pages.ListQuery((), "tfkj"), None, 50)]
        assert ids[0] == written and sorted(ids[1:]) == sorted(mine), common


def test_literal_lists_are_integers_only():
    from tui_crm.store import bulk
    from tui_crm.store.models import Lead

    with pytest.raises((TypeError, ValueError)):
        Lead.id.in_(bulk.ids_in(["1) OR (1=1"]))
    assert isinstance(Lead.id.in_(bulk.ids_in([])), pw.Expression)
