"""User text is never markup nor a terminal sequence in the app (issue 13 item 8), and masking, the search
limit and duplicates outside the scope hold on screen as on the command line (items 4, 5, 10).

A company `Markup [/b] Inc` crashed every screen that showed it as markup, `[link=…]` became a link, a
company holding `\\e]0;PWNED\\e\\\\` retitled the terminal and `\\e[2J` blanked the header.
"""
from __future__ import annotations

from datetime import timedelta

from tui_crm.services import leads
from tui_crm.services.activity import tasks
from tui_crm.services.context import open_session
from tui_crm.store.models import Lead

from conftest import NOW
from rep_fixtures import app_for, seed
from tui_helpers import settle

MARKUP = "Markup [/b] Inc"
LINK = "[link=http://evil.example/]click[/link]"


def _hostile(url):
    s = seed(url)
    sup = open_session(url, "sup_a")
    a = leads.add_lead(sup, {"company": MARKUP, "contact_name": LINK, "phone": "13911110000", "source": "expo",
                             "need": "[b]bold[/b] need", "owner": "rep_a1"})  # notifies rep_a1 naming the company
    tasks.add_task(open_session(url, "rep_a1"), a.id, "follow_up", "call [/i] back", NOW + timedelta(hours=1))
    b = leads.add_lead(sup, {"company": "Plain Co", "contact_name": "x", "phone": "13911110001", "source": "expo",
                             "need": "n", "owner": "rep_a1"})
    Lead.update(company="TitleCo\x1b]0;PWNED\x1b\\ Ltd", contact_name="Clear\x1b[2J me").where(
        Lead.id == b.id).execute()  # stored before inputs were cleaned
    return s, a, b


def _screen_text(app) -> str:
    return app.export_screenshot()


async def _look(app, pilot, seen: list[str]) -> None:
    await settle(app)
    svg = _screen_text(app)
    assert "\x1b" not in svg and "\x07" not in svg
    seen.append(svg)


async def test_hostile_text_shows_as_typed_on_every_screen_and_kills_none(sqlite_url):
    _s, a, b = _hostile(sqlite_url)
    app = app_for(sqlite_url, "rep_a1")
    seen: list[str] = []
    async with app.run_test(size=(160, 40)) as pilot:
        await _look(app, pilot, seen)
        for code in (a.code, b.code):
            await pilot.press("slash")
            await pilot.press(*code)
            await pilot.press("down")
            await settle(app)
            await pilot.press("enter")
            await _look(app, pilot, seen)
            assert type(app.screen).__name__ == "LeadDetailScreen"
            for key in ("e", "f", "w", "a", "plus"):  # the forms' titles name the lead
                await pilot.press(key)
                await _look(app, pilot, seen)
                assert "Form" in type(app.screen).__name__, key
                await pilot.press("escape")
                await settle(app)
                if type(app.screen).__name__ == "ConfirmScreen":
                    await pilot.press("y")
                    await settle(app)
            await pilot.press("escape")
            await settle(app)
            await pilot.press("escape")  # leave the search line
            await settle(app)
        for key in ("2", "3", "i", "4", "1"):
            await pilot.press(key)
            await _look(app, pilot, seen)
        assert app.is_running
    everything = "\n".join(seen)
    assert "Markup [/b] Inc" in everything.replace("&#160;", " ")
    assert "[link=http://evil.example/]click[/link]" in everything.replace("&#160;", " ")
    assert "TitleCo]0;PWNED" in everything


async def test_the_search_line_holds_at_most_200_characters_and_the_list_lives(sqlite_url):
    seed(sqlite_url)
    app = app_for(sqlite_url, "rep_a1")
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(app)
        await pilot.press("slash")
        box = app.screen.query_one("#search")
        box.insert_text_at_cursor("1" * 100_000)  # a paste
        await settle(app)
        assert len(box.value) == 200
        assert app.is_running and app.screen.table.rows == []


