"""The administration screen (`6`): an admin sets up a sales floor from nothing (users, teams and their numbers,
stages, assignment and auto-tag rules), every change through the admin services (audited); a rep is refused
in words (both backends)."""
from __future__ import annotations


from tui_crm.app import CrmApp
from tui_crm.services import admin
from tui_crm.services.admin import rules, teams
from tui_crm.store.models import Change

from tui_helpers import fill_and_save, open_by_key, settle, toast, wait_for



async def test_an_admin_sets_up_a_floor_in_the_administration_screen(world):
    app = CrmApp(world.as_("boss"), tick_seconds=0)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_by_key(app, pilot, "6", "AdminScreen")
        await settle(app)
        await pilot.press("n")
        await fill_and_save(app, pilot, login="wang.fang", name="王芳", role="rep", team="华东")
        await wait_for(pilot, lambda: any(u.login == "wang.fang" for u in screen.items), what="the new user")
        row = next(i for i, u in enumerate(screen.items) if u.login == "wang.fang")
        assert row > 0  # the cursor was on the first row before the form opened
        await wait_for(pilot, lambda: screen.query_one("#admin-table").cursor_row == row,
                       what="the cursor on the user just added")
        await pilot.press("e")
        await fill_and_save(app, pilot, lang="zh", tz="Asia/Shanghai")
        user = next(u for u in admin.list_users(world.ctx) if u.login == "wang.fang")
        assert (user.lang, user.tz) == ("zh", "Asia/Shanghai")
        # a deactivation says what went where, as a handover does (it said nothing)
        world.lead("rep_a2")
        screen.query_one("#admin-table").move_cursor(row=next(i for i, u in enumerate(screen.items)
                                                              if u.login == "rep_a2"))
        await pilot.press("d")
        await fill_and_save(app, pilot, to="rep_a1")
        await toast(app, pilot, "rep_a1 1")
        assert not next(u for u in admin.list_users(world.ctx) if u.login == "rep_a2").active
        await pilot.press("right_square_bracket")  # teams
        await wait_for(pilot, lambda: screen.section == "teams" and screen.items, what="teams")
        row = next(i for i, t in enumerate(screen.items) if t.name == "华东")
        screen.query_one("#admin-table").move_cursor(row=row)
        await pilot.press("e")
        await fill_and_save(app, pilot, sla_high="2", stall="5", cadence="qualified=3")
        team = next(t for t in teams.list_teams(world.ctx) if t.name == "华东")
        assert team.settings["sla_hours"]["high"] == 2 and team.settings["stall_after_days"] == 5
        await pilot.press("right_square_bracket", "right_square_bracket")  # rules
        await wait_for(pilot, lambda: screen.section == "rules", what="rules")
        for region in ("华东", "华北"):
            await pilot.press("n")
            await fill_and_save(app, pilot, region=region, to="wang.fang" if region == "华东" else "B")  # a user, a team
        await wait_for(pilot, lambda: len(screen.items) == 2, what="two rules")
        assert [(r.region, r.to_user, r.to_team) for r in rules.list_rules(world.ctx)] == [
            ("华东", "wang.fang", None), ("华北", None, "B")]
        screen.query_one("#admin-table").move_cursor(row=1)
        await pilot.press("K")  # the second rule tried first
        await wait_for(pilot, lambda: [r.region for r in rules.list_rules(world.ctx)] == ["华北", "华东"],
                       what="the rule moved up")
        await pilot.press("d")
        await wait_for(pilot, lambda: len(rules.list_rules(world.ctx)) == 1, what="a rule removed")
        await pilot.press("right_square_bracket")  # auto tags
        await wait_for(pilot, lambda: screen.section == "auto_tags", what="auto tags")
        await pilot.press("n")
        await fill_and_save(app, pilot, tag="高意向-决策层", keywords="老板，总经理")
        assert [a.tag for a in rules.list_auto_tags(world.ctx)] == ["高意向-决策层"]
        await pilot.press("left_square_bracket", "left_square_bracket")  # stages
        await wait_for(pilot, lambda: screen.section == "stages", what="stages")
        text = "  ".join(f"{s.label('en')}:{s.probability}" for s in world.ctx.stages) + "  Pilot:5"
        await pilot.press("enter")
        await fill_and_save(app, pilot, stages=text)
        await wait_for(pilot, lambda: any(s.label("en") == "Pilot" for s in screen.items), what="the new stage")
        # a rename keeps the stage (its leads, history, cadence): it made a new stage and dropped the old one
        text = "  ".join(f"{s.label('en')}:{s.probability}" for s in world.ctx.stages).replace(
            "needs confirmed:25", "needs confirmed=Discovery:20")
        await pilot.press("enter")
        await fill_and_save(app, pilot, stages=text)
        await wait_for(pilot, lambda: any(s.label("en") == "Discovery" for s in screen.items), what="the rename")
        assert [(s.key, s.probability) for s in screen.items if s.label("en") == "Discovery"] == [("qualified", 20)]
    actions = {(c.entity, c.action) for c in Change.select()}
    assert {("user", "update"), ("rule", "create"), ("stage", "set")} <= actions


async def test_a_rep_is_told_in_words(world):
    app = CrmApp(world.as_("rep_a1"), tick_seconds=0)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app)
        await pilot.press("6")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "AdminScreen", what="the admin screen")
        await settle(app)
        await pilot.press("right_square_bracket")
        await settle(app)
        assert "only" in str(app.screen.query_one("#status").render())


async def test_every_cell_of_every_section_reads_whole(world):
    """Switching sections kept the last section's column widths in a terminal (华东一组 read 华东): each
    section's every cell reads whole, whichever section came before it, going both ways round."""
    world.lead("rep_a1", source="ads")
    app = CrmApp(world.as_("boss"), tick_seconds=0)
    async with app.run_test(size=(160, 40)) as pilot:
        screen = await open_by_key(app, pilot, "6", "AdminScreen")
        bad = []
        for key in ["right_square_bracket"] * 7 + ["left_square_bracket"] * 7:
            await settle(app)
            table = screen.query_one("#admin-table")
            lines = [table.render_line(y).text for y in range(table.size.height)]
            for row in screen.rows:
                if not any(all(str(c) in line for c in row) for line in lines):
                    bad.append((screen.section, row))
            await pilot.press(key)
        assert not bad, bad


async def test_a_long_name_leaves_the_other_columns_on_screen(world):
    """A user named with 100 characters pushed the team, language and time zone columns off screen (user pass)."""
    from textual.widgets import DataTable

    admin.add_user(world.ctx, "long.name", "很长的名字" * 20, "rep", "A")
    app = CrmApp(world.as_("boss"), tick_seconds=0)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_by_key(app, pilot, "6", "AdminScreen")
        await wait_for(pilot, lambda: any(u.login == "long.name" for u in screen.items), what="the users")
        table = screen.query_one("#admin-table", DataTable)
        widths = [c.width for c in table.columns.values()]
        assert sum(widths) + 2 * len(widths) <= 120, widths  # every column within the screen's width
