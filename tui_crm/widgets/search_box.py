"""The search line above a list (lead list, queue, board): ``down`` leaves it for the list, ``escape``
clears what was typed and leaves it too (a screen key typed next is a screen key, not more search). It holds at most SEARCH_LIMIT characters
(the services refuse a longer search: a pasted 100,000 characters took the host minutes)."""
from __future__ import annotations

from dataclasses import dataclass

from textual import events
from textual.message import Message
from textual.widgets import Input

from ..domain.text import SEARCH_LIMIT
from ..i18n import _


class SearchBox(Input):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", SEARCH_LIMIT)
        super().__init__(*args, **kwargs)

    def replace(self, text: str, start: int, end: int) -> None:
        """Typed or pasted text past the limit is cut to what fits, and the user is told (Input alone drops
        a paste that does not fit, silently)."""
        room = self.max_length - (len(self.value) - (end - start)) if self.max_length else len(text)
        if len(text) > room:
            self.notify(_("a search is at most {n} characters (this one has {m})", n=self.max_length,
                          m=len(self.value) - (end - start) + len(text)), severity="warning")
            text = text[:max(0, room)]
        super().replace(text, start, end)

    @dataclass
    class Leave(Message):
        """The user left the box with ``key`` (``down`` or ``escape``); the screen moves the focus on."""

        box: "SearchBox"
        key: str

    async def _on_key(self, event: events.Key) -> None:
        if event.key in ("down", "escape"):
            event.stop()
            event.prevent_default()
            if event.key == "escape" and self.value:
                self.value = ""
            self.post_message(self.Leave(self, event.key))
            return
        await super()._on_key(event)
