"""Renaming a stage (issue 15, item 1: "stages (add, rename, reorder, probabilities)"): the Stages form's hint
promised a rename by writing the new name, which made a new stage and dropped the old one (or was refused while
leads were in it). ``OLD=NEW:PERCENT`` in `stages set` and the form renames it: its key, leads, history and
every team's cadence stay with it."""
from __future__ import annotations

import pytest

from cli_helpers import run
from tui_crm.i18n import set_lang
from tui_crm.services import admin, leads
from tui_crm.services.admin import teams
from tui_crm.services.errors import ValidationError
from tui_crm.store.models import Lead, Stage

BASE = ["lead acquired:10", "needs confirmed:25", "proposal & quote:50", "negotiation:75"]


def test_a_rename_keeps_the_stage_its_leads_and_the_cadence(world):
    lead = world.lead("rep_a1")
    leads.move_stage(world.as_("rep_a1"), lead.code, "qualified")
    teams.set_team(world.ctx, "A", cadence_days={"qualified": 3})
    admin.set_stages(world.ctx, [BASE[0], "needs confirmed=Discovery:20", *BASE[2:]])
    st = Stage.get(Stage.key == "qualified")
    assert (st.label_en, st.label_zh, st.probability, st.active) == ("Discovery", "需求确认", 20, True)
    assert Stage.select().where(Stage.label_en == "needs confirmed").count() == 0
    assert Lead.get_by_id(lead.id).stage == "qualified"
    assert next(t for t in teams.list_teams(world.ctx) if t.name == "A").settings["cadence_days"]["qualified"] == 3
    # and in Chinese, the Chinese name; the English one stays
    set_lang("zh")
    try:
        admin.set_stages(world.ctx, ["获取线索:10", "需求确认=需求挖掘:20", "方案报价:50", "谈判推进:75"])
    finally:
        set_lang("en")
    st = Stage.get(Stage.key == "qualified")
    assert (st.label_en, st.label_zh) == ("Discovery", "需求挖掘")


def test_a_stage_the_team_made_is_renamed_in_both_languages(world):
    admin.set_stages(world.ctx, BASE + ["Pilot:80"])
    admin.set_stages(world.ctx, BASE + ["Pilot=Trial run:85"])
    st = Stage.get(Stage.key == "Pilot")
    assert (st.label_en, st.label_zh, st.probability) == ("Trial run", "Trial run", 85)


@pytest.mark.parametrize("spec, says", [
    ("nowhere=Somewhere:20", "no stage nowhere to rename"),
    ("needs confirmed=proposal & quote:20", "a stage is called proposal & quote already"),
    ("needs confirmed=:20", "a rename is OLD=NEW:PERCENT"),
    ("needs confirmed=won:20", "won and lost are outcomes")])
def test_a_bad_rename_is_refused_in_one_line_and_changes_nothing(world, spec, says):
    before = [(s.key, s.label_en, s.label_zh, s.position, s.probability, s.active) for s in Stage.select()]
    with pytest.raises(ValidationError) as err:
        admin.set_stages(world.ctx, [BASE[0], spec, *BASE[2:]])
    assert says in str(err.value) and "\n" not in str(err.value)
    assert [(s.key, s.label_en, s.label_zh, s.position, s.probability, s.active) for s in Stage.select()] == before


def test_the_command_line_renames_in_chinese_too(world):
    proc = run("stages", "set", "获取线索:10", "需求确认=需求挖掘:30", "方案报价:50", "谈判推进:75",
               user="boss", db=world.url, env={"TUI_CRM_LANG": "zh"})
    assert proc.returncode == 0, proc.stderr
    assert "需求挖掘" in proc.stdout
    assert Stage.get(Stage.key == "qualified").label_zh == "需求挖掘"
    proc = run("stages", "set", "--help", user="boss", db=world.url, env={"TUI_CRM_LANG": "zh"})
    assert "旧名=新名:百分比" in proc.stdout
