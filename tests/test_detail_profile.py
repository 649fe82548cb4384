"""The detail shows what the record holds (user pass of issue 15: region, industry, size, pain points, budget,
decision maker, key obstacle, expected close date, follow-up frequency, next action and remarks were saved and
shown by `e`, not by the detail), in English and Chinese; `leads show --format json` carries the key obstacle
and the follow-up frequency too."""
from __future__ import annotations

import json

import pytest

from cli_helpers import run
from tui_crm import i18n
from tui_crm.app import CrmApp
from tui_crm.screens.lead_detail import LeadDetailScreen
from tui_crm.services import leads
from tui_helpers import settle, wait_for

VALUES = {"region": "华东", "industry": "新能源", "company_size": "200-500", "pain_points": "交付慢",
          "budget": "50万", "decision_maker": "王总", "obstacle": "[/b]预算审批", "expected_close_date": "2026-12-31",
          "follow_up_days": 5, "next_action": "寄样品", "remarks": "展会认识"}


@pytest.fixture(params=["sqlite"])
def db_url(request, tmp_path):  # a Pilot test; the record's values are kept on both backends (test_lead_fields)
    return str(tmp_path / "crm.db")


@pytest.mark.parametrize("lang, titles", [("en", ("region", "key obstacle", "cadence (days)")),
                                          ("zh", ("地区：华东", "关键阻碍：", "跟进频率"))])
async def test_the_detail_shows_every_field_the_record_holds(world, lang, titles):
    rep = world.as_("rep_a1")
    v = leads.add_lead(rep, {"company": "Profile Co", "contact_name": "Li", "phone": "13912345678",
                             "source": "expo", "need": "servers", **VALUES})
    i18n.set_lang(lang)
    try:
        app = CrmApp(rep, tick_seconds=0)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(app)
            app.push_screen(LeadDetailScreen(rep, v.id))
            await wait_for(pilot, lambda: isinstance(app.screen, LeadDetailScreen) and app.screen.data is not None,
                           what="the detail")
            await settle(app)
            text = str(app.screen.query_one("#detail-header").render())
    finally:
        i18n.set_lang("en")
    flat = " ".join(text.split())
    for value in VALUES.values():
        assert str(value) in flat, (value, text)
    for title in titles:
        assert title in flat, (title, text)


def test_leads_show_json_carries_the_key_obstacle_and_the_follow_up_frequency(world):
    v = leads.add_lead(world.as_("rep_a1"), {"company": "Json Co", "contact_name": "Li", "phone": "13912345679",
                                             "source": "expo", "need": "servers", **VALUES})
    proc = run("leads", "show", v.code, "--format", "json", user="rep_a1", db=world.url)
    assert proc.returncode == 0, proc.stderr
    got = json.loads(proc.stdout)
    assert (got["obstacle"], got["follow_up_days"]) == ("[/b]预算审批", 5)
