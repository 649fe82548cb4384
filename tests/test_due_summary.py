"""Schema v16's ``report_due`` (store/summaries.py): the working leads by the hour of their next follow-up,
which the list's and the board's overdue and due-today counts read for whole hours (the partial hours at
the ends from the lead rows). A v15 database upgrades to it; the counts are exact to the second, in a zone
whose midnight is not on the hour, on both backends."""
from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from tui_crm import clock
from tui_crm.services.activity import tasks
from tui_crm.services.context import open_session
from tui_crm.services.leads import board, pages
from tui_crm.services.leads.pages import ListQuery
from tui_crm.store import schema, summaries, summary_deltas, summary_triggers
from tui_crm.store.models import Lead, Meta

NOW = datetime(2024, 10, 7, 18, 40, 30, tzinfo=timezone.utc)  # Kolkata 00:10:30 on the 8th, Eucla 03:25:30


def _due(world, login: str, at: datetime) -> None:
    lead = world.lead(login)
    for t in tasks.open_tasks(world.ctx, lead.code):  # the first contact a new lead plans: done
        tasks.complete_task(world.ctx, t.id, "reached")
    tasks.add_task(world.as_(login), lead.code, "call", "call back", at)


def _counts(world, login: str, zone: str) -> tuple[int, int, int, int]:
    ctx = world.as_(login)
    ctx.actor = dataclasses.replace(ctx.actor, tz=ZoneInfo(zone))
    cols = board.summary(ctx).columns
    assert cols == board.row_columns(ctx, board.condition(ctx, None), board._bounds(ctx))
    return (pages.count(ctx, ListQuery(("overdue",))), pages.count(ctx, ListQuery(("today",))),
            sum(c.overdue for c in cols), sum(c.today for c in cols))


def test_overdue_and_due_today_are_exact_to_the_second_at_hour_and_midnight_edges(world):
    clock.set_now(NOW - timedelta(days=3))
    try:
        for at in (NOW - timedelta(days=2), NOW - timedelta(hours=1, seconds=1), NOW.replace(minute=0, second=0),
                   NOW - timedelta(seconds=1), NOW, NOW + timedelta(minutes=19, seconds=29),  # 18:59:59 UTC
                   NOW + timedelta(minutes=19, seconds=30),  # 19:00:00
                   datetime(2024, 10, 8, 18, 29, 59, tzinfo=timezone.utc),  # Kolkata 23:59:59 on the 8th
                   datetime(2024, 10, 8, 18, 30, tzinfo=timezone.utc), NOW + timedelta(days=3)):
            _due(world, "rep_a1", at)
        clock.set_now(NOW)
        # overdue: the four before now; today in Kolkata: now until 18:30 UTC on the 8th (not the 18:30 one)
        assert _counts(world, "rep_a1", "Asia/Kolkata") == (4, 4, 4, 4)
        assert _counts(world, "sup_a", "Asia/Kolkata") == (4, 4, 4, 4)
        assert _counts(world, "boss", "Australia/Eucla") == (4, 3, 4, 3)  # its midnight: 15:15 UTC on the 8th
        clock.set_now(NOW + timedelta(seconds=1))  # time passes, nothing written: one more overdue
        assert _counts(world, "boss", "Asia/Kolkata") == (5, 3, 5, 3)
        clock.set_now(NOW + timedelta(minutes=19, seconds=30))  # 19:00:00: the one at 19:00 is due, not overdue
        assert _counts(world, "rep_a1", "Asia/Kolkata") == (6, 2, 6, 2)
    finally:
        clock.set_now(None)
    assert summaries.check(world.ctx.db) == []


def test_a_v15_database_upgrades_and_then_keeps_report_due(world):
    clock.set_now(NOW)
    try:
        _due(world, "rep_a1", NOW - timedelta(days=1))
        _due(world, "rep_b1", NOW + timedelta(hours=2))
        db = world.ctx.db
        # back to v15: no report_due (nor its delta), the lead triggers of v15 (which do not keep it)
        summary_triggers.drop(db)
        db.execute_sql(f"DROP TABLE {summaries.DUE.table}")
        db.execute_sql(f"DROP TABLE {summaries.DUE.delta}")
        v15 = tuple(s for s in summaries.SUMMARIES if s is not summaries.DUE)
        real = summary_triggers.SUMMARIES
        summary_triggers.SUMMARIES = summary_deltas.SUMMARIES = v15
        try:
            summary_triggers.install(db, fill=False)
        finally:
            summary_triggers.SUMMARIES = summary_deltas.SUMMARIES = real
        Meta.update(value="15").where(Meta.key == "schema_version").execute()
        world.ctx.close()
        ctx = open_session(world.url, "boss", upgrade=True)
        assert schema.current_version(ctx.db) == schema.LATEST >= 16
        assert schema.check(ctx.db) == []
        assert _counts(world, "boss", "UTC") == (1, 1, 1, 1)
        _due(world, "rep_a2", NOW - timedelta(hours=3))  # kept by the triggers from now on
        assert _counts(world, "boss", "UTC") == (2, 1, 2, 1)
        lead = Lead.get(Lead.next_follow_up_at < int(NOW.timestamp()) - 86000)
        tasks.complete_task(world.ctx, tasks.open_tasks(world.ctx, lead.code)[0].id, "reached")
        assert _counts(world, "boss", "UTC") == (1, 1, 1, 1)
        assert schema.check(ctx.db) == []
        ctx.close()
    finally:
        clock.set_now(None)
