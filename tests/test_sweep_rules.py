"""The rule sweep runs continuously (every open app on a timer, `tui-crm tick` for cron), claims what it
does so that sweeps at once never escalate, remind or wake twice, and its notifications read in the
reader's language (issue 12, defect 3 and "Rules run continuously"); real databases, real threads."""
from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from tui_crm import clock
from tui_crm.app import CrmApp
from tui_crm.i18n import set_lang
from tui_crm.services import activity, leads
from tui_crm.services.activity import tasks
from tui_crm.services.context import open_session
from tui_crm.store.models import Lead, Notification, Task
from tui_helpers import settle

SWEEPS = 12


def _at_once(url: str, n: int) -> list:
    """``activity.sweep`` n times at once, each on its own thread and connection."""
    start = threading.Barrier(n)

    def one(_i):
        ctx = open_session(url, "rep_a1")
        try:
            start.wait(timeout=60)
            return activity.sweep(ctx)
        finally:
            ctx.db.close()

    with ThreadPoolExecutor(n) as pool:
        return list(pool.map(one, range(n)))


def test_sweeps_at_once_escalate_remind_wake_and_ask_for_the_record_once(world):
    uncontacted = world.lead("rep_a1")
    rep = world.as_("rep_a1")
    worked = world.lead("rep_a1")
    activity.log_followup(rep, worked.code, activity.FollowUpInput(summary="called"))
    task_id = tasks.add_task(rep, worked.code, "other", "Send the brochure", clock.now() + timedelta(days=4, minutes=10))
    sleeper = world.lead("rep_a2")
    leads.set_outcome(world.as_("rep_a2"), sleeper.code, "dormant", {"wake_up_at": clock.now() + timedelta(days=2)})
    gap = world.lead("rep_b1")
    Lead.update(incomplete="industry").where(Lead.id == gap.id).execute()  # as an edit elsewhere left it
    clock.advance(timedelta(days=4))  # past the escalation, inside the reminder's 15 minutes, past the wake-up
    results = _at_once(world.url, SWEEPS)
    assert sum(r.escalated for r in results) == Lead.select().where(Lead.escalated == True).count()  # noqa: E712
    assert Lead.get_by_id(uncontacted.id).escalated
    sup = world.as_("sup_a").actor.id
    esc = Notification.select().where((Notification.user == sup) & (Notification.lead == uncontacted.id)
                                      & (Notification.kind == "escalation"))
    assert esc.count() == 1
    assert sum(r.reminded for r in results) == 1
    assert Notification.select().where((Notification.kind == "reminder") & (Notification.lead == worked.id)).count() == 1
    assert Task.get_by_id(task_id).reminded_at is not None
    assert sum(r.woken for r in results) == 1 and Lead.get_by_id(sleeper.id).status == "in_progress"
    assert Task.select().where((Task.lead == gap.id) & (Task.kind == "complete_record")).count() == 1
    assert sum(r.record_tasks for r in results) >= 1
    again = activity.sweep(rep)  # nothing left to do
    assert again.escalated == again.reminded == again.woken == 0


def test_notifications_read_in_the_readers_language(world):
    lead = world.lead("rep_a1", company="Acme")
    clock.advance(timedelta(days=4))
    set_lang("en")  # an English session runs the sweep
    assert activity.sweep_escalations(world.as_("rep_a1")) == 1
    sup = world.as_("sup_a")
    set_lang("zh")
    try:
        (n,) = activity.notifications(sup)
        assert n.text == f"{lead.code} Acme：分配后 3 天仍未联系"
        set_lang("en")
        assert activity.notifications(sup)[0].text == f"{lead.code} Acme: not contacted 3 days after assignment"
        # a row stored before messages were kept (plain text only) shows as stored
        Notification.insert(user=sup.actor.id, kind="escalation", text="旧的通知", at=int(clock.now().timestamp())
                            ).execute()
        assert activity.notifications(sup)[0].text == "旧的通知"
    finally:
        set_lang("en")


