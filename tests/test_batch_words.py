"""Every entry a batch writes, read in Chinese on the audit screen and in the lead's timeline (user pass of issue
15: `batch完成`, `task：54 → –`, a batch task's title as the contact's job title 职务, `undo: 任务：46 → –`). Each batch
action and its undo runs for real; no row of the audit or of a lead's timeline may show the change log's own
words. This closes the class: a batch action added later writes entries this test reads."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

from conftest import NOW
from tui_crm import i18n
from tui_crm.services import activity
from tui_crm.services.admin import audit, audit_text
from tui_crm.services.leads import batch_run as batch

RUNS = [("task", {"title": "展会回访", "owner": "rep_a1"}), ("reassign", {"login": "rep_a2"}),
        ("tag", {"add": ["展会"]}), ("untag", {"remove": ["展会"]}), ("move", {"stage": "qualified", "reason": "展会"}),
        ("lost", {"lost_reason": "预算不足"})]


@pytest.fixture
def zh():
    i18n.set_lang("zh")
    yield
    i18n.set_lang("en")


def test_every_batch_entry_reads_in_chinese(world, zh):
    a, b = world.lead("rep_a1"), world.lead("rep_a1")
    sup = world.as_("sup_a")
    for action, params in RUNS:
        if action == "tag" or action == "untag":
            params = {"add": ["展会"]} if action == "tag" else {"remove": ["展会"]}
            action = "tag"
        if action == "task":
            params = {**params, "due": NOW + timedelta(days=1)}
        res = batch.run(sup, batch.Selection(ids=(a.id, b.id)), action, params)
        assert res.done == 2, (action, res)
        if action != "tag":
            batch.undo(sup, res.batch_id)
    rows = list(audit.entries(world.as_("boss")))
    assert any(e.entity == "batch" for e in rows)
    keys: set[str] = set()  # the change log's own words: actions, entities, fields, the ways things were done
    for e in rows:
        mine = {e.action, e.entity, *e.changes, *e.details}
        mine |= {str(v).split()[0] for k, v in e.details.items() if k in ("via", "action") and v}
        keys |= mine
        text = f"{audit_text.what(e)} {audit_text.details(world.ctx, e)}"
        shown = {k for k in mine if re.search(rf"(?<![A-Za-z_]){re.escape(k)}(?![A-Za-z_])", text)}
        assert not shown, (e.entity, e.action, e.changes, e.details, text)
    for item in activity.lead_timeline(world.ctx, a.code):
        shown = {k for k in keys if re.search(rf"(?<![A-Za-z_]){re.escape(k)}(?![A-Za-z_])", item.text)}
        assert not shown, item.text
