"""The pick lists an admin keeps (PRODUCT §1): sources (add, rename, retire, remove, order) and lost reasons
(add, rename, remove, order), through the services and the command line, on both backends. A source or
reason in use never vanishes from its leads; only admins change the lists; each change is one audit entry."""
from __future__ import annotations

import pytest

from tui_crm.services import leads
from tui_crm.services.admin import lost_reasons, sources
from tui_crm.services.errors import AccessDenied, NotFound, ValidationError
from tui_crm.store.models import Change

from cli_helpers import run, run_json


def _entries(entity: str) -> list[tuple[str, dict]]:
    import json

    return [(c.action, json.loads(c.diff)) for c in Change.select().where(Change.entity == entity).order_by(Change.id)]


def test_sources_add_rename_retire_remove_and_order(world):
    ctx = world.ctx
    before = [s.key for s in sources.list_sources(ctx)]
    v = sources.add_source(ctx, "Trade Fair", zh="地推展会")
    assert (v.key, v.en, v.zh, v.position, v.active) == ("trade-fair", "Trade Fair", "地推展会", len(before) + 1, True)
    lead = world.lead("rep_a1", source="地推展会")  # by its Chinese name
    assert lead.source == "trade-fair" and lead.code.startswith("TRADE-FAIR-")
    sources.rename_source(ctx, "trade-fair", en="Fair booth")
    assert world.as_("rep_a1").sources["trade-fair"] == ("Fair booth", "地推展会")
    assert leads.get(world.as_("rep_a1"), lead.code).source == "trade-fair"  # the key and the code stay
    with pytest.raises(ValidationError, match="used by 1 lead and"):
        sources.remove_source(ctx, "Fair booth")
    sources.set_active(ctx, "trade-fair", False)
    with pytest.raises(ValidationError, match="retired"):
        world.lead("rep_a1", source="trade-fair")
    rep = world.as_("rep_a1")
    assert "trade-fair" not in rep.active_sources() and "trade-fair" in rep.active_sources(keep="trade-fair")
    edited = leads.update_lead(rep, lead.code, {"region": "华东", "source": "Fair booth"})  # its own: kept
    assert edited.source == "trade-fair"
    sources.add_source(ctx, "trade fair")  # a retired one's name restores it
    assert sources.list_sources(ctx)[-1].active
    sources.move_source(ctx, "trade-fair", 1)
    assert list(world.as_("rep_a1").sources)[:2] == ["trade-fair", before[0]]
    unused = sources.add_source(ctx, "地推")
    assert unused.key == "地推"
    assert sources.remove_source(ctx, "地推") == "地推"
    assert [s.key for s in sources.list_sources(ctx)] == ["trade-fair", *before]
    assert [a for a, _d in _entries("source")] == ["create", "update", "retire", "restore", "move", "create", "delete"]
    with pytest.raises(ValidationError, match="exists already"):
        sources.add_source(ctx, "展会")  # expo's Chinese name
    with pytest.raises(NotFound):
        sources.rename_source(ctx, "nowhere", en="x")


def test_a_source_in_a_rule_is_not_removed(world):
    from tui_crm.services.admin import rules

    sources.add_source(world.ctx, "roadshow")
    rules.add_rule(world.ctx, source="roadshow", to_user="rep_a1")
    with pytest.raises(ValidationError, match="0 leads and 1 rule:"):
        sources.remove_source(world.ctx, "roadshow")


