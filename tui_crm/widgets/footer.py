"""Textual's footer with every key's label looked up in the current language when the footer is built,
so a binding's label never depends on the language that was set when its module was imported."""
from __future__ import annotations

from textual.widgets import Footer

from ..i18n import _


class TranslatedFooter(Footer):
    def compose(self):
        for widget in super().compose():
            text = getattr(widget, "description", None)
            if isinstance(text, str) and text:
                widget.description = _(text)
            yield widget
