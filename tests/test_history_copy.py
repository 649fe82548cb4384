"""stage_history's copy of its lead's owner follows every reassign, single or batch, on both backends; on
PostgreSQL (schema v18, store/history_copy.py) it is one UPDATE per statement on lead, so stage_history's
statement-level summary trigger runs once per batch chunk, not once per lead (it ran 5,000 times for a chunk
of 5,000 leads: most of a PostgreSQL reassign's time), and not at all for an edit that changes no owner; and
the summary trigger functions run with JIT off (v18)."""
from __future__ import annotations

import pytest
from conftest import PG_AVAILABLE

from tui_crm.services import leads
from tui_crm.services.leads import batch as batch_core, batch_run as batch
from tui_crm.store import schema
from tui_crm.store.models import Lead, User


def _copies_follow(db) -> list:
    """History rows whose copy of the owner is not their lead's (none, when all is well)."""
    return db.execute_sql("SELECT h.id FROM stage_history h JOIN lead l ON l.id = h.lead_id "
                          "WHERE h.lead_owner_id IS DISTINCT FROM l.owner_id" if _pg(db) else
                          "SELECT h.id FROM stage_history h JOIN lead l ON l.id = h.lead_id "
                          "WHERE h.lead_owner_id IS NOT l.owner_id").fetchall()


def _pg(db) -> bool:
    return "Postgres" in type(db).__name__


# PostgreSQL's statement triggers (SQLite's are row triggers, and a batch chunk turns its summary ones off)
on_postgres = [pytest.mark.skipif(not PG_AVAILABLE, reason="needs PostgreSQL"),
               pytest.mark.parametrize("db_url", ["postgres"], indirect=True)]


@pytest.fixture
def counted(world):
    """A statement trigger on stage_history counting how often an UPDATE statement reaches it."""
    db = world.ctx.db
    db.execute_sql("CREATE TABLE hist_fired (n INTEGER)")
    db.execute_sql("CREATE FUNCTION hist_fired() RETURNS trigger AS $$ BEGIN INSERT INTO hist_fired VALUES (1); "
                   "RETURN NULL; END $$ LANGUAGE plpgsql")
    db.execute_sql("CREATE TRIGGER hist_fired AFTER UPDATE ON stage_history FOR EACH STATEMENT "
                   "EXECUTE FUNCTION hist_fired()")
    yield lambda: db.execute_sql("SELECT count(*) FROM hist_fired").fetchone()[0]


@on_postgres[0]
@on_postgres[1]
def test_a_batch_reassign_updates_the_history_once_per_chunk(world, counted, monkeypatch):
    monkeypatch.setattr(batch_core, "CHUNK_FIRST", 500)
    ids = tuple(world.lead("rep_a1").id for _ in range(6))
    res = batch.run(world.as_("boss"), batch.Selection(ids=ids), "reassign", {"login": "rep_a2"})
    assert res.done == 6
    assert counted() == 1  # one chunk, one statement on stage_history (was 6: one per lead)
    assert _copies_follow(world.ctx.db) == []
    rep_a2 = User.get(User.login == "rep_a2").id
    owners = world.ctx.db.execute_sql("SELECT DISTINCT lead_owner_id FROM stage_history WHERE lead_id IN "
                                      f"({', '.join(map(str, ids))})").fetchall()
    assert owners == [(rep_a2,)]


@on_postgres[0]
@on_postgres[1]
def test_an_edit_that_keeps_the_owner_leaves_the_history_alone(world, counted):
    lead = world.lead("rep_a1")
    leads.update_lead(world.as_("rep_a1"), lead.code, {"need": "20 servers"})
    assert counted() == 0


def test_copies_follow_single_and_batch_reassigns_and_their_undo(world):
    ids = [world.lead("rep_a1").id for _ in range(4)]
    boss = world.as_("boss")
    leads.reassign(boss, Lead.get_by_id(ids[0]).code, "rep_b1")
    res = batch.run(boss, batch.Selection(ids=tuple(ids)), "reassign", {"login": "rep_a2"})
    assert res.done == 4 and _copies_follow(world.ctx.db) == []
    batch.undo(boss, res.batch_id)
    assert Lead.get_by_id(ids[0]).owner_id == User.get(User.login == "rep_b1").id
    assert _copies_follow(world.ctx.db) == [] and schema.check(world.ctx.db) == []


