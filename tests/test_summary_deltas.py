"""The summaries' per-batch deltas (schema v15, store/summary_deltas.py): an import's chunks add their
aggregate to the batch's delta while it stages, its flip to committed adds the delta to the summaries,
its undo takes it off; every write in between (a later duplicate updating an earlier chunk's lead, an
edit of an imported lead, a stage's probability) keeps both exact. On both backends."""
from __future__ import annotations

import pytest

from test_report_summaries import write_csv
from tui_crm.services.importing.batches import undo as undo_import
from tui_crm.services.importing.run import ImportOptions, run_import
from tui_crm.services.reports import figures as rep
from tui_crm.store import schema, summaries
from tui_crm.store.models import Stage

STATUSES = ("跟进中", "won", "lost", "待联系")


def rows(n: int) -> list[list[str]]:
    out = []
    for i in range(n):
        owner = ("rep_a1", "rep_b1", "rep_a2")[i % 3]
        out.append([f"Delta Co {i}", f"Li {i}", f"1370000{i:04d}", ("expo", "web")[i % 2], owner,
                    ("", "retail", "energy")[i % 3], str(100 * (i + 1)), STATUSES[i % 4],
                    f"2024-0{1 + i % 9}-{10 + i % 18} 0{i % 10}:30"])
    return out


def delta_leads(db, batch_id: int) -> int:
    (n,) = db.execute_sql(f"SELECT COALESCE(SUM(leads), 0) FROM report_people_delta WHERE batch_id = {int(batch_id)}"
                          ).fetchone()
    return int(n)


def test_an_import_counts_by_its_delta_once_committed_and_its_undo_takes_it_off(world, tmp_path):
    db = world.ctx.db
    world.lead("rep_a1", amount_cents=500)
    data = rows(24)
    data.append(["Delta Co 1 again", "Li 1", "13700000001", "expo", "rep_b1", "", "9999", "won", ""])  # updates row 1
    before = rep.report(world.ctx)["totals"]["leads"]
    seen = []

    def progress(done, _pos, _size):  # between chunks: the batch is staging, its delta grows, nobody counts it
        batch = db.execute_sql("SELECT max(id) FROM import_batch").fetchone()[0]
        seen.append((delta_leads(db, batch), rep.report(world.ctx)["totals"]["leads"]))

    res = run_import(world.ctx, write_csv(tmp_path / "d.csv", data),
                     ImportOptions(chunk=5, on_duplicate="update"), progress=progress)
    assert res.new == 24 and res.updated == 1
    assert seen[0] == (5, before) and seen[-1] == (24, before) and {t for _d, t in seen} == {before}
    assert rep.report(world.ctx)["totals"]["leads"] == before + 24
    assert delta_leads(db, res.batch_id) == 24
    assert schema.check(db) == []
    # writes of the committed batch's leads keep its delta (which its undo takes off)
    db.execute_sql(f"UPDATE lead SET amount_cents = amount_cents + 7, owner_id = (SELECT id FROM \"user\" "
                   f"WHERE login = 'rep_a2') WHERE batch_id = {res.batch_id} AND (id / 2) * 2 = id")
    db.execute_sql(f"UPDATE lead SET status = 'lost', lost_reason = 'price' WHERE batch_id = {res.batch_id} "
                   f"AND status = 'in_progress'")
    Stage.update(probability=Stage.probability + 5).where(Stage.key == Stage.select(Stage.key).limit(1)).execute()
    assert schema.check(db) == []
    undo_import(world.ctx, res.batch_id)
    assert rep.report(world.ctx)["totals"]["leads"] == before
    assert db.execute_sql("SELECT count(*) FROM report_people_delta").fetchone()[0] == 0
    assert schema.check(db) == []


def test_a_stage_probability_changed_while_a_batch_stages_is_in_its_delta(world, tmp_path):
    db = world.ctx.db
    res = run_import(world.ctx, write_csv(tmp_path / "s.csv", rows(12)), ImportOptions(chunk=4))
    from tui_crm.store.models import ImportBatch

    ImportBatch.update(state="staging").where(ImportBatch.id == res.batch_id).execute()
    assert schema.check(db) == []
    Stage.update(probability=77).execute()
    ImportBatch.update(state="committed").where(ImportBatch.id == res.batch_id).execute()
    assert schema.check(db) == []


def test_a_failed_import_leaves_no_delta(world, tmp_path):
    db = world.ctx.db

    def progress(done, _pos, _size):
        raise RuntimeError("stop")

    with pytest.raises(RuntimeError):
        run_import(world.ctx, write_csv(tmp_path / "f.csv", rows(12)), ImportOptions(chunk=4), progress=progress)
    assert db.execute_sql("SELECT count(*) FROM report_people_delta").fetchone()[0] == 0
    assert schema.check(db) == []


def test_v14_upgrades_to_deltas_of_its_batches(world, tmp_path):
    db = world.ctx.db
    done = run_import(world.ctx, write_csv(tmp_path / "u.csv", rows(9)), ImportOptions(chunk=4))
    for s in summaries.SUMMARIES:  # a v14 database: no deltas
        db.execute_sql(f"DROP TABLE {s.delta}")
    db.execute_sql("UPDATE meta SET value = '14' WHERE key = 'schema_version'")
    assert schema.upgrade(db) == (14, schema.LATEST)
    assert delta_leads(db, done.batch_id) == 9
    assert schema.check(db) == []
    undo_import(world.ctx, done.batch_id)
    assert schema.check(db) == []
