"""The command palette, one way: every entry comes from a ``CommandList`` provider. The app lists its
own (go to a screen, import, export) in ``CrmApp.COMMANDS``; a screen lists its filters and choices in
its ``COMMANDS``, which Textual adds while that screen is in front."""
from __future__ import annotations

from typing import Callable, Iterable

from textual.command import DiscoveryHit, Hit, Hits, Provider

from ..app_guard import refuse_remote, remote_hint
from ..i18n import _

Command = tuple[str, Callable[[], object], str]  # (title, callback, help)


class CommandList(Provider):
    """A provider over ``commands()``; an entry is found by its (translated) title or by ``WORDS``."""

    WORDS = ""

    def commands(self) -> Iterable[Command]:
        raise NotImplementedError

    async def discover(self) -> Hits:
        for title, callback, help_text in self.commands():
            yield DiscoveryHit(title, callback, help=help_text or None)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, callback, help_text in self.commands():
            score = max(matcher.match(title), matcher.match(self.WORDS) if self.WORDS else 0)
            if score > 0:
                yield Hit(score, matcher.highlight(title), callback, text=title, help=help_text or None)


def screen_titles() -> dict[str, str]:
    return {"list": _("Leads"), "queue": _("Today"), "board": _("Board"), "stats": _("Stats"), "inbox": _("Inbox"),
            "audit": _("Audit log"), "tasks": _("Tasks"), "admin": _("Administration")}


class GoToCommands(CommandList):
    def commands(self) -> Iterable[Command]:
        for name, title in screen_titles().items():
            if name in ("audit", "admin") and self.app.ctx.actor.role == "rep":  # supervisors and admins
                continue
            yield _("Go to: {screen}", screen=title), (lambda n=name: self.app.action_show(n)), ""


class ImportCommands(CommandList):
    """Both file screens read or write the server's files: a remote session (a pinned SSH key) is told
    how to use `import -` / `export -` instead."""
    WORDS = "import csv xlsx"

    def commands(self) -> Iterable[Command]:
        yield (_("Import leads from a file"), self._open, remote_hint() if self.app.ctx.remote else
               _("CSV or XLSX: check the column mapping, dry run, then import (undo by batch)"))

    def _open(self) -> None:
        from .import_screen import ImportScreen

        if self.app.ctx.remote:
            refuse_remote(self.app)
            return
        self.app.push_screen(ImportScreen(self.app.ctx))


class ExportCommands(CommandList):
    WORDS = "export csv xlsx"

    def commands(self) -> Iterable[Command]:
        yield (_("Export leads to a file"), self._open, remote_hint() if self.app.ctx.remote else
               _("CSV or XLSX of the leads you can see, with their follow-ups and tasks; import reads it back"))

    def _open(self) -> None:
        from .export_form import ExportForm

        if self.app.ctx.remote:
            refuse_remote(self.app)
            return
        self.app.push_screen(ExportForm(self.app.ctx))
