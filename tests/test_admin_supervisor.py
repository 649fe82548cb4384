"""A supervisor administers their own team (issue 15 item 1): its users (name, language, time zone; their
leads handed over within the team), its numbers (SLA hours, escalation and stall days, cadence), and reads
the assignment rules that give it leads. The services enforce it, so the command line obeys the same rules:
tried as an attacker, a supervisor changing another team's numbers or users, a role, a team's supervisor, a
rule, or deactivating anyone, is refused in one line and nothing changes (both backends for the services)."""
from __future__ import annotations

import json

import pytest

from tui_crm.services import admin, leads
from tui_crm.services.admin import rules, teams
from tui_crm.services.errors import AccessDenied
from tui_crm.store.models import Change, Lead, Team

from cli_helpers import run, run_json


def _state() -> tuple:
    return (Change.select().count(), [(t.name, t.settings, t.supervisor_id) for t in Team.select().order_by(Team.id)])


def test_a_supervisor_edits_their_own_team_and_nothing_else(world):
    sup = world.as_("sup_a")
    assert [u.login for u in admin.list_users(sup)] == ["rep_a1", "rep_a2", "sup_a"]
    assert [t.name for t in teams.list_teams(sup)] == ["A"]
    admin.set_user(sup, "rep_a1", name="Rep A One", lang="zh", tz="Asia/Shanghai")
    assert next(u for u in admin.list_users(world.ctx) if u.login == "rep_a1").lang == "zh"
    view = teams.set_team(sup, "A", sla_hours={"high": 3}, stall_after_days=9, cadence_days={"qualified": 2},
                          supervisor="sup_a")  # naming the supervisor it has is no change
    assert view.settings["stall_after_days"] == 9 and view.supervisor == "sup_a"
    rules.add_rule(world.ctx, region="华东", to_team="A")
    rules.add_rule(world.ctx, region="华北", to_team="B")
    rules.add_rule(world.ctx, source="expo", to_user="rep_a2")
    assert [(r.region, r.source) for r in rules.list_rules(sup)] == [("华东", None), (None, "expo")]
    before = _state()
    refused = [lambda: teams.set_team(sup, "B", stall_after_days=1),
               lambda: teams.set_team(sup, "B", supervisor="sup_a"),
               lambda: teams.set_team(sup, "A", supervisor="rep_a1"),
               lambda: teams.add_team(sup, "C"),
               lambda: admin.set_user(sup, "rep_b1", name="Mine now"),
               lambda: admin.set_user(sup, "rep_a1", role="supervisor"),
               lambda: admin.set_user(sup, "rep_a1", team="B"),
               lambda: admin.set_user(sup, "boss", lang="en"),
               lambda: admin.add_user(sup, "eve", "Eve", "rep", "A"),
               lambda: leads.deactivate(sup, "rep_a1", "rep_a2"),
               lambda: leads.hand_over(sup, "rep_b1", "rep_a1"),
               lambda: rules.add_rule(sup, region="*", to_team="A"),
               lambda: rules.move_rule(sup, rules.list_rules(sup)[0].id, 1),
               lambda: rules.remove_rule(sup, rules.list_rules(world.ctx)[1].id)]
    for call in refused:
        with pytest.raises(AccessDenied):
            call()
    assert _state() == before


def test_a_rep_administers_nothing(world):
    rep = world.as_("rep_a1")
    for call in (lambda: admin.list_users(rep), lambda: teams.list_teams(rep), lambda: rules.list_rules(rep),
                 lambda: teams.set_team(rep, "A", stall_after_days=1), lambda: admin.set_user(rep, "rep_a2", name="x")):
        with pytest.raises(AccessDenied):
            call()


def _fails(proc, text: str) -> None:
    assert proc.returncode == 1, (proc.stdout, proc.stderr)
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and text in lines[0], proc.stderr


def test_the_command_line_as_an_attacking_supervisor(world):
    db = world.url
    rules.add_rule(world.ctx, region="华北", to_team="B")
    before = _state()
    _fails(run("teams", "set", "B", "--stall-days", "1", user="sup_a", db=db), "not team B's")
    _fails(run("teams", "set", "B", "--supervisor", "sup_a", user="sup_a", db=db), "not team B's")
    _fails(run("teams", "set", "A", "--supervisor", "rep_a1", user="sup_a", db=db), "only an admin")
    _fails(run("users", "set", "rep_b1", "--name", "Mine", user="sup_a", db=db), "rep_b1 is not in it")
    _fails(run("users", "set", "rep_a1", "--role", "admin", user="sup_a", db=db), "takes an admin")
    _fails(run("users", "deactivate", "rep_a1", "--to", "rep_a2", user="sup_a", db=db), "only an admin")
    _fails(run("rules", "add", "--region", "x", "--team", "A", user="sup_a", db=db), "only an admin")
    assert _state() == before
    assert run_json("rules", "list", "--format", "json", user="sup_a", db=db) == []
    assert [u["login"] for u in run_json("users", "list", "--format", "json", user="sup_a", db=db)] == [
        "rep_a1", "rep_a2", "sup_a"]
    run("teams", "set", "A", "--stall-days", "9", "--cadence", "qualified=2", user="sup_a", db=db, check=0)
    run("users", "set", "rep_a1", "--tz", "Asia/Shanghai", "--lang", "zh", user="sup_a", db=db, check=0)
    mine = run_json("teams", "list", "--format", "json", user="sup_a", db=db)
    assert [(t["name"], t["stall_after_days"]) for t in mine] == [("A", 9)]
    entry = Change.select().where(Change.entity == "team").order_by(Change.id.desc()).get()
    assert entry.user.login == "sup_a" and json.loads(entry.diff)["stall_after_days"] == [None, 9]
