"""Typed text has a length limit (issue 13 item 10, PRODUCT §7 "fields have length limits with a clear error").

Before: a field took any length (SQLite stored a 100,000-character company, PostgreSQL died on a varchar
with a database error); only import refused a long cell. Now one table (``domain.limits``) says how long
each text may be; the services refuse one character more in one line (so the command line, the TUI and
import refuse the same), the longest allowed value is kept whole on both backends (a limit is never more
than its column), and the TUI's inputs stop at the limit.
"""
from __future__ import annotations

from datetime import timedelta

import pytest

from cli_helpers import run
from tui_crm.domain import limits
from tui_crm.services import activity, admin, leads
from tui_crm.services.errors import ValidationError

# the lead's text fields a person types (edit form, leads add / import), at the longest they may be
LEAD_TEXT = ("company", "contact_name", "title", "other_contact", "industry", "company_size", "region", "need",
             "pain_points", "budget", "decision_maker", "obstacle", "stay_reason", "remarks", "next_action",
             "escalation_note")


def longest(field: str, table=limits.LEAD, char: str = "长") -> str:
    return char * limits.limit_of(field, table)


def refused(call, field: str, n: int, m: int):
    with pytest.raises(ValidationError) as exc:
        call()
    assert f"is at most {n} characters (this one has {m})" in str(exc.value)
    assert "\n" not in str(exc.value)
    assert exc.value.fields == {field: f"at most {n} characters"}


def test_the_limits_are_never_more_than_the_columns_that_store_them():
    from tui_crm.store.models import FollowUp, Lead, Task, Team, User

    for table, model in ((limits.LEAD, Lead), (limits.FOLLOW_UP, FollowUp), (limits.TASK, Task),
                         (limits.USER, User)):
        for field, n in table.items():
            column = model._meta.fields.get(field)
            # a phone is stored as E.164, a choice (limit LINE, as typed) as its key
            if getattr(column, "max_length", None) and field != "phone" and n != limits.LINE:
                assert n <= column.max_length, (model.__name__, field, n, column.max_length)
    assert limits.USER["team"] <= Team.name.max_length
    assert limits.FOLLOW_UP["next_action"] <= Task.title.max_length  # it becomes the next task's title


def test_every_lead_field_keeps_its_longest_value_and_refuses_one_more(world):
    rep = world.as_("rep_a1")
    v = world.lead("rep_a1", **{f: longest(f) for f in ("company", "contact_name", "need", "remarks")})
    got = leads.get(rep, v.id)
    assert (got.company, got.need) == (longest("company"), longest("need"))  # whole, on both backends
    for field in LEAD_TEXT:
        n = limits.LEAD[field]
        refused(lambda: leads.update_lead(rep, v.id, {field: "x" * (n + 1)}), field, n, n + 1)
        leads.update_lead(rep, v.id, {field: longest(field, char="码")})
        assert getattr(leads.get(rep, v.id), field) == "码" * n
    refused(lambda: world.lead("rep_a1", company="x" * 201), "company", 200, 201)
    refused(lambda: world.lead("rep_a1", phone="1" * 41), "phone", limits.PHONE, 41)
    refused(lambda: world.lead("rep_a1", email="a" * 200 + "@x.cn"), "email", limits.EMAIL, 205)
    assert leads.count(rep) == 1  # nothing half-written


