"""The lead list: keyset pages (SQLite and PostgreSQL), and the screen driven by Pilot."""
from __future__ import annotations

from datetime import timedelta

import pytest

from tui_crm import clock
from tui_crm.services import leads
from tui_crm.services.leads import pages
from tui_crm.services.context import open_session
from tui_crm.services.leads.pages import ListQuery

from rep_fixtures import app_for, row_texts, seed
from tui_helpers import running, settle, wait_for


# ------------------------------------------------------------------ keyset pages (both backends)
@pytest.fixture
def amounts(world):
    """Nine leads of rep_a1: amounts chosen by hand, two without an amount."""
    rep = world.as_("rep_a1")
    values = [("A", 500), ("B", None), ("C", 100), ("D", 300), ("E", 300), ("F", None), ("G", 900), ("H", 100),
              ("I", 700)]
    codes = {}
    for name, amount in values:
        v = leads.add_lead(rep, {"company": f"Co {name}", "contact_name": "Zhang", "phone": None,
                                       "email": f"{name.lower()}@example.com", "source": "expo", "need": "x",
                                       "amount_cents": None if amount is None else amount * 100})
        codes[v.id] = name
    return rep, codes


def names(rows, codes):
    return "".join(codes[v.id] for v in rows)


def test_keyset_pages_follow_the_sort_with_nulls_last(amounts):
    rep, codes = amounts
    q = ListQuery(sort="amount")
    # by amount then id, leads without an amount last (by id): C H D E A I G, then B F
    assert names(pages.after(rep, q, None, 100), codes) == "CHDEAIGBF"
    first = pages.after(rep, q, None, 4)
    assert names(first, codes) == "CHDE"
    second = pages.after(rep, q, pages.key_of(q, first[-1]), 4)
    assert names(second, codes) == "AIGB"
    third = pages.after(rep, q, pages.key_of(q, second[-1]), 4)
    assert names(third, codes) == "F"
    back = pages.before(rep, q, pages.key_of(q, third[0]), 3)
    assert names(back, codes) == "IGB"
    assert names(pages.before(rep, q, None, 4), codes) == "IGBF"
    assert names(pages.at_offset(rep, q, 5, 3), codes) == "IGB"
    assert names(pages.at_offset(rep, q, 7, 5), codes) == "BF"
    desc = ListQuery(sort="amount", desc=True)
    assert names(pages.after(rep, desc, None, 100), codes) == "GIAEDHCFB"
    assert pages.count(rep, q) == 9


def test_pages_obey_access_and_search(world):
    a = world.lead("rep_a1", company="北京华为科技有限公司", phone="13812345678")
    world.lead("rep_b1", company="深圳华为科技有限公司", phone="13912345678")
    rep = world.as_("rep_a1")
    assert [v.code for v in pages.after(rep, ListQuery(search="科技"), None, 50)] == [a.code]
    assert [v.code for v in pages.after(rep, ListQuery(search="5678"), None, 50)] == [a.code]
    boss = world.as_("boss")  # sees both, masked: digits never match a masked phone
    assert pages.after(boss, ListQuery(search="5678"), None, 50) == []
    assert [v.code for v in pages.after(boss, ListQuery(search="+8613812345678"), None, 50)] == [a.code]
    assert pages.count(boss, ListQuery(search="华为")) == 2


# ------------------------------------------------------------------ the screen (SQLite, Pilot)
@pytest.fixture
def seeded(sqlite_url):
    return sqlite_url, seed(sqlite_url)


async def test_list_shows_state_in_words_and_counts(seeded):
    url, s = seeded
    app = app_for(url)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(app)
        table = app.screen.table
        assert [v.code for v in table.rows] == [s["overdue"], s["today"], s["planned"]]
        cells = row_texts(table)
        assert cells[0]["due"] == "overdue 2d"
        assert cells[1]["due"] == "today 13:00"
        assert cells[2]["due"] == "11-04 09:00"
        assert cells[0]["company"] == "北京华为科技有限公司"
        assert table.style_for(table.rows[0]).color.name == "red"
        assert table.style_for(table.rows[1]).color.name == "yellow"
        assert app.screen.counts == {"shown": 3, "overdue": 1, "today": 1, "stalled": 0}
        status = str(app.screen.query_one("#status").render())
        assert "3 leads · 1 overdue · 1 due today · 0 stalled" in status
        await pilot.press("o")
        await settle(app)
        assert [v.code for v in table.rows] == [s["overdue"]]
        await pilot.press("o", "d")
        await settle(app)
        assert [v.code for v in table.rows] == [s["today"]]
        await pilot.press("c", "r")  # clear, then sort by company
        await settle(app)
        assert [v.company for v in table.rows] == ["Acme Robotics", "上海星辰咨询有限公司", "北京华为科技有限公司"]


async def test_search_by_phone_fragment_then_open(seeded):
    url, s = seeded
    app = app_for(url)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app)
        await pilot.press("slash", *"5678")
        await settle(app)
        table = app.screen.table
        assert [v.code for v in table.rows] == [s["overdue"]]
        await pilot.press("escape")  # clears the text and leaves the box
        await settle(app)
        assert len(table.rows) == 3 and table.has_focus
        await pilot.press("slash", *"138 1234 5678")
        await settle(app)
        assert [v.code for v in table.rows] == [s["overdue"]]
        await pilot.press("enter")  # to the first result
        assert table.has_focus
        await pilot.press("enter")  # opens it
        await settle(app)
        assert type(app.screen).__name__ == "LeadDetailScreen"
        assert app.screen.data.lead.code == s["overdue"]


