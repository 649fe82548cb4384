"""A checkbox whose state reads without colour: ``✓`` when on, blank when off (Textual's own shows the
same ``X`` both ways and tells them apart by colour alone, which a 16-colour SSH terminal loses)."""
from __future__ import annotations

from textual.widgets import Checkbox


class MarkedCheckbox(Checkbox):
    @property
    def _button(self):
        self.BUTTON_INNER = "✓" if self.value else " "
        return super()._button
