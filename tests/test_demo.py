"""Demo data on both backends: same seed, same data, same report."""
import pytest

from conftest import PG_AVAILABLE, make_url
from tui_crm.services.admin import demo
from tui_crm.services import leads
from tui_crm.services.reports import figures as report
from tui_crm.services.context import open_session
from tui_crm.services.errors import ServiceError
from tui_crm.store import db as store_db, schema


def _load(url):
    ctx = open_session(url)
    demo.generate(ctx, leads=400, reps=5, seed=11, admin_login="boss")
    ctx.act_as("boss")
    return ctx


def test_demo_loads_a_clean_database(db_url):
    ctx = _load(db_url)
    assert leads.count(ctx) == 400
    assert schema.check(ctx.db) == []  # search index in step after the bulk load
    assert [v.code for v in leads.list_leads(ctx, search=leads.list_leads(ctx, limit=1)[0].company)]
    with pytest.raises(ServiceError):
        demo.generate(ctx, leads=10, admin_login="boss")


def test_demo_adds_the_acting_login_as_admin_and_keeps_it_on_force(db_url):
    ctx = _load(db_url)
    demo.generate(ctx, leads=20, reps=2, seed=2, force=True, admin_login="boss")
    ctx.act_as("boss")
    assert ctx.actor.role == "admin"
    assert leads.count(ctx) == 20


@pytest.mark.skipif(not PG_AVAILABLE, reason="PostgreSQL not reachable")
def test_sqlite_and_postgres_agree(tmp_path):
    sq = _load(str(tmp_path / "a.db"))
    sq_report = report.to_json(report.report(sq))
    sq_codes = [v.code for v in leads.list_leads(sq, filter="overdue")]
    url, drop = make_url("postgres", tmp_path)
    try:
        pg = _load(url)
        assert report.to_json(report.report(pg)) == sq_report
        assert [v.code for v in leads.list_leads(pg, filter="overdue")] == sq_codes
    finally:
        store_db._OPEN.pop(url).close()
        drop()


def test_demo_leaves_no_escalation_backlog(tmp_path):
    """Rule 2 has run all along in the demo's story: no pending lead is due an escalation the first start
    would send (it used to send 1000 at every start of a 1M demo, for 100k+ leads)."""
    from tui_crm.services import activity
    from tui_crm.services.admin import demo
    from tui_crm.services.context import open_session
    from tui_crm.store.models import Lead

    ctx = open_session(str(tmp_path / "d.db"))
    demo.generate(ctx, leads=400, reps=4, seed=2)
    old_pending = Lead.select().where((Lead.status == "pending")
                                      & (Lead.assigned_at <= int(ctx.now().timestamp()) - 3 * 86400))
    assert old_pending.count() > 10 and all(lead.escalated for lead in old_pending)
    assert activity.sweep_escalations(ctx) == 0


def test_demo_history_copies_and_stages_seen_are_exact(db_url):
    """After the demo's bulk load (indexes, foreign keys on PostgreSQL, the search and stages-seen triggers
    on SQLite off, then back), lead.stages_seen equals the upgrade's backfill from the history,
    stage_history's lead copies equal their leads, and the triggers and foreign keys are in place."""
    from tui_crm.services.admin import demo
    from tui_crm.services.context import open_session
    from tui_crm.store import schema

    ctx = open_session(db_url)
    before = _keys_and_triggers(ctx.db)
    demo.generate(ctx, leads=300, reps=4, seed=4)
    db = ctx.db
    written = dict(db.execute_sql("SELECT id, stages_seen FROM lead").fetchall())
    assert sum(1 for v in written.values() if v) == len(written)
    schema.backfill_stages_seen(db)
    assert dict(db.execute_sql("SELECT id, stages_seen FROM lead").fetchall()) == written
    wrong = db.execute_sql("SELECT count(*) FROM stage_history h JOIN lead l ON l.id = h.lead_id WHERE "
                           "h.lead_owner_id IS DISTINCT FROM l.owner_id OR h.lead_created_at IS DISTINCT FROM "
                           "l.created_at OR h.lead_batch_id IS DISTINCT FROM l.batch_id").fetchone()[0]
    assert wrong == 0
    assert _keys_and_triggers(db) == before and any("stage_history_seen" in k for k in before)


def _keys_and_triggers(db) -> set:
    if isinstance(db, __import__("peewee").PostgresqlDatabase):
        return {r[0] for r in db.execute_sql(
            "SELECT c.conname || ' ' || pg_get_constraintdef(c.oid) FROM pg_constraint c JOIN pg_class t "
            "ON t.oid = c.conrelid JOIN pg_namespace n ON n.oid = t.relnamespace WHERE n.nspname = current_schema() "
            "UNION SELECT tgname || tgenabled::text FROM pg_trigger g JOIN pg_class t ON t.oid = g.tgrelid JOIN pg_namespace n "
            "ON n.oid = t.relnamespace WHERE n.nspname = current_schema() AND NOT tgisinternal "
            "UNION SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema()")}
    return {r[0] for r in db.execute_sql("SELECT name FROM sqlite_master WHERE type IN ('trigger', 'index')")}


