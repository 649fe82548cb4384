"""The app sweeps escalations (rule 2) after its first paint, not before it opens (Pilot, real databases)."""
from __future__ import annotations

from datetime import timedelta

from tui_crm import clock
from tui_crm.app import CrmApp
from tui_crm.store.models import Lead, Notification
from tui_helpers import settle, wait_for


async def test_app_escalates_uncontacted_leads_after_it_has_opened(world):
    lead = world.lead("rep_a1")
    clock.advance(timedelta(days=4))  # three days after assignment and still not contacted
    app = CrmApp(world.as_("rep_a1"), tick_seconds=0, sweep_seconds=0.5)  # as `tui-crm` opens it (1 s)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app)
        assert app.screen.table.rows  # the list painted first
        await wait_for(pilot, lambda: Lead.get_by_id(lead.id).escalated, what="the open app's sweep escalating")
    assert Lead.get_by_id(lead.id).escalated
    sup = world.as_("sup_a").actor.id
    assert Notification.select().where((Notification.user == sup) & (Notification.lead == lead.id)).exists()


def test_the_sweep_is_recorded_as_a_rule_not_as_whoever_ran_it(world):
    """rep_a1's session may run the sweep over rep_b1's lead (another team): the escalation is the rule's
    doing, not rep_a1's, in the change log and on the lead's timeline."""
    from tui_crm.i18n import set_lang
    from tui_crm.services import activity
    from tui_crm.store.models import Change

    lead = world.lead("rep_b1")
    clock.advance(timedelta(days=4))
    assert activity.sweep_escalations(world.as_("rep_a1")) == 1
    entry = Change.get((Change.lead_id == lead.id) & (Change.action == "escalate"))
    assert entry.user_id is None
    set_lang("en")
    item = next(i for i in activity.lead_timeline(world.as_("sup_b"), lead.id) if i.kind == "escalate")
    assert item.user == "tui-crm (a rule)"


def test_the_timeline_quotes_the_escalation_days_of_the_leads_team(world):
    """PRODUCT §8: team settings override the global ones. Team A escalates after 5 days (the global rule: 3);
    its lead's timeline line said "3 days" all the same. An entry written before the days were kept reads
    the lead's team's number."""
    import json

    from tui_crm.i18n import set_lang
    from tui_crm.services import activity
    from tui_crm.services.admin import teams
    from tui_crm.store.models import Change

    teams.set_team(world.ctx, "A", escalate_after_days=5)
    a, b = world.lead("rep_a1"), world.lead("rep_b1")
    clock.advance(timedelta(days=4))
    assert activity.sweep_escalations(world.as_("boss")) == 1  # B's, after the global 3 days; A's waits
    clock.advance(timedelta(days=2))
    assert activity.sweep_escalations(world.as_("boss")) == 1
    set_lang("en")

    def line(lead_id: int) -> str:
        return next(i.text for i in activity.lead_timeline(world.as_("boss"), lead_id) if i.kind == "escalate")

    assert line(a.id) == "escalated to the supervisor: not contacted 5 days after assignment"
    assert line(b.id) == "escalated to the supervisor: not contacted 3 days after assignment"
    entry = Change.get((Change.lead_id == a.id) & (Change.action == "escalate"))
    Change.update(diff=json.dumps({"escalated": [False, True]})).where(Change.id == entry.id).execute()
    assert line(a.id) == "escalated to the supervisor: not contacted 5 days after assignment"
