"""A one-line input that holds at most ``max_length`` characters and says so: typed or pasted text past
the limit is cut to what fits and the user is told (Textual's Input alone drops such a paste whole,
silently). The forms give every field its limit from ``domain.limits``."""
from __future__ import annotations

from textual.widgets import Input

from ..i18n import _


class LimitedInput(Input):
    def replace(self, text: str, start: int, end: int) -> None:
        room = self.max_length - (len(self.value) - (end - start)) if self.max_length else len(text)
        if len(text) > room:
            self.notify(_("at most {n} characters here: the rest of what was typed ({m}) was cut", n=self.max_length,
                          m=len(self.value) - (end - start) + len(text)), severity="warning")
            text = text[:max(0, room)]
        super().replace(text, start, end)