async def test_search_chinese_fragment(seeded):
    url, s = seeded
    app = app_for(url)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app)
        await pilot.press("slash", "科", "技")
        await settle(app)
        assert [v.code for v in app.screen.table.rows] == [s["overdue"]]


async def test_timer_turns_a_row_overdue_in_place(seeded):
    url, s = seeded
    app = app_for(url, tick_seconds=0.1)
    async with app.run_test(size=(100, 24)) as pilot:
        # on a loaded machine the app can be quiet before the list is in front with its rows: wait for them
        await wait_for(pilot, lambda: bool(app.screen.query("LeadTable")) and len(app.screen.table.rows) == 3,
                       what="the lead list with its three rows")
        await settle(app)
        table = app.screen.table
        await pilot.press("down")
        await wait_for(pilot, lambda: table.cursor == 1, what="the cursor on the second row")
        fetched = pages.STATS["rows"]
        clock.advance(timedelta(hours=3, minutes=1))  # 13:01: the 13:00 call is now late
        await wait_for(pilot, lambda: table.cells(table.rows[1])["due"] == "overdue 13:00",
                       what="the timer marking the 13:00 call overdue")
        await settle(app)
        assert table.style_for(table.rows[1]).color.name == "red"
        assert table.cursor == 1 and table.scroll_offset.y == 0
        assert [v.code for v in table.rows] == [s["overdue"], s["today"], s["planned"]]
        assert pages.STATS["rows"] - fetched == 0  # a probe, not a reload
        assert app.screen.counts["overdue"] == 2


async def test_app_shell_list_is_virtual(seeded):
    url, s = seeded
    app = app_for(url)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app)
        from textual.widgets import DataTable

        assert not app.screen.query(DataTable)  # never all rows in a DataTable
        header = str(app.screen.query_one("#list-header").render())
        assert "next follow-up" in header and "company" in header


async def test_nothing_waits_for_the_status_counts(seeded, monkeypatch):
    """At 1M leads the counts take about a second. The first page, the screen's own keys and the app's
    live poll must not wait for them (they used to: the list painted only once the counts were in)."""
    import asyncio
    import threading

    url, s = seeded
    gate = threading.Event()
    real = pages.status_counts

    def slow_counts(ctx, q):  # a count that is still running until the test lets it finish
        gate.wait(20)
        return real(ctx, q)

    monkeypatch.setattr(pages, "status_counts", slow_counts)
    app = app_for(url, poll_seconds=0.1)
    try:
        async with app.run_test(size=(120, 30)) as pilot:
            screen = None
            for _i in range(300):
                await asyncio.sleep(0.01)
                screen = app.screen
                if getattr(screen, "list_query", None) is not None and screen.is_mounted and screen.table.rows:
                    break
            assert [v.code for v in screen.table.rows] == [s["overdue"], s["today"], s["planned"]]
            assert "counting" in str(screen.query_one("#status").render())
            ticks = app.live_ticks
            await asyncio.wait_for(pilot.press("o"), 5)  # a key of the screen, while the counts still run
            for _i in range(300):
                await asyncio.sleep(0.01)
                if screen.list_query.filters == ("overdue",) and len(screen.table.rows) == 1:
                    break
            assert [v.code for v in screen.table.rows] == [s["overdue"]]
            assert app.live_ticks > ticks  # the app's poll went on meanwhile
            assert running(screen, "counts") and not gate.is_set()
            gate.set()
            await settle(app)
            assert screen.counts == {"shown": 1, "overdue": 1, "today": 1, "stalled": 0}
            assert not running(screen, "counts")
    finally:
        gate.set()


async def test_status_line_says_one_lead_in_the_singular(seeded):
    url, s = seeded
    app = app_for(url)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(app)
        await pilot.press("o")  # one overdue lead
        await settle(app)
        status = str(app.screen.query_one("#status").render())
        assert status.startswith("1 lead · ") and "1 leads" not in status


async def test_a_new_filter_shows_counting_not_the_last_filters_counts(seeded, monkeypatch):
    import asyncio
    import threading

    url, s = seeded
    gate = threading.Event()
    real = pages.status_counts

    def counts_held_after_the_first(ctx, q):
        if q.filters:  # the overdue filter's counts: still running while the test looks
            gate.wait(20)
        return real(ctx, q)

    monkeypatch.setattr(pages, "status_counts", counts_held_after_the_first)
    app = app_for(url)
    try:
        async with app.run_test(size=(120, 30)) as pilot:
            await settle(app)
            assert str(app.screen.query_one("#status").render()).startswith("3 leads")
            await pilot.press("o")
            for _i in range(200):
                await asyncio.sleep(0.01)
                if len(app.screen.table.rows) == 1:
                    break
            status = str(app.screen.query_one("#status").render())
            assert "counting" in status and "3 leads" not in status
            gate.set()
            await settle(app)
            assert str(app.screen.query_one("#status").render()).startswith("1 lead ·")
    finally:
        gate.set()
