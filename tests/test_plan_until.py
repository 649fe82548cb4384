"""lead.plan_until (schema v19, store/plan.py): the latest due of a lead's open tasks, its own and those it
shares, kept by every task writer; the stall rule reads it (one index range instead of an EXISTS over the
tasks per lead: the list's stalled count took 0.8 s at 1M). On both backends: each writer leaves the column
equal to a recomputation done here in Python from the task rows, the stalled count equals the rule applied
lead by lead, a v18 database gets the column on upgrade, and ``db check`` finds a wrong one that
``--repair`` puts right."""
from __future__ import annotations

import csv
from datetime import timedelta

import pytest

from tui_crm import clock
from tui_crm.domain import rules
from tui_crm.services import activity, admin, leads
from tui_crm.services.activity import task_list, tasks
from tui_crm.services.context import open_session, settings_for_owner
from tui_crm.services.records import dt
from tui_crm.services.importing.run import ImportOptions, run_import
from tui_crm.services.leads import batch_run as batch, pages
from tui_crm.store import plan, schema
from tui_crm.store.models import Lead, Meta, Task, TaskLead

from cli_helpers import run
from conftest import NOW

OPEN = ("open", "in_progress")


def _expected() -> dict[int, int | None]:
    """lead id -> the latest due of its open tasks, from the task rows (None: no open task)."""
    latest: dict[int, int | None] = {lid: None for (lid,) in Lead.select(Lead.id).tuples()}
    shares = {}
    for task_id, lead_id in TaskLead.select(TaskLead.task, TaskLead.lead).tuples():
        shares.setdefault(task_id, []).append(lead_id)
    for t in Task.select().where(Task.status.in_(OPEN)):
        for lid in [t.lead_id] * (t.lead_id is not None) + shares.get(t.id, []):
            latest[lid] = t.due_at if latest[lid] is None else max(latest[lid], t.due_at)
    return latest


def _stored() -> dict[int, int | None]:
    return dict(Lead.select(Lead.id, Lead.plan_until).tuples())


def _kept(world) -> None:
    assert _stored() == _expected()
    assert schema.check(world.ctx.db) == []


