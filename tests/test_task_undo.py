"""The queue's undo of a task done (`u`), on SQLite and PostgreSQL: it shares the completion's checks and
lock (services/activity/tasks.py held the same dozen lines twice)."""
from __future__ import annotations

from datetime import timedelta

import pytest

from tui_crm.services.activity import tasks
from tui_crm.services.errors import NotFound, ValidationError

from conftest import NOW


def test_undo_is_checked_like_the_completion(world):
    rep = world.as_("rep_a1")
    v = world.lead("rep_a1")
    first = tasks.open_tasks(rep, v.id)[0]
    created = tasks.finish_task(rep, first.id, "talked", NOW + timedelta(days=2), "send the quote")
    with pytest.raises(NotFound):  # a rep of the other team sees neither the lead nor its task
        tasks.undo_finish(world.as_("rep_b1"), first.id, created)
    with pytest.raises(NotFound):
        tasks.undo_finish(rep, 10**9, None)
    tasks.undo_finish(rep, first.id, created)
    assert [(t.id, t.status) for t in tasks.open_tasks(rep, v.id)] == [(first.id, "open")]  # the next task gone
    with pytest.raises(ValidationError, match="already open"):  # undone once: a second undo is refused
        tasks.undo_finish(rep, first.id, created)


def test_undo_of_a_task_of_no_lead_is_its_owner_s(world):
    rep = world.as_("rep_a1")
    tid = tasks.add_task(rep, None, "other", "order business cards", NOW + timedelta(hours=3))
    tasks.finish_task(rep, tid, "ordered")
    with pytest.raises(NotFound):
        tasks.undo_finish(world.as_("rep_a2"), tid)
    tasks.undo_finish(world.as_("boss"), tid)  # an admin may
    with pytest.raises(ValidationError):
        tasks.undo_finish(rep, tid)
