"""Board queries: headers from one GROUP BY, card pages in board order, scope, stalled rule.

Expected figures are worked out by hand from the leads each test creates.
Runs on SQLite and PostgreSQL (``world`` is parametrised over both).
"""
from datetime import timedelta

from tui_crm import clock
from tui_crm.services.leads import board
from tui_crm.services import leads
from tui_crm.services.activity import tasks
from tui_crm.store.models import Lead


def _set_due(lead_id, when):
    """Test setup: put the lead's next follow-up at ``when`` (None: nothing planned)."""
    Lead.update(next_follow_up_at=None if when is None else int(when.timestamp())).where(Lead.id == lead_id).execute()


def test_headers_counts_sums_weighted_and_follow_up_states(world):
    # rep_a1: L1 acquired 1,000.00 high (first contact due +24 h); L2 2,000.00 moved to qualified (due +48 h)
    l1 = world.lead("rep_a1", amount_cents=100000, priority="high")
    l2 = world.lead("rep_a1", amount_cents=200000)
    leads.move_stage(world.as_("rep_a1"), l2.code, "qualified")
    # rep_a2: L3 acquired 500.00 low (+72 h); rep_b1 (team B): L4 acquired 9,999.00
    world.lead("rep_a2", amount_cents=50000, priority="low")
    world.lead("rep_b1", amount_cents=999900)
    clock.advance(timedelta(hours=30))  # now 11-02 16:00 Shanghai: L1 overdue, L2 due 11-03 10:00 planned

    s = board.summary(world.as_("sup_a"))
    acq, qual, prop, neg = s.columns
    assert [c.stage for c in s.columns] == ["acquired", "qualified", "proposal", "negotiation"]
    assert (acq.count, acq.amount_cents, acq.weighted_cents) == (2, 150000, 15000)  # 10% of 1,500.00
    assert (acq.overdue, acq.today, acq.planned, acq.nothing) == (1, 0, 1, 0)
    assert (qual.count, qual.amount_cents, qual.weighted_cents) == (1, 200000, 50000)  # 25% of 2,000.00
    assert (qual.overdue, qual.today, qual.planned, qual.nothing) == (0, 0, 1, 0)
    assert (prop.count, neg.count, prop.amount_cents) == (0, 0, 0)

    assert board.summary(world.as_("boss")).columns[0].count == 3
    assert board.summary(world.as_("rep_a2")).columns[0].count == 1
    assert board.summary(world.as_("rep_b1")).columns[0].amount_cents == 999900

    # a lead's own probability wins over the stage's; due later today counts as due today
    Lead.update(probability=40).where(Lead.id == l1.id).execute()
    _set_due(l1.id, clock.now() + timedelta(hours=2))  # 18:00, still today
    acq = board.summary(world.as_("sup_a")).columns[0]
    assert acq.weighted_cents == 40000 + 5000
    assert (acq.overdue, acq.today, acq.planned) == (0, 1, 1)

    # won this month moves out of the column into the won summary
    leads.set_outcome(world.as_("rep_a1"), l2.code, "won", {"won_amount_cents": 250000, "product": "servers"})
    s = board.summary(world.as_("sup_a"))
    assert s.columns[1].count == 0
    assert (s.won.count, s.won.amount_cents) == (1, 250000)
    assert board.summary(world.as_("sup_b")).won.count == 0


def test_filters_owner_team_source_priority_mine_text(world):
    world.lead("rep_a1", company="Alpha Robotics", source="expo", priority="high")
    world.lead("rep_a2", company="Beta Foods", source="website", priority="low")
    world.lead("sup_a", company="Gamma Steel", source="expo")
    sup = world.as_("sup_a")
    count = lambda **kw: board.summary(sup, board.BoardFilter(**kw)).columns[0].count  # noqa: E731
    assert count() == 3
    assert count(owner="rep_a2") == 1
    assert count(source="expo") == 2
    assert count(priority="high") == 1
    assert count(mine=True) == 1
    assert count(text="Robot") == 1
    assert count(team="A") == 3
    boss = world.as_("boss")
    assert board.summary(boss, board.BoardFilter(team="B")).columns[0].count == 0
    # a rep cannot widen their scope by naming someone else
    assert board.summary(world.as_("rep_a1"), board.BoardFilter(owner="rep_a2")).columns[0].count == 0


