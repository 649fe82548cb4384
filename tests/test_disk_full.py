"""A write that runs out of room (SQLite's page limit, as a full disk is to the file) fails whole:
the database stays consistent, what was saved before is kept, the user reads one line, and the next
write after room is made works. (A real full tmpfs through the command line: test_cli_faults.py.)"""
from __future__ import annotations

import pytest

from tui_crm.domain import limits
from tui_crm.services import activity, admin, leads
from tui_crm.services.context import open_session
from tui_crm.store import faults
from tui_crm.store.models import FollowUp, Lead


def test_a_write_past_the_room_left_fails_whole_and_keeps_what_was_saved(sqlite_url):
    ctx = open_session(sqlite_url)
    admin.add_user(ctx, "boss", "Boss", "admin")
    ctx.act_as("boss")
    kept = leads.add_lead(ctx, {"company": "Kept", "contact_name": "Li", "phone": "13900000002", "source": "expo",
                                "need": "servers"})
    activity.log_followup(ctx, kept.code, activity.FollowUpInput(summary="saved before"))
    pages = ctx.db.execute_sql("PRAGMA page_count").fetchone()[0]
    ctx.db.execute_sql(f"PRAGMA max_page_count = {pages}")  # no room for one more page
    with pytest.raises(Exception) as info:
        leads.add_lead(ctx, {"company": "Too big", "contact_name": "Wu", "phone": "13900000003", "source": "expo",
                             **{f: "x" * limits.TEXT for f in ("need", "remarks", "pain_points", "obstacle")}})
    assert faults.kind(info.value) == "full"
    line = faults.describe(info.value)
    assert line.startswith("the disk is full") and "\n" not in line
    assert not ctx.db.in_transaction()
    ctx.db.execute_sql("PRAGMA max_page_count = 1073741823")
    assert ctx.db.execute_sql("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert [lead.company for lead in Lead.select()] == ["Kept"]
    assert [f.summary for f in FollowUp.select()] == ["saved before"]
    activity.log_followup(ctx, kept.code, activity.FollowUpInput(summary="room again"))
    assert FollowUp.select().count() == 2
    ctx.close()
