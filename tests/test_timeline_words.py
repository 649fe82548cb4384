"""The timeline reads in words in the reader's language, never raw fields (`reassign: owner: 6`,
`wake_up_at: 1798761600`); history is not rewritten (after a reassign old entries keep their author); stay
reasons and snoozes are shown; a won lead's detail shows the amount won. SQLite and PostgreSQL."""
from __future__ import annotations

import re
from datetime import timedelta

from tui_crm import clock
from tui_crm.i18n import set_lang
from tui_crm.screens.messages import OpenLead
from tui_crm.services import activity, leads
from tui_crm.services.activity import tasks

from conftest import NOW
from rep_fixtures import app_for
from tui_helpers import settle

RAW = re.compile(r"\b\d{9,}\b|_at\b|_id\b|_cents\b|owner: \d|\bwake_up\b|\bin_progress\b")


def a_day_of_history(world):
    """A lead through a morning: a task snoozed, a call with a sentiment, paused and reopened, dormant and
    woken, a stay reason on moving on, reassigned by the supervisor, then won with 8万."""
    rep, sup = world.as_("rep_a1"), world.as_("sup_a")
    v = world.lead("rep_a1", amount_cents=37800000)
    tid = tasks.add_task(rep, v.id, "other", "Send the brochure", NOW + timedelta(hours=2), "high")
    tasks.snooze_task(rep, tid, NOW + timedelta(days=1, hours=1))
    clock.set_now(NOW + timedelta(minutes=5))
    activity.log_followup(rep, v.id, activity.FollowUpInput(method="wechat", summary="asked for a quote",
                                                           sentiment="hesitant", reading="budget is tight"))
    clock.set_now(NOW + timedelta(minutes=10))
    leads.set_outcome(rep, v.id, "paused", {"pause_reason": "customer on holiday"})
    leads.set_outcome(rep, v.id, "in_progress", {})
    leads.set_outcome(rep, v.id, "dormant", {"wake_up_at": NOW + timedelta(days=30)})
    leads.set_outcome(rep, v.id, "in_progress", {})
    clock.set_now(NOW + timedelta(days=8))
    leads.move_stage(rep, v.id, "qualified", reason="waiting for the budget")
    leads.reassign(sup, v.id, "rep_a2")
    clock.set_now(NOW + timedelta(days=8, minutes=5))
    leads.set_outcome(world.as_("rep_a2"), v.id, "won", {"won_amount_cents": 8000000, "product": "servers"})
    return v


def test_the_timeline_tells_each_entry_in_words_by_its_own_author(world):
    v = a_day_of_history(world)
    items = activity.lead_timeline(world.as_("sup_a"), v.id)
    texts = [i.text for i in items]
    joined = "\n".join(texts)
    assert not RAW.search(joined), RAW.search(joined)
    by_text = {i.text: i.user for i in items}

    def one(start):
        found = [t for t in texts if t.startswith(start)]
        assert found, (start, texts)
        return found[0]

    assert by_text[one("reassigned from Rep A1 to Rep A2")] == "Sup A"
    assert "1 open task went with it" in one("reassigned from")
    # planned by rep_a1 before the reassign: still rep_a1's, though rep_a2 owns the open tasks now
    assert by_text[one("task planned: first contact")] == "Rep A1"
    assert by_text[one("task planned: other · Send the brochure")] == "Rep A1"
    assert by_text[one("task done: first contact")] == "Rep A1"  # done by the call rep_a1 logged
    assert one("task snoozed: other · Send the brochure").endswith("2024-11-01 12:00 → 2024-11-02 11:00")
    assert "[WeChat] asked for a quote" in one("[WeChat]") and "sentiment: hesitant" in one("[WeChat]")
    assert one("paused: customer on holiday")
    assert one("made dormant, to wake up on 2024-12-01 10:")
    assert one("reopened: in progress")
    assert one("entered stage needs confirmed") == \
        "entered stage needs confirmed · stay reason in lead acquired: waiting for the budget"
    assert one("outcome: won") == "outcome: won · amount won: 80,000.00 · product: servers"
    assert by_text[one("outcome: won")] == "Rep A2"


def test_the_timeline_in_chinese_has_no_english_words_of_ours(world):
    v = a_day_of_history(world)
    set_lang("zh")
    try:
        items = activity.lead_timeline(world.as_("sup_a"), v.id)
    finally:
        set_lang("en")
    joined = "\n".join(i.text for i in items)
    assert not RAW.search(joined), RAW.search(joined)
    for english in ("reassigned", "snoozed", "dormant", "paused", "outcome", "stay reason", "WeChat", "hesitant",
                    "task planned", "entered stage"):
        assert english not in joined, english
    for chinese in ("由 Rep A1 转交给 Rep A2", "任务推迟", "转为休眠", "暂缓：customer on holiday", "[微信]", "犹豫",
                    "成交金额：80,000.00", "停留原因：waiting for the budget"):
        assert chinese in joined, chinese


async def test_after_won_with_8_wan_the_detail_shows_the_amount_won(world):
    rep = world.as_("rep_a1")
    v = world.lead("rep_a1", amount_cents=37800000)
    app = app_for(world.url, "rep_a1")
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(app)
        app.post_message(OpenLead(v.id))
        await settle(app)
        await pilot.press("w")
        await settle(app)
        app.screen.query_one("#f-won_amount").value = "8万"
        app.screen.query_one("#f-product").value = "servers"
        await pilot.press("ctrl+s")
        await settle(app)
        header = str(app.screen.query_one("#detail-header").render())
        warnings = str(app.screen.query_one("#detail-warnings").render())
    assert "amount won: 80,000.00" in header and "(expected 378,000.00)" in header
    assert "80,000.00" in warnings and "servers" in warnings
    assert leads.get(rep, v.id).won_amount_cents == 8000000
