"""Lead detail: header, tasks, timeline, and every action key (Pilot, real SQLite)."""
from __future__ import annotations

from datetime import timedelta

import pytest

from tui_crm import clock
from tui_crm.services import activity, leads
from tui_crm.services.context import open_session

from conftest import NOW
from rep_fixtures import app_for, seed
from tui_helpers import settle, toast


@pytest.fixture
def seeded(sqlite_url):
    return sqlite_url, seed(sqlite_url)


async def open_detail(app, pilot, row: int = 0):
    await settle(app)
    for _ in range(row):
        await pilot.press("down")
    await pilot.press("enter")
    await settle(app)
    assert type(app.screen).__name__ == "LeadDetailScreen"
    return app.screen


def text(screen, selector) -> str:
    return str(screen.query_one(selector).render())


async def test_detail_shows_header_tasks_and_timeline(seeded):
    url, s = seeded
    app = app_for(url)
    async with app.run_test(size=(100, 30)) as pilot:
        d = await open_detail(app, pilot)
        header = text(d, "#detail-header")
        assert s["overdue"] in header and "北京华为科技有限公司" in header and "+8613812345678" in header
        assert "next: overdue 2d" in header
        task = str(d.query_one("#detail-tasks").get_option_at_index(0).prompt)
        # the rule's task: its kind says it all (the title "First contact" would only repeat it)
        assert "first contact" in task and "First contact" not in task and "[high]" in task
        timeline = text(d, "#timeline")
        assert "lead created" in timeline and "entered stage lead acquired" in timeline
        await pilot.press("escape")
        assert type(app.screen).__name__ == "LeadListScreen"


async def test_log_followup_with_next_date_leaves_the_overdue_list(seeded):
    url, s = seeded
    app = app_for(url)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app)
        await pilot.press("o")  # overdue only
        await settle(app)
        assert [v.code for v in app.screen.table.rows] == [s["overdue"]]
        d = await open_detail(app, pilot)
        await pilot.press("f")
        await settle(app)
        form = app.screen
        assert type(form).__name__ == "FollowUpForm"
        assert form.focused.id == "f-summary"
        v = form.values()
        assert v["method"] == "phone" and v["at"] == "2024-11-01 10:00"
        assert v["next_at"] == "2024-11-08 10:00"  # stage acquired: every 7 days
        await pilot.press("ctrl+s")  # nothing typed: refused in words, nothing written
        await settle(app)
        assert "required: what was said" in text(form, "#err-summary")
        await pilot.press(*"wants a quote")
        form.query_one("#f-next_at").value = "2024-11-05 14:00"
        await pilot.press("ctrl+s")
        await settle(app)
        assert app.screen is d
        assert "[phone] wants a quote" in text(d, "#timeline").split("\n")[1]
        assert "next: 11-05 14:00" in text(d, "#detail-header")
        await pilot.press("escape")
        await settle(app)
        assert app.screen.table.rows == []  # it left the overdue list
    view = leads.get(open_session(url, "rep_a1"), s["overdue"])
    assert view.status == "in_progress" and view.due_state == "planned"


@pytest.mark.parametrize("key,typed,status,field", [
    ("w", {"product": "servers"}, "won", ("product", "servers")),
    ("x", {"lost_reason": "price"}, "lost", ("lost_reason", "price too high")),  # picked from the list
    ("p", {"pause_reason": "budget frozen"}, "paused", ("pause_reason", "budget frozen")),
    ("z", {}, "dormant", None),
])
async def test_each_outcome_asks_for_what_it_needs(seeded, key, typed, status, field):
    url, s = seeded
    app = app_for(url)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_detail(app, pilot, row=2)
        await pilot.press(key)
        await settle(app)
        form = app.screen
        assert type(form).__name__ == "OutcomeForm"
        if key == "w":
            await pilot.press("ctrl+s")  # amount missing
            await settle(app)
            assert text(form, "#err-won_amount") == "required"
            form.query_one("#f-won_amount").value = "8万"
        for name, value in typed.items():
            form.query_one(f"#f-{name}").value = value
        await pilot.press("ctrl+s")
        await settle(app)
        assert type(app.screen).__name__ == "LeadDetailScreen"
    view = leads.get(open_session(url, "rep_a1"), s["planned"])
    assert view.status == status
    if field:
        assert getattr(view, field[0]) == field[1]
    if key == "w":
        assert view.won_amount_cents == 8000000
    if key == "z":
        assert view.wake_up_at.astimezone(view.next_follow_up_at.tzinfo) == NOW + timedelta(days=30)


async def test_stale_edit_is_refused_names_who_and_reloads(seeded):
    url, s = seeded
    app = app_for(url)
    async with app.run_test(size=(100, 30)) as pilot:
        d = await open_detail(app, pilot)
        await pilot.press("e")
        await settle(app)
        form = app.screen
        assert form.focused.id == "f-company"
        sup = open_session(url, "sup_a")  # meanwhile, in another session
        leads.update_lead(sup, s["overdue"], {"remarks": "call after 3pm"})
        form.query_one("#f-remarks").value = "mine"
        await pilot.press("ctrl+s")
        await settle(app)
        assert app.screen is d
        await toast(app, pilot, "changed this lead meanwhile")
        shown = [n.message for n in app._notifications]
        assert any("Sup A changed this lead meanwhile (remarks)" in m for m in shown)
        assert "remarks: call after 3pm" in text(d, "#detail-header")  # reloaded with the colleague's remarks
        assert "remarks: – → call after 3pm" in text(d, "#timeline")
    assert leads.get(open_session(url, "rep_a1"), s["overdue"]).remarks == "call after 3pm"


