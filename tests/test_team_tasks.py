"""Tasks of a team: one task on several leads, statuses 未开始/进行中/已完成/已搁置 with a result and a sentiment
change, listed by status, due and owner within the actor's reach."""
from __future__ import annotations

from datetime import timedelta

import pytest

from conftest import NOW
from tui_crm import i18n
from tui_crm.domain.vocab import TASK_STATUSES
from tui_crm.services import leads
from tui_crm.services.activity import task_list
from tui_crm.services.errors import AccessDenied, NotFound, ValidationError
from tui_crm.store.models import Change, Task


def test_one_task_on_several_leads_and_their_next_follow_up(world):
    a, b = world.lead("rep_a1"), world.lead("rep_a2")
    sup = world.as_("sup_a")
    due = NOW + timedelta(hours=3)
    tid = task_list.add_task_for(sup, [a.code, b.code], "send the expo brochure", due, remind=30)
    row = task_list.get_task(sup, tid)
    assert (row.leads, row.owner, row.status, row.remind_minutes) == ([a.code, b.code], "sup_a", "open", 30)
    for v in (a, b):  # earlier than the first-contact tasks: the leads' next follow-up
        assert leads.get(sup, v.code).next_follow_up_at == due
    assert row.to_json()["leads"] == [a.code, b.code]
    with pytest.raises(NotFound):
        task_list.add_task_for(world.as_("rep_b1"), [a.code], "x", due)
    with pytest.raises(AccessDenied):
        task_list.add_task_for(world.as_("rep_a1"), [a.code], "x", due, owner="rep_a2")
    with pytest.raises(ValidationError, match="title"):
        task_list.add_task_for(sup, [a.code], "  ", due)


def test_statuses_with_a_result_and_a_sentiment_change_and_the_list_filters(world):
    a = world.lead("rep_a1")
    rep = world.as_("rep_a1")
    tid = task_list.add_task_for(rep, [a.code], "price talk", NOW + timedelta(days=2))
    row = task_list.set_task_status(rep, tid, "进行中")
    assert row.status == "in_progress"
    row = task_list.set_task_status(rep, tid, "done", result="对价格有异议，要求提供竞品对比", sentiment="中性→积极")
    assert (row.status, row.sentiment_before, row.sentiment_after) == ("done", "neutral", "positive")
    assert Task.get_by_id(tid).done_at is not None
    assert [r.id for r in task_list.list_tasks(rep, "done")] == [tid]
    assert tid not in [r.id for r in task_list.list_tasks(rep, "open")]
    task_list.set_task_status(rep, tid, "shelved", result="预算冻结，延期至Q3再谈")
    assert [r.id for r in task_list.list_tasks(rep, "shelved")] == [tid]
    actions = [c.action for c in Change.select().where((Change.entity == "task") & (Change.entity_id == tid))
               .order_by(Change.id)]
    assert actions == ["create", "in_progress", "done", "shelved"]
    with pytest.raises(ValidationError, match="unknown task status"):
        task_list.set_task_status(rep, tid, "finished")
    with pytest.raises(ValidationError, match="unknown sentiment"):
        task_list.set_task_status(rep, tid, "done", sentiment="meh→great")
    with pytest.raises(NotFound):
        task_list.set_task_status(world.as_("rep_b1"), tid, "open")
    i18n.set_lang("zh")
    assert [TASK_STATUSES[k][1] for k in ("open", "in_progress", "done", "shelved")] == [
        "未开始", "进行中", "已完成", "已搁置"]


def test_the_list_shows_my_and_my_teams_tasks_overdue_first(world):
    a1, b1 = world.lead("rep_a1"), world.lead("rep_b1")  # each with a first-contact task due in 48 h
    late = task_list.add_task_for(world.as_("rep_a1"), [a1.code], "late one", NOW - timedelta(hours=1))
    today = task_list.add_task_for(world.as_("rep_a1"), [a1.code], "tonight", NOW + timedelta(hours=5))
    assert [r.id for r in task_list.list_tasks(world.as_("rep_a1"), "overdue")] == [late]
    assert [r.id for r in task_list.list_tasks(world.as_("rep_a1"), "today")] == [today]
    mine = task_list.list_tasks(world.as_("rep_a1"))
    assert mine[0].id == late and {r.owner for r in mine} == {"rep_a1"}
    assert {r.owner for r in task_list.list_tasks(world.as_("sup_a"))} == {"rep_a1"}
    assert {r.owner for r in task_list.list_tasks(world.ctx)} == {"rep_a1", "rep_b1"}
    assert {r.owner for r in task_list.list_tasks(world.ctx, owner="rep_b1")} == {"rep_b1"}
    assert task_list.list_tasks(world.as_("rep_b1"), owner="rep_a1") == []
    with pytest.raises(ValidationError):
        task_list.list_tasks(world.ctx, "later")


def test_a_task_on_several_leads_is_on_each_ones_timeline_with_its_sentiment_change(world):
    from tui_crm.services import activity

    a, b = world.lead("rep_a1"), world.lead("rep_a1")
    rep = world.as_("rep_a1")
    tid = task_list.add_task_for(rep, [a.code, b.code], "expo brochure", NOW + timedelta(days=1))
    task_list.set_task_status(rep, tid, "done", result="liked it", sentiment="neutral->positive")
    for v in (a, b):
        texts = [i.text for i in activity.lead_timeline(rep, v.code)]
        assert "task done: follow-up · expo brochure — liked it · neutral→positive" in texts


def test_the_task_list_leaves_out_tasks_of_an_import_still_staging(world):
    from tui_crm.store.models import ImportBatch, Lead, User

    v = world.lead("rep_a1")
    batch = ImportBatch.create(user=User.get(User.login == "sup_a").id, file="x.csv", state="staging", started_at=0)
    Lead.update(batch=batch.id).where(Lead.id == v.id).execute()
    rep = world.as_("rep_a1")
    assert not [t for t in task_list.list_tasks(rep, "all") if t.leads[:1] == [v.code]]
    ImportBatch.update(state="committed").where(ImportBatch.id == batch.id).execute()
    assert [t for t in task_list.list_tasks(rep, "all") if t.leads[:1] == [v.code]]


def test_a_reader_sees_only_the_codes_of_a_tasks_leads_they_can_see(world):
    """A rep listed a supervisor's task on their lead and a colleague's: every code was shown, the colleague's too
    (user pass), where a user's own PostgreSQL role shows only those it sees."""
    a, b = world.lead("rep_a1"), world.lead("rep_a2")
    tid = task_list.add_task_for(world.as_("sup_a"), [a.code, b.code], "fair brochure", NOW + timedelta(hours=3),
                                 owner="rep_a1")
    assert task_list.get_task(world.as_("rep_a1"), tid).leads == [a.code]
    assert task_list.get_task(world.as_("sup_a"), tid).leads == [a.code, b.code]
    mine = [r for r in task_list.list_tasks(world.as_("rep_a2")) if r.id == tid]
    assert [r.leads for r in mine] == [[b.code]]
