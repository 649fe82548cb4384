"""Textual's own words in the command palette, in the user's language: the search field's
placeholder, the system commands (Theme, Quit, Keys, Maximize, Minimize, Screenshot, Bell) and the
theme picker. ``Keys`` opens our help screen (translated, built from the active bindings) rather
than Textual's English key panel. A system command Textual adds in a later release keeps its
English words until it is listed here; tests/test_palette_zh.py finds it."""
from __future__ import annotations

from rich.align import Align
from rich.text import Text
from textual.app import SystemCommand
from textual.command import CommandList, CommandPalette
from textual.theme import ThemeProvider
from textual.widgets.option_list import Option

from ..i18n import _

PALETTE_ID = "--command-palette"  # Textual's own id: CommandPalette.is_open() looks for it


def _words() -> dict[str, tuple[str, str]]:
    """Textual's title -> (our title, our help), looked up in the current language when shown."""
    return {
        "Theme": (_("Theme"), _("Change the colours of the app")),
        "Quit": (_("Quit"), _("Quit the application")),
        "Keys": (_("Keys"), _("Show the keys of this screen")),
        "Maximize": (_("Maximize"), _("Maximize the focused part of the screen")),
        "Minimize": (_("Minimize"), _("Restore the maximized part to its size")),
        "Screenshot": (_("Screenshot"), _("Save an SVG picture of the screen")),
        "Bell": (_("Bell"), _("Ring the terminal's bell")),
    }


def translated(command: SystemCommand, show_help) -> SystemCommand:
    """One of Textual's system commands with our title and help; ``Keys`` calls ``show_help``."""
    title, help_text = _words().get(command.title, (command.title, command.help))
    callback = show_help if command.title == "Keys" else command.callback
    return SystemCommand(title, help_text, callback, command.discover)


class Palette(CommandPalette):
    """Textual's palette saying "No matches found" in the user's language: Textual writes that line in
    English inside its countdown, so the countdown is this one (the same delay, option id and
    visibility rules; tests/test_palette_zh.py sees the words)."""

    def _start_no_matches_countdown(self, search_value: str) -> None:
        self._stop_no_matches_countdown()

        def show() -> None:
            if search_value:  # in discover mode (nothing typed) there is nothing to say
                self.query_one(CommandList).add_option(Option(
                    Align.center(Text(_("No matches found"), style="not bold")), disabled=True, id=self._NO_MATCHES))
            self._list_visible = bool(search_value)

        self._no_matches_timer = self.set_timer(self._NO_MATCHES_COUNTDOWN, show)


def command_palette() -> CommandPalette:
    return Palette(id=PALETTE_ID, placeholder=_("Search for commands…"))


def theme_palette() -> CommandPalette:
    return Palette(providers=[ThemeProvider], placeholder=_("Search for themes…"))
