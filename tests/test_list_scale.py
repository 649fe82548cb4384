"""At 100,000 leads the list paints its first page without loading all rows (rows fetched are counted)."""
from __future__ import annotations

import pytest

from tui_crm.services.admin import demo
from tui_crm.services.leads import pages
from tui_crm.services.context import open_session
from tui_helpers import settle

N = 100_000


@pytest.fixture(scope="session")
def big_db(tmp_path_factory):
    from tui_crm import clock
    from conftest import NOW

    clock.set_now(NOW)
    url = str(tmp_path_factory.mktemp("big") / "big.db")
    ctx = open_session(url)
    demo.generate(ctx, leads=N, reps=8, seed=3, admin_login="boss")
    pages.ensure_indexes(ctx)
    ctx.close()
    return url


@pytest.mark.slow
async def test_first_page_at_100k_fetches_a_page_not_all_rows(big_db):
    from tui_crm.app import CrmApp

    ctx = open_session(big_db, "boss")
    app = CrmApp(ctx)
    before = dict(pages.STATS)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app)
        table = app.screen.table
        assert len(table.visible_rows()) == table.size.height  # the first screen is painted
        assert table.total == N
        fetched = pages.STATS["rows"] - before["rows"]
        assert fetched <= 200, fetched  # one page of 100 (+ nothing else), not 100,000
        await pilot.press("pagedown", "pagedown", "pagedown")
        await settle(app)
        assert pages.STATS["rows"] - before["rows"] <= 300
        await pilot.press("end")
        await settle(app)
        assert table.cursor == N - 1 and table.current is not None
        assert pages.STATS["rows"] - before["rows"] <= 500
