"""The pick lists in the TUI: the administration screen's sources and lost reasons sections (an admin adds,
renames, retires, orders and removes; a source in use is refused in words), and every open app takes a change
made elsewhere up at once, as stages are (the new-lead form's sources, the lost form's reasons)."""
from __future__ import annotations

import pytest
from textual.widgets import Input

from tui_crm.app import CrmApp
from tui_crm.services import leads
from tui_crm.services.admin import lost_reasons, sources

from tui_helpers import fill_and_save, open_by_key, settle, wait_for


@pytest.fixture(params=["sqlite"])
def db_url(request, tmp_path):  # Pilot tests; the services are tested on both backends
    return str(tmp_path / "crm.db")



async def _section(pilot, screen, name: str) -> None:
    for _i in range(8):
        if screen.section == name:
            break
        await pilot.press("right_square_bracket")
        await settle(screen.app)
    await wait_for(pilot, lambda: screen.section == name and screen.items, what=name)


def _cursor(screen, pick) -> None:
    screen.query_one("#admin-table").move_cursor(row=next(i for i, v in enumerate(screen.items) if pick(v)))


async def test_an_admin_keeps_the_sources_and_the_lost_reasons(world):
    world.lead("rep_a1", source="ads")
    app = CrmApp(world.as_("boss"), tick_seconds=0)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_by_key(app, pilot, "6", "AdminScreen")
        await _section(pilot, screen, "sources")
        await pilot.press("n")
        await fill_and_save(app, pilot, name="Roadshow", zh="路演")
        await wait_for(pilot, lambda: screen.items[-1].key == "roadshow", what="the new source")
        _cursor(screen, lambda v: v.key == "roadshow")
        await pilot.press("e")
        await fill_and_save(app, pilot, en="Road show")
        await wait_for(pilot, lambda: screen.items[-1].en == "Road show", what="the new name")
        await pilot.press("K")
        await wait_for(pilot, lambda: screen.items[-2].key == "roadshow", what="moved up")
        _cursor(screen, lambda v: v.key == "ads")
        await pilot.press("d")  # in use: refused in words, and nothing changes
        await wait_for(pilot, lambda: any("used by 1 lead and" in n.message for n in app._notifications), what="why")
        await pilot.press("r")
        await wait_for(pilot, lambda: not next(v for v in screen.items if v.key == "ads").active, what="retired")
        assert "retired" in " ".join(str(c) for c in screen.query_one("#admin-table").get_row_at(
            next(i for i, v in enumerate(screen.items) if v.key == "ads")))
        _cursor(screen, lambda v: v.key == "roadshow")
        await pilot.press("d")
        await wait_for(pilot, lambda: all(v.key != "roadshow" for v in screen.items), what="removed")
        await _section(pilot, screen, "lost_reasons")
        assert screen.items[0].default
        table = screen.query_one("#admin-table")
        shown = [table.render_line(y).text for y in range(table.size.height)]  # after the sources' six columns
        assert any("chose a competitor (default)" in line for line in shown), shown  # each cell whole
        await pilot.press("n")
        await fill_and_save(app, pilot, reason="客户被收购", position="1")
        await wait_for(pilot, lambda: screen.items[0].reason == "客户被收购", what="the new reason")
        screen.query_one("#admin-table").move_cursor(row=0)
        await pilot.press("e")
        await fill_and_save(app, pilot, reason="客户公司被收购")
        await pilot.press("J")
        await wait_for(pilot, lambda: screen.items[1].reason == "客户公司被收购", what="moved down")
        screen.query_one("#admin-table").move_cursor(row=1)
        await pilot.press("d")
        await wait_for(pilot, lambda: all(v.reason != "客户公司被收购" for v in screen.items), what="removed")
    assert [v.key for v in sources.list_sources(world.ctx) if not v.active] == ["ads"]
    assert "客户公司被收购" not in world.as_("boss").lost_reasons


async def test_an_open_app_takes_up_the_lists_changed_elsewhere(world):
    lead = world.lead("rep_a1", company="Live Co")
    app = CrmApp(world.as_("rep_a1"), tick_seconds=0, poll_seconds=0.2)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(app)
        sources.add_source(world.ctx, "Roadshow", zh="路演")  # the admin, on the command line
        sources.set_active(world.ctx, "ads", False)
        lost_reasons.add_reason(world.ctx, "客户被收购", position=1)
        await wait_for(pilot, lambda: "roadshow" in app.ctx.sources and app.ctx.lost_reasons[:1] == ["客户被收购"],
                       what="the lists taken up")
        await pilot.press("n")
        await settle(app)
        hint = app.screen.query_one("#f-source", Input).placeholder
        assert "roadshow" in hint.split(" / ") and "ads" not in hint.split(" / "), hint  # the keys, in order
        await pilot.press("escape")
        await settle(app)
        if app.screen.__class__.__name__ != "LeadListScreen":
            await pilot.press("y")  # asked before leaving a form
            await settle(app)
        app.post_message(_open(lead.id))
        await wait_for(pilot, lambda: type(app.screen).__name__ == "LeadDetailScreen", what="the detail")
        await settle(app)
        await pilot.press("x")
        await settle(app)
        box = app.screen.query_one("#f-lost_reason", Input)
        assert box.placeholder.startswith("1 客户被收购"), box.placeholder
        box.value = "1"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: leads.get(world.ctx, lead.code).lost_reason == "客户被收购", what="lost")


def _open(lead_id):
    from tui_crm.screens.messages import OpenLead

    return OpenLead(lead_id)
