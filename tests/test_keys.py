"""Every key a screen binds is a key Textual can send and reaches an action that exists; the keys the
rep's day found dead (`.` on the list, `n` on the detail, escape in the inbox, `c` and the search text)."""
from __future__ import annotations

import inspect
from importlib import import_module
import pkgutil

import pytest
from textual.binding import Binding
from textual.keys import Keys, _character_to_key

import tui_crm.screens
import tui_crm.widgets
from tui_crm.app import CrmApp

from rep_fixtures import app_for, seed
from tui_helpers import settle

MODIFIERS = ("shift", "ctrl", "alt", "super", "meta", "hyper")


def real_key_names() -> set[str]:
    names = {k.value for k in Keys}
    names |= {_character_to_key(chr(c)) for c in range(32, 127)}
    names |= {f"f{n}" for n in range(1, 25)}
    return names


def bound_classes():
    """Every class of ours with BINDINGS: the app, each screen and dialog, each widget."""
    yield CrmApp
    for package in (tui_crm.screens, tui_crm.widgets):
        for info in pkgutil.iter_modules(package.__path__):
            module = import_module(f"{package.__name__}.{info.name}")
            for _name, cls in inspect.getmembers(module, inspect.isclass):
                if cls.__module__ == module.__name__ and cls.__dict__.get("BINDINGS"):
                    yield cls


def bindings(cls):
    for b in cls.__dict__["BINDINGS"]:
        yield b if isinstance(b, Binding) else Binding(*b)


def test_every_bound_key_is_a_key_textual_sends():
    real = real_key_names()
    wrong = []
    for cls in bound_classes():
        for b in bindings(cls):
            for key in b.key.split(","):
                key = key.strip()
                *mods, base = key.split("+") if key != "plus" else ["plus"]
                if base not in real or any(m not in MODIFIERS for m in mods):
                    wrong.append(f"{cls.__name__}: {key!r} ({b.action})")
    assert not wrong, wrong


def test_every_bound_action_exists():
    """A binding whose action has no ``action_`` method does nothing when its key is pressed."""
    missing = []
    for cls in bound_classes():
        for b in bindings(cls):
            name = b.action.split("(")[0]
            target = cls
            if name.startswith("app."):
                target, name = CrmApp, name[4:]
            elif name.startswith("screen."):
                continue
            if not callable(getattr(target, f"action_{name}", None)):
                missing.append(f"{cls.__name__}: {b.key} -> {b.action}")
    assert not missing, missing


@pytest.fixture
def seeded(sqlite_url):
    return sqlite_url, seed(sqlite_url)


async def test_full_stop_cycles_the_list_stage_filter(seeded):
    url, s = seeded
    app = app_for(url)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(app)
        lst = app.screen
        await pilot.press("full_stop")
        await settle(app)
        assert lst.stage_filter == "acquired"
        assert "stage:acquired" in lst.list_query.filters


async def test_clear_filters_clears_the_search_text_too(seeded):
    url, s = seeded
    app = app_for(url)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(app)
        lst = app.screen
        await pilot.press("slash", *"Acme", "enter")
        await settle(app)
        assert lst.list_query.search == "Acme"
        await pilot.press("o", "c")
        await settle(app)
        assert lst.query_one("#search").value == ""
        assert lst.list_query.search == "" and lst.list_query.filters == ()


async def test_n_on_the_detail_opens_the_new_lead_form_and_keeps_what_is_typed(seeded):
    url, s = seeded
    app = app_for(url)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(app)
        await pilot.press("enter")
        await settle(app)
        assert type(app.screen).__name__ == "LeadDetailScreen"
        await pilot.press("n", *"Acme 2")
        await settle(app)
        form = app.screen
        assert type(form).__name__ == "LeadForm"
        assert app.focused.value == "Acme 2"  # the digit went into the field, not to the screen keys
        await pilot.press("tab", *"1234")
        await settle(app)
        assert app.screen is form and app.focused.value == "1234"


async def test_escape_leaves_the_inbox(seeded):
    url, s = seeded
    app = app_for(url)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(app)
        await pilot.press("2")
        await settle(app)
        await pilot.press("i")
        await settle(app)
        assert type(app.screen).__name__ == "InboxScreen"
        await pilot.press("escape")
        await settle(app)
        assert type(app.screen).__name__ == "QueueScreen"  # back where the inbox was opened from


async def test_keys_typed_before_a_form_has_its_focus_go_into_its_first_field(seeded):
    """A terminal hands over `n` and what is typed right after it in one read: the keys reach the form
    before it has mounted its fields; they must land in the first field, not switch screens or vanish."""
    from textual import events

    url, s = seeded
    app = app_for(url)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(app)
        await pilot.press("enter")
        await settle(app)
        detail = app.screen
        for ch in "n123":  # all at once, as one read from the terminal
            app.post_message(events.Key(ch, ch))
        await settle(app)
        form = app.screen
        assert type(form).__name__ == "LeadForm"
        assert form.query_one("#f-company").value == "123"
        assert app.screen_stack[-2] is detail


@pytest.mark.parametrize("screen_key", ["1", "2"])
async def test_escape_in_the_search_box_clears_it_and_gives_the_keys_back_to_the_screen(seeded, screen_key):
    """The list's and the queue's search: escape cleared the text but kept the focus in the box, so the rep's
    next key (`o` for overdue) went into the search instead."""
    url, s = seeded
    app = app_for(url)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(app)
        await pilot.press(screen_key)
        await settle(app)
        screen = app.screen
        box = screen.query_one("#search")
        await pilot.press("slash", *"Acme", "escape")
        await settle(app)
        assert box.value == "" and not box.has_focus
        await pilot.press("slash", "escape")  # an empty box: escape leaves it as before
        await settle(app)
        assert not box.has_focus
        await pilot.press("o")
        await settle(app)
        assert box.value == ""
        assert ("overdue" in screen.state_filters) if screen_key == "1" else screen.only == "overdue"
