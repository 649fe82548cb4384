"""Nothing but the list's first page before its first paint (issue 17, the first screen): the status counts,
the inbox's last id and the rule sweep wait until the rows are drawn (Pilot, real databases)."""
from __future__ import annotations

import threading

from tui_crm.app import CrmApp
from tui_crm.screens.frames import in_batch_update
from tui_crm.services import activity
from tui_crm.services.admin import demo
from tui_crm.services.context import open_session
from tui_crm.services.leads import pages
from tui_crm.widgets.lead_table import LeadTable
from tui_helpers import wait_for


async def test_counts_inbox_and_sweep_wait_for_the_first_paint(db_url, monkeypatch):
    ctx = open_session(db_url)
    demo.generate(ctx, leads=30, reps=2, seed=1, admin_login="boss")
    ctx.act_as("rep1")
    order: list[str] = []
    lock = threading.Lock()

    def note(what: str) -> None:
        with lock:
            order.append(what)

    def traced(name, fn):
        def call(*args, **kwargs):
            note(name)
            return fn(*args, **kwargs)
        return call

    render = LeadTable.render_line

    def render_line(self, y):
        if self.rows and "paint" not in order:
            note("paint")
        return render(self, y)

    monkeypatch.setattr(LeadTable, "render_line", render_line)
    monkeypatch.setattr(pages, "after", traced("page", pages.after))
    monkeypatch.setattr(pages, "status_counts", traced("counts", pages.status_counts))
    monkeypatch.setattr(activity, "notifications", traced("inbox", activity.notifications))
    monkeypatch.setattr(activity, "sweep", traced("sweep", activity.sweep))
    app = CrmApp(ctx, tick_seconds=0, sweep_seconds=0.01)  # the sweep as early as the app allows
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: {"counts", "inbox", "sweep"} <= set(order), what="counts, inbox and sweep")
    assert order[0] == "page", order
    first_paint = order.index("paint")
    assert all(order.index(later) > first_paint for later in ("counts", "inbox", "sweep")), order



async def test_the_first_page_is_drawn_once_and_the_app_told_after(db_url, monkeypatch):
    """Textual drops a frame drawn during a batch update (screens/frames.py), and the app's start is one (its Mount
    waits for the list's, the first page's read included): the first page was drawn for nothing, drawn again, and
    the app was told it was shown in between, before it was (issue 17). Now it is drawn once, outside the batch, and
    the app is told after that."""
    ctx = open_session(db_url)
    demo.generate(ctx, leads=30, reps=2, seed=1, admin_login="boss")
    ctx.act_as("boss")
    events: list[str] = []
    render = LeadTable.render_line

    def render_line(self, y):
        if self.rows and y == 0 and "shown" not in events:
            events.append("drawn in a batch" if in_batch_update(self.app) else "drawn")
        return render(self, y)

    first = CrmApp.first_page_shown

    def first_page_shown(self):
        events.append("shown")
        return first(self)

    monkeypatch.setattr(LeadTable, "render_line", render_line)
    monkeypatch.setattr(CrmApp, "first_page_shown", first_page_shown)
    app = CrmApp(ctx, sweep_seconds=None)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: "shown" in events, what="the first page shown")
    assert events[:2] == ["drawn", "shown"], events
