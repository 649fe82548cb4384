"""import / export / agenda commands (filled in by the import-export work)."""
from __future__ import annotations

from .cli import UserError
from .i18n import _


def cmd_import(args, session) -> int:
    raise UserError(_("import is not available yet"))


def cmd_export(args, session) -> int:
    raise UserError(_("export is not available yet"))


def cmd_agenda(args, session) -> int:
    raise UserError(_("agenda is not available yet"))
