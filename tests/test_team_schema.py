"""Schema v12 (team operations): a v11 database upgrades in place to the tables and columns the team's rules,
tags, tasks and settings need, keeping its data; the rules' numbers per team override the global ones."""
from __future__ import annotations

import pytest

from tui_crm.services import admin, leads
from tui_crm.services.context import open_session, settings_for_owner, settings_for_team
from tui_crm.services.errors import AccessDenied, ValidationError
from tui_crm.store.models import User


def test_v11_database_gets_the_team_tables_and_columns_on_upgrade(world):
    from tui_crm.store import db as store_db, schema

    lead = world.lead("rep_a1", company="Kept Co")
    db = world.ctx.db
    for table in ("lead_assignment", "auto_tag_rule", "assignment_rule"):  # as a v11 database is
        db.execute_sql(f'DROP TABLE "{table}"')
    for table, col in (("team", "settings"), ("task", "sentiment_before"), ("task", "sentiment_after")):
        db.execute_sql(f'ALTER TABLE "{table}" DROP COLUMN {col}')
    db.execute_sql("UPDATE meta SET value = '11' WHERE key = 'schema_version'")
    world.ctx.close()
    store_db._OPEN.clear()
    ctx = open_session(world.url, "boss", upgrade=True)
    assert schema.current_version(ctx.db) == schema.LATEST >= 12 and schema.check(ctx.db) == []
    assert {"assignment_rule", "auto_tag_rule", "lead_assignment"} <= set(ctx.db.get_tables())
    assert "settings" in {c.name for c in ctx.db.get_columns("team")}
    assert {"sentiment_before", "sentiment_after"} <= {c.name for c in ctx.db.get_columns("task")}
    assert leads.get(ctx, lead.code).company == "Kept Co"


def test_a_team_sets_its_own_numbers_and_they_apply_to_its_leads_only(world):
    ctx = world.ctx
    view = admin.teams.set_team(ctx, "A", sla_hours={"high": 4}, escalate_after_days=1, stall_after_days=14,
                                cadence_days={"proposal": 2})
    assert view.settings == {"sla_hours": {"high": 4}, "escalate_after_days": 1, "stall_after_days": 14,
                             "cadence_days": {"proposal": 2}}
    a1 = User.get(User.login == "rep_a1").id
    b1 = User.get(User.login == "rep_b1").id
    s = settings_for_owner(ctx, a1)
    assert (s.sla_hours, s.escalate_after_days, s.stall_after_days) == (
        {"high": 4, "medium": 48, "low": 72}, 1, 14)
    assert s.cadence_days["proposal"] == 2 and s.cadence_days["acquired"] == 7
    assert settings_for_owner(ctx, b1) == ctx.settings
    assert settings_for_team(ctx, None) == ctx.settings
    # back to the global numbers
    admin.teams.set_team(ctx, "A", clear=["sla_hours", "escalate_after_days", "stall_after_days", "cadence_days"])
    assert settings_for_owner(ctx, a1) == ctx.settings


def test_team_changes_are_an_admins_audited_and_checked(world):
    from tui_crm.services.admin import audit

    with pytest.raises(AccessDenied):  # a supervisor sets their own team's numbers only (test_admin_supervisor)
        admin.teams.set_team(world.as_("sup_a"), "B", stall_after_days=3)
    with pytest.raises(AccessDenied):
        admin.teams.add_team(world.as_("rep_a1"), "C")
    with pytest.raises(ValidationError, match="unknown stage"):
        admin.teams.set_team(world.ctx, "A", cadence_days={"nowhere": 3})
    with pytest.raises(ValidationError, match="whole number"):
        admin.teams.set_team(world.ctx, "A", stall_after_days="soon")
    with pytest.raises(ValidationError, match="already exists"):
        admin.teams.add_team(world.ctx, "A")
    t = admin.teams.add_team(world.ctx, "North", supervisor="rep_b1")
    assert (t.name, t.supervisor) == ("North", "rep_b1")
    assert User.get(User.login == "rep_b1").role == "supervisor"
    admin.teams.set_team(world.ctx, "North", stall_after_days=10)
    entries = [e for e in audit.entries(world.ctx) if e.entity == "team"]
    assert {e.action for e in entries} >= {"create", "settings"}
    assert [t.name for t in admin.teams.list_teams(world.as_("sup_a"))] == ["A"]
    assert {t.name for t in admin.teams.list_teams(world.ctx)} == {"A", "B", "North"}


def test_a_teams_numbers_drive_sla_cadence_stall_and_escalation_of_its_leads(world):
    from datetime import timedelta

    from tui_crm import clock
    from tui_crm.services import activity
    from tui_crm.store.models import Lead, Task

    admin.teams.set_team(world.ctx, "A", sla_hours={"medium": 4}, cadence_days={"acquired": 2},
                         stall_after_days=2, escalate_after_days=1)
    a = world.lead("rep_a1")
    b = world.lead("rep_b1")
    due = {v.code: Task.get((Task.lead == v.id) & (Task.kind == "first_contact")).due_at for v in (a, b)}
    now = int(clock.now().timestamp())
    assert (due[a.code] - now, due[b.code] - now) == (4 * 3600, 48 * 3600)  # SLA
    clock.advance(timedelta(days=1, hours=1))
    assert activity.sweep_escalations(world.ctx) == 1  # team A escalates after 1 day, B after 3
    assert Lead.get_by_id(a.id).escalated and not Lead.get_by_id(b.id).escalated
    clock.advance(timedelta(days=2))  # 3 days 1 h: B's too
    assert activity.sweep_escalations(world.ctx) == 1
    # cadence: a follow-up logged plans the next one by the team's days
    for v in (a, b):
        activity.log_followup(world.as_(v.owner_login), v.code, activity.FollowUpInput(summary="hello"))
    nxt = {v.code: int(leads.get(world.ctx, v.code).next_follow_up_at.timestamp()) for v in (a, b)}
    now = int(clock.now().timestamp())
    assert (nxt[a.code] - now, nxt[b.code] - now) == (2 * 86400, 7 * 86400)
    # stall: 2 days in the stage with nothing planned stalls team A's lead, not B's (7 days)
    Task.update(status="done").where(Task.lead.in_([a.id, b.id])).execute()
    for v in (a, b):
        Lead.update(next_follow_up_at=None, plan_until=None).where(Lead.id == v.id).execute()
    stalled = {v.code for v in leads.list_leads(world.ctx, filter="stalled")}
    assert stalled == {a.code}
    assert leads.get(world.ctx, a.code).stalled and not leads.get(world.ctx, b.code).stalled