def test_demo_stories_run_forward_in_time(db_url):
    """Issue 12 defect 11: the demo made leads first contacted after they were won (or lost, or later than now),
    so the stats showed an average cycle of -0.2 days for this month. Every demo lead is contacted no earlier
    than it was created and no later than its outcome and now, its follow-ups in between; no cycle is negative."""
    ctx = open_session(db_url)
    demo.generate(ctx, leads=400, reps=4, seed=4, admin_login="boss")  # seed 4 made five such leads
    ctx.act_as("boss")
    now = int(ctx.now().timestamp())
    bad = ctx.db.execute_sql(
        "SELECT code FROM lead WHERE first_contact_at IS NOT NULL AND (first_contact_at < created_at"
        " OR first_contact_at > COALESCE(won_at, lost_at, %s))" % now).fetchall()
    assert bad == []
    early = ctx.db.execute_sql("SELECT COUNT(*) FROM follow_up f JOIN lead l ON l.id = f.lead_id"
                               " WHERE f.at < l.first_contact_at OR f.at > %s" % now).fetchone()[0]
    assert early == 0
    for name in ("all", "month", "quarter", "year"):
        r = report.report(ctx, period=report.preset_period(ctx, name))
        cycles = [r["totals"]["avg_cycle_days"]] + [o["avg_cycle_days"] for o in r["by_owner"]]
        assert all(c is None or c >= 0 for c in cycles), (name, cycles)


def test_demo_leads_carry_the_pinyin_of_their_names_and_their_plan(db_url):
    """The demo reads each name's pinyin once (not once per lead) and writes lead.plan_until (v19) from the
    task it writes: both as the write path would have them; db check (above) compares plan_until too."""
    from tui_crm.domain.spell import spelling
    from tui_crm.store.models import Lead, Task

    ctx = _load(db_url)
    rows = list(Lead.select(Lead.id, Lead.company, Lead.contact_name, Lead.pinyin, Lead.plan_until).tuples())
    assert sum(1 for r in rows if r[3]) > 100  # Chinese names among them
    assert all(p == spelling(c, n) for _i, c, n, p, _u in rows)
    due = dict(Task.select(Task.lead, Task.due_at).where(Task.status == "open").tuples())
    assert {i: u for i, *_r, u in rows} == {i: due.get(i) for i, *_r in rows}


def _mode(ctx) -> str:
    return ctx.db.execute_sql("PRAGMA journal_mode").fetchone()[0]


def test_demo_into_a_fresh_file_is_written_once_and_left_in_wal(tmp_path):
    """The load goes under a rollback journal (the file written once, not the WAL and then the file), and the
    file is in WAL again after: in its header, for every connection that opens it."""
    import sqlite3

    path = str(tmp_path / "fresh.db")
    ctx = open_session(path)
    during = []
    demo.generate(ctx, leads=300, reps=4, progress=lambda done, total: during.append(_mode(ctx)))
    assert during and set(during) == {"delete"}
    assert _mode(ctx) == "wal"
    with open(path, "rb") as fh:
        assert fh.read(20)[18:20] == b"\x02\x02"  # the header's read/write versions: WAL
    other = sqlite3.connect(path)
    assert other.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert other.execute("SELECT count(*) FROM lead").fetchone()[0] == 300
    other.close()


def test_demo_beside_another_connection_keeps_wal_and_its_reader(tmp_path):
    """Another connection holds the file open (an app left running): leaving WAL would lock it out, so the load
    stays in WAL and that connection reads on."""
    import sqlite3

    path = str(tmp_path / "shared.db")
    ctx = open_session(path)
    other = sqlite3.connect(path)
    assert other.execute("SELECT count(*) FROM lead").fetchone()[0] == 0
    during = []
    demo.generate(ctx, leads=300, reps=4,
                  progress=lambda done, total: during.append(
                      (_mode(ctx), other.execute("SELECT count(*) FROM lead").fetchone()[0])))
    assert during == [("wal", 0)]  # the other connection read, without waiting, what was committed
    assert other.execute("SELECT count(*) FROM lead").fetchone()[0] == 300
    other.close()


def test_a_failed_demo_load_leaves_an_empty_file_in_wal(tmp_path, monkeypatch):
    path = str(tmp_path / "failed.db")
    ctx = open_session(path)

    def broken(done, total):
        raise RuntimeError("disk gone")

    with pytest.raises(RuntimeError):
        demo.generate(ctx, leads=300, reps=4, progress=broken)
    assert _mode(ctx) == "wal"
    import sqlite3

    other = sqlite3.connect(path)
    assert other.execute("SELECT count(*) FROM lead").fetchone()[0] == 0  # rolled back under the journal
    assert other.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    other.close()
