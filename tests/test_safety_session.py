"""An open session ends when its user is deactivated or no longer may do what it did (issue 13, PRODUCT §7
"A deactivated user cannot act at all").

Before: the check ran once, when the app started. A rep deactivated while their TUI was open (at the
office, or pinned to their key over SSH) went on reading and changing leads until they quit; a demoted
admin's open app stayed an admin's. Now every call of the app's database threads checks the user first:
the next action, or the live feed's next poll when the app is idle, ends the app with one line, and a
changed role is taken up at once. Real Textual app (Pilot), real SQLite and PostgreSQL.
"""
from __future__ import annotations

import pytest

from rep_fixtures import app_for, seed
from tui_helpers import settle, wait_for
from tui_crm.services.context import open_session
from tui_crm.services.errors import Deactivated


def _set_user(url, login, **values):
    """As an admin's tool elsewhere would: straight to the user row, from another connection."""
    import psycopg2
    import sqlite3

    sets = ", ".join(f"{k} = %s" for k in values)
    if url.startswith("postgresql"):
        from conftest import PG_BASE

        conn = psycopg2.connect(PG_BASE, options=f"-csearch_path={url.split('schema=', 1)[1]}")
        conn.autocommit = True
        conn.cursor().execute(f'UPDATE "user" SET {sets} WHERE login = %s', (*values.values(), login))
        conn.close()
    else:
        conn = sqlite3.connect(url)
        conn.execute(f'UPDATE "user" SET {sets.replace("%s", "?")} WHERE login = ?', (*values.values(), login))
        conn.commit()
        conn.close()


async def test_the_next_action_of_a_deactivated_users_open_app_ends_it_in_one_line(db_url, capfd):
    seed(db_url)
    app = app_for(db_url, poll_seconds=3600)  # no poll: the key press must find it
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app)
        _set_user(db_url, "rep_a1", active=False)
        await pilot.press("enter")  # open the lead under the cursor: its detail, phone and all
        await wait_for(pilot, lambda: not app.is_running or app.return_code == 1, what="the app to end")
    assert app.return_code == 1
    said = [line for line in capfd.readouterr().err.splitlines() if line.strip()]
    assert said == ["user rep_a1 was deactivated: this session ends"]  # one line, no traceback


async def test_an_idle_app_ends_at_the_live_feeds_next_poll(db_url):
    seed(db_url)
    app = app_for(db_url, poll_seconds=0.2)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app)
        _set_user(db_url, "rep_a1", active=False)
        await wait_for(pilot, lambda: not app.is_running or app.return_code == 1, what="the app to end")
    assert app.return_code == 1


def test_a_session_takes_up_a_changed_role_and_refuses_once_deactivated(db_url):
    seed(db_url)
    boss = open_session(db_url, "boss")
    boss.ensure_active()
    assert boss.actor.is_admin
    _set_user(db_url, "boss", role="rep")
    boss.ensure_active()
    assert not boss.actor.is_admin  # a demoted admin's open session is no longer an admin's
    _set_user(db_url, "boss", active=False)
    with pytest.raises(Deactivated, match="user boss was deactivated: this session ends"):
        boss.ensure_active()
