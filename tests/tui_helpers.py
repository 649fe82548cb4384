"""Waiting for the app in Pilot tests: on what the app really does, never on flags kept for tests."""
from __future__ import annotations

import asyncio

from textual.screen import Screen


def _working(app) -> bool:
    """A database call in flight, a worker still running, or the first screen not yet mounted."""
    if type(app.screen) is Screen or not app.screen.is_mounted:
        return True
    if app.db_busy:
        return True
    return any(not w.is_finished for w in app.workers)


async def settle(app, rounds: int = 3) -> None:
    """Wait until nothing has been working for ``rounds`` looks in a row (a reload that starts another
    call right after the first one returned is still seen)."""
    for _i in range(800):
        quiet = 0
        while not _working(app) and quiet < rounds:
            await asyncio.sleep(0.01)
            quiet += 1
        if quiet >= rounds:
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the app never went quiet")


def running(screen, group: str) -> bool:
    """A worker of ``screen`` in ``group`` has not finished (e.g. the list's status counts)."""
    return any(w.group == group and not w.is_finished for w in screen.workers)