def test_a_stage_move_an_outcome_a_follow_up_and_a_task_refuse_an_over_long_text(world):
    rep = world.as_("rep_a1")
    v = world.lead("rep_a1")
    refused(lambda: leads.move_stage(rep, v.id, rep.stage_keys[1], reason="r" * (limits.TEXT + 1)),
            "stay_reason", limits.TEXT, limits.TEXT + 1)
    refused(lambda: leads.step_stage(rep, v.id, 1, reason="r" * (limits.TEXT + 1)),
            "stay_reason", limits.TEXT, limits.TEXT + 1)
    refused(lambda: leads.set_outcome(rep, v.id, "lost", {"lost_reason": "p" * 201}), "lost_reason", 200, 201)
    refused(lambda: leads.set_outcome(rep, v.id, "paused", {"pause_reason": "p" * (limits.TEXT + 1)}),
            "pause_reason", limits.TEXT, limits.TEXT + 1)
    assert leads.get(rep, v.id).status == "pending"
    for field, n in (("summary", limits.TEXT), ("customer_words", limits.TEXT), ("objection", limits.TEXT),
                     ("next_action", 200)):
        data = activity.FollowUpInput(**{"summary": "called", field: "s" * (n + 1)})
        refused(lambda: activity.log_followup(rep, v.id, data), field, n, n + 1)
    assert activity.followups_count(v.id) == 0
    fid = activity.log_followup(rep, v.id, activity.FollowUpInput(summary=longest("summary", limits.FOLLOW_UP),
                                                                  next_action=longest("next_action", limits.FOLLOW_UP)))
    assert fid
    due = rep.now() + timedelta(days=1)
    refused(lambda: activity.tasks.add_task(rep, v.id, "other", "t" * 201, due), "title", 200, 201)
    tid = activity.tasks.add_task(rep, v.id, "other", longest("title", limits.TASK), due)
    refused(lambda: activity.tasks.complete_task(rep, tid, "r" * (limits.TEXT + 1)), "result", limits.TEXT, limits.TEXT + 1)


def test_users_teams_and_stages_refuse_over_long_names(world):
    boss = world.ctx
    refused(lambda: admin.add_user(boss, "longname", "n" * 101, "rep"), "name", 100, 101)
    refused(lambda: admin.add_user(boss, "longteam", "T", "rep", "t" * 101), "team", 100, 101)
    refused(lambda: admin.set_user(boss, "rep_a1", name="n" * 101), "name", 100, 101)
    refused(lambda: admin.set_stages(boss, ["s" * 65 + ":10", "proposal:50"]), "name", 64, 65)
    admin.add_user(boss, "longest", "名" * 100, "rep", "组" * 100)
    assert {u.login: (u.name, u.team) for u in admin.list_users(boss)}["longest"] == ("名" * 100, "组" * 100)


def test_the_command_line_says_it_in_one_line_and_adds_nothing(sqlite_url):
    run("users", "add", "boss", "--name", "Boss", "--role", "admin", db=sqlite_url, check=0)
    proc = run("leads", "add", "--company", "x" * 100_000, "--contact", "a", "--phone", "13912345678",
               "--source", "expo", "--need", "n", db=sqlite_url, check=1)
    assert proc.stderr.strip().splitlines() == ["tui-crm: company is at most 200 characters (this one has 100000)"]
    zh = run("leads", "add", "--company", "x" * 201, "--contact", "a", "--phone", "13912345678",
             "--source", "expo", "--need", "n", "--lang", "zh", db=sqlite_url, check=1)
    assert zh.stderr.strip() == "tui-crm: 客户名称最多 200 个字符（这次有 201 个）"
    assert run("leads", "list", "--format", "json", db=sqlite_url, check=0).stdout.strip() == "[]"


async def test_the_tui_inputs_stop_at_the_limit(sqlite_url):
    from rep_fixtures import app_for, seed
    from tui_helpers import settle

    seed(sqlite_url)
    app = app_for(sqlite_url)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app)
        await pilot.press("n")
        await settle(app)
        form = app.screen
        assert type(form).__name__ == "LeadForm"
        for f in form.fields:
            assert form.query_one(f"#f-{f.name}").max_length == limits.limit_of(f.name, limits.LEAD), f.name
        box = form.query_one("#f-company")
        box.value = ""
        box.insert_text_at_cursor("y" * 250)  # a paste longer than the field
        await pilot.pause()
        assert box.value == "y" * 200