@on_postgres[0]
@on_postgres[1]
def test_a_v17_database_gets_the_statement_trigger(world):
    db = world.ctx.db
    # v17's row trigger, as it was
    db.execute_sql("CREATE OR REPLACE FUNCTION lead_history_copy() RETURNS trigger AS $$ BEGIN "
                   "UPDATE stage_history SET lead_owner_id = NEW.owner_id, lead_created_at = NEW.created_at, "
                   "lead_batch_id = NEW.batch_id WHERE lead_id = NEW.id; RETURN NULL; END $$ LANGUAGE plpgsql")
    db.execute_sql("DROP TRIGGER lead_history_copy ON lead")
    db.execute_sql("CREATE TRIGGER lead_history_copy AFTER UPDATE OF owner_id, created_at, batch_id ON lead "
                   "FOR EACH ROW EXECUTE FUNCTION lead_history_copy()")
    fns = [f for (f,) in db.execute_sql("SELECT proname FROM pg_proc WHERE proname ~ '^crm_sum_' "
           "AND pronamespace = current_schema()::regnamespace").fetchall()]
    assert len(fns) >= 10
    for fn in fns:  # v17's summary functions: JIT on (the server's default)
        db.execute_sql(f"ALTER FUNCTION {fn}() RESET jit")
    db.execute_sql("UPDATE meta SET value = '17' WHERE key = 'schema_version'")
    assert schema.upgrade(db) == (17, schema.LATEST)
    (tgtype,) = db.execute_sql("SELECT tgtype FROM pg_trigger WHERE tgname = 'lead_history_copy' "
                               "AND tgrelid = 'lead'::regclass").fetchone()
    assert tgtype & 1 == 0  # TRIGGER_TYPE_ROW unset: a statement trigger
    (src,) = db.execute_sql("SELECT prosrc FROM pg_proc WHERE proname = 'lead_history_copy' "
                            "AND pronamespace = current_schema()::regnamespace").fetchone()
    assert "EXCEPT" in src and "JOIN" not in src.upper()  # a join of the transition tables ran as a nested loop
    configs = dict(db.execute_sql("SELECT proname, proconfig FROM pg_proc WHERE (proname ~ '^crm_sum_' "
                                  "OR proname = 'lead_history_copy') "
                                  "AND pronamespace = current_schema()::regnamespace").fetchall())
    assert len(configs) == len(fns) + 1 and all("jit=off" in (c or []) for c in configs.values()), configs
    lead = world.lead("rep_a1")
    leads.reassign(world.as_("boss"), lead.code, "rep_b1")
    assert _copies_follow(db) == [] and schema.check(db) == []


@pytest.fixture
def lead_writes(world):
    """A row trigger on lead counting every row an UPDATE writes (both backends)."""
    db = world.ctx.db
    db.execute_sql("CREATE TABLE lead_writes (n INTEGER)")
    if _pg(db):
        db.execute_sql("CREATE FUNCTION lead_writes() RETURNS trigger AS $$ BEGIN INSERT INTO lead_writes VALUES (1); "
                       "RETURN NULL; END $$ LANGUAGE plpgsql")
        db.execute_sql("CREATE TRIGGER lead_writes AFTER UPDATE ON lead FOR EACH ROW EXECUTE FUNCTION lead_writes()")
    else:
        db.execute_sql("CREATE TRIGGER lead_writes AFTER UPDATE ON lead BEGIN INSERT INTO lead_writes VALUES (1); END")
    yield lambda: db.execute_sql("SELECT count(*) FROM lead_writes").fetchone()[0]


@pytest.mark.parametrize("action, params, bit", [("move", {"stage": "qualified"}, "qualified"),
                                                  ("lost", {"lost_reason": "price"}, None)])
def test_a_batch_move_or_loss_writes_each_lead_once(world, lead_writes, action, params, bit):
    """A batch move's own UPDATE sets the new stage's bit of lead.stages_seen, so the history's stages-seen trigger
    has nothing left to write (it wrote each moved lead again: 10.6 s of a 34 s move of 57,000 leads on
    PostgreSQL); the bits are what the history says, and the undo takes them back."""
    ids = tuple(world.lead("rep_a1").id for _ in range(5))
    before = lead_writes()
    boss = world.as_("boss")
    res = batch.run(boss, batch.Selection(ids=ids), action, params)
    assert res.done == 5
    assert lead_writes() - before == 5  # one write per lead (a move wrote 10)
    db = world.ctx.db
    if bit is None:  # an outcome is no stage: no bit to keep
        return
    (mark,) = db.execute_sql(f"SELECT id FROM stage WHERE key = '{bit}'").fetchone()
    seen = [s for (s,) in db.execute_sql(f"SELECT stages_seen FROM lead WHERE id IN ({', '.join(map(str, ids))})")]
    assert all(s & (1 << mark) for s in seen) and schema.check(db) == []
    batch.undo(boss, res.batch_id)
    seen = [s for (s,) in db.execute_sql(f"SELECT stages_seen FROM lead WHERE id IN ({', '.join(map(str, ids))})")]
    assert not any(s & (1 << mark) for s in seen) and schema.check(db) == []