def test_every_task_writer_keeps_plan_until(world, tmp_path):
    clock.set_now(NOW)
    try:
        a, b, c = (world.lead("rep_a1", company=f"Plan {i}") for i in range(3))
        rep = world.as_("rep_a1")
        _kept(world)  # a new lead's first-contact task
        later = tasks.add_task(rep, a.code, "follow_up", "Send the contract", NOW + timedelta(days=5))
        _kept(world)
        tasks.snooze_task(rep, later, NOW + timedelta(days=9))
        _kept(world)
        shared = task_list.add_task_for(rep, [b.code, c.code, a.code], "Visit all three", NOW + timedelta(days=12))
        _kept(world)
        assert Lead.get_by_id(c.id).plan_until == int((NOW + timedelta(days=12)).timestamp())
        task_list.set_task_status(rep, shared, "进行中")
        _kept(world)
        task_list.set_task_status(rep, shared, "已搁置", result="not now")
        _kept(world)
        activity.log_followup(rep, b.code, activity.FollowUpInput(summary="called", next_at=NOW + timedelta(days=3)))
        _kept(world)
        tasks.complete_task(rep, later, "sent")
        _kept(world)
        sup = world.as_("sup_a")
        res = batch.run(sup, batch.Selection(ids=(a.id, b.id, c.id)), "task",
                        {"title": "Fair follow-up", "due": NOW + timedelta(days=20)})
        _kept(world)
        assert Lead.get_by_id(a.id).plan_until == int((NOW + timedelta(days=20)).timestamp())
        batch.undo(sup, res.batch_id)
        _kept(world)
        lost = batch.run(sup, batch.Selection(ids=(c.id,)), "lost", {"lost_reason": "invalid contact"})
        _kept(world)
        assert Lead.get_by_id(c.id).plan_until is None
        batch.undo(sup, lost.batch_id)
        _kept(world)
        path = tmp_path / "plans.csv"
        with open(path, "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(["company", "phone", "下次跟进时间"])
            w.writerow(["Imported With A Plan", "13900001111", "2026-12-20 10:00"])
            w.writerow(["Imported Without One", "13900002222", ""])
        run_import(world.ctx, str(path), ImportOptions())
        _kept(world)
        assert Lead.get(Lead.company == "Imported With A Plan").plan_until is not None
    finally:
        clock.set_now(None)


def _by_the_rule(ctx) -> int:
    """The stalled leads ``login`` sees, by domain.rules lead by lead over the task rows."""
    latest = _expected()
    visible = {v.id for v in leads.list_leads(ctx, limit=10_000)}
    n = 0
    for lead in Lead.select().where(Lead.id.in_(list(visible))):
        s = settings_for_owner(ctx, lead.owner_id)
        entered, nxt = dt(lead.stage_entered_at), dt(lead.next_follow_up_at)
        planned = latest[lead.id] is not None and latest[lead.id] >= int(ctx.now().timestamp())
        n += rules.is_stalled(lead.status, entered, nxt, ctx.now(), s) and not planned
    return n


def test_the_stalled_count_is_the_rule_lead_by_lead(world):
    clock.set_now(NOW)
    try:
        admin.teams.set_team(world.ctx, "A", stall_after_days=2)  # team A's own number, B the global 7
        ids = [world.lead(login, company=f"Stall {login} {i}").id
               for login in ("rep_a1", "rep_a2", "rep_b1") for i in range(4)]
        rep = world.as_("rep_a1")
        for lid in ids[::3]:  # an overdue task and a later one: planned, not stalled
            tasks.add_task(world.as_("boss"), lid, "follow_up", "Later", NOW + timedelta(days=10))
        for lid in ids[1::3]:  # nothing open at all
            for t in tasks.open_tasks(world.as_("boss"), lid):
                tasks.complete_task(world.as_("boss"), t.id, "done")
        task_list.add_task_for(world.as_("boss"), [ids[2], ids[5]], "Shared visit", NOW + timedelta(days=4))
        for days in (1, 3, 5, 8, 15):  # past team A's stall days, past the tasks, past B's
            clock.set_now(NOW + timedelta(days=days))
            for login in ("boss", "sup_a", "rep_a1", "rep_b1"):
                ctx = world.as_(login)
                want = _by_the_rule(ctx)
                assert pages.count(ctx, pages.ListQuery(("stalled",), "")) == want, (days, login)
                listed = {v.id for v in leads.list_leads(ctx, filter="stalled", limit=10_000)}
                assert len(listed) == want
            mine = pages.count(rep, pages.ListQuery(("mine", "stalled"), ""))
            assert mine == len({v.id for v in leads.list_leads(rep, filter="stalled", limit=10_000)
                                if v.owner_login == "rep_a1"})
        assert pages.count(world.as_("boss"), pages.ListQuery(("stalled",), "")) > 0
    finally:
        clock.set_now(None)


@pytest.mark.parametrize("many", [50_000, 0])  # 0: PostgreSQL fills it with the lead's indexes and triggers off
def test_a_v18_database_gets_plan_until_on_upgrade(world, monkeypatch, many):
    monkeypatch.setattr(plan, "MANY", many)
    before = {i.name for i in world.ctx.db.get_indexes("lead")}
    clock.set_now(NOW)
    try:
        a = world.lead("rep_a1")
        tasks.add_task(world.as_("rep_a1"), a.code, "follow_up", "Later", NOW + timedelta(days=6))
        _as_v18(world)
        ctx = open_session(world.url, "boss", upgrade=True)
        assert schema.current_version(ctx.db) == schema.LATEST >= 19
        assert Lead.get_by_id(a.id).plan_until == int((NOW + timedelta(days=6)).timestamp())
        _kept(world)
        assert {i.name for i in ctx.db.get_indexes("lead")} == before  # lead_stall again, and none lost
        tasks.add_task(world.as_("rep_a1"), a.code, "follow_up", "Later still", NOW + timedelta(days=8))
        assert Lead.get_by_id(a.id).plan_until == int((NOW + timedelta(days=8)).timestamp())
        _kept(world)  # the summaries' triggers are on again: db check finds the summaries right too
        ctx.close()
    finally:
        clock.set_now(None)


def _as_v18(world) -> None:
    db = world.ctx.db
    db.execute_sql('DROP INDEX "lead_stall"')
    db.execute_sql("ALTER TABLE lead DROP COLUMN plan_until")
    Meta.update(value="18").where(Meta.key == "schema_version").execute()
    world.ctx.close()


@pytest.mark.parametrize("lang", ["en_US.UTF-8", "zh_CN.UTF-8"])
def test_db_upgrade_says_what_it_is_doing_as_it_goes(world, lang):
    """A step may rewrite a million leads for minutes: each is named on stderr as it begins, with the time since
    the start; PostgreSQL's closing VACUUM too; the last line says from which version, to which, how long."""
    world.lead("rep_a1")
    _as_v18(world)
    proc = run("db", "upgrade", db=world.url, env={"LANG": lang, "LC_ALL": lang})
    assert proc.returncode == 0, proc.stderr
    zh = lang.startswith("zh")
    step = "正在将数据库结构升级到版本 19" if zh else "upgrading the schema to version 19"
    lines = proc.stderr.splitlines()
    assert [l for l in lines if l.endswith(step) and l.startswith("[")] != [], proc.stderr
    vacuum = [l for l in lines if "VACUUM" in l]
    assert len(vacuum) == (1 if world.ctx.is_postgres else 0), proc.stderr
    top = schema.LATEST  # the steps after v19 run too
    done = f"数据库结构已从版本 18 升级到 {top}" if zh else f"schema upgraded from version 18 to {top}"
    assert proc.stdout.startswith(done), proc.stdout
    again = run("db", "upgrade", db=world.url, env={"LANG": lang, "LC_ALL": lang})
    assert again.stderr == "" and again.stdout.strip() == (f"数据库结构版本为 {top}" if zh else
                                                                 f"schema is at version {top}")


def test_db_check_finds_a_wrong_plan_until_and_repair_mends_it(world):
    a = world.lead("rep_a1")
    b = world.lead("rep_a2")
    Lead.update(plan_until=None).where(Lead.id == a.id).execute()  # its first-contact task is open
    Lead.update(plan_until=12345).where(Lead.id == b.id).execute()
    problems = schema.check(world.ctx.db)
    assert any("plan_until" in p and "2 leads" in p for p in problems), problems
    admin.repair(world.ctx)
    _kept(world)


def test_the_stalled_count_reads_the_stall_index_alone(sqlite_url):
    """SQLite's plan for each part of the count: lead_stall, covering (no lead row, no task row read)."""
    import peewee as pw

    from tui_crm.services import scope
    from tui_crm.services.leads.queries import stalled_parts

    ctx = open_session(sqlite_url)
    for cond in stalled_parts(ctx):
        sql, params = Lead.select(pw.fn.COUNT(pw.SQL("*"))).where(scope.committed() & cond).sql()
        plan = " | ".join(r[3] for r in ctx.db.execute_sql("EXPLAIN QUERY PLAN " + sql, params).fetchall())
        assert "USING COVERING INDEX lead_stall" in plan and "task" not in plan, plan
