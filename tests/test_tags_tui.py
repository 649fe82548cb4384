"""Tags on the screens: list rows, the detail and board cards show them; `t` adds and removes them (a form);
`#` filters the list and the board by one (both backends)."""
from __future__ import annotations

from tui_crm.app import CrmApp
from tui_crm.services.leads import tags

from tui_helpers import settle, wait_for


def _text(widget) -> str:
    return str(widget.render())


async def test_t_tags_a_lead_and_every_screen_shows_it_then_hash_filters(world):
    a = world.lead("rep_a1", company="Tagged Co")
    world.lead("rep_a1", company="Plain Co")
    app = CrmApp(world.as_("rep_a1"), tick_seconds=0)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(app)
        screen = app.screen
        while screen.table.current.id != a.id:
            await pilot.press("down")
        await pilot.press("t")
        await settle(app)
        assert type(app.screen).__name__ == "TagForm"
        app.screen.query_one("#f-tags").value = "新能源、高意向"
        await pilot.press("enter")
        await wait_for(pilot, lambda: tags.tags_of(world.as_("rep_a1"), [a.id]).get(a.id) == ["新能源", "高意向"],
                       what="tagged")
        await settle(app)
        row = next(r for r in screen.table.rows if r.id == a.id)
        assert screen.table.cells(row)["tags"] == "#新能源 #高意向"  # a column of its own, not after the company
        await wait_for(pilot, lambda: "tags" in screen.table.header_text(118).split(), what="the tags column")
        await pilot.press("number_sign")
        await settle(app)
        assert type(app.screen).__name__ == "PickScreen"
        await pilot.press("down", "enter")  # the first tag, after "no tag filter"
        await wait_for(pilot, lambda: screen.tag_filter is not None and screen.counts.get("shown") == 1,
                       what="the tag filter")
        assert [r.id for r in screen.table.rows] == [a.id]
        await pilot.press("enter")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "LeadDetailScreen", what="the detail")
        await settle(app)
        assert "#新能源 #高意向" in _text(app.screen.query_one("#detail-header"))
        await pilot.press("t")
        await settle(app)
        app.screen.query_one("#f-tags").value = "高意向"  # 新能源 taken out
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: tags.tags_of(world.as_("rep_a1"), [a.id]).get(a.id) == ["高意向"],
                       what="untagged")
        await pilot.press("escape", "3")
        await settle(app)
        board = app.screen
        await wait_for(pilot, lambda: any(c.id == a.id for col in board.columns for c in col.cards), what="cards")
        col = next(i for i, c in enumerate(board.columns) if any(x.id == a.id for x in c.cards))
        assert "#高意向" in str(board.query_one(f"#col-{col}").render())
        board.set_filter(tag="高意向")
        await wait_for(pilot, lambda: sum(len(c.cards) for c in board.columns) == 1, what="the board's tag filter")


async def test_s_on_the_detail_shares_the_lead_and_minus_login_stops(world):
    from tui_crm.store.models import LeadShare, User

    a = world.lead("rep_a1", company="Shared Co")
    app = CrmApp(world.as_("rep_a1"), tick_seconds=0)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app)
        from tui_crm.screens.messages import OpenLead

        app.post_message(OpenLead(a.id))
        await wait_for(pilot, lambda: type(app.screen).__name__ == "LeadDetailScreen", what="the detail")
        await settle(app)
        rep2 = User.get(User.login == "rep_a2").id
        for value, shared in (("rep_a2", True), ("-rep_a2", False)):
            await pilot.press("s")
            await settle(app)
            app.screen.query_one("#f-login").value = value
            await pilot.press("ctrl+s")
            await wait_for(pilot, lambda: LeadShare.select().where((LeadShare.lead == a.id)
                                                                  & (LeadShare.user == rep2)).exists() == shared,
                           what=f"shared: {shared}")


def test_the_command_lines_list_has_a_tags_column_once_a_lead_has_tags(world):
    from cli_helpers import run

    a = world.lead("rep_a1", company="Tagged Co")
    world.lead("rep_a1", company="Plain Co")
    before = run("leads", "list", user="rep_a1", db=world.url)
    assert before.returncode == 0 and "#" not in before.stdout and "tags" not in before.stdout.splitlines()[0]
    tags.change_tags(world.as_("rep_a1"), [a.id], ["新能源", "高意向"], [])
    proc = run("leads", "list", user="rep_a1", db=world.url)
    head, *rows = proc.stdout.splitlines()
    assert head.split()[-1] == "tags"
    assert next(r for r in rows if "Tagged Co" in r).endswith("#新能源 #高意向")
    assert all(r == r.rstrip() for r in rows)
