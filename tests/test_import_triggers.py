"""An import's staged chunks go in with the lead's and history's idle insert triggers off (services/importing/
write.py, IDLE_ON_STAGED): no other connection ever sees a trigger gone, a failed chunk leaves every trigger as
it was, and what the triggers would have written is there all the same (search, summaries, the stage bits)."""
from __future__ import annotations

import csv
import sqlite3
import threading

import psycopg2
import pytest

from tui_crm.services import admin, leads
from tui_crm.services.importing import pacing, write
from tui_crm.services.importing.run import ImportOptions, run_import
from tui_crm.services.reports import figures as report
from tui_crm.store.models import Lead

WATCHED = tuple(n for names in write.IDLE_ON_STAGED.values() for n in names)


def _csv(path, n: int, tag: str) -> str:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["company", "phone", "need", "stage"])
        for i in range(n):
            w.writerow([f"{tag} Trading {i}", f"139{i:08d}", "servers", "需求确认" if i % 2 else ""])
    return str(path)


def _triggers(url: str) -> set:
    """The triggers as another connection sees them: (name, definition; on PostgreSQL its enabled state)."""
    if "?schema=" in url:
        base, schema = url.split("?schema=")
        conn = psycopg2.connect(base)
        try:
            cur = conn.cursor()
            cur.execute("SELECT t.tgname, t.tgenabled FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                        "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = %s AND NOT t.tgisinternal",
                        (schema,))
            return set(cur.fetchall())
        finally:
            conn.close()
    conn = sqlite3.connect(url)
    try:
        return set(conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'").fetchall())
    finally:
        conn.close()


def test_no_other_connection_sees_a_trigger_gone_while_chunks_stage(world, tmp_path, monkeypatch):
    monkeypatch.setattr(pacing, "TXN_SECONDS", 0)  # a transaction a part: many commits for the watcher to see
    monkeypatch.setattr(pacing, "PART_MAX", 100)
    before = _triggers(world.url)
    if "?schema=" not in world.url:
        assert {n for n, _ in before} >= set(WATCHED)
    seen, stop = [], threading.Event()

    def watch():
        while not stop.is_set():
            seen.append(_triggers(world.url))

    t = threading.Thread(target=watch)
    t.start()
    try:
        res = run_import(world.ctx, _csv(tmp_path / "a.csv", 1500, "Watchco"), ImportOptions())
    finally:
        stop.set()
        t.join()
    assert res.new == 1500, res.refusals
    assert len(seen) >= 2 and all(s == before for s in seen), [before - s for s in seen if s != before][:1]
    assert _triggers(world.url) == before


def test_a_failed_chunk_leaves_the_triggers_and_no_lead(world, tmp_path, monkeypatch):
    before = _triggers(world.url)

    def broken(*a, **k):
        raise RuntimeError("disk gone")

    monkeypatch.setattr(write.summaries, "add_chunk", broken)  # after the chunk's lead rows went in
    with pytest.raises(RuntimeError):
        run_import(world.ctx, _csv(tmp_path / "b.csv", 30, "Failco"), ImportOptions())
    monkeypatch.undo()
    assert _triggers(world.url) == before
    assert Lead.select().where(Lead.company.startswith("Failco")).count() == 0
    # the triggers work: a lead made by hand afterwards is searchable and counted
    world.lead("rep_a1", company="Handmade Fairco")
    assert [r.company for r in leads.list_leads(world.ctx, search="Fairco")] == ["Handmade Fairco"]
    assert report.report(world.ctx)["totals"]["leads"] == 1
    assert admin.check(world.ctx) == []


def test_what_the_idle_triggers_would_write_is_there(world, tmp_path):
    res = run_import(world.ctx, _csv(tmp_path / "c.csv", 40, "Bitco"), ImportOptions())
    assert res.new == 40, res.refusals
    assert len(leads.list_leads(world.ctx, search="Bitco Trading 17")) == 1  # the search entry
    assert report.report(world.ctx)["totals"]["leads"] == 40  # the summaries (the flip added the deltas)
    lead = Lead.get(Lead.company == "Bitco Trading 3")  # stage 需求确认: its bit, its history's owner copy
    bit = world.ctx.db.execute_sql("SELECT id FROM stage WHERE key = ?" if not world.ctx.is_postgres else
                                   "SELECT id FROM stage WHERE key = %s", (lead.stage,)).fetchone()[0]
    assert lead.stages_seen & (1 << bit)
    owners = world.ctx.db.execute_sql("SELECT lead_owner_id FROM stage_history WHERE lead_id = "
                                      + ("%s" if world.ctx.is_postgres else "?"), (lead.id,)).fetchall()
    assert owners and all(o == (lead.owner_id,) for o in owners)
    assert admin.check(world.ctx) == []


def test_a_full_disk_in_a_staged_insert_is_the_error_told_and_the_triggers_stay(sqlite_url, tmp_path, monkeypatch):
    """SQLite rolls the whole transaction back by itself when the disk fills, bringing the dropped triggers back:
    putting them back after must not fail over them and hide "database or disk is full" (review, 2026-12-02)."""
    from tui_crm.services.context import open_session
    from tui_crm.store import bulk

    ctx = open_session(sqlite_url)
    admin.add_user(ctx, "boss", "Boss", "admin")
    ctx.act_as("boss")
    before = _triggers(sqlite_url)
    real = bulk.insert_rows

    def fills_the_disk(db, table, columns, rows, chunk=20000, **kw):
        if table == "lead":  # no room left for this insert's pages
            pages = db.execute_sql("PRAGMA page_count").fetchone()[0]
            db.execute_sql(f"PRAGMA max_page_count = {pages + 2}")
        return real(db, table, columns, rows, chunk, **kw)

    monkeypatch.setattr(write.bulk, "insert_rows", fills_the_disk)
    with pytest.raises(Exception) as raised:
        run_import(ctx, _csv(tmp_path / "full.csv", 3000, "Fullco"), ImportOptions())
    assert "full" in str(raised.value) and "argument" not in str(raised.value), repr(raised.value)
    monkeypatch.undo()
    ctx.db.execute_sql("PRAGMA max_page_count = 1073741823")
    assert _triggers(sqlite_url) == before
    assert Lead.select().where(Lead.company.startswith("Fullco")).count() == 0


def test_an_error_in_a_bulk_block_on_postgres_is_not_hidden_by_putting_triggers_back(world):
    """An error aborts a PostgreSQL transaction: no statement runs in it after, so putting the triggers back there
    would fail and hide the first error; its rollback puts them back."""
    from tui_crm.store import bulk

    db = world.ctx.db
    before = _triggers(world.url)
    with pytest.raises(Exception) as raised:
        with db.atomic():
            with bulk.triggers_off(db, {"stage_history": ["stage_history_seen", "stage_history_lead_copy"]}):
                db.execute_sql("SELECT no_such_column FROM lead")
    assert "no_such_column" in str(raised.value), repr(raised.value)
    assert _triggers(world.url) == before
