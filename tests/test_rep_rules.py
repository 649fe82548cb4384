"""Rules of a rep's day (issue 12, defect 12), on SQLite and PostgreSQL: raising the priority moves the
first-contact task to the new SLA; waking a dormant lead by hand does not leave the wake-up task as its next
follow-up; a call not reached is retried the same or the next working day, not by the 7-day cadence; tags
separated by ; or 、 import as separate tags."""
from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tui_crm import clock
from tui_crm.domain import rules
from tui_crm.services import activity, leads
from tui_crm.services.activity import tasks
from tui_crm.services.importing import ImportOptions, run_import

from conftest import NOW

SH = ZoneInfo("Asia/Shanghai")


def open_tasks(ctx, lead_id):
    return [(t.kind, t.due_at) for t in tasks.open_tasks(ctx, lead_id)]


def test_raising_the_priority_moves_the_first_contact_to_the_new_sla(world):
    rep = world.as_("rep_a1")
    v = world.lead("rep_a1", priority="medium")
    assert open_tasks(rep, v.id) == [("first_contact", NOW + timedelta(hours=48))]
    clock.set_now(NOW + timedelta(hours=2))
    leads.update_lead(rep, v.id, {"priority": "high"})
    assert open_tasks(rep, v.id) == [("first_contact", NOW + timedelta(hours=24))]  # 24 h from assignment
    assert leads.get(rep, v.id).next_follow_up_at == NOW + timedelta(hours=24)
    text = [i.text for i in activity.lead_timeline(rep, v.id) if i.kind == "task"][0]
    assert text == "task moved to the new priority's deadline: first contact, 2024-11-03 10:00 → 2024-11-02 10:00"


def test_waking_a_dormant_lead_by_hand_plans_a_follow_up_not_the_wake_up(world):
    rep = world.as_("rep_a1")
    v = world.lead("rep_a1")
    leads.set_outcome(rep, v.id, "dormant", {"wake_up_at": NOW + timedelta(days=60)})
    assert [k for k, _d in open_tasks(rep, v.id)] == ["wake_up"]
    clock.set_now(NOW + timedelta(days=1))
    leads.set_outcome(rep, v.id, "in_progress", {})
    assert open_tasks(rep, v.id) == [("follow_up", NOW + timedelta(days=8))]  # the stage's cadence from now
    assert leads.get(rep, v.id).next_follow_up_at == NOW + timedelta(days=8)


@pytest.mark.parametrize("at,retry", [
    (datetime(2024, 11, 1, 10, 0, tzinfo=SH), datetime(2024, 11, 1, 12, 0, tzinfo=SH)),  # Friday: 2 h later
    (datetime(2024, 11, 1, 16, 0, tzinfo=SH), datetime(2024, 11, 1, 18, 0, tzinfo=SH)),
    (datetime(2024, 11, 1, 17, 0, tzinfo=SH), datetime(2024, 11, 4, 9, 0, tzinfo=SH)),  # Monday morning
    (datetime(2024, 11, 2, 11, 0, tzinfo=SH), datetime(2024, 11, 4, 9, 0, tzinfo=SH)),  # a Saturday
    (datetime(2024, 11, 4, 7, 30, tzinfo=SH), datetime(2024, 11, 4, 9, 30, tzinfo=SH)),
    (datetime(2024, 11, 4, 5, 0, tzinfo=SH), datetime(2024, 11, 4, 9, 0, tzinfo=SH)),  # before work
])
def test_a_missed_call_is_retried_the_same_or_next_working_day(at, retry):
    assert rules.missed_call_retry(at, SH, rules.Settings()) == retry
    assert rules.missed_call_retry(at, SH, rules.Settings(missed_call_retry_hours=1)) <= retry


def test_logging_a_call_not_reached_plans_the_retry(world):
    rep = world.as_("rep_a1")
    v = world.lead("rep_a1")
    activity.log_followup(rep, v.id, activity.FollowUpInput(method="phone", summary="no answer", reached=False))
    assert open_tasks(rep, v.id) == [("follow_up", NOW + timedelta(hours=2))]  # not in 7 days
    activity.log_followup(rep, v.id, activity.FollowUpInput(method="phone", summary="talked", reached=True))
    assert open_tasks(rep, v.id) == [("follow_up", NOW + timedelta(days=7))]


def test_tags_separated_by_semicolons_or_dunhao_import_as_separate_tags(world, tmp_path):
    path = tmp_path / "tags.csv"
    path.write_text("company,contact_name,phone,source,need,tags\n"
                    "Acme,Bob,13900001111,expo,x,\"vip; 华东、重点，hot；大客户,vip\"\n", encoding="utf-8")
    res = run_import(world.ctx, str(path), ImportOptions())
    assert res.new == 1
    lead = leads.list_leads(world.ctx, search="Acme")[0]
    assert sorted(lead.tags) == sorted(["vip", "华东", "重点", "hot", "大客户"])
