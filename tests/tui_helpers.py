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


async def wait_for(pilot, cond, timeout: float = 60.0, what: str = "condition") -> None:
    """Let the app run until ``cond()`` holds. The timeout is a safety net for a test that would
    otherwise hang, not a speed target (those are in bench/): generous, so a loaded machine passes."""
    import time

    deadline = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > deadline:
            raise AssertionError(f"never saw {what} (within {timeout:.0f} s)")
        await pilot.pause(0.02)


async def polled_twice(app, pilot) -> None:
    """Two whole polls of the change feed have run since now: a change committed before this call has
    been seen and handed to the screens (for tests that check that something did NOT change)."""
    start = app.live_ticks
    await wait_for(pilot, lambda: app.live_ticks >= start + 2, what="two polls of the change feed")
    await settle(app)


async def palette_run(app, pilot, text: str) -> None:
    """Open the command palette, type ``text``, wait until the first option is it, and run it."""
    from textual.command import CommandList, CommandPalette

    await pilot.press("ctrl+p")
    await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette), what="the palette")
    for ch in text:
        await pilot.press("space" if ch == " " else ch)
    palette = app.screen

    def offered() -> bool:
        options = palette.query_one(CommandList)
        return bool(options.option_count) and text.lower() in str(options.get_option_at_index(0).prompt).lower()

    await wait_for(pilot, offered, what=f"the palette offering {text!r}")
    await pilot.press("enter")
    await wait_for(pilot, lambda: not isinstance(app.screen, CommandPalette), what="the palette closed")



async def open_on_first_lead(app, pilot, key: str):
    """From the list as it opens: the first lead's detail (enter), then ``key`` on it (``f`` the follow-up
    form, ``w`` won, ...); the screen that key opened, once the app is quiet."""
    await settle(app)
    await pilot.press("enter")
    await settle(app)
    await pilot.press(key)
    await settle(app)
    return app.screen


async def fill_and_save(app, pilot, **values):
    """The open form: each field given its value (``name="王芳"``), then ctrl+s; the form must have closed
    (else its error line is the failure's message). Returns the form."""
    from textual.widgets import Input

    await settle(app)
    form = app.screen
    for name, value in values.items():
        form.query_one(f"#f-{name}", Input).value = value
    await pilot.press("ctrl+s")
    await settle(app)
    assert app.screen is not form, str(form.query_one("#form-error").render())
    return form


async def open_by_key(app, pilot, key: str, screen: str):
    """Once the app is quiet, ``key`` (``k``, ``6``): the screen of class ``screen`` it opens, once shown."""
    await settle(app)
    await pilot.press(key)
    await wait_for(pilot, lambda: type(app.screen).__name__ == screen, what=f"the {screen}")
    return app.screen


async def toast(app, pilot, text: str) -> None:
    """Wait for a notification holding ``text``: ``notify`` posts a message the app handles later, so a toast
    is not there yet when the worker that raised it has returned (a test that asserted it at once was flaky)."""
    await wait_for(pilot, lambda: any(text in n.message for n in app._notifications), what=f"a toast {text!r}")
