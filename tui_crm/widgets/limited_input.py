"""A one-line input that holds at most ``max_length`` characters and says so: typed or pasted text past
the limit is cut to what fits and the user is told (Textual's Input alone drops such a paste whole,
silently). The forms give every field its limit from ``domain.limits``.

Its editing keys (backspace, ctrl+u, left...) act in turn with the characters around them: as bindings they
were looked up only once the key had gone up to the app, on whichever field had the focus by then, so over
SSH `tab` `ctrl+u` `下周一` in one read cleared the field after the next one."""
from __future__ import annotations

from textual import events
from textual.widgets import Input

from ..i18n import _

# Input's own keys and what they do, enter aside (the form moves on or saves)
EDIT_KEYS = {k.strip(): b.action for b in Input.BINDINGS for k in b.key.split(",") if b.action != "submit"}


class LimitedInput(Input):
    def replace(self, text: str, start: int, end: int) -> None:
        room = self.max_length - (len(self.value) - (end - start)) if self.max_length else len(text)
        if len(text) > room:
            self.notify(_("at most {n} characters here: the rest of what was typed ({m}) was cut", n=self.max_length,
                          m=len(self.value) - (end - start) + len(text)), severity="warning")
            text = text[:max(0, room)]
        super().replace(text, start, end)

    async def _on_key(self, event: events.Key) -> None:
        action = EDIT_KEYS.get(event.key)
        if action is not None:
            event.stop()
            event.prevent_default()
            await self.run_action(action)
            return
        await super()._on_key(event)
