"""`?`: the keys in force, read from the active bindings (so a key changed in the config's
``[keymap]`` shows as changed): first those of the whole app, then those of the screen it was opened
from. A binding's tooltip, when it has one, is its longer wording here; labels are translated when shown."""
from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from ..domain.text import cell_width, fit
from ..i18n import _
from ..widgets.markup import escape
from .styles import css

KEY_NAMES = {"full_stop": ".", "comma": ",", "question_mark": "?", "slash": "/", "plus": "+",
             "greater_than_sign": ">", "less_than_sign": "<"}


def key_lines(app, active_bindings) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(everywhere, on this screen): (keys, what they do) for our bindings (those with an id), one line
    per action with all its keys."""
    groups: dict[tuple[bool, str, str], tuple[list[str], str]] = {}
    for key, active in active_bindings.items():
        b = active.binding
        if not b.id or not (b.tooltip or b.description):
            continue
        shown = b.key_display or KEY_NAMES.get(key) or app.get_key_display(b)
        text = _(b.tooltip or b.description)
        keys, _text = groups.setdefault((active.node is app, b.action, text), ([], text))
        if shown not in keys:
            keys.append(shown)
    everywhere = [(" / ".join(k), t) for (is_app, *_rest), (k, t) in groups.items() if is_app]
    here = [(" / ".join(k), t) for (is_app, *_rest), (k, t) in groups.items() if not is_app]
    return everywhere, here


class HelpScreen(ModalScreen):
    CSS_PATH = css("help")
    BINDINGS = [Binding("escape,question_mark,q", "dismiss", _("Close"))]

    def __init__(self, everywhere: list[tuple[str, str]], here: list[tuple[str, str]]):
        super().__init__()
        self.everywhere, self.here = everywhere, here

    def compose(self) -> ComposeResult:
        width = min(18, max([cell_width(k) for k, _t in self.everywhere + self.here] or [8]))

        def lines(rows):
            return [f"  [b]{escape(fit(k, width))}[/b] {escape(text)}" for k, text in rows]

        out = [f"[b]{_('Keys')}[/b]", ""] + lines(self.everywhere)
        if self.here:
            out += ["", f"[b]{_('On this screen')}[/b]", ""] + lines(self.here)
        yield VerticalScroll(Static("\n".join(out)), id="help-body")
