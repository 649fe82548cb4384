"""Batch work on marked leads (services/leads/batch.py, batch_undo.py), on both backends: each action writes
one change entry per lead naming the batch, skips what it may not change, and one undo puts it all back."""
from __future__ import annotations

import json
from datetime import timedelta

import pytest

from tui_crm.services import leads
from tui_crm.services.errors import AccessDenied, NotFound, ValidationError
from tui_crm.services.leads import batch_run as batch, batch_undo
from tui_crm.services.leads.pages import ListQuery
from tui_crm.store.models import Change, Lead, Stage, StageHistory, Task, TaskLead


def _entries(bid: int) -> list[Change]:
    return [c for c in Change.select().where((Change.entity == "lead") & (Change.id > bid)).order_by(Change.id)
            if json.loads(c.diff).get("batch") == bid]


def test_one_task_on_forty_leads_of_a_trade_fair_and_its_undo(world):
    fair = [world.lead("rep_a1", company=f"Fair {i}", source="展会").id for i in range(25)]
    fair += [world.lead("rep_a2", company=f"Fair {i}", source="展会").id for i in range(25, 40)]
    other = world.lead("rep_a1", company="Not at the fair", source="referral").id
    sup = world.as_("sup_a")
    sel = batch.Selection(query=ListQuery(("source:" + Lead.get_by_id(fair[0]).source,)))
    assert batch.count(sup, sel) == 40
    due = sup.now() + timedelta(days=2)
    seen = []
    res = batch.run(sup, sel, "task", {"title": "Send the fair's follow-up", "due": due},
                    progress=lambda a, b: seen.append((a, b)))
    assert (res.done, res.skipped) == (40, 0) and seen[-1] == (40, 40)
    tasks = list(Task.select().where(Task.title == "Send the fair's follow-up"))
    assert len(tasks) == 1  # one task, on all forty
    linked = {tasks[0].lead_id} | {t.lead_id for t in TaskLead.select().where(TaskLead.task == tasks[0].id)}
    assert linked == set(fair) and other not in linked
    entries = _entries(res.batch_id)
    assert len(entries) == 40 and {e.lead_id for e in entries} == set(fair)
    assert all(e.user_id == sup.actor.id and e.action == "task" for e in entries)
    back = batch.undo(sup, res.batch_id)
    assert back.done == 40
    assert not Task.select().where(Task.title == "Send the fair's follow-up").exists()
    assert not TaskLead.select().exists()
    with pytest.raises(NotFound):
        batch.undo(sup, res.batch_id)  # once


def test_reassign_skips_leads_the_actor_may_not_reassign_and_undo_restores_owners(world):
    own = [world.lead("rep_a1").id for _ in range(3)]
    b = world.lead("rep_b1")
    leads.share(world.as_("rep_b1"), b.id, "rep_a1")  # shared with rep_a1: seen, not theirs to reassign
    rep = world.as_("rep_a1")
    with pytest.raises(AccessDenied):
        batch.run(rep, batch.Selection(ids=tuple(own)), "reassign", {"login": "rep_a2"})
    sup = world.as_("sup_a")
    res = batch.run(sup, batch.Selection(ids=tuple(own) + (b.id,)), "reassign", {"login": "rep_a2"})
    assert res.done == 3 and res.skipped == 0  # rep_b1's lead is outside sup_a's team: not even counted
    assert {Lead.get_by_id(i).owner.login for i in own} == {"rep_a2"}
    assert all(t.owner.login == "rep_a2" for t in Task.select().where(Task.lead.in_(own)))
    entry = _entries(res.batch_id)[0]
    assert json.loads(entry.diff)["owner"] == ["rep_a1", "rep_a2"]
    rep_a1_shared = batch.run(world.as_("rep_a1"), batch.Selection(ids=(b.id,)), "reassign", {"login": "rep_a1"})
    assert rep_a1_shared.done == 0 and rep_a1_shared.skipped == 1
    back = batch.undo(sup, res.batch_id)
    assert back.done == 3
    assert {Lead.get_by_id(i).owner.login for i in own} == {"rep_a1"}
    assert all(t.owner.login == "rep_a1" for t in Task.select().where(Task.lead.in_(own)))
    assert batch_undo.last_batch(sup) is None


def test_move_needs_a_reason_for_overstayed_leads_and_undo_puts_the_stage_back(world):
    from tui_crm import clock

    ids = [world.lead("rep_a1").id for _ in range(4)]
    clock.set_now(world.ctx.now() + timedelta(days=9))
    rep = world.as_("rep_a1")
    res = batch.run(rep, batch.Selection(ids=tuple(ids)), "move", {"stage": "qualified"})
    assert res.done == 0 and res.skipped == 4 and res.why
    res = batch.run(rep, batch.Selection(ids=tuple(ids)), "move", {"stage": "qualified", "reason": "fair season"})
    assert res.done == 4
    assert {Lead.get_by_id(i).stage for i in ids} == {"qualified"}
    stays = list(StageHistory.select().where(StageHistory.lead == ids[0]).order_by(StageHistory.entered_at))
    assert [s.stage for s in stays][-2:] == ["acquired", "qualified"] and stays[-2].reason == "fair season"
    with pytest.raises(AccessDenied):
        batch.undo(world.as_("rep_a2"), res.batch_id)
    assert batch.undo(rep, res.batch_id).done == 4
    assert {Lead.get_by_id(i).stage for i in ids} == {"acquired"}
    assert [s.stage for s in StageHistory.select().where(StageHistory.lead == ids[0])] == ["acquired"]
    acquired = Stage.get(Stage.key == "acquired").id
    assert {Lead.get_by_id(i).stages_seen for i in ids} == {1 << acquired}  # the funnel no longer counts them


