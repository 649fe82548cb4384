"""Command palette entries: the import screen and the export form."""
from __future__ import annotations

from textual.command import DiscoveryHit, Hit, Hits, Provider

from ..i18n import _


class _OpenCommand(Provider):
    """One palette entry that opens one screen; found by its (translated) title or by ``WORDS``."""

    WORDS = ""

    def _title(self) -> str:
        raise NotImplementedError

    def _help(self) -> str:
        raise NotImplementedError

    def _screen(self):
        raise NotImplementedError

    async def discover(self) -> Hits:
        yield DiscoveryHit(self._title(), self._open, help=self._help())

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for text in (self._title(), self.WORDS):
            score = matcher.match(text)
            if score > 0:
                yield Hit(score, matcher.highlight(self._title()), self._open, text=self._title(), help=self._help())
                return

    def _open(self) -> None:
        self.app.push_screen(self._screen())


class ImportCommands(_OpenCommand):
    WORDS = "import csv xlsx"

    def _title(self) -> str:
        return _("Import leads from a file")

    def _help(self) -> str:
        return _("CSV or XLSX: check the column mapping, dry run, then import (undo by batch)")

    def _screen(self):
        from .import_screen import ImportScreen

        return ImportScreen(self.app.ctx)


class ExportCommands(_OpenCommand):
    WORDS = "export csv xlsx"

    def _title(self) -> str:
        return _("Export leads to a file")

    def _help(self) -> str:
        return _("CSV or XLSX of the leads you can see, with their follow-ups and tasks; import reads it back")

    def _screen(self):
        from .export_form import ExportForm

        return ExportForm(self.app.ctx)