def test_lost_reasons_add_rename_remove_and_order_and_leads_keep_theirs(world):
    ctx = world.ctx
    assert [v.default for v in lost_reasons.list_reasons(ctx)] == [True] * 6
    lost = world.lead("rep_a1")
    leads.set_outcome(world.as_("rep_a1"), lost.code, "lost", {"lost_reason": "price too high"})
    views = lost_reasons.add_reason(ctx, "客户被收购", position=1)  # the defaults become the team's list first
    assert [v.reason for v in views][:3] == ["客户被收购", "price too high", "chose a competitor"]
    assert not any(v.default for v in views) and views[1].leads == 1
    assert world.as_("rep_a1").lost_reasons[0] == "客户被收购"
    lost_reasons.rename_reason(ctx, "2", "price too high for them")
    lost_reasons.move_reason(ctx, "price too high for them", 99)
    assert world.as_("rep_a1").lost_reasons[-1] == "price too high for them"
    gone, kept = lost_reasons.remove_reason(ctx, "客户被收购")
    assert (gone, kept) == ("客户被收购", 0)
    assert leads.get(world.as_("rep_a1"), lost.code).lost_reason == "price too high"  # the lead keeps its words
    with pytest.raises(ValidationError, match="in the list already"):
        lost_reasons.add_reason(ctx, "No Budget")
    for text in list(world.as_("boss").lost_reasons)[:-1]:
        lost_reasons.remove_reason(ctx, text)
    with pytest.raises(ValidationError, match="one lost reason at least"):
        lost_reasons.remove_reason(ctx, "1")
    assert [a for a, _d in _entries("lost_reason")][:4] == ["create", "update", "move", "delete"]


@pytest.mark.parametrize("login", ["sup_a", "rep_a1"])
def test_only_an_admin_changes_the_lists(world, login):
    s = world.as_(login)
    for call in (lambda: sources.add_source(s, "mine"), lambda: sources.rename_source(s, "expo", en="x"),
                 lambda: sources.set_active(s, "expo", False), lambda: sources.remove_source(s, "other"),
                 lambda: sources.move_source(s, "expo", 3), lambda: lost_reasons.add_reason(s, "mine"),
                 lambda: lost_reasons.rename_reason(s, "1", "x"), lambda: lost_reasons.remove_reason(s, "1"),
                 lambda: lost_reasons.move_reason(s, "1", 2)):
        with pytest.raises(AccessDenied):
            call()
    assert all(v.leads is None for v in sources.list_sources(s))  # counts span every team: admins only
    assert not Change.select().where(Change.entity.in_(("source", "lost_reason"))).exists()


def test_the_command_line(world):
    url = world.url
    world.lead("rep_a1", source="ads")
    out = run_json("sources", "list", "--format", "json", db=url)
    ads = next(s for s in out if s["key"] == "ads")
    assert ads["leads"] == 1 and ads["active"] and ads["zh"] == "线上广告"
    run("sources", "add", "Roadshow", "--zh", "路演", db=url, check=0)
    proc = run("sources", "remove", "ads", db=url, check=1)
    assert proc.stderr.strip().count("\n") == 0 and "used by 1 lead and" in proc.stderr
    run("sources", "retire", "ads", db=url, check=0)
    run("sources", "move", "roadshow", "1", db=url, check=0)
    assert [s["key"] for s in run_json("sources", "list", "--format", "json", db=url)][0] == "roadshow"
    proc = run("sources", "add", "mine", user="sup_a", db=url, check=1)
    assert "only an admin" in proc.stderr
    run("lost-reasons", "add", "预算被砍", "--position", "1", db=url, check=0)
    run("lost-reasons", "move", "预算被砍", "3", db=url, check=0)
    run("lost-reasons", "rename", "3", "预算被砍了", db=url, check=0)
    reasons = run_json("lost-reasons", "list", "--format", "json", db=url)
    assert reasons[2] == {"position": 3, "reason": "预算被砍了", "leads": 0, "default": False}
    assert "keep it" in run("lost-reasons", "remove", "预算被砍了", db=url, check=0).stdout
    assert "预算被砍了" not in [r["reason"] for r in run_json("lost-reasons", "list", "--format", "json", db=url)]
    zh = run("--lang", "zh", "sources", "--help", db=url, check=0).stdout
    assert "来源" in zh and "停用" in zh
    zh = run("--lang", "zh", "lost-reasons", "--help", db=url, check=0).stdout
    assert "流失原因" in zh