def test_undone_batches_leave_the_funnel_and_the_summaries_as_they_were(world):
    from tui_crm.services.admin import database
    from tui_crm.services.reports import figures

    ids = [world.lead("rep_a1").id for _ in range(3)]
    rep = world.as_("rep_a1")
    before = figures.report(world.ctx)["funnel"]
    moved = batch.run(rep, batch.Selection(ids=tuple(ids)), "move", {"stage": "negotiation"})
    assert figures.report(world.ctx)["funnel"] != before
    batch.undo(rep, moved.batch_id)
    lost = batch.run(rep, batch.Selection(ids=tuple(ids)), "lost", {"lost_reason": "invalid contact"})
    batch.undo(rep, lost.batch_id)
    assert figures.report(world.ctx)["funnel"] == before
    assert database.check(world.ctx) == []


def test_lost_with_a_reason_shelves_open_tasks_and_undo_reopens(world):
    ids = [world.lead("rep_a1").id for _ in range(3)]
    rep = world.as_("rep_a1")
    with pytest.raises(ValidationError):
        batch.run(rep, batch.Selection(ids=tuple(ids)), "lost", {})
    res = batch.run(rep, batch.Selection(ids=tuple(ids)), "lost", {"lost_reason": "invalid contact"})
    assert res.done == 3
    assert all(Lead.get_by_id(i).status == "lost" for i in ids)
    assert not Task.select().where(Task.lead.in_(ids) & (Task.status == "open")).exists()
    again = batch.run(rep, batch.Selection(ids=tuple(ids)), "lost", {"lost_reason": "again"})
    assert again.done == 0 and again.skipped == 3
    assert batch.undo(rep, res.batch_id).done == 3
    for i in ids:
        lead = Lead.get_by_id(i)
        assert lead.status == "pending" and lead.lost_reason is None and lead.next_follow_up_at is not None
    assert Task.select().where(Task.lead.in_(ids) & (Task.status == "open")).count() >= 3


def test_everything_marked_less_the_unmarked(world):
    ids = [world.lead("rep_a1").id for _ in range(5)]
    rep = world.as_("rep_a1")
    sel = batch.Selection(query=ListQuery(), excluded=(ids[0],))
    assert batch.count(rep, sel) == 4
    res = batch.run(rep, sel, "lost", {"lost_reason": "clean-up"})
    assert res.done == 4 and Lead.get_by_id(ids[0]).status == "pending"


def test_tags_on_all_marked_leads_and_their_undo(world):
    from tui_crm.services.leads import tags

    ids = [world.lead("rep_a1").id for _ in range(4)]
    rep = world.as_("rep_a1")
    tags.change_tags(rep, [ids[0]], ["旧"])
    res = batch.run(rep, batch.Selection(ids=tuple(ids)), "tag", {"add": "新能源，高意向", "remove": "旧"})
    assert res.done == 4
    shown = tags.tags_of(rep, ids)
    assert all(shown[i] == ["新能源", "高意向"] for i in ids)
    assert len(_tagged(res.batch_id)) == 4
    again = batch.run(rep, batch.Selection(ids=tuple(ids)), "tag", {"add": "新能源"})
    assert again.done == 0 and again.skipped == 4
    assert batch.undo(rep, res.batch_id).done == 4
    shown = tags.tags_of(rep, ids)
    assert shown.get(ids[0]) == ["旧"] and all(not shown.get(i) for i in ids[1:])


def _tagged(bid: int) -> list[Change]:
    return [c for c in Change.select().where((Change.action == "tag") & (Change.id > bid))
            if json.loads(c.diff).get("via") == f"batch {bid}"]


def test_the_one_task_is_each_leads_next_follow_up_and_gone_after_undo(world):
    ids = [world.lead("rep_a1").id for _ in range(3)]
    rep = world.as_("rep_a1")
    due = rep.now() + timedelta(hours=1)  # earlier than their first contact
    res = batch.run(rep, batch.Selection(ids=tuple(ids)), "task", {"title": "Call all three", "due": due})
    assert all(Lead.get_by_id(i).next_follow_up_at == int(due.timestamp()) for i in ids)
    batch.undo(rep, res.batch_id)
    assert all(Lead.get_by_id(i).next_follow_up_at != int(due.timestamp()) for i in ids)


def test_the_one_task_takes_its_kind_and_priority_in_either_language(world):
    ids = tuple(world.lead("rep_a1").id for _ in range(2))
    rep = world.as_("rep_a1")
    due = rep.now() + timedelta(days=2)
    res = batch.run(rep, batch.Selection(ids=ids), "task", {"title": "回访两家", "due": due, "kind": "回访",
                                                            "priority": "高"})
    task = Task.get(Task.title == "回访两家")
    assert (task.kind, task.priority) == ("revisit", "high") and res.done == 2
    before = Task.select().count()
    for params, word in (({"kind": "拜访月球"}, "拜访月球"), ({"priority": "urgent!"}, "urgent!")):
        with pytest.raises(ValidationError, match=word):
            batch.run(rep, batch.Selection(ids=ids), "task", {"title": "x", "due": due, **params})
    assert Task.select().count() == before  # refused before anything was written
