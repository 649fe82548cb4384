"""The language of one command-line run, known before its parser is built, and argparse in it.

The language is the first of: ``--lang`` on the command line; TUI_CRM_LANG; ``lang = "zh"`` in the
config file; the locale (LC_ALL, LC_MESSAGES, LANG; ``C``/``POSIX`` name no language); the acting
user's own setting in the database (``users set LOGIN --lang zh``: a session pinned by an SSH key with
no LANG gets it); English.

argparse words its usage line, section titles and errors with ``gettext``; :func:`translate_argparse`
points it at our catalog (its messages are the ``argparse`` context there), and :class:`HelpFormatter`
wraps help by terminal cells, so Chinese help neither overflows the line nor breaks inside a character.
"""
from __future__ import annotations

import argparse
import os
import re
from typing import Sequence

from .. import config
from ..i18n import LANGS, normalize_lang, pgettext
from ..domain.text import cell_width, wrap


def _option_value(argv: Sequence[str], name: str) -> str | None:
    """The last value given to option ``name`` (``--name V`` or ``--name=V``) before a ``--``."""
    found = None
    for i, arg in enumerate(argv):
        if arg == "--":
            break
        if arg == name and i + 1 < len(argv):
            found = argv[i + 1]
        elif arg.startswith(name + "="):
            found = arg.split("=", 1)[1]
    return found


def _run_options(argv: Sequence[str]) -> Sequence[str]:
    """The arguments that may hold this run's --lang: after ``users set`` it is the user's language."""
    for i in range(len(argv) - 1):
        if argv[i] == "users" and argv[i + 1] == "set":
            return argv[:i]
    return argv


def choose(argv: Sequence[str], saved=None) -> str:
    """``en`` or ``zh`` for this run (see the module's docstring for the order)."""
    given = _option_value(_run_options(argv), "--lang")
    if given in LANGS:
        return given
    chosen = config.env_lang(("TUI_CRM_LANG",)) or config.file_lang() or config.env_lang()
    if chosen:
        return chosen
    return normalize_lang((saved or _Saved(argv))()[0]) or "en"


def choose_money(argv: Sequence[str], saved=None) -> str | None:
    """``cn``, ``plain`` or None (by the language) for this run: ``--money``, TUI_CRM_MONEY, the acting user's
    own setting (``users set LOGIN --money cn``)."""
    from ..i18n import MONEY_STYLES

    given = _option_value(_run_options(argv), "--money") or os.environ.get("TUI_CRM_MONEY", "").strip().lower()
    if given in MONEY_STYLES:
        return given
    return (saved or _Saved(argv))()[1]


def choose_both(argv: Sequence[str]) -> tuple[str, str | None]:
    """(language, money style) of this run, reading the user's own settings at most once for both."""
    saved = _Saved(argv)
    return choose(argv, saved), choose_money(argv, saved)


class _Saved:
    """The acting user's own (language, money style), read from the database on the first call only."""

    def __init__(self, argv: Sequence[str]):
        self.argv, self.value = argv, None

    def __call__(self) -> tuple[str | None, str | None]:
        if self.value is None:
            from ..services.admin import saved_prefs

            url = _option_value(self.argv, "--db") or os.environ.get("TUI_CRM_DB") or str(config.default_db_path())
            self.value = saved_prefs(url, _option_value(self.argv, "--user") or config.os_login())
        return self.value


def _gettext(message):
    return pgettext("argparse", message) if isinstance(message, str) else message


def _ngettext(singular: str, plural: str, n: int) -> str:
    return pgettext("argparse", singular if n == 1 else plural)


def translate_argparse() -> None:
    """argparse's own words ("usage:", "positional arguments", its errors) in the current language.

    argparse reads ``_`` and ``ngettext`` from its module globals each time it words a message (it
    imports them from gettext, whose catalogs are .mo files); they are pointed at our catalog."""
    argparse._ = _gettext
    argparse.ngettext = _ngettext


_WIDE_HEADING = re.compile(r"^(\s*)(.*[^\x00-\x7f])(:)$", re.M)


class HelpFormatter(argparse.HelpFormatter):
    """Help text wrapped by terminal cells (a Chinese character is two), the usage line wrapped and
    indented by the cells of its translated prefix, and a Chinese section heading ending in a
    full-width colon (argparse appends an ASCII one)."""

    def format_help(self):
        return _WIDE_HEADING.sub(r"\1\2：", super().format_help())

    def _split_lines(self, text, width):
        return wrap(text, width)

    def _fill_text(self, text, width, indent):
        return "\n".join(indent + line for line in wrap(text, max(width - len(indent), 11)))

    def _format_usage(self, usage, actions, groups, prefix):
        if prefix is None:
            prefix = _gettext("usage: ")
        extra = cell_width(prefix) - len(prefix)
        if extra <= 0:
            return super()._format_usage(usage, actions, groups, prefix)
        self._width -= extra  # argparse measures the prefix in characters: wrap as if it were as wide as it looks
        try:
            text = super()._format_usage(usage, actions, groups, prefix)
        finally:
            self._width += extra
        lines = text.split("\n")
        return "\n".join([lines[0]] + [" " * extra + line if line.strip() else line for line in lines[1:]])
