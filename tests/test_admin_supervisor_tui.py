"""A supervisor in the administration screen (`6`): only their team's users (name, language, zone; `h` hands
over within the team; `d` is an admin's, said in words), their team's numbers (no supervisor field), and the
rules that give the team leads, to read (a change is refused in words). The services behind it are tested as
an attacker in test_admin_supervisor."""
from __future__ import annotations

import pytest

from tui_crm.app import CrmApp
from tui_crm.services.admin import rules, teams
from tui_crm.store.models import Lead

from tui_helpers import fill_and_save, open_by_key, settle, wait_for


@pytest.fixture(params=["sqlite"])
def db_url(request, tmp_path):  # the Pilot test; the services are tested on both backends above
    return str(tmp_path / "crm.db")



async def test_a_supervisor_in_the_administration_screen(world):
    lead = world.lead("rep_a1", company="Handed Co")
    rules.add_rule(world.ctx, region="华北", to_team="B")
    rules.add_rule(world.ctx, region="华东", to_team="A")
    app = CrmApp(world.as_("sup_a"), tick_seconds=0)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_by_key(app, pilot, "6", "AdminScreen")
        await wait_for(pilot, lambda: screen.items, what="the team's users")
        shown = str(screen.query_one("#admin-sections").render())
        assert "Teams" in shown and "Stages" not in shown and "Sources" not in shown
        assert [u.login for u in screen.items] == ["rep_a1", "rep_a2", "sup_a"]
        await pilot.press("n")  # adding a user takes an admin: said at once, no form to fill in vain
        await wait_for(pilot, lambda: any("only an admin adds" in n.message for n in app._notifications),
                       what="the add refusal")
        assert app.screen is screen
        screen.query_one("#admin-table").move_cursor(row=0)
        await pilot.press("e")
        await settle(app)
        form = await fill_and_save(app, pilot, name="Rep A One", lang="zh", tz="Asia/Shanghai")
        assert [f.name for f in form.fields] == ["name", "lang", "tz"]  # no role, no team
        await pilot.press("d")  # deactivating takes an admin: said, nothing opened
        await wait_for(pilot, lambda: any("only an admin deactivates" in n.message for n in app._notifications),
                       what="the refusal")
        assert app.screen is screen
        await pilot.press("h")
        await fill_and_save(app, pilot, to="rep_a2")
        await wait_for(pilot, lambda: Lead.get_by_id(lead.id).owner.login == "rep_a2", what="the handover")
        await pilot.press("right_square_bracket")  # the team
        await wait_for(pilot, lambda: screen.section == "teams" and screen.items, what="the team")
        assert [t.name for t in screen.items] == ["A"]
        await pilot.press("e")
        await settle(app)
        form = await fill_and_save(app, pilot, stall="6", escalate="2")
        assert "supervisor" not in [f.name for f in form.fields]
        assert teams.list_teams(world.ctx)[0].settings["stall_after_days"] == 6
        await pilot.press("right_square_bracket")  # the rules that give the team leads, to read
        await wait_for(pilot, lambda: screen.section == "rules" and screen.items, what="the rules")
        assert [r.region for r in screen.items] == ["华东"]
        await pilot.press("d")
        await wait_for(pilot, lambda: any("only an admin changes the assignment rules" in n.message
                                          for n in app._notifications), what="the rule refusal")
        assert len(rules.list_rules(world.ctx)) == 2
        await pilot.press("right_square_bracket")
        await wait_for(pilot, lambda: screen.section == "users", what="round to the users")