async def test_the_detail_masks_the_timeline_of_a_lead_the_reader_sees_masked(sqlite_url):
    s = seed(sqlite_url)
    rep = open_session(sqlite_url, "rep_a1")
    leads.update_lead(rep, s["today"], {"phone": "13912345678", "email": "secret.person@corp.cn"})
    app = app_for(sqlite_url, "boss")
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(app)
        await pilot.press("slash")
        await pilot.press(*s["today"])
        await pilot.press("down")
        await settle(app)
        await pilot.press("enter")
        await settle(app)
        shown = _screen_text(app)
        assert "139****5678" in shown and "s***@corp.cn" in shown
        assert "13912345678" not in shown and "secret.person" not in shown
        await pilot.press("v")  # reveal: audited, then the timeline too shows the numbers
        await settle(app)
        assert "+8613912345678" in _screen_text(app)


async def test_the_new_lead_form_tells_of_a_duplicate_outside_the_scope_without_naming_it(sqlite_url):
    s = seed(sqlite_url)  # rep_b1 owns Globex Trading, +8613600003333, which rep_a1 never sees
    app = app_for(sqlite_url, "rep_a1")
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(app)
        await pilot.press("n")
        await settle(app)
        form = app.screen
        for name, value in {"company": "Mine", "contact_name": "X", "phone": "136 0000 3333", "source": "expo",
                            "need": "y"}.items():
            form.query_one(f"#f-{name}").value = value
        await pilot.press("ctrl+s")
        await settle(app)
        assert app.screen is form
        msg = str(form.query_one("#form-error").render())
        assert "a lead you cannot see already has this phone" in msg and "ctrl+s saves anyway" in msg
        for secret in (s["globex"], "Globex", "rep_b1", "Rep B1", "ctrl+o"):
            assert secret not in msg
        await pilot.press("ctrl+o")  # nothing to open
        await settle(app)
        assert app.screen is form


# ------------------------------------------------------------------ the audit screen
def _rows(app) -> list[list[str]]:
    table = app.screen.query_one("#audit-table")
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


async def _filter(app, pilot, **values) -> None:
    for name, value in values.items():
        app.screen.query_one(f"#audit-{name}").value = value
    app.screen.query_one("#audit-user").focus()
    await pilot.press("enter")
    await settle(app)


async def test_the_audit_screen_lists_and_filters_like_the_command(sqlite_url):
    s = seed(sqlite_url)
    boss = open_session(sqlite_url, "boss")
    leads.reveal(boss, s["today"])
    rep = open_session(sqlite_url, "rep_a1")
    leads.update_lead(rep, s["today"], {"phone": "13912345678"})
    leads.reveal(boss, s["globex"])
    app = app_for(sqlite_url, "sup_a")
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(app)
        await pilot.press("5")
        await settle(app)
        assert type(app.screen).__name__ == "AuditScreen"
        rows = _rows(app)
        assert ["boss", "contact revealed", s["today"]] in [r[1:4] for r in rows]  # in words
        assert not [r for r in rows if r[3] == s["globex"]]  # team B's lead: not the supervisor of team A's
        assert any("+8613912345678" in r[4] for r in rows)  # the supervisor sees the team's numbers
        await _filter(app, pilot, user="boss", action="reveal")
        assert [r[1:4] for r in _rows(app)] == [["boss", "contact revealed", s["today"]]]
        await _filter(app, pilot, user="", action="", lead=s["today"], since="2024-11-01", until="today")
        assert {r[3] for r in _rows(app)} == {s["today"]}
        await _filter(app, pilot, since="someday")
        assert "not a date: someday" in str(app.screen.query_one("#status").render())
        await _filter(app, pilot, since="", lead="", action="update")
        app.screen.query_one("#audit-table").focus()
        await pilot.press("enter")  # a row opens its lead
        await settle(app)
        assert type(app.screen).__name__ == "LeadDetailScreen" and app.screen.data.lead.code == s["today"]
    app = app_for(sqlite_url, "boss")
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(app)
        await pilot.press("5")
        await settle(app)
        rows = _rows(app)
        assert {s["today"], s["globex"]} <= {r[3] for r in rows}
        assert any("139****5678" in r[4] for r in rows) and not any("13912345678" in r[4] for r in rows)


async def test_a_rep_is_told_the_audit_log_is_not_theirs(sqlite_url):
    seed(sqlite_url)
    app = app_for(sqlite_url, "rep_a1")
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(app)
        await pilot.press("5")
        await settle(app)
        assert str(app.screen.query_one("#status").render()) == "only a supervisor or an admin may read the audit log"
        assert _rows(app) == []
