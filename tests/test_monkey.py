"""A keystroke monkey: random keys (seeded, reproducible) on every screen at 80x24 and 140x40 while the clock
moves; no exception, escape (with a yes to "discard what you typed?") always leads back to a main screen, and
the database passes `db check` afterwards. SQLite and PostgreSQL.

TUI_CRM_MONKEY_KEYS sets the keys per screen (default a modest 30 for the suite; thousands by hand),
TUI_CRM_MONKEY_SEED the seed (a failure prints the seed and the keys that led to it).
"""
from __future__ import annotations

import os
import random
from datetime import timedelta

import pytest

from tui_crm import clock
from tui_crm.screens.form_base import ConfirmScreen

from rep_fixtures import app_for, seed
from tui_helpers import settle

KEYS_PER_SCREEN = int(os.environ.get("TUI_CRM_MONKEY_KEYS", "30"))
SEED = int(os.environ.get("TUI_CRM_MONKEY_SEED", "12"))
# every key a rep may press, but those that end the session (q, ctrl+c, ctrl+q) or open the palette (its
# typed words could run Quit); the palette has its own tests
KEYS = (list("abcdefghijklmnoprstuvwxyz0123456789") + ["1", "2", "3", "4", "5", "i", "l", "t", "b", "s"] * 2
        + ["enter", "escape", "tab", "shift+tab", "up", "down", "left", "right", "pageup", "pagedown", "home",
           "end", "backspace", "delete", "space", "ctrl+s", "ctrl+o", "greater_than_sign", "less_than_sign",
           "slash", "full_stop", "plus", "question_mark", "shift+right", "shift+left", "f", "e", "w", "x", "v",
           "c", "z", "n", "y", "n"] * 2 + ["明", "天", "八", "万", "下", "周", "一", "+"])
MAIN = ("list", "queue", "board", "stats", "inbox", "audit")


def back_to_a_main_screen_is_possible(app):
    return getattr(app.screen, "screen_name", None) in MAIN


async def leave_with_escape(app, pilot, trail) -> None:
    for _i in range(12):
        if back_to_a_main_screen_is_possible(app):
            return
        await pilot.press("y" if isinstance(app.screen, ConfirmScreen) else "escape")
        await settle(app)
    raise AssertionError(f"escape did not leave {type(app.screen).__name__} (seed {SEED}, keys {trail[-40:]})")


@pytest.mark.parametrize("size", [(80, 24), (140, 40)])
async def test_random_keys_on_every_screen_break_nothing(db_url, size):
    from tui_crm.services import admin
    from tui_crm.services.context import open_session

    seed(db_url)
    rng = random.Random(f"{SEED}-{size}")
    app = app_for(db_url, "sup_a", tick_seconds=0.2)
    trail: list[str] = []
    async with app.run_test(size=size) as pilot:
        await settle(app)
        for start in ("list", "queue", "board", "stats", "inbox", "audit", "detail"):
            await leave_with_escape(app, pilot, trail)
            await pilot.press("enter" if start == "detail" else {"list": "1", "queue": "2", "board": "3",
                                                                   "stats": "4", "inbox": "i", "audit": "5"}[start])
            await settle(app)
            for n in range(KEYS_PER_SCREEN):
                key = rng.choice(KEYS)
                trail.append(key)
                await pilot.press(key)
                if n % 10 == 9:
                    clock.advance(timedelta(minutes=rng.randint(1, 240)))
                    await settle(app)
                assert app.is_running, f"the app ended (seed {SEED}, keys {trail[-40:]})"
            await settle(app)
            await leave_with_escape(app, pilot, trail)
    assert app._exception is None, f"{app._exception!r} (seed {SEED}, keys {trail[-40:]})"
    assert admin.check(open_session(db_url)) == []
