"""Memory stays flat at a million leads (issue 17, target 1): what the app keeps per connection.

The figures are in bench/bench_memory.py; here what makes them: an app's SQLite connections, those
of its database threads included, keep a small page cache, while the command line keeps the big one
its bulk loads and index builds use.
"""
from __future__ import annotations

import threading

from tui_crm.store import db as store_db


def cache_kib_in_a_new_thread(ctx) -> int:
    got = {}

    def read():
        got["v"] = ctx.db.execute_sql("PRAGMA cache_size").fetchone()[0]
        ctx.db.close()

    t = threading.Thread(target=read)
    t.start()
    t.join()
    return -got["v"]


def test_an_apps_connections_keep_a_small_page_cache_the_command_lines_a_big_one(tmp_path):
    from tui_crm.app import CrmApp
    from tui_crm.services import admin
    from tui_crm.services.context import open_session

    url = str(tmp_path / "crm.db")
    ctx = open_session(url)
    admin.add_user(ctx, "boss", "Boss", "admin")
    ctx.act_as("boss")
    assert cache_kib_in_a_new_thread(ctx) == 32000  # the command line's (bulk loads, index builds)
    CrmApp(ctx)
    assert ctx.db.execute_sql("PRAGMA cache_size").fetchone()[0] == -store_db.SCREEN_CACHE_KIB
    assert cache_kib_in_a_new_thread(ctx) == store_db.SCREEN_CACHE_KIB  # the database threads' too
    ctx.close()
    store_db._OPEN.pop(url, None)
