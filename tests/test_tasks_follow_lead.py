"""Which open tasks go with a lead to its new owner. Only the previous owner's own task on that lead alone: a
collaborator's or a supervisor's task on it stays theirs, and one task on several leads (seed 004's trade fair)
stays with its owner when one of its leads moves. A departing rep's handover gives away their tasks on the leads
that move (shared ones too) with them and their tasks of no lead in turn; a task on a lead that stays (closed, a
colleague's) stays with it, since no new owner may see that lead."""
from __future__ import annotations

from datetime import timedelta

from conftest import NOW
from tui_crm.services import leads
from tui_crm.services.activity import tasks
from tui_crm.services.leads import batch_run as batch
from tui_crm.store.models import Task, User


def uid(login):
    return User.get(User.login == login).id


def owner(task_id):
    return User.get_by_id(Task.get_by_id(task_id).owner_id).login


def _desk(world):
    """rep_a1's lead with four open tasks on it: rep_a1's own, a collaborator's (rep_b1), the supervisor's,
    and sup_a's one task for it and a lead of rep_a2."""
    v = world.lead("rep_a1")
    w = world.lead("rep_a2")
    leads.share(world.as_("rep_a1"), v.code, "rep_b1")
    due = NOW + timedelta(days=1)
    own = tasks.add_task(world.as_("rep_a1"), v.code, "call", "call back", due)
    helper = tasks.add_task(world.as_("rep_b1"), v.code, "demo", "pre-sales demo", due, owner_login="rep_b1")
    review = tasks.add_task(world.as_("sup_a"), v.code, "other", "review the offer", due, owner_login="sup_a")
    sup = world.as_("sup_a")
    res = batch.run(sup, batch.Selection(ids=(v.id, w.id)), "task", {"title": "fair follow-up", "due": due,
                                                                     "owner": "rep_a1"})
    assert res.done == 2
    (shared,) = [t.id for t in Task.select().where(Task.title == "fair follow-up")]
    return v, w, {"own": own, "helper": helper, "review": review, "shared": shared}


def test_a_reassign_moves_only_the_previous_owners_own_task_on_the_lead(world):
    v, _w, t = _desk(world)
    leads.reassign(world.as_("sup_a"), v.code, "rep_a2")
    assert {k: owner(i) for k, i in t.items()} == {"own": "rep_a2", "helper": "rep_b1", "review": "sup_a",
                                                   "shared": "rep_a1"}


def test_a_batch_reassign_moves_the_same_tasks_and_its_undo_puts_them_back(world):
    v, _w, t = _desk(world)
    sup = world.as_("sup_a")
    res = batch.run(sup, batch.Selection(ids=(v.id,)), "reassign", {"login": "rep_a2"})
    assert res.done == 1
    assert {k: owner(i) for k, i in t.items()} == {"own": "rep_a2", "helper": "rep_b1", "review": "sup_a",
                                                   "shared": "rep_a1"}
    batch.undo(sup, res.batch_id)
    assert {k: owner(i) for k, i in t.items()} == {"own": "rep_a1", "helper": "rep_b1", "review": "sup_a",
                                                   "shared": "rep_a1"}


def test_a_handover_gives_away_the_departing_reps_tasks_with_their_leads_and_no_one_elses(world):
    v, w, t = _desk(world)
    due = NOW + timedelta(days=1)
    on_colleagues = tasks.add_task(world.as_("sup_a"), w.code, "call", "help rep_a2", due, owner_login="rep_a1")
    won = world.lead("rep_a1")
    leads.set_outcome(world.as_("rep_a1"), won.id, "won", {"won_amount_cents": 100, "product": "x"})
    on_won = tasks.add_task(world.as_("rep_a1"), won.code, "call", "thank them", due)  # a customer's follow-up
    loose = tasks.add_task(world.as_("rep_a1"), None, "other", "office", due)
    result = leads.hand_over(world.ctx, "rep_a1", to_login="rep_a2")
    # the lead's first contact and rep_a1's own call with it, the task it shares, the loose one
    assert result.leads == 1 and result.tasks == 4
    assert {k: owner(i) for k, i in t.items()} == {"own": "rep_a2", "helper": "rep_b1", "review": "sup_a",
                                                   "shared": "rep_a2"}
    assert owner(loose) == "rep_a2"
    # a task on a lead that stays with them (won, or a colleague's) stays too: no new owner may see that lead
    assert Task.get_by_id(on_won).status == "open" and owner(on_won) == "rep_a1"
    assert owner(on_colleagues) == "rep_a1"


def test_one_task_for_several_leads_is_on_a_lead_its_owner_sees_first(world):
    """A supervisor's one task for rep_a2's lead and rep_a1's, given to rep_a1: its own lead was the first of the
    selection, rep_a2's, so rep_a1 saw the task (through their lead) and could not complete it ("no lead … that you
    can see"). The task's own lead is now the first of them its owner has: from the form, the command line's
    list of codes and a batch alike."""
    from tui_crm.services.activity import task_list

    w, v = world.lead("rep_a2"), world.lead("rep_a1")
    sup = world.as_("sup_a")
    due = NOW + timedelta(days=1)
    one = task_list.add_task_for(sup, [w.code, v.code], "fair call", due, owner="rep_a1")
    res = batch.run(sup, batch.Selection(ids=(w.id, v.id)), "task", {"title": "fair mail", "due": due,
                                                                     "owner": "rep_a1"})
    assert res.done == 2
    (other,) = [t.id for t in Task.select().where(Task.title == "fair mail")]
    for tid in (one, other):
        assert Task.get_by_id(tid).lead_id == v.id
        assert task_list.get_task(sup, tid).leads == [v.code, w.code]
        tasks.complete_task(world.as_("rep_a1"), tid, "called")
        assert Task.get_by_id(tid).status == "done"


