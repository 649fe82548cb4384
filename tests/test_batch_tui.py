"""Batch work in the TUI (screens/marking.py, batch_forms.py): marks on the list and the board, the batch menu,
the progress, undo with `u`, on both backends."""
from __future__ import annotations

import pytest

import tui_crm.screens.batch_forms  # noqa: F401  imported in English: a screen's key labels are its class's,
import tui_crm.screens.lead_detail  # noqa: F401  read when the module is first imported (the zh test below)
from tui_crm.app import CrmApp
from tui_crm.store.models import Lead, Task, TaskLead

from tui_helpers import settle, toast, wait_for


@pytest.fixture
def fair(world):
    """40 leads of one trade fair in team A (two reps), and 3 leads from elsewhere."""
    ids = [world.lead("rep_a1" if i % 2 else "rep_a2", company=f"展会客户 {i:02d}", source="展会").id
           for i in range(40)]
    for i in range(3):
        world.lead("rep_a1", company=f"Referral {i}", source="referral")
    return world, ids


async def _list(world, login):
    app = CrmApp(world.as_(login), tick_seconds=0)
    return app


async def test_a_supervisor_marks_a_fairs_forty_leads_and_gives_them_one_task_in_three_keys(fair):
    world, ids = fair
    app = await _list(world, "sup_a")
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(app)
        screen = app.screen
        screen.set_filter("source", Lead.get_by_id(ids[0]).source)  # the fair's leads: the source filter
        await wait_for(pilot, lambda: screen.counts.get("shown") == 40, what="the fair's 40 leads")
        await pilot.press("asterisk")  # 1: mark everything shown
        await wait_for(pilot, lambda: screen.mark_count() == 40, what="40 marked")
        assert "40 marked" in str(screen.query_one("#status").render())
        assert screen.table.header_text(100).startswith("  ")
        await pilot.press("a")  # 2: the batch menu
        await settle(app)
        await pilot.press("t")  # 3: one task for all (title and due pre-filled)
        await settle(app)
        assert type(app.screen).__name__ == "BatchTaskForm"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: Task.select().where(Task.title == "Follow up").exists()
                       and screen.mark_count() == 0 and app.screen is screen, what="the batch done")
        task = Task.get(Task.title == "Follow up")
        linked = {task.lead_id} | {t.lead_id for t in TaskLead.select().where(TaskLead.task == task.id)}
        assert linked == set(ids)
        await toast(app, pilot, "40 leads changed")
        await pilot.press("u")  # undone at once
        await wait_for(pilot, lambda: not Task.select().where(Task.title == "Follow up").exists(), what="undo")


async def test_space_and_shift_down_mark_then_reassign_and_lost(fair):
    world, ids = fair
    app = await _list(world, "sup_a")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app)
        screen = app.screen
        first = screen.table.current
        await pilot.press("space")
        assert screen.is_marked(first) and screen.mark_count() == 1
        await pilot.press("shift+down", "shift+down")
        assert screen.mark_count() == 3
        await pilot.press("space")  # the one under the cursor unmarked again
        assert screen.mark_count() == 2
        marked = set(screen.marked)
        await pilot.press("a", "o")
        await settle(app)
        await pilot.press(*"rep_a1", "enter")
        await wait_for(pilot, lambda: all(Lead.get_by_id(i).owner.login == "rep_a1" for i in marked),
                       what="reassigned")
        await settle(app)  # the batch's worker done (it clears the marks after the database has them)
        screen.marked = set(marked)
        await pilot.press("a", "x")
        await settle(app)
        await pilot.press("ctrl+s")  # the reason is required: the form says so and stays
        await settle(app)
        assert type(app.screen).__name__ == "BatchLostForm"
        await pilot.press(*"invalid", "enter")
        await wait_for(pilot, lambda: all(Lead.get_by_id(i).status == "lost" for i in marked), what="lost")


async def test_the_board_marks_cards_and_moves_them(fair):
    world, ids = fair
    app = await _list(world, "sup_a")
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(app)
        await pilot.press("3")
        await settle(app)
        board = app.screen
        assert type(board).__name__ == "BoardScreen"
        await wait_for(pilot, lambda: board.focused_card is not None, what="a card")
        card = board.focused_card
        await pilot.press("space", "shift+down")
        assert board.mark_count() == 2 and board.is_marked(card)
        assert "2 marked" in str(board.query_one("#status").render())
        marked = set(board.marked)
        await pilot.press("a", "s")
        await settle(app)
        app.screen.query_one("#f-stage").value = "qualified"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: all(Lead.get_by_id(i).stage == "qualified" for i in marked), what="moved")
        await settle(app)  # the batch's worker done: it clears the marks after the database has the move
        await pilot.press("asterisk")
        await wait_for(pilot, lambda: board.mark_count() == 43, what="all the board's leads marked")


async def test_the_audit_screen_undoes_a_batch_from_any_of_its_entries(fair):
    from tui_crm.services.leads import batch_run as batch

    world, ids = fair
    sup = world.as_("sup_a")
    res = batch.run(sup, batch.Selection(ids=tuple(ids[:5])), "lost", {"lost_reason": "invalid contact"})
    app = await _list(world, "sup_a")
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(app)
        await pilot.press("5")
        await settle(app)
        audit = app.screen
        assert type(audit).__name__ == "AuditScreen"
        row = next(i for i, e in enumerate(audit.entries) if e.details.get("batch") == res.batch_id)
        audit.query_one("#audit-table").move_cursor(row=row)
        await pilot.press("u")
        await wait_for(pilot, lambda: all(Lead.get_by_id(i).status == "pending" for i in ids[:5]), what="undone")
        await settle(app)
        row = next(i for i, e in enumerate(audit.entries) if e.entity == "batch" and e.id == res.batch_id)
        audit.query_one("#audit-table").move_cursor(row=row)
        await pilot.press("u")  # once: the second says so
        await settle(app)
        await toast(app, pilot, "already undone")


async def test_a_tasks_title_reads_as_a_title_in_chinese_not_a_job_title(fair):
    """"title" is a person's job title (职务) on a lead; on a task it is its 标题 (both task forms said 职务)."""
    from textual.widgets import Label

    from tui_crm import i18n

    world, _ids = fair
    i18n.set_lang("zh")
    try:
        app = await _list(world, "sup_a")
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(app)
            await pilot.press("space", "a", "t")
            await settle(app)
            labels = [str(w.render()) for w in app.screen.query(Label)]
            assert "标题" in labels and "职务" not in labels
            await pilot.press("escape", "enter")
            await wait_for(pilot, lambda: type(app.screen).__name__ == "LeadDetailScreen", what="the detail")
            await settle(app)
            await pilot.press("plus")
            await settle(app)
            labels = [str(w.render()) for w in app.screen.query(Label)]
            assert "标题" in labels and "职务" not in labels
    finally:
        i18n.set_lang("en")