def test_pages_follow_board_order_forward_and_back(world):
    ctx = world.as_("rep_a1")
    now = clock.now()
    made = {}
    # name: (due offset hours or None, amount)
    plan = {"od_old": (-50, 100), "od_new": (-2, 100), "today_big": (3, 900), "today_small": (3, 100),
            "later": (72, 100), "none_big": (None, 800), "none_small": (None, 50)}
    for name, (hours, amount) in plan.items():
        v = world.lead("rep_a1", company=name, amount_cents=amount)
        _set_due(v.id, None if hours is None else now + timedelta(hours=hours))
        made[name] = v.id
    expected = ["od_old", "od_new", "today_big", "today_small", "later", "none_big", "none_small"]
    first = board.page(ctx, "acquired", limit=3)
    assert [c.company for c in first.cards] == expected[:3]
    assert first.has_after and not first.has_before
    second = board.page(ctx, "acquired", after=first.keys[-1], limit=3)
    assert [c.company for c in second.cards] == expected[3:6]
    third = board.page(ctx, "acquired", after=second.keys[-1], limit=3)
    assert [c.company for c in third.cards] == expected[6:]
    assert not third.has_after
    back = board.page(ctx, "acquired", before=second.keys[0], limit=2)
    assert [c.company for c in back.cards] == expected[1:3]
    start = board.page(ctx, "acquired", start=second.keys[1], limit=2)
    assert [c.company for c in start.cards] == expected[4:6]
    assert board.rank(ctx, "acquired", second.keys[1]) == 4
    # a paused lead is never overdue: it sorts with the planned ones by its due time
    leads.set_outcome(ctx, made["od_old"], "paused", {"pause_reason": "budget freeze"})
    order = [c.company for c in board.page(ctx, "acquired", limit=10).cards]
    assert order == ["od_new", "od_old", "today_big", "today_small", "later", "none_big", "none_small"]


def test_stalled_rule_with_a_moved_clock(world):
    ctx = world.as_("rep_a1")
    idle = world.lead("rep_a1", company="Idle Ltd")
    worked = world.lead("rep_a1", company="Worked Ltd")
    clock.advance(timedelta(days=7, hours=-1))  # 6 days 23 hours in the stage: not yet
    cards = {c.company: c for c in board.page(ctx, "acquired").cards}
    assert not cards["Idle Ltd"].stalled
    # a follow-up planned for later keeps a lead off the stalled list
    tasks.create_task(ctx, worked.id, ctx.actor.id, "follow_up", "call back", clock.now() + timedelta(days=3), "medium")
    clock.advance(timedelta(hours=2))  # 7 days 1 hour; the first-contact tasks are overdue
    cards = {c.company: c for c in board.page(ctx, "acquired").cards}
    assert cards["Idle Ltd"].stalled
    assert not cards["Worked Ltd"].stalled
    from tui_crm.widgets.kanban import badges

    words = [w for w, _style in badges(cards["Idle Ltd"], clock.now())]
    assert "stalled" in words and any(w.startswith("overdue") for w in words)
    assert "stalled" not in [w for w, _s in badges(cards["Worked Ltd"], clock.now())]


def _stalled_cards(ctx):
    out = set()
    for stage in ctx.stage_keys:
        out |= {c.code for c in board.page(ctx, stage, limit=100).cards if c.stalled}
    return out


def test_stalled_badge_agrees_with_the_stalled_filter(world):
    from tui_crm.services import leads

    ctx = world.as_("sup_a")
    idle = world.lead("rep_a1", company="Idle")  # only the first-contact task, overdue after 8 days
    worked = world.lead("rep_a1", company="Worked")  # overdue first contact + a call planned later
    nothing = world.lead("rep_a2", company="Nothing")  # no task at all
    moved = world.lead("rep_a2", company="Moved")  # moved on day 5: only 3 days in its stage
    paused = world.lead("rep_a1", company="Paused")  # outside the working statuses, but still in the pipeline
    world.lead("rep_b1", company="Other team")  # stalled, but not in sup_a's scope
    tasks.create_task(ctx, worked.id, ctx.actor.id, "follow_up", "call", clock.now() + timedelta(days=10), "medium")
    clock.advance(timedelta(days=5))
    leads.move_stage(world.as_("rep_a2"), moved.code, "qualified")
    _set_due(nothing.id, None)
    clock.advance(timedelta(days=3))  # day 8: all but Moved have been 8 days in their stage
    leads.set_outcome(world.as_("rep_a1"), paused.code, "paused", {"pause_reason": "budget freeze"})
    _set_due(paused.id, clock.now() - timedelta(days=1))

    expected = {idle.code, nothing.code, paused.code}  # worked has a later call, moved is fresh
    assert {v.code for v in leads.list_leads(ctx, filter="stalled")} == expected
    assert _stalled_cards(ctx) == expected
