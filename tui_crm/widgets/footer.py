"""Textual's footer with every key's label looked up in the current language when the footer is built,
so a binding's label never depends on the language that was set when its module was imported.

Textual rebuilds a footer (some twenty widgets, each styled) whenever the screen's bindings *may* have
changed: on every focus change, mount and screen switch, seven times before the first screen is painted.
This one rebuilds only when what it would show differs from what it shows (issue 17: first screen).

It also shows whole hints only (issue 18): the keys that do not fit before the palette hint, docked on the
right, are left out instead of running on under it, where a wide character of the palette hint was cut in
half (`^p   令面板`) and the last key's hint read `r 排`. The palette lists every key."""
from __future__ import annotations

from textual.widgets import Footer

from ..i18n import _, get_lang


def _shown(screen) -> tuple:
    """What a footer on ``screen`` would show: the keys it shows (not the hidden ones, which change with the
    focus), their labels and states, in the current language."""
    return (get_lang(), screen.app.app_focus, tuple(
        (key, b.key, b.description, b.action, b.tooltip, b.group, enabled, tooltip)
        for key, (_node, b, enabled, tooltip) in screen.active_bindings.items() if b.show))


class TranslatedFooter(Footer):
    _built_for: tuple | None = None

    def compose(self):
        built = False
        for widget in super().compose():
            built = True
            text = getattr(widget, "description", None)
            if isinstance(text, str) and text:
                widget.description = _(text)
            yield widget
        self._built_for = _shown(self.screen) if built else None
        self.call_after_refresh(self.fit, 10)

    def on_resize(self) -> None:
        for child in self.children:
            child.display = True
        self.call_after_refresh(self.fit, 10)

    def fit(self, tries: int = 0) -> None:
        """Leave out, from the first that does not fit on, the hints that would reach under the palette hint
        (once the hints are laid out: until then, up to ``tries`` refreshes later)."""
        if any(c.display and not c.region.width for c in self.children):
            if tries:
                self.call_after_refresh(self.fit, tries - 1)
            return
        palette = [c for c in self.children if c.has_class("-command-palette")]
        limit = palette[0].region.x if palette else self.region.right
        over = False
        for child in self.children:
            if child in palette:
                continue
            over = over or child.region.right - 1 > limit  # a hint's last cell is its padding: it may go under
            if over and child.display:
                child.display = False

    def bindings_changed(self, screen) -> None:
        if self._built_for is not None and self.is_attached and screen is self.screen \
                and _shown(screen) == self._built_for:
            return  # the same keys as shown, or as the rebuild already asked for will show
        super().bindings_changed(screen)
        if self.is_attached and screen is self.screen and screen.app.app_focus:
            self._built_for = _shown(screen)  # a rebuild is on its way: later calls with these keys need none