def test_rule_task_titles_read_in_the_readers_language(world):
    from tui_crm.services.activity.task_text import task_text

    rep = world.as_("rep_a1")
    set_lang("zh")  # a Chinese session makes the lead: its rule tasks are stored by key
    try:
        lead = world.lead("rep_a1")
        leads.move_stage(rep, lead.code, "proposal")
        titles = {t.kind: t.title for t in tasks.open_tasks(rep, lead.id)}
        assert titles["revisit"] == "Revisit after the proposal"
        set_lang("en")
        revisit = next(t for t in tasks.open_tasks(rep, lead.id) if t.kind == "revisit")
        assert task_text(revisit) == "revisit: Revisit after the proposal"
        set_lang("zh")
        assert task_text(revisit) == "回访：方案后回访"
    finally:
        set_lang("en")


async def test_an_open_app_escalates_while_it_runs_and_the_supervisor_reads_it(world):
    """Nobody starts a session: the supervisor's app, open since before the lead fell due, escalates it on
    its timer and shows the toast (defect 3: escalations ran only when some session started)."""
    lead = world.lead("rep_a1")
    app = CrmApp(world.as_("sup_a"), tick_seconds=0, poll_seconds=0.2, sweep_seconds=0.1, sweep_every=0.2)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app)
        first = app.sweeps
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and app.sweeps < first + 2:
            await pilot.pause(0.1)
        assert not Lead.get_by_id(lead.id).escalated  # not yet due
        clock.advance(timedelta(days=4))
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and not any(lead.code in n.message for n in app._notifications):
            await pilot.pause(0.1)
        assert Lead.get_by_id(lead.id).escalated
        assert any(lead.code in n.message and "not contacted" in n.message for n in app._notifications)


async def test_a_reminder_reaches_the_owners_open_app_on_time(world):
    rep = world.as_("rep_a1")
    lead = world.lead("rep_a1", company="Remind Co")
    tasks.add_task(rep, lead.code, "other", "Call about the tender", clock.now() + timedelta(minutes=30))
    app = CrmApp(world.as_("rep_a1"), tick_seconds=0, poll_seconds=0.2, sweep_seconds=0.1, sweep_every=0.2)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app)
        first = app.sweeps
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and app.sweeps < first + 2:
            await pilot.pause(0.1)
        assert not any("tender" in n.message for n in app._notifications)  # 30 min ahead: not yet
        clock.advance(timedelta(minutes=16))  # 14 minutes before due: inside its 15
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and not any("tender" in n.message for n in app._notifications):
            await pilot.pause(0.1)
        assert any("Remind Co: Call about the tender due in 14 min" in n.message for n in app._notifications)


def test_a_paused_lead_is_out_of_reminders_and_agenda_until_its_resume_date(world):
    from tui_crm.services.activity import agenda

    rep = world.as_("rep_a1")
    lead = world.lead("rep_a1", company="Paused Co")
    activity.log_followup(rep, lead.code, activity.FollowUpInput(summary="call me in spring"))
    tasks.add_task(rep, lead.code, "other", "Spring call", clock.now() + timedelta(days=10))
    leads.set_outcome(rep, lead.code, "paused", {"pause_reason": "budget in spring",
                                                 "wake_up_at": clock.now() + timedelta(days=10, minutes=-30)})
    assert "Paused Co" not in agenda.ics(rep)
    clock.advance(timedelta(days=10, minutes=-10))  # inside the reminder window, and past the resume date
    result = activity.sweep(rep)
    assert result.resumed == 1 and Lead.get_by_id(lead.id).status == "in_progress"
    assert "Paused Co" in agenda.ics(rep)


def test_v10_database_gets_the_reminder_and_message_columns_on_upgrade(db_url):
    from tui_crm.store import db as store_db, schema

    db = store_db.connect(db_url)
    for name in schema.SWEEP_INDEXES:  # as a v10 database is
        db.execute_sql(f'DROP INDEX "{name}"')
    db.execute_sql("ALTER TABLE task DROP COLUMN reminded_at")
    db.execute_sql("ALTER TABLE notification DROP COLUMN message")
    db.execute_sql("UPDATE meta SET value = '10' WHERE key = 'schema_version'")
    store_db._OPEN.clear()
    ctx = open_session(db_url, upgrade=True)
    assert schema.current_version(ctx.db) == schema.LATEST >= 11 and schema.check(ctx.db) == []
    assert "reminded_at" in {c.name for c in ctx.db.get_columns("task")}
    assert "message" in {c.name for c in ctx.db.get_columns("notification")}
    assert {i.name for i in ctx.db.get_indexes("task")} >= {"task_reminder_due"}
    assert {i.name for i in ctx.db.get_indexes("lead")} >= {"lead_incomplete"}