def test_one_task_sits_on_its_owners_lead_though_that_lead_comes_in_a_later_chunk(world, monkeypatch):
    """The batch's task lead was chosen within its first chunk only: with rep_a1's lead in the second chunk of a
    selection, the task sat on rep_a2's lead and rep_a1 could not complete their own task. It is asked of the
    whole selection now, and the lead's next follow-up is the task's once its chunk has run."""
    from tui_crm.services.leads import batch as batch_core
    from tui_crm.store.models import Lead

    for name in ("CHUNK_FIRST", "CHUNK_MIN", "CHUNK_MAX"):
        monkeypatch.setattr(batch_core, name, 1)
    monkeypatch.setattr(batch_core, "LOCK_GAP", 0)
    w, v = world.lead("rep_a2"), world.lead("rep_a1")
    assert w.id < v.id
    due = NOW + timedelta(days=2)
    res = batch.run(world.as_("sup_a"), batch.Selection(ids=(w.id, v.id)), "task",
                    {"title": "fair mail", "due": due, "owner": "rep_a1"})
    assert res.done == 2
    (tid,) = [t.id for t in Task.select().where(Task.title == "fair mail")]
    assert Task.get_by_id(tid).lead_id == v.id
    assert Lead.get_by_id(v.id).next_follow_up_at is not None
    tasks.complete_task(world.as_("rep_a1"), tid, "mailed")
    assert Task.get_by_id(tid).status == "done"


def test_one_task_for_an_owner_who_sees_none_of_the_leads_is_refused_in_one_line(world):
    """A task given to rep_a1 on rep_a2's leads alone would be theirs on leads they cannot open: refused, nothing
    written."""
    import pytest

    from tui_crm.services.errors import ValidationError

    w = world.lead("rep_a2")
    before = Task.select().count()
    with pytest.raises(ValidationError) as err:
        batch.run(world.as_("sup_a"), batch.Selection(ids=(w.id,)), "task",
                  {"title": "not theirs", "due": NOW + timedelta(days=1), "owner": "rep_a1"})
    assert "rep_a1 can see none of the marked leads" in str(err.value) and "\n" not in str(err.value)
    assert Task.select().count() == before


def test_one_task_for_a_deactivated_owner_is_refused(world):
    """The batch's task form gave 40 leads' task to a deactivated rep (user pass): `tasks add --owner` and a
    reassign refused such an owner, the batch did not."""
    import pytest

    from tui_crm.services.errors import ValidationError

    v = world.lead("rep_a1")
    User.update(active=False).where(User.login == "rep_a2").execute()
    with pytest.raises(ValidationError, match="user rep_a2 is deactivated"):
        batch.run(world.as_("sup_a"), batch.Selection(ids=(v.id,)), "task",
                  {"title": "gone", "due": NOW + timedelta(days=1), "owner": "rep_a2"})
    assert not Task.select().where(Task.title == "gone").exists()


def test_a_task_on_several_leads_is_in_each_leads_detail_under_that_leads_code(world):
    """The detail listed only a lead's own tasks: the trade fair's one task was missing from 39 of its 40 leads, so
    `c` could not complete it there (user pass). Each linked lead lists it, under its own code (the task's own lead
    may be beyond the reader)."""
    from tui_crm.services.leads import load_detail

    v, w = world.lead("rep_a1"), world.lead("rep_a1")
    sup = world.as_("sup_a")
    batch.run(sup, batch.Selection(ids=(v.id, w.id)), "task", {"title": "fair mail", "due": NOW + timedelta(days=1),
                                                               "owner": "rep_a1"})
    (tid,) = [t.id for t in Task.select().where(Task.title == "fair mail")]
    assert Task.get_by_id(tid).lead_id == v.id
    rep = world.as_("rep_a1")
    shown = [(t.id, t.lead_code) for t in load_detail(rep, w.id).tasks]
    assert (tid, w.code) in shown
    assert (tid, v.code) in [(t.id, t.lead_code) for t in load_detail(rep, v.id).tasks]
    tasks.complete_task(rep, tid, "mailed")  # what `c` on that row does
    assert tid not in [t.id for t in load_detail(rep, w.id).tasks]


def test_a_reminder_is_set_for_one_task_and_for_the_batchs_and_refused_out_of_range(world):
    """Seed 004's reminder minutes before due: `tasks add --remind` set it, the `+` and the batch task forms could
    not (user pass); both take it now, and the same refusal."""
    import pytest

    from tui_crm.services.errors import ValidationError

    v, w = world.lead("rep_a1"), world.lead("rep_a1")
    due = NOW + timedelta(days=1)
    one = tasks.add_task(world.as_("rep_a1"), v.code, "call", "call", due, remind=45)
    assert Task.get_by_id(one).remind_minutes == 45
    batch.run(world.as_("sup_a"), batch.Selection(ids=(v.id, w.id)), "task",
              {"title": "fair", "due": due, "owner": "rep_a1", "remind": 90})
    assert Task.get(Task.title == "fair").remind_minutes == 90
    for bad in (-1, 7 * 24 * 60 + 1, "soon"):
        with pytest.raises(ValidationError, match="a reminder is 0 to 10080 minutes before due"):
            batch.run(world.as_("sup_a"), batch.Selection(ids=(v.id,)), "task",
                      {"title": "bad", "due": due, "remind": bad})
