"""Record-level access: rep / supervisor / admin × read / write; refusals change nothing."""
from datetime import timedelta

import pytest

from tui_crm import clock
from tui_crm.services import activity, leads
from tui_crm.services.errors import AccessDenied, NotFound, StaleRecord, ValidationError
from tui_crm.store.models import Change, Lead


@pytest.fixture
def leads3(world):
    a1 = world.lead("rep_a1", company="北京华为科技有限公司", phone="138 1234 5678")
    a2 = world.lead("rep_a2")
    b1 = world.lead("rep_b1")
    return a1, a2, b1


def codes(ctx):
    return {v.code for v in leads.list_leads(ctx)}


def test_read_scope(world, leads3):
    a1, a2, b1 = leads3
    assert codes(world.as_("rep_a1")) == {a1.code}
    assert codes(world.as_("sup_a")) == {a1.code, a2.code}
    assert codes(world.as_("sup_b")) == {b1.code}
    assert codes(world.as_("boss")) == {a1.code, a2.code, b1.code}


def test_rep_cannot_read_or_write_others_lead(world, leads3):
    a1, a2, _ = leads3
    rep = world.as_("rep_a1")
    before = Lead.get_by_id(a2.id).version
    n_changes = Change.select().count()
    with pytest.raises(NotFound):
        leads.get(rep, a2.code)
    with pytest.raises(NotFound):
        leads.update_lead(rep, a2.code, {"company": "hijacked"})
    with pytest.raises(NotFound):
        leads.move_stage(rep, a2.code, "qualified")
    with pytest.raises(NotFound):
        activity.log_followup(rep, a2.code, activity.FollowUpInput(summary="x"))
    assert Lead.get_by_id(a2.id).version == before
    assert Lead.get_by_id(a2.id).company == a2.company
    assert Change.select().count() == n_changes


def test_supervisor_writes_team_not_other_team(world, leads3):
    a1, _, b1 = leads3
    sup = world.as_("sup_a")
    assert leads.update_lead(sup, a1.code, {"remarks": "checked"}).remarks == "checked"
    with pytest.raises(NotFound):
        leads.update_lead(sup, b1.code, {"remarks": "nope"})
    assert Lead.get_by_id(b1.id).remarks is None


def test_admin_writes_all(world, leads3):
    _, _, b1 = leads3
    assert leads.update_lead(world.as_("boss"), b1.code, {"industry": "医疗"}).industry == "医疗"


def test_shared_lead_visible_and_editable(world, leads3):
    _, a2, _ = leads3
    leads.share(world.as_("rep_a2"), a2.code, "rep_a1")
    rep = world.as_("rep_a1")
    assert a2.code in codes(rep)
    v = leads.get(rep, a2.code)
    assert not v.masked  # collaborators see contacts in full
    assert leads.update_lead(rep, a2.code, {"remarks": "helping"}).remarks == "helping"


def test_rep_cannot_assign_to_someone_else(world):
    with pytest.raises(AccessDenied):
        world.lead("rep_a1", owner="rep_a2")
    assert Lead.select().count() == 0
    sup_made = world.lead("sup_a", owner="rep_a2")
    assert sup_made.owner_login == "rep_a2"
    with pytest.raises(AccessDenied):
        world.lead("sup_a", owner="rep_b1")


def test_masking_by_role(world, leads3):
    a1, _, _ = leads3
    assert leads.get(world.as_("rep_a1"), a1.code).phone == "+8613812345678"
    assert leads.get(world.as_("sup_a"), a1.code).phone == "+8613812345678"
    admin_view = leads.get(world.as_("boss"), a1.code)
    assert admin_view.phone == "138****5678" and admin_view.masked


def test_reveal_is_audited(world, leads3):
    a1, _, _ = leads3
    boss = world.as_("boss")
    v = leads.reveal(boss, a1.code)
    assert v.phone == "+8613812345678"
    audit = Change.select().where((Change.lead_id == a1.id) & (Change.action == "reveal")).get()
    assert audit.user_id == boss.actor.id


def test_search_substring_cjk_and_phone_suffix(world, leads3):
    a1, _, _ = leads3
    rep = world.as_("rep_a1")
    assert [v.code for v in leads.list_leads(rep, search="科技")] == [a1.code]
    assert [v.code for v in leads.list_leads(rep, search="5678")] == [a1.code]
    assert [v.code for v in leads.list_leads(rep, search="138 1234 5678")] == [a1.code]
    assert [v.code for v in leads.list_leads(rep, search="华为")] == [a1.code]  # two chars: fallback


def test_search_never_matches_masked_digits(world, leads3):
    a1, _, _ = leads3
    boss = world.as_("boss")  # sees a1's phone masked
    assert leads.list_leads(boss, search="5678") == []
    assert [v.code for v in leads.list_leads(boss, search="13812345678")] == [a1.code]  # full number finds it


def test_stale_write_refused_naming_who(world, leads3):
    a1, _, _ = leads3
    rep = world.as_("rep_a1")
    old_version = leads.get(rep, a1.code).version
    leads.update_lead(world.as_("sup_a"), a1.code, {"remarks": "from the supervisor"})
    with pytest.raises(StaleRecord) as err:
        leads.update_lead(rep, a1.code, {"remarks": "mine"}, version=old_version)
    assert "Sup A" in str(err.value) and "remarks" in str(err.value)
    assert Lead.get_by_id(a1.id).remarks == "from the supervisor"


