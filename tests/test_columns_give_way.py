"""A lead's code (the key typed on the command line), its phone and money are never cut on screen: the
list at 140 columns showed `WEBSITE-20260611-0…`, the Chinese board at 80x24 `389 · 8843…`. Columns give
way by priority instead (Pilot, real SQLite)."""
from __future__ import annotations

from datetime import timezone

import pytest

from tui_crm.i18n import set_lang
from tui_crm.services import leads
from tui_crm.services.context import open_session
from tui_crm.widgets.kanban import ColumnData, KanbanColumn

from rep_fixtures import app_for, seed
from tui_helpers import settle


@pytest.mark.parametrize("size", [(140, 40), (80, 24), (100, 30)])
async def test_the_list_never_cuts_a_code_phone_or_amount(sqlite_url, size):
    seed(sqlite_url)
    rep = open_session(sqlite_url, "rep_a1")
    long_one = leads.add_lead(rep, {"company": "Referral Partners International Holdings", "contact_name": "Li",
                                    "phone": "13912345678", "source": "referral", "need": "x",
                                    "amount_cents": 1234567800})
    assert long_one.code == "REFERRAL-20241101-001"
    app = app_for(sqlite_url)
    async with app.run_test(size=size) as pilot:
        await settle(app)
        table = app.screen.table
        header = str(app.screen.query_one("#list-header").render())
        lines = [table.render_line(y).text for y in range(len(table.rows))]
        shown = {c.key: w for c, w in table._columns()}
        for key, whole in (("code", long_one.code), ("phone", "+8613912345678"), ("amount", "1234.6万")):
            if key in shown:  # a column is shown whole, or not at all
                assert any(whole in line for line in lines) or key == "amount", (key, lines)
                assert shown[key] >= max(len(table.cells(v)[key]) for v in table.rows), key
        if size[0] >= 140:
            assert {"code", "phone", "amount"} <= set(shown) and "code" in header
            assert any(long_one.code in line for line in lines), lines
        assert all("…" not in table.cells(v)["code"] for v in table.rows)


def test_a_board_column_keeps_its_money_whole_when_narrow():
    set_lang("zh")
    try:
        data = ColumnData("acquired", "线索获取", count=1389, amount_cents=884320000 * 100, weighted_cents=88432000000)
        column = KanbanColumn(data, tz=timezone.utc, show_owner=False)
        for width in (10, 12, 14, 30):
            lines = [text for text, _style in column._figures(width, "zh")]
            amount = "8.8亿"
            assert all(len(line) <= width * 2 for line in lines)
            assert any(amount in line for line in lines) or all(amount not in line for line in lines)
            assert not any(line.endswith("…") for line in lines)
            assert any("1,389" in line for line in lines)
        assert column._figures(30, "zh")[0][0] == "1,389 · 8.8亿"
        assert [t for t, _s in column._figures(6, "zh")] == ["1,389", "8.8亿"]
    finally:
        set_lang("en")
