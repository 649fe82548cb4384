"""The domain rules (SLA, cadence, stall, escalation, due states, codes), with hand-computed expectations."""
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from tui_crm.domain import rules
from tui_crm.domain.rules import Settings

S = Settings()
SH = ZoneInfo("Asia/Shanghai")
T0 = datetime(2024, 11, 1, 2, 0, tzinfo=timezone.utc)


def test_lead_code_default_pattern():
    assert rules.lead_code(S.code_pattern, "expo", datetime(2024, 11, 1), 1) == "EXPO-20241101-001"
    assert rules.lead_code(S.code_pattern, "website", datetime(2024, 1, 9), 42) == "WEBSITE-20240109-042"
    assert rules.code_prefix(S.code_pattern, "expo", datetime(2024, 11, 1)) == "EXPO-20241101-"


def test_lead_code_configurable_pattern():
    assert rules.lead_code("L{YYYY}{MM}-{SEQ:05}", "ads", datetime(2025, 3, 4), 7) == "L202503-00007"


@pytest.mark.parametrize("prio,hours", [("high", 24), ("medium", 48), ("low", 72)])
def test_first_contact_sla(prio, hours):
    assert rules.first_contact_due(T0, prio, S) == T0 + timedelta(hours=hours)


def test_escalation_after_three_days_uncontacted():
    assigned = T0
    assert not rules.needs_escalation(assigned, False, "pending", T0 + timedelta(days=2, hours=23), S)
    assert rules.needs_escalation(assigned, False, "pending", T0 + timedelta(days=3), S)
    assert not rules.needs_escalation(assigned, True, "pending", T0 + timedelta(days=4), S)
    assert not rules.needs_escalation(assigned, False, "lost", T0 + timedelta(days=4), S)


def test_complete_record_task_in_two_hours():
    assert rules.complete_record_due(T0, S) == T0 + timedelta(hours=2)


@pytest.mark.parametrize("stage,status,own,days", [
    ("acquired", "in_progress", None, 7), ("qualified", "pending", None, 7), ("proposal", "in_progress", None, 3),
    ("negotiation", "in_progress", None, 3), ("negotiation", "won", None, 30), ("proposal", "in_progress", 10, 10),
    ("custom", "in_progress", None, 7)])
def test_cadence(stage, status, own, days):
    assert rules.cadence_days(stage, status, own, S) == days
    assert rules.next_follow_up(T0, stage, status, own, S) == T0 + timedelta(days=days)


def test_revisit_only_on_entering_proposal():
    assert rules.revisit_due(T0, "proposal", S) == T0 + timedelta(days=3)
    assert rules.revisit_due(T0, "qualified", S) is None


def test_stall_needs_more_than_seven_days_and_nothing_planned():
    entered = T0 - timedelta(days=7)
    assert not rules.overstayed(entered, T0, S)  # exactly 7×24 h is not more than
    assert rules.overstayed(entered - timedelta(seconds=1), T0, S)
    old = T0 - timedelta(days=8)
    assert rules.is_stalled("in_progress", old, None, T0, S)
    assert rules.is_stalled("in_progress", old, T0 - timedelta(hours=1), T0, S)  # overdue is not planned
    assert not rules.is_stalled("in_progress", old, T0 + timedelta(hours=1), T0, S)  # planned: being worked
    assert not rules.is_stalled("won", old, None, T0, S)
    assert not rules.is_stalled("in_progress", T0 - timedelta(days=2), None, T0, S)


def test_three_missed_calls_suggest_lost():
    assert rules.suggest_lost([False, False, False], S)
    assert rules.suggest_lost([False, False, False, True], S)
    assert not rules.suggest_lost([False, False, True], S)
    assert not rules.suggest_lost([False, False], S)


def test_due_state_uses_local_day_not_utc():
    # 2024-11-01 23:30 in Shanghai is 15:30 UTC; a task at 00:30 Shanghai next day
    now = datetime(2024, 11, 1, 15, 30, tzinfo=timezone.utc)
    due = datetime(2024, 11, 1, 16, 30, tzinfo=timezone.utc)  # 00:30 on Nov 2 local
    assert rules.due_state("in_progress", due, now, SH) == rules.PLANNED
    # the same instants read in UTC would both be Nov 1 (the bug this guards against)
    assert rules.due_state("in_progress", due, now, timezone.utc) == rules.DUE_TODAY
    assert rules.due_state("in_progress", now - timedelta(minutes=1), now, SH) == rules.OVERDUE


def test_paused_dormant_closed_never_overdue():
    past = T0 - timedelta(days=3)
    assert rules.due_state("paused", past, T0, SH) == rules.PLANNED
    for status in ("dormant", "won", "lost"):
        assert rules.due_state(status, past, T0, SH) == rules.NOTHING
    assert rules.due_state("pending", None, T0, SH) == rules.NOTHING


def test_overdue_days_counts_local_days():
    now = datetime(2024, 11, 3, 2, 0, tzinfo=timezone.utc)  # Nov 3 10:00 local
    assert rules.overdue_days(datetime(2024, 11, 1, 1, 0, tzinfo=timezone.utc), now, SH) == 2
    assert rules.overdue_days(datetime(2024, 11, 3, 1, 0, tzinfo=timezone.utc), now, SH) == 0


def test_day_bounds_across_dst():
    ny = ZoneInfo("America/New_York")
    start, nxt = rules.day_bounds(datetime(2024, 11, 3, 12, 0, tzinfo=timezone.utc), ny)
    utc = timezone.utc
    assert nxt.astimezone(utc) - start.astimezone(utc) == timedelta(hours=25)  # DST ends: a 25 h day


def test_outcome_requirements():
    assert rules.check_outcome("won", {"won_amount": 1, "product": "x", "won_at": T0}) == []
    assert rules.check_outcome("won", {"won_amount": 1}) == ["product", "won_at"]
    assert rules.check_outcome("lost", {}) == ["lost_reason"]
    assert rules.check_outcome("dormant", {}) == ["wake_up_at"]
    assert rules.check_outcome("paused", {"pause_reason": ""}) == ["pause_reason"]


def test_status_transitions():
    rules.check_status_change("pending", "won")
    rules.check_status_change("lost", "in_progress")  # reopen
    with pytest.raises(rules.RuleError):
        rules.check_status_change("won", "lost")
    with pytest.raises(rules.RuleError):
        rules.check_status_change("lost", "won")


def test_stage_moves():
    stages = ["acquired", "qualified", "proposal"]
    assert rules.neighbour_stage(stages, "acquired", 1) == "qualified"
    assert rules.neighbour_stage(stages, "proposal", 1) is None
    assert rules.neighbour_stage(stages, "acquired", -1) is None
    with pytest.raises(rules.RuleError):
        rules.check_stage_move("won", stages, "acquired", "qualified")
    with pytest.raises(rules.RuleError):
        rules.check_stage_move("in_progress", stages, "acquired", "nope")


def test_missing_required():
    full = {"company": "c", "contact_name": "n", "source": "expo", "need": "x", "owner": 1, "phone": "+86"}
    assert rules.missing_required(full) == []
    assert rules.missing_required({**full, "phone": None}) == ["contact"]
    assert rules.missing_required({**full, "need": ""}) == ["need"]
    assert rules.missing_required({**full, "status": "won"}) == ["product", "won_at"]


def test_settings_round_trip_and_unknown_keys():
    s = Settings.from_dict({"stall_after_days": 10, "bogus": 1})
    assert s.stall_after_days == 10 and s.sla_hours["high"] == 24
    assert Settings.from_dict(s.to_dict()) == s