def test_every_write_has_a_change_entry(world, leads3):
    a1, _, _ = leads3
    rep = world.as_("rep_a1")
    start = Change.select().count()
    leads.move_stage(rep, a1.code, "qualified")
    activity.log_followup(rep, a1.code, activity.FollowUpInput(summary="called"))
    actions = [c.action for c in Change.select().where(Change.id > 0).order_by(Change.id)][start:]
    assert "move" in actions and "log" in actions


def test_new_lead_gets_sla_task_and_code(world):
    v = world.lead("rep_a1", priority="high", source="展会")
    assert v.code == "EXPO-20241101-001"
    assert v.next_follow_up_at == clock.now() + timedelta(hours=24)
    assert v.status == "pending" and v.stage == "acquired"
    w = world.lead("rep_a1", source="expo")
    assert w.code == "EXPO-20241101-002"


def test_incomplete_lead_gets_complete_record_task(world):
    from tui_crm.services.activity import tasks

    v = world.lead("rep_a1", need="", phone=None, email="a@b.cn", other_contact=None)
    assert "need" in v.incomplete
    kinds = {t.kind for t in tasks.open_tasks(world.as_("rep_a1"), v.code)}
    assert kinds == {"first_contact", "complete_record"}
    assert v.next_follow_up_at == clock.now() + timedelta(hours=2)


def test_duplicate_phone_refused(world, leads3):
    with pytest.raises(ValidationError) as err:
        world.lead("rep_a1", phone="+86 138-1234-5678")
    assert leads3[0].code in str(err.value)


def test_bad_phone_is_a_validation_error_and_writes_nothing(world):
    with pytest.raises(ValidationError) as err:
        world.lead("rep_a1", phone="not a phone")
    assert "phone" in err.value.fields
    assert Lead.select().count() == 0


def test_escalation_after_three_days_notifies_the_supervisor(world):
    v = world.lead("rep_a1")
    sup = world.as_("sup_a")
    assert activity.sweep_escalations(sup) == 0
    clock.advance(timedelta(days=3))
    assert activity.sweep_escalations(sup) == 1
    assert activity.sweep_escalations(sup) == 0  # once only
    notes = activity.notifications(world.as_("sup_a"))
    assert [n.kind for n in notes] == ["escalation"] and v.code in notes[0].text
    assert activity.notifications(world.as_("sup_b")) == []
    assert leads.get(world.as_("rep_a1"), v.code).escalated


def test_followup_completes_task_and_plans_next_by_cadence(world):
    from tui_crm.services.activity import tasks

    v = world.lead("rep_a1")
    rep = world.as_("rep_a1")
    activity.log_followup(rep, v.code, activity.FollowUpInput(method="wechat", summary="聊了需求"))
    open_ = tasks.open_tasks(rep, v.code)
    assert [(t.kind, t.due_at) for t in open_] == [("follow_up", clock.now() + timedelta(days=7))]
    after = leads.get(rep, v.code)
    assert after.status == "in_progress" and after.first_contact_at == clock.now()
    assert activity.last_method(rep) == "wechat"


def test_three_missed_calls_suggest_lost(world):
    v = world.lead("rep_a1")
    rep = world.as_("rep_a1")
    for i in range(3):
        assert not activity.suggest_lost(rep, v.code)
        clock.advance(timedelta(hours=1))
        activity.log_followup(rep, v.code, activity.FollowUpInput(summary="no answer", reached=False))
    assert activity.suggest_lost(rep, v.code)


def test_entering_proposal_plans_revisit_and_stay_reason_needed_after_7_days(world):
    from tui_crm.services.activity import tasks

    v = world.lead("rep_a1")
    rep = world.as_("rep_a1")
    leads.move_stage(rep, v.code, "proposal")
    assert any(t.kind == "revisit" and t.due_at == clock.now() + timedelta(days=3)
               for t in tasks.open_tasks(rep, v.code))
    clock.advance(timedelta(days=7, seconds=1))
    with pytest.raises(ValidationError) as err:
        leads.move_stage(rep, v.code, "negotiation")
    assert "reason" in err.value.fields
    moved = leads.move_stage(rep, v.code, "negotiation", reason="客户内部审批")
    assert moved.stage == "negotiation"


def test_outcomes_require_their_fields(world):
    v = world.lead("rep_a1")
    rep = world.as_("rep_a1")
    with pytest.raises(ValidationError):
        leads.set_outcome(rep, v.code, "lost", {})
    with pytest.raises(ValidationError):
        leads.set_outcome(rep, v.code, "dormant", {})
    with pytest.raises(ValidationError):
        leads.set_outcome(rep, v.code, "paused", {})
    with pytest.raises(ValidationError):
        leads.set_outcome(rep, v.code, "won", {"won_amount_cents": 100})
    assert leads.get(rep, v.code).status == "pending"
    lost = leads.set_outcome(rep, v.code, "lost", {"lost_reason": "价格过高"})
    assert lost.status == "lost" and lost.next_follow_up_at is None
    reopened = leads.set_outcome(rep, v.code, "in_progress", {})
    assert reopened.status == "in_progress" and reopened.lost_reason is None


def test_stalled_ignores_a_lead_with_a_later_task_even_if_an_older_one_is_overdue(world):
    from tui_crm.services.activity import tasks

    worked = world.lead("rep_a1")
    idle = world.lead("rep_a1")
    rep = world.as_("rep_a1")
    tasks.add_task(rep, worked.code, "other", "call back next month", clock.now() + timedelta(days=30))
    clock.advance(timedelta(days=8))  # both first-contact tasks overdue; both 8 days in stage
    stalled = {v.code for v in leads.list_leads(rep, filter="stalled")}
    assert stalled == {idle.code}
    flags = {v.code: v.stalled for v in leads.list_leads(rep)}
    assert flags == {idle.code: True, worked.code: False}
