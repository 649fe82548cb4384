"""A task on several leads (seed 004: one task for the 40 leads of a trade fair) belongs to all of them: a change of
the task moves every one of its leads' next follow-up and plan (not its first lead's alone), and what happens to one
of its leads (lost, won, put to sleep, deleted with its import) leaves it open for the others. Each writer is checked
against a recomputation in Python from the task rows and against ``db check``. On both backends."""
from __future__ import annotations

import csv
from datetime import timedelta

from tui_crm import clock
from tui_crm.services.activity import task_list, tasks
from tui_crm.services.importing.batches import undo as undo_import
from tui_crm.services.importing.run import ImportOptions, run_import
from tui_crm.services.leads import batch_run as batch
from tui_crm.services.leads import writes
from tui_crm.store import schema
from tui_crm.store.models import Lead, Task, TaskLead

from conftest import NOW

OPEN = ("open", "in_progress")


def _expected() -> dict[int, tuple[int | None, int | None]]:
    """lead id -> (earliest, latest) due of its open tasks, own and shared, from the task rows."""
    dues: dict[int, list[int]] = {lid: [] for (lid,) in Lead.select(Lead.id).tuples()}
    shares: dict[int, list[int]] = {}
    for task_id, lead_id in TaskLead.select(TaskLead.task, TaskLead.lead).tuples():
        shares.setdefault(task_id, []).append(lead_id)
    for t in Task.select().where(Task.status.in_(OPEN)):
        for lid in ([t.lead_id] if t.lead_id is not None else []) + shares.get(t.id, []):
            dues[lid].append(t.due_at)
    return {lid: (min(d), max(d)) if d else (None, None) for lid, d in dues.items()}


def _kept(world) -> None:
    stored = {i: (n, p) for i, n, p in Lead.select(Lead.id, Lead.next_follow_up_at, Lead.plan_until).tuples()}
    assert stored == _expected()
    assert schema.check(world.ctx.db) == []


def _fair(world, n: int = 3):
    """``n`` leads of rep_a1 and one task on all of them, due in 12 days (after each lead's first-contact task)."""
    leads = [world.lead("rep_a1", company=f"Fair {i}") for i in range(n)]
    rep = world.as_("rep_a1")
    tid = task_list.add_task_for(rep, [l.code for l in leads], "Call after the fair", NOW + timedelta(days=12))
    return rep, leads, tid


def _status(tid: int) -> str:
    return Task.get_by_id(tid).status


def test_a_change_of_a_shared_task_moves_every_lead_it_is_on(world):
    clock.set_now(NOW)
    try:
        rep, leads, tid = _fair(world)
        for lead in leads:  # the first-contact tasks done: the fair's task is each lead's only plan
            for (own,) in Task.select(Task.id).where((Task.lead == lead.id) & (Task.id != tid)).tuples():
                tasks.complete_task(rep, own, "reached")
        _kept(world)
        tasks.snooze_task(rep, tid, NOW + timedelta(days=15))
        _kept(world)
        due = int((NOW + timedelta(days=15)).timestamp())
        assert [Lead.get_by_id(l.id).next_follow_up_at for l in leads] == [due] * 3
        tasks.complete_task(rep, tid, "all called")
        _kept(world)
        assert [Lead.get_by_id(l.id).next_follow_up_at for l in leads] == [None] * 3
        tasks.undo_finish(rep, tid)
        _kept(world)
        tasks.finish_task(rep, tid, "called again", NOW + timedelta(days=30), "Send the brochure")
        _kept(world)
    finally:
        clock.set_now(None)


def test_closing_one_lead_leaves_the_task_open_for_the_others(world):
    clock.set_now(NOW)
    try:
        rep, (a, b, c), tid = _fair(world)
        writes.set_outcome(rep, a.code, "lost", {"lost_reason": "no budget"})  # a is the task's first lead
        assert _status(tid) == "open"
        _kept(world)
        writes.set_outcome(rep, b.code, "won", {"won_amount_cents": 100000, "product": "CRM"})
        assert _status(tid) == "open"
        _kept(world)
        only = world.lead("rep_a1", company="Alone")
        own = [i for (i,) in Task.select(Task.id).where(Task.lead == only.id).tuples()]
        writes.set_outcome(rep, only.code, "lost", {"lost_reason": "no budget"})
        assert {_status(t) for t in own} == {"shelved"}  # a task of its own alone is shelved with it
        _kept(world)
    finally:
        clock.set_now(None)


def test_a_batch_marked_lost_leaves_a_shared_task_open_and_its_undo_puts_all_back(world):
    clock.set_now(NOW)
    try:
        _rep, (a, b, c), tid = _fair(world)
        firsts = {l.id: [i for (i,) in Task.select(Task.id).where((Task.lead == l.id) & (Task.id != tid)).tuples()]
                  for l in (a, b)}
        sup = world.as_("sup_a")
        res = batch.run(sup, batch.Selection(ids=(a.id, b.id)), "lost", {"lost_reason": "invalid contact"})
        assert res.done == 2
        assert _status(tid) == "open"
        assert {_status(t) for ts_ in firsts.values() for t in ts_} == {"shelved"}
        _kept(world)
        batch.undo(sup, res.batch_id)
        assert {_status(t) for ts_ in firsts.values() for t in ts_} == {"open"}
        _kept(world)
    finally:
        clock.set_now(None)


def test_deleting_a_task_s_first_lead_with_its_import_keeps_the_task_for_the_others(world, tmp_path):
    clock.set_now(NOW)
    try:
        path = tmp_path / "fair.csv"
        with open(path, "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(["company", "phone", "owner"])
            w.writerow(["Imported At The Fair", "13900003333", "rep_a1"])
        report = run_import(world.ctx, str(path), ImportOptions())
        imported = Lead.get(Lead.company == "Imported At The Fair")
        others = [world.lead("rep_a1", company=f"Met There {i}") for i in range(2)]
        rep = world.as_("rep_a1")
        tid = task_list.add_task_for(rep, [imported.code] + [l.code for l in others], "Call after the fair",
                                     NOW + timedelta(days=12))
        undo_import(world.ctx, report.batch_id)
        assert Lead.get_or_none(Lead.id == imported.id) is None
        task = Task.get_or_none(Task.id == tid)
        assert task is not None and task.status == "open"
        assert {task.lead_id} | {l for (l,) in TaskLead.select(TaskLead.lead).where(TaskLead.task == tid).tuples()} \
            == {l.id for l in others}
        _kept(world)
    finally:
        clock.set_now(None)
