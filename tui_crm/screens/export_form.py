"""Export from the TUI (command palette): where to, and whether to add follow-ups and tasks.

The same service as `tui-crm export` (the acting user's scope, masked values stay masked; revealing
them is the audited `--reveal` of the command line). The form shows how far the export has got.
"""
from __future__ import annotations

import os

from textual.widgets import Static

from ..domain import limits
from ..i18n import _, get_lang
from ..services import exporting
from ..services.errors import ServiceError
from .form_base import Field, FormScreen, read_choice, choice_hint

YES_NO = {"yes": ("yes", "是"), "no": ("no", "否")}


def default_path(ctx) -> str:
    day = ctx.now().astimezone(ctx.tz).strftime("%Y-%m-%d")
    return os.path.join(os.path.expanduser("~"), f"tui-crm-leads-{day}.xlsx")


class ExportForm(FormScreen):
    LIMITS = limits.FILE

    def title_text(self) -> str:
        return _("Export leads")

    def make_fields(self) -> list[Field]:
        return [Field("file", _("file"), default_path(self.ctx), _(".xlsx or .csv")),
                Field("activity", _("follow-ups & tasks"),
                      YES_NO["yes"][1] if get_lang() == "zh" else "yes", choice_hint(YES_NO), YES_NO)]

    def check(self, v):
        errors: dict[str, str] = {}
        path = os.path.expanduser(v["file"])
        if not v["file"]:
            errors["file"] = _("required")
        elif not path.lower().endswith((".csv", ".xlsx")):
            errors["file"] = _("the file name ends in .csv or .xlsx")
        elif not os.path.isdir(os.path.dirname(os.path.abspath(path))):
            errors["file"] = _("no such folder: {folder}", folder=os.path.dirname(os.path.abspath(path)))
        activity = read_choice("yes_no", v["activity"], YES_NO, errors, "activity")
        return {"file": path, "activity": activity == "yes"}, errors

    def _progress(self, done: int, total: int) -> None:  # on the database thread
        text = _("exporting… {done} of {total} leads", done=f"{done:,}", total=f"{total:,}")
        self.app.call_from_thread(self.query_one("#form-error", Static).update, text)

    async def save(self, c):
        try:
            counts = await self.app.db(exporting.export, self.ctx, c["file"], activity=c["activity"],
                                       progress=self._progress)
        except OSError as exc:
            raise ServiceError(_("cannot write {file}: {error}", file=c["file"], error=exc.strerror or exc)) from None
        text = _("{n} leads exported to {file}", n=counts["leads"], file=c["file"])
        if c["activity"]:
            text += " · " + _("with {f} follow-ups and {t} tasks", f=counts["follow_ups"], t=counts["tasks"])
        self.app.notify(text, timeout=10)
        return counts
