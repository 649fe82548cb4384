"""Command palette entries: the import screen and the export form."""
from __future__ import annotations

from textual.command import DiscoveryHit, Hit, Hits, Provider

from ..i18n import _


class ImportCommands(Provider):
    def _title(self) -> str:
        return _("Import leads from a file")

    def _help(self) -> str:
        return _("CSV or XLSX: check the column mapping, dry run, then import (undo by batch)")

    async def discover(self) -> Hits:
        yield DiscoveryHit(self._title(), self._open, help=self._help())

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for text in (self._title(), "import csv xlsx"):
            score = matcher.match(text)
            if score > 0:
                yield Hit(score, matcher.highlight(self._title()), self._open, text=self._title(), help=self._help())
                return

    def _open(self) -> None:
        from .import_screen import ImportScreen

        self.app.push_screen(ImportScreen(self.app.ctx))


class ExportCommands(Provider):
    def _title(self) -> str:
        return _("Export leads to a file")

    def _help(self) -> str:
        return _("CSV or XLSX of the leads you can see, with their follow-ups and tasks; import reads it back")

    async def discover(self) -> Hits:
        yield DiscoveryHit(self._title(), self._open, help=self._help())

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for text in (self._title(), "export csv xlsx"):
            score = matcher.match(text)
            if score > 0:
                yield Hit(score, matcher.highlight(self._title()), self._open, text=self._title(), help=self._help())
                return

    def _open(self) -> None:
        from .export_form import ExportForm

        self.app.push_screen(ExportForm(self.app.ctx))
