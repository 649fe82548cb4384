"""A big batch and the other open apps (issue 15, batch work): a batch writes one change entry per lead, and an
open app read the feed a page (500 entries) per poll, so after a batch on thousands of leads everyone's other
changes reached the open apps minutes late. Far behind, the feed now jumps to the newest entry and the screens
read again; the log keeps every entry (Pilot, both backends)."""
from __future__ import annotations

import json

from tui_crm.services import leads
from tui_crm.services.admin import demo
from tui_crm.services.context import open_session
from tui_crm.services.leads import batch_run as batch
from tui_crm.services.leads.pages import ListQuery
from tui_crm.store.models import Change
from tui_helpers import settle, wait_for

N = 4000  # 8 pages of the feed: 8 polls behind without the jump


async def test_after_a_big_batch_another_app_shows_a_third_users_new_lead_at_its_next_poll(db_url):
    from tui_crm.app import CrmApp

    ctx = open_session(db_url)
    demo.generate(ctx, leads=N, reps=2, seed=7, admin_login="boss")  # boss, sup1, rep1, rep2: one team
    ctx.close()
    app = CrmApp(open_session(db_url, "rep1"), tick_seconds=0, poll_seconds=0.2)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(app)
        boss = open_session(db_url, "boss")
        res = batch.run(boss, batch.Selection(query=ListQuery()), "tag", {"add": ["展会"]})  # the app waits
        assert res.done == N
        new = leads.add_lead(open_session(db_url, "sup1"), {
            "company": "Third Party Co", "contact_name": "Li Lei", "phone": "13912345678", "source": "expo",
            "need": "racks", "owner": "rep1"})
        polls = app.live_ticks

        def toasted() -> bool:
            return any(new.code in n.message for n in app._notifications)

        await wait_for(pilot, toasted, what="the new lead's notification in rep1's open app")
        assert app.live_ticks - polls <= 3, f"{app.live_ticks - polls} polls"  # 8+ when read page by page
    batch_entries = [c for c in Change.select(Change.diff).where(Change.action == "tag")
                     if json.loads(c.diff).get("via") == f"batch {res.batch_id}"]
    assert len(batch_entries) == N  # one audited entry per lead, all kept
    assert batch.undo(open_session(db_url, "boss"), res.batch_id).done == N


def test_after_the_demo_the_feed_and_the_undo_read_the_change_log_by_its_key(sqlite_url):
    """The demo's ANALYZE saw a change log of one entry, and from then on SQLite's planner scanned the whole log
    for each live poll and each chunk of a batch's undo (`id > ?` in id order): 0.2 s a poll at 300,000 entries."""
    ctx = open_session(sqlite_url)
    demo.generate(ctx, leads=200, reps=2, seed=7, admin_login="boss")
    plan = " ".join(str(r) for r in ctx.db.execute_sql(
        'EXPLAIN QUERY PLAN SELECT "id", "diff" FROM "change" WHERE "id" > ? ORDER BY "id" LIMIT 500', (1,)))
    assert "INTEGER PRIMARY KEY" in plan and "SCAN" not in plan, plan
    ctx.close()
