"""The monthly clean-up (seed 003): the saved filter of invalid leads and marking them lost as invalid."""
from __future__ import annotations

import pytest

from tui_crm.services import activity, leads
from tui_crm.services.errors import AccessDenied
from tui_crm.services.leads import cleanup
from tui_crm.store.models import Change, Lead


def test_the_invalid_filter_finds_wrong_numbers_missed_calls_and_refusals(world):
    good = world.lead("rep_a1")
    wrong = world.lead("rep_a1")
    Lead.update(phone="+86123").where(Lead.id == wrong.id).execute()  # stored as read, not a number
    mailed = world.lead("rep_a1", email="a@example.com")
    Lead.update(phone="+86123").where(Lead.id == mailed.id).execute()  # an email still reaches them
    missed = world.lead("rep_a1")
    refused = world.lead("rep_a1")
    rep = world.as_("rep_a1")
    for _ in range(3):
        activity.log_followup(rep, missed.code, activity.FollowUpInput(summary="no answer", reached=False))
    activity.log_followup(rep, refused.code, activity.FollowUpInput(summary="不需要", sentiment="resistant"))
    other = world.lead("rep_b1")
    Lead.update(phone=None, email=None, other_contact="wechat x").where(Lead.id == other.id).execute()
    found = {v.code for v in leads.list_leads(rep, filter="invalid")}
    assert found == {wrong.code, missed.code, refused.code}
    assert good.code not in found and mailed.code not in found
    assert cleanup.why_invalid(rep, Lead.get_by_id(missed.id)) == ["3 calls in a row unreached"]
    assert {v.code for v in leads.list_leads(world.ctx, filter="invalid")} == found | {other.code}


def test_the_clean_up_marks_them_lost_as_invalid_one_entry_each(world):
    wrong = world.lead("rep_a1")
    Lead.update(phone="+86123").where(Lead.id == wrong.id).execute()
    keep = world.lead("rep_a1")
    with pytest.raises(AccessDenied):
        cleanup.clean_up(world.as_("rep_a1"))
    assert cleanup.clean_up(world.as_("sup_a")) == [wrong.code]
    lead = Lead.get_by_id(wrong.id)
    assert (lead.status, lead.lost_reason) == ("lost", "invalid lead")
    assert Lead.get_by_id(keep.id).status == "pending"
    assert Change.select().where((Change.action == "lost") & (Change.lead_id == wrong.id)).count() == 1
    assert leads.list_leads(world.ctx, filter="invalid") == []
