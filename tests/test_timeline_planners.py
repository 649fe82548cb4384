"""Who planned a task, as the timeline tells it, stays who did it (PRODUCT §8: a handover "keeps the history's
authors as they were"). A task written in bulk has no entry of its own (an import's first contacts, the demo's):
the timeline fell back to its current owner, so a handover rewrote who had planned it, and the due it showed was
the current one, not the one it was planned with (user pass of issue 15)."""
from __future__ import annotations

from datetime import timedelta

from conftest import NOW
from tui_crm.services import activity, importing, leads
from tui_crm.services.activity import tasks
from tui_crm.store.models import Lead, Task, User


def planned(world, code: str) -> list[tuple[str, str]]:
    return [(i.user, i.text) for i in activity.lead_timeline(world.ctx, code) if "task planned" in i.text]


def test_an_imported_leads_first_task_stays_the_importers_after_a_handover(world, tmp_path):
    path = tmp_path / "fair.csv"
    path.write_text("Company,Contact,Phone,Need,Owner\nHandover Co,Wang,13911112222,servers,rep_a1\n",
                    encoding="utf-8")
    boss = world.as_("boss")
    res = importing.run_import(boss, str(path), importing.ImportOptions())
    assert res.new == 1
    lead = Lead.get(Lead.company == "Handover Co")
    before = planned(world, lead.code)
    assert before and all(author == boss.actor.name for author, _t in before), before
    leads.hand_over(world.as_("sup_a"), "rep_a1", to_login="rep_a2")
    assert Lead.get_by_id(lead.id).owner_id == User.get(User.login == "rep_a2").id
    assert planned(world, lead.code) == before


def test_a_bulk_written_task_is_its_first_owners_and_keeps_the_due_it_was_planned_with(world):
    v = world.lead("rep_a1")
    rep1 = User.get(User.login == "rep_a1")
    tid = Task.insert(lead=v.id, owner=rep1.id, kind="call", title="bulk call", priority="medium",
                      due_at=int((NOW + timedelta(days=1)).timestamp()), status="open",
                      created_at=int(NOW.timestamp())).execute()  # as the demo writes them: no entry
    (by, text), = [p for p in planned(world, v.code) if "bulk call" in p[1]]
    assert by == rep1.name
    tasks.snooze_task(world.as_("rep_a1"), tid, NOW + timedelta(days=5))
    leads.reassign(world.as_("sup_a"), v.code, "rep_a2")
    assert Task.get_by_id(tid).owner.login == "rep_a2"
    assert [p for p in planned(world, v.code) if "bulk call" in p[1]] == [(by, text)]
    # and a task with an entry of its own: its planner, and the due of its entry
    own = tasks.add_task(world.as_("sup_a"), v.code, "call", "planned call", NOW + timedelta(days=2),
                         owner_login="rep_a2")
    (first,) = [p for p in planned(world, v.code) if "planned call" in p[1]]
    tasks.snooze_task(world.as_("rep_a2"), own, NOW + timedelta(days=9))
    assert [p for p in planned(world, v.code) if "planned call" in p[1]] == [first]
    assert first[0] == world.as_("sup_a").actor.name
