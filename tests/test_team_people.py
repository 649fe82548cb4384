"""Handover in one step (to one user or spread over a team), deactivation, who may reassign, sharing with a
collaborator and taking it back."""
from __future__ import annotations

import json
from datetime import timedelta

import pytest

from conftest import NOW
from tui_crm.services import activity, admin, leads
from tui_crm.services.activity import tasks
from tui_crm.services.errors import AccessDenied, NotFound, ValidationError
from tui_crm.store.models import Change, FollowUp, Lead, Notification, Task, User


def uid(login):
    return User.get(User.login == login).id


def test_a_departing_reps_pipeline_is_spread_over_a_team_keeping_the_history_authors(world):
    mine = [world.lead("rep_a1") for _ in range(4)]
    activity.log_followup(world.as_("rep_a1"), mine[0].code, activity.FollowUpInput(summary="first call"))
    loose = [tasks.add_task(world.as_("rep_a1"), None, "other", f"office {n}", NOW + timedelta(days=1))
             for n in range(2)]
    result = leads.hand_over(world.ctx, "rep_a1", spread="A")
    assert (result.leads, result.tasks) == (4, 6)  # each lead's first contact, and the two of no lead
    assert result.to == {"sup_a": 2, "rep_a2": 2}
    owners = [Lead.get_by_id(v.id).owner_id for v in mine]
    assert owners == [uid("sup_a"), uid("rep_a2"), uid("sup_a"), uid("rep_a2")]
    for v in mine:  # the open tasks went with their lead
        assert {t.owner_id for t in Task.select().where((Task.lead == v.id) & (Task.status == "open"))} == {
            Lead.get_by_id(v.id).owner_id}
    assert {Task.get_by_id(t).owner_id for t in loose} == {uid("sup_a"), uid("rep_a2")}
    assert FollowUp.get(FollowUp.lead == mine[0].id).user_id == uid("rep_a1")  # authors kept
    assert Change.select().where(Change.action == "handover").count() == 4  # one entry per lead
    notes = {n.user_id: n.text for n in Notification.select().where(Notification.kind == "assignment")}
    assert notes[uid("sup_a")] == f"{world.ctx.actor.name} handed over 2 leads and 3 tasks of Rep A1 to you"
    texts = [i.text for i in activity.lead_timeline(world.ctx, mine[0].code)]
    assert any(t.startswith("handed over from Rep A1 to Sup A") for t in texts)


def test_deactivate_hands_over_and_the_login_can_no_longer_act(world):
    v = world.lead("rep_a1")
    with pytest.raises(ValidationError, match="--to"):
        leads.deactivate(world.ctx, "rep_a1")
    with pytest.raises(AccessDenied):
        leads.deactivate(world.as_("sup_a"), "rep_a1", "rep_a2")
    with pytest.raises(ValidationError, match="yourself"):
        leads.deactivate(world.ctx, "boss", "rep_a2")
    result = leads.deactivate(world.ctx, "rep_a1", "rep_a2")
    assert result.leads == 1 and Lead.get_by_id(v.id).owner_id == uid("rep_a2")
    assert not User.get(User.login == "rep_a1").active
    with pytest.raises(AccessDenied, match="deactivated"):
        world.as_("rep_a1")
    (entry,) = Change.select().where(Change.action == "deactivate")
    assert json.loads(entry.diff)["active"] == [True, False]
    with pytest.raises(ValidationError, match="deactivated"):
        leads.reassign(world.ctx, v.code, "rep_a1")


def test_a_supervisor_hands_over_only_within_their_team(world):
    world.lead("rep_b1")
    with pytest.raises(AccessDenied):
        leads.hand_over(world.as_("sup_a"), "rep_b1", "rep_a1")
    with pytest.raises(AccessDenied):
        leads.hand_over(world.as_("sup_a"), "rep_a1", "rep_b1")
    with pytest.raises(AccessDenied):
        leads.hand_over(world.as_("rep_a1"), "rep_a1", "rep_a2")
    with pytest.raises(ValidationError, match="one user"):
        leads.hand_over(world.ctx, "rep_a1", "rep_a2", spread="A")


def test_only_the_owner_their_supervisor_or_an_admin_reassigns_and_collaborators_work_on_it(world):
    v = world.lead("rep_a1", phone="13912345678")
    assert leads.share(world.as_("rep_a1"), v.code, "rep_b1") is True
    assert leads.collaborators(world.as_("rep_a1"), v.code) == [("rep_b1", "Rep B1")]
    helper = world.as_("rep_b1")
    seen = leads.get(helper, v.code)
    assert seen.phone == "+8613912345678" and not seen.masked  # a collaborator sees the contacts in full
    activity.log_followup(helper, v.code, activity.FollowUpInput(summary="pre-sales call"))  # and logs on it
    with pytest.raises(AccessDenied, match="owner"):
        leads.reassign(helper, v.code, "rep_b1")
    with pytest.raises(AccessDenied):
        leads.share(helper, v.code, "sup_b")
    with pytest.raises(NotFound):
        leads.reassign(world.as_("sup_b"), v.code, "rep_b1")  # not the owner's supervisor: not theirs to see
    leads.reassign(world.as_("sup_a"), v.code, "rep_a2")
    assert leads.share(world.as_("rep_a2"), v.code, "rep_b1", remove=True) is True
    with pytest.raises(NotFound):
        leads.get(world.as_("rep_b1"), v.code)
    actions = [c.action for c in Change.select().where(Change.lead_id == v.id).order_by(Change.id)]
    assert "share" in actions and "unshare" in actions
