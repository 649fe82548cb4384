"""Textual's own words in the command palette, in the user's language: the search field's
placeholder, the system commands (Theme, Quit, Keys, Maximize, Minimize, Screenshot, Bell) and the
theme picker. ``Keys`` opens our help screen (translated, built from the active bindings) rather
than Textual's English key panel. A system command Textual adds in a later release keeps its
English words until it is listed here; tests/test_palette_zh.py finds it."""
from __future__ import annotations

from textual.app import SystemCommand
from textual.command import CommandPalette
from textual.theme import ThemeProvider

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


def command_palette() -> CommandPalette:
    return CommandPalette(id=PALETTE_ID, placeholder=_("Search for commands…"))


def theme_palette() -> CommandPalette:
    return CommandPalette(providers=[ThemeProvider], placeholder=_("Search for themes…"))
