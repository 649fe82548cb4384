"""Many writers on one lead at once, each on its own connection (threads; peewee's connections are
per thread): every read-modify-write of a lead serialises on the lead's row, so the history holds
exactly what was typed and the lead's tasks stay consistent, on both backends."""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest

from tui_crm.domain.vocab import OPEN_TASK_STATUSES
from tui_crm.services import activity, leads
from tui_crm.services.context import open_session
from tui_crm.services.errors import ServiceError
from tui_crm.store.models import Change, FollowUp, Lead, StageHistory, Task

WRITERS = 60


def _parallel(url: str, login: str, n: int, action) -> list:
    """Run ``action(ctx, i)`` for i in 0..n-1, all released at once, each on a thread with its own
    connection; returns what each returned or raised."""
    start = threading.Barrier(n)

    def one(i: int):
        ctx = open_session(url, login)
        try:
            start.wait(timeout=60)
            return action(ctx, i)
        except ServiceError as exc:
            return exc
        finally:
            ctx.db.close()  # this thread's connection

    with ThreadPoolExecutor(n) as pool:
        return list(pool.map(one, range(n)))


def _open_contact_tasks(lead_id: int) -> list[Task]:
    return list(Task.select().where((Task.lead == lead_id) & Task.kind.in_(("first_contact", "follow_up"))
                                    & Task.status.in_(OPEN_TASK_STATUSES)))


def test_sixty_parallel_followups_leave_one_open_task_and_every_followup(world):
    lead = world.lead("rep_a1")

    def log(ctx, i):
        return activity.log_followup(ctx, lead.code, activity.FollowUpInput(summary=f"call {i}"))

    results = _parallel(world.url, "rep_a1", WRITERS, log)
    assert not [r for r in results if isinstance(r, Exception)]
    assert sorted(f.summary for f in FollowUp.select().where(FollowUp.lead == lead.id)) == \
        sorted(f"call {i}" for i in range(WRITERS))
    assert len(_open_contact_tasks(lead.id)) == 1
    done = Task.select().where((Task.lead == lead.id) & (Task.status == "done")).count()
    assert done == WRITERS  # the first contact and 59 follow-ups, each completed once
    row = Lead.get_by_id(lead.id)
    assert row.next_follow_up_at == _open_contact_tasks(lead.id)[0].due_at
    assert row.version == lead.version + WRITERS
    assert Change.select().where((Change.lead_id == lead.id) & (Change.action == "log")).count() == WRITERS


def test_parallel_stage_steps_walk_the_pipeline_once_each(world):
    lead = world.lead("rep_a1")
    stages = world.ctx.stage_keys
    n = 12

    def step(ctx, i):
        return leads.step_stage(ctx, lead.code, +1)

    results = _parallel(world.url, "rep_a1", n, step)
    moved = [r for r in results if not isinstance(r, Exception)]
    assert len(moved) == len(stages) - 1  # each step moved one stage on; the rest found no next stage
    assert Lead.get_by_id(lead.id).stage == stages[-1]
    stays = list(StageHistory.select().where(StageHistory.lead == lead.id).order_by(StageHistory.id))
    assert [s.stage for s in stays] == stages
    assert [s for s in stays if s.left_at is None] == [stays[-1]]


def test_parallel_outcomes_one_wins(world):
    lead = world.lead("rep_a1", amount_cents=500000)
    when = world.ctx.now() + timedelta(days=30)

    def outcome(ctx, i):
        if i % 2:
            return leads.set_outcome(ctx, lead.code, "lost", {"lost_reason": "price"})
        return leads.set_outcome(ctx, lead.code, "dormant", {"wake_up_at": when})

    results = _parallel(world.url, "rep_a1", 10, outcome)
    ok = [r for r in results if not isinstance(r, Exception)]
    assert len(ok) >= 1
    row = Lead.get_by_id(lead.id)
    # every applied outcome was checked against the status it found (a lost lead may be marked lost
    # again, never dormant), so the log holds each one applied, in the order applied, and the lead ends
    # as the last entry says
    entries = [e.action for e in Change.select().where(
        (Change.lead_id == lead.id) & Change.action.in_(("lost", "dormant"))).order_by(Change.id)]
    assert len(entries) == len(ok)
    assert "dormant" not in entries[entries.index("lost"):] if "lost" in entries else True
    assert row.status == entries[-1]
    assert StageHistory.select().where((StageHistory.lead == lead.id) & StageHistory.left_at.is_null()).count() == 1
    opened = Task.select().where((Task.lead == lead.id) & Task.status.in_(OPEN_TASK_STATUSES)).count()
    assert opened == (1 if row.status == "dormant" else 0)


def test_parallel_task_completion_completes_once(world):
    lead = world.lead("rep_a1")
    task = _open_contact_tasks(lead.id)[0]

    def complete(ctx, i):
        return activity.tasks.complete_task(ctx, task.id, f"done by {i}")

    results = _parallel(world.url, "rep_a1", 10, complete)
    assert len([r for r in results if not isinstance(r, Exception)]) == 1
    assert Change.select().where((Change.entity == "task") & (Change.entity_id == task.id)
                                 & (Change.action == "done")).count() == 1


def test_parallel_reassign_keeps_tasks_with_the_owner(world):
    lead = world.lead("rep_a1")
    logins = ["rep_a1", "rep_a2"]

    def reassign(ctx, i):
        return leads.reassign(ctx, lead.code, logins[i % 2])

    results = _parallel(world.url, "sup_a", 10, reassign)
    assert not [r for r in results if isinstance(r, Exception)]
    owner = Lead.get_by_id(lead.id).owner_id
    owners = {t.owner_id for t in Task.select().where((Task.lead == lead.id) & Task.status.in_(OPEN_TASK_STATUSES))}
    assert owners == {owner}


@pytest.mark.parametrize("sweeps", [6])
def test_parallel_sweeps_escalate_once(world, sweeps, fixed_clock):
    from tui_crm import clock
    from tui_crm.store.models import Notification

    lead = world.lead("rep_a1")
    clock.set_now(fixed_clock + timedelta(days=world.ctx.settings.escalate_after_days, hours=1))
    results = _parallel(world.url, "boss", sweeps, lambda ctx, i: activity.sweep_escalations(ctx))
    assert sum(r for r in results if not isinstance(r, Exception)) == 1
    assert Notification.select().where(Notification.lead == lead.id).count() == 1
