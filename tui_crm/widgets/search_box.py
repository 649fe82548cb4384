"""The search line above a list (lead list, queue, board): ``down`` leaves it for the list, ``escape``
clears what was typed, ``escape`` on an empty line leaves it."""
from __future__ import annotations

from dataclasses import dataclass

from textual import events
from textual.message import Message
from textual.widgets import Input


class SearchBox(Input):
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
            else:
                self.post_message(self.Leave(self, event.key))
            return
        await super()._on_key(event)
