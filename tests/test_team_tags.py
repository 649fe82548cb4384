"""Tags by hand and by rule: split on , ; ， ； 、, one audited entry per lead changed, read for visible rows
only, filtered and searched."""
from __future__ import annotations

import pytest

from tui_crm.domain.tags import split_tags, split_values
from tui_crm.services import leads
from tui_crm.services.errors import NotFound, ValidationError
from tui_crm.services.leads import tags
from tui_crm.store.models import Change, Lead, LeadTag


def test_tag_values_split_on_every_separator_the_templates_use():
    assert split_values("新能源、高意向; VIP,,新能源 ，大客户；  华东 区 ") == ["新能源", "高意向", "VIP", "大客户", "华东 区"]
    assert split_values(None) == [] and split_values(" ,、 ") == []
    assert split_tags(["a, b", "b；c"]) == ["a", "b", "c"]


def test_tags_are_added_and_removed_by_hand_once_each_and_audited(world):
    rep = world.as_("rep_a1")
    lead = world.lead("rep_a1")
    assert tags.tag_leads(rep, [lead.code], add=["新能源、高意向"]) == [lead.code]
    assert tags.lead_tags(rep, lead.code) == ["新能源", "高意向"]
    assert tags.tag_leads(rep, [lead.code], add=["高意向"]) == []  # nothing new: no entry
    assert tags.tag_leads(rep, [lead.code], remove=["新能源"]) == [lead.code]
    assert tags.lead_tags(rep, lead.code) == ["高意向"]
    entries = list(Change.select().where((Change.lead_id == lead.id) & (Change.action == "tag")).order_by(Change.id))
    assert len(entries) == 2 and all(e.user_id == rep.actor.id for e in entries)
    assert '"tags": ["新能源, 高意向", "高意向"]' in entries[1].diff
    assert leads.get(rep, lead.code).tags == ["高意向"]
    with pytest.raises(ValidationError, match="at most 64"):
        tags.tag_leads(rep, [lead.code], add=["x" * 65])


def test_nobody_tags_or_reads_the_tags_of_a_lead_they_cannot_see(world):
    mine = world.lead("rep_a1")
    theirs = world.lead("rep_b1")
    tags.tag_leads(world.as_("rep_b1"), [theirs.code], add="secret")
    tags.tag_leads(world.as_("rep_a1"), [mine.code], add="open")
    rep = world.as_("rep_a1")
    with pytest.raises(NotFound):
        tags.tag_leads(rep, [mine.code, theirs.code], add="x")
    assert tags.lead_tags(rep, mine.code) == ["open"]  # the refused batch changed nothing
    assert tags.tags_of(rep, [mine.id, theirs.id]) == {mine.id: ["open"]}
    assert tags.all_tags(rep) == [("open", 1)]
    assert dict(tags.all_tags(world.ctx)) == {"open": 1, "secret": 1}


def test_the_list_filters_by_tag_and_search_finds_tags(world):
    a = world.lead("rep_a1", company="Alpha")
    b = world.lead("rep_a1", company="Beta")
    rep = world.as_("rep_a1")
    tags.tag_leads(rep, [a.code, b.code], add="新能源")
    tags.tag_leads(rep, [a.code], add="高意向")
    assert {v.code for v in leads.list_leads(rep, tag="新能源、高意向")} == {a.code}
    assert {v.code for v in leads.list_leads(rep, tag="新能源")} == {a.code, b.code}
    assert {v.code for v in leads.list_leads(rep, search="高意向")} == {a.code}


def test_auto_tag_rules_tag_a_new_lead_by_source_and_keywords(world):
    from tui_crm.services.admin import rules

    rules.add_auto_tag(world.ctx, "高意向-决策层", sources=["expo"], keywords=["采购", "决策"])
    rules.add_auto_tag(world.ctx, "低意向-潜在需求", keywords=["了解"])
    hot = world.lead("rep_a1", need="计划采购50台服务器", source="expo")
    cold = world.lead("rep_a1", need="先了解一下", source="website")
    web = world.lead("rep_a1", need="计划采购", source="website")
    rep = world.as_("rep_a1")
    assert tags.lead_tags(rep, hot.code) == ["高意向-决策层"]
    assert tags.lead_tags(rep, cold.code) == ["低意向-潜在需求"]
    assert tags.lead_tags(rep, web.code) == []
    assert [(r.tag, r.sources, r.keywords) for r in rules.list_auto_tags(world.ctx)] == [
        ("高意向-决策层", ["expo"], ["采购", "决策"]), ("低意向-潜在需求", [], ["了解"])]
    assert LeadTag.select().count() == 2


def test_the_timeline_tells_tag_changes_in_words(world):
    from tui_crm.services import activity

    lead = world.lead("rep_a1")
    rep = world.as_("rep_a1")
    tags.tag_leads(rep, [lead.code], add="新能源, 高意向")
    texts = [i.text for i in activity.lead_timeline(rep, lead.code)]
    assert "tags: – → 新能源, 高意向" in texts