async def test_missing_stay_reason_and_missed_calls_are_shown(seeded):
    url, s = seeded
    rep = open_session(url, "rep_a1")
    for _ in range(3):
        activity.log_followup(rep, s["today"], activity.FollowUpInput(summary="no answer", reached=False))
    clock.advance(timedelta(days=8))  # more than 7 days in its stage
    app = app_for(url)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app)
        code_row = [v.code for v in app.screen.table.rows].index(s["today"])
        d = await open_detail(app, pilot, row=code_row)
        warnings = text(d, "#detail-warnings")
        assert "stay reason missing" in warnings
        assert "3 calls in a row not reached: consider marking it lost (x)" in warnings


async def test_reveal_and_task_done_and_next_stage(seeded):
    url, s = seeded
    app = app_for(url, login="boss")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app)
        row = [v.code for v in app.screen.table.rows].index(s["overdue"])
        d = await open_detail(app, pilot, row=row)
        assert "138****5678" in text(d, "#detail-header")
        await pilot.press("v")
        await settle(app)
        assert "+8613812345678" in text(d, "#detail-header")
        await pilot.press("c")  # the highlighted task (first contact) done
        await settle(app)
        assert d.data.tasks == []
        await pilot.press("greater_than_sign")
        await settle(app)
        assert d.data.lead.stage == "qualified"
        assert "entered stage needs confirmed" in text(d, "#timeline")


async def test_timeline_shows_bracketed_text_as_written(seeded):
    """Textual's markup took "[WeChat]" (the method's label) and "[Q3 Plan]" in a summary for tags and
    dropped them; every bracket of user text is escaped."""
    url, s = seeded
    rep = open_session(url, "rep_a1")
    activity.log_followup(rep, s["overdue"], activity.FollowUpInput(method="wechat", summary="sent [Q3 Plan] deck"))
    app = app_for(url)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(app)
        row = [v.code for v in app.screen.table.rows].index(s["overdue"])
        d = await open_detail(app, pilot, row)
        assert "[WeChat] sent [Q3 Plan] deck" in text(d, "#timeline")


def test_timeline_names_changed_fields_and_shows_values_as_the_screens_do(seeded):
    """A field change reads 'expected amount: – → 80,000.00', not 'amount_cents: None → 8000000'."""
    from tui_crm.i18n import set_lang

    url, s = seeded
    rep = open_session(url, "rep_a1")
    leads.update_lead(rep, s["overdue"], {"amount_cents": 8000000, "priority": "low"})
    try:
        for lang, want in (("en", ["expected amount: – → 80,000.00", "priority: high → low"]),
                           ("zh", ["预计金额：– → 80,000.00", "优先级：高 → 低"])):
            set_lang(lang)
            change = next(i for i in activity.lead_timeline(rep, s["overdue"]) if i.kind == "change")
            assert all(w.replace("：", ": ") in change.text.replace("：", ": ") for w in want), change.text
    finally:
        set_lang("en")


def test_timeline_shows_tasks_planned_and_done(seeded):
    from tui_crm.services.activity import tasks

    url, s = seeded
    rep = open_session(url, "rep_a1")
    clock.set_now(NOW + timedelta(minutes=5))
    tid = tasks.add_task(rep, s["planned"], "follow_up", "Send the quote", NOW + timedelta(days=1), "high")
    clock.set_now(NOW + timedelta(minutes=10))
    tasks.complete_task(rep, tid, "sent by mail")
    texts = [i.text for i in activity.lead_timeline(rep, s["planned"]) if i.kind == "task"]
    assert texts[:2] == ["task done: follow-up · Send the quote — sent by mail",
                         "task planned: follow-up · Send the quote, due 2024-11-02 10:00"]  # NOW is 10:00 +08:00


def test_timeline_task_lines_drop_a_rule_title_that_repeats_the_kind(seeded):
    url, s = seeded
    rep = open_session(url, "rep_a1")
    planned = [i.text for i in activity.lead_timeline(rep, s["overdue"]) if i.kind == "task"]
    assert planned == ["task planned: first contact, due 2024-10-30 10:00"]  # not "first contact · First contact"


async def test_an_incomplete_lead_names_each_missing_field_once(sqlite_url, tmp_path):
    """A lead without a contact's name nor any way to reach them said 'incomplete: contact, contact'."""
    from cli_helpers import run
    from tui_crm.screens.messages import OpenLead

    seed(sqlite_url)
    csv = tmp_path / "bare.csv"
    csv.write_text("company,need,source\nBare Co,servers,expo\n,no company,expo\n", "utf-8")
    proc = run("import", str(csv), db=sqlite_url)
    assert "1 row refused" in proc.stderr and "1 rows" not in proc.stderr, proc.stderr
    lead = next(v for v in leads.list_leads(open_session(sqlite_url, "boss")) if v.company == "Bare Co")
    assert set(lead.incomplete) >= {"contact_name", "contact"}
    app = app_for(sqlite_url, "boss")
    async with app.run_test(size=(140, 30)):
        await settle(app)
        app.post_message(OpenLead(lead.id))
        await settle(app)
        shown = " ".join(str(w.render()) for w in app.screen.query("Static"))
        assert "phone, e-mail or other contact" in shown and "contact, contact" not in shown, shown
