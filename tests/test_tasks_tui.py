"""The tasks screen (`k`): my / my team's / all tasks, by status and due, by owner; a task on several leads
says so; enter sets its status with a result and the customer's sentiment change (both backends)."""
from __future__ import annotations

from datetime import timedelta

from textual.widgets import Input

from tui_crm.app import CrmApp
from tui_crm.services.leads import batch_run
from tui_crm.store.models import Task

from tui_helpers import open_by_key, settle, wait_for


def _cells(screen) -> list[str]:
    table = screen.query_one("#tasks-table")
    return [" | ".join(str(c) for c in table.get_row_at(i)) for i in range(table.row_count)]


async def test_k_lists_a_task_on_several_leads_and_sets_its_status_with_the_sentiment_change(world):
    ids = [world.lead("rep_a1", company=f"Fair {i}").id for i in range(3)]
    sup = world.as_("sup_a")
    batch_run.run(sup, batch_run.Selection(ids=tuple(ids)), "task", {"title": "Fair follow-up",
                                                               "due": sup.now() + timedelta(hours=2)})
    app = CrmApp(world.as_("sup_a"), tick_seconds=0)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_by_key(app, pilot, "k", "TasksScreen")
        await settle(app)
        rows = _cells(screen)
        assert any("Fair follow-up" in r and "+2 leads" in r for r in rows), rows
        row = next(i for i, t in enumerate(screen.rows) if t.title == "Fair follow-up")
        screen.query_one("#tasks-table").move_cursor(row=row)
        await pilot.press("e")
        await settle(app)
        form = app.screen
        assert type(form).__name__ == "TaskStatusForm"
        form.query_one("#f-status", Input).value = "done"
        form.query_one("#f-result", Input).value = "all three called back"
        form.query_one("#f-sentiment", Input).value = "neutral->positive"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: Task.get(Task.title == "Fair follow-up").status == "done", what="done")
        task = Task.get(Task.title == "Fair follow-up")
        assert (task.result, task.sentiment_before, task.sentiment_after) == ("all three called back", "neutral",
                                                                              "positive")
        await settle(app)
        assert not any("Fair follow-up" in r for r in _cells(screen))  # open tasks only, by default
        while screen.filter != "done":
            await pilot.press("f")
            await settle(app)
        assert any("Fair follow-up" in r for r in _cells(screen))
        await pilot.press("m")  # my team's: the reps' tasks too
        await settle(app)
        assert screen.scope == "team"


async def test_a_rep_sees_their_own_tasks_and_a_bad_sentiment_is_said_in_the_form(world):
    world.lead("rep_a1", company="Mine")
    app = CrmApp(world.as_("rep_a1"), tick_seconds=0)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_by_key(app, pilot, "k", "TasksScreen")
        await settle(app)
        assert screen.rows and all(t.owner == "rep_a1" for t in screen.rows)
        await pilot.press("enter")
        await settle(app)
        form = app.screen
        form.query_one("#f-sentiment", Input).value = "ecstatic"
        await pilot.press("ctrl+s")
        await settle(app)
        assert app.screen is form and "ecstatic" in str(form.query_one("#err-sentiment").render())


async def test_the_leads_column_and_the_g_key_say_what_they_are_in_chinese(world):
    """The column of a task's lead codes read 线索数 ("number of leads", the report's sense of "leads") and
    `g` (open the task's lead) read 线索 beside `1 线索` (the leads screen)."""
    from tui_crm import i18n

    ids = [world.lead("rep_a1", company=f"Fair {i}").id for i in range(2)]
    sup = world.as_("sup_a")
    batch_run.run(sup, batch_run.Selection(ids=tuple(ids)), "task", {"title": "Fair follow-up",
                                                               "due": sup.now() + timedelta(hours=2)})
    i18n.set_lang("zh")
    try:
        app = CrmApp(world.as_("sup_a"), tick_seconds=0)
        async with app.run_test(size=(120, 36)) as pilot:
            screen = await open_by_key(app, pilot, "k", "TasksScreen")
            await settle(app)
            table = screen.query_one("#tasks-table")
            titles = [str(c.label) for c in table.columns.values()]
            assert "关联线索" in titles and "线索数" not in titles, titles
            hints = {str(getattr(k, "description", "")) for k in screen.query("FooterKey")}
            assert "打开线索" in hints, hints
    finally:
        i18n.set_lang("en")
