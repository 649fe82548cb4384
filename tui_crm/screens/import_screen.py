"""Import leads from a CSV/XLSX file, reached from the command palette.

Steps, all from the keyboard: type a path (suggestions from the file system, `enter` reads the
headers), check or change the field of each column (one Select per column), set the options the
command line has (create missing owners, keep unmapped columns, what to do with duplicates, stage
values, decimal commas, unknown stages created, the phones' region), F5 dry run (the mapping and each
distinct value as the command line's dry run prints them, counts and the refused lines; F9 saves them as CSV), F6 import (progress bar; a thread worker with its own database
connection, so the UI and the app's database thread never wait on it), then the summary with the
batch id; F8 undoes that batch.
"""
from __future__ import annotations

import os

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.suggester import Suggester
from textual.widgets import Button, Checkbox, Header, Input, Label, ProgressBar, Select, Static

from ..domain import limits
from ..domain.text import fit
from ..i18n import _
from ..services import importing
from ..services.context import open_session
from ..services.errors import ServiceError
from ..widgets.toggle import MarkedCheckbox
from ..widgets.markup import escape
from ..widgets.footer import TranslatedFooter
from .styles import css

REFUSED_SHOWN = 50


class PathSuggester(Suggester):
    """Completes a path from the entries of its folder (first match, folders end with /)."""

    def __init__(self) -> None:
        super().__init__(use_cache=False, case_sensitive=True)

    async def get_suggestion(self, value: str) -> str | None:
        if not value:
            return None
        full = os.path.expanduser(value)
        folder, stem = os.path.split(full)
        try:
            names = sorted(os.listdir(folder or "."))
        except OSError:
            return None
        for name in names:
            if name.startswith(stem) and name != stem and not name.startswith("."):
                path = os.path.join(folder, name)
                tail = name[len(stem):] + ("/" if os.path.isdir(path) else "")
                return value + tail
        return None


class ImportScreen(Screen):
    CSS_PATH = css("import")
    BINDINGS = [
        Binding("f5", "dry_run", _("Dry run"), priority=True, id="import.dry"),
        Binding("f6", "run_import", _("Import"), priority=True, id="import.run"),
        Binding("f8", "undo", _("Undo import"), priority=True, id="import.undo"),
        Binding("f9", "save_refused", _("Save refused rows"), priority=True, id="import.save_refused"),
        Binding("escape", "app.pop_screen", _("Back"), id="import.back"),
    ]

    def __init__(self, ctx, path: str = ""):
        super().__init__()
        self.ctx = ctx
        self.start_path = path
        self.headers: list[str] = []
        self.fields: list[str | None] = []
        self.path: str | None = None
        self.batch_id: int | None = None
        self.importing = False  # a dry run or an import is running: F5 / F6 / F8 wait
        self.last = None  # the last ImportResult

    def compose(self) -> ComposeResult:
        yield Header()
        # the screen itself never scrolls: its scrollbar would cover the footer's last cells (`^p 命令面`)
        with VerticalScroll(id="import-body"):
            yield Label(_("File (CSV or XLSX), enter to read its columns:"))
            yield Input(self.start_path, placeholder=_("path to a .csv or .xlsx file"), suggester=PathSuggester(),
                        id="path", max_length=limits.PATH)
            yield Static("", id="status")
            with Horizontal(id="import-options"):
                yield MarkedCheckbox(_("Create missing owners"), id="create-owners", compact=True)
                yield MarkedCheckbox(_("Unmapped → remarks"), id="keep-unmapped", compact=True)
                yield Select([(_("Duplicates: skip"), "skip"), (_("Duplicates: update"), "update"),
                              (_("Duplicates: create"), "create")], value="skip", allow_blank=False,
                             id="on-duplicate", compact=True)
            with Horizontal(id="import-values"):
                yield Input(placeholder=_("stage values: VALUE=STAGE, … (e.g. Validated=proposal)"), id="stage-map",
                            compact=True, max_length=limits.TEXT)
                yield Input(placeholder=_("encoding (detected)"), id="encoding", compact=True, max_length=40)
            with Horizontal(id="import-locale"):
                yield MarkedCheckbox(_("Decimal commas (1.234,56)"), id="decimal-comma", compact=True)
                yield MarkedCheckbox(_("Create unknown stages"), id="create-stages", compact=True)
                yield Input(placeholder=_("phone region (CN, US…)"), id="region", compact=True, max_length=2)
            yield VerticalScroll(id="mapping")
            with Horizontal(id="import-actions"):
                yield Button(_("Dry run (F5)"), id="dry")
                yield Button(_("Import (F6)"), id="run", variant="primary")
                yield Button(_("Undo import (F8)"), id="undo")
            yield ProgressBar(total=100, show_eta=False, id="progress")
            yield VerticalScroll(Static("", id="result"), id="result-box")
        yield TranslatedFooter()

    def on_mount(self) -> None:
        self.query_one("#path", Input).focus()

    def _status(self, text: str) -> None:
        self.query_one("#status", Static).update(escape(text))

    # ------------------------------------------------------------ the file and its mapping
    def encoding(self) -> str | None:
        return self.query_one("#encoding", Input).value.strip() or None

    @on(Input.Submitted, "#encoding")
    @on(Input.Submitted, "#path")
    async def path_or_encoding_given(self) -> None:
        """A path typed, or another encoding named: the file read (again) with it (its headers and samples)."""
        await self.read_file(self.query_one("#path", Input).value)

    async def read_file(self, typed: str) -> None:
        path = os.path.expanduser(typed.strip())
        if not path or not os.path.isfile(path):
            self._status(_("no such file: {path}", path=path or "-"))
            return
        try:
            headers, fields, first = await self.app.db(importing.preview, self.ctx, path, encoding=self.encoding())
        except (ServiceError, OSError, ValueError) as exc:
            self._status(_("cannot read {path}: {error}", path=path, error=str(exc)))
            return
        self.path, self.headers, self.fields = path, headers, fields
        box = self.query_one("#mapping", VerticalScroll)
        await box.remove_children()
        options = [(f, f) for f in importing.FIELDS]
        rows = []
        seen = importing.samples(first, len(headers))  # two values of each column, as the dry run shows
        for i, (h, f) in enumerate(zip(headers, fields)):
            name = h or f"#{i + 1}"
            rows.append(Horizontal(Label(fit(name, 24), classes="import-col"),
                                   Select(options, value=f or "ignore", allow_blank=False, id=f"map-{i}",
                                          classes="import-field"),
                                   Label(escape(importing.sample_text(seen[i])), classes="import-sample"),
                                   classes="import-row"))
        await box.mount_all(rows)
        self._status(_("{n} columns read; check the fields, then F5 for a dry run", n=len(headers)))

    def maps(self) -> list[str]:
        """``COL=FIELD`` for every column whose field was changed here (by position: headers may repeat)."""
        out = []
        for i, f in enumerate(self.fields):
            chosen = self.query_one(f"#map-{i}", Select).value
            if chosen != (f or "ignore"):
                out.append(f"{i + 1}={chosen}")
        return out

    def stage_maps(self) -> list[str]:
        """``VALUE=STAGE`` pairs typed in the stage values box (comma, semicolon or 、 between pairs)."""
        text = self.query_one("#stage-map", Input).value
        for sep in ("，", "；", "、", ";"):
            text = text.replace(sep, ",")
        return [p.strip() for p in text.split(",") if p.strip()]

    # ------------------------------------------------------------ dry run and import
    def action_dry_run(self) -> None:
        self._start(dry_run=True)

    def action_run_import(self) -> None:
        self._start(dry_run=False)

    @on(Button.Pressed, "#dry")
    def _dry_pressed(self) -> None:
        self._start(dry_run=True)

    @on(Button.Pressed, "#run")
    def _run_pressed(self) -> None:
        self._start(dry_run=False)

    @on(Button.Pressed, "#undo")
    async def _undo_pressed(self) -> None:
        await self.action_undo()

    def _start(self, dry_run: bool) -> None:
        if self.importing:
            return
        if not self.path:
            self._status(_("read a file first: type its path and press enter"))
            return
        opts = importing.ImportOptions(
            maps=self.maps(), dry_run=dry_run, stage_maps=self.stage_maps(),
            create_owners=self.query_one("#create-owners", Checkbox).value,
            keep_unmapped=self.query_one("#keep-unmapped", Checkbox).value,
            on_duplicate=self.query_one("#on-duplicate", Select).value,
            decimal_comma=self.query_one("#decimal-comma", Checkbox).value,
            create_stages=self.query_one("#create-stages", Checkbox).value,
            region=self.query_one("#region", Input).value.strip().upper() or None, encoding=self.encoding())
        self.importing = True
        self.query_one("#progress", ProgressBar).update(total=100, progress=0)
        self._status(_("dry run…") if dry_run else _("importing…"))
        self.run_worker(lambda: self._work(self.path, opts), thread=True, exclusive=True, group="import")

    def _work(self, path: str, opts) -> None:
        """On a worker thread: its own session (connection), progress posted to the UI."""
        def progress(rows: int, pos: int, size: int) -> None:
            self.app.call_from_thread(self._progress, rows, pos, size)

        try:
            ctx = open_session(self.ctx.url, self.ctx.actor.login)
            res = importing.run_import(ctx, path, opts, progress=progress)
        except (ServiceError, OSError, ValueError) as exc:
            self.app.call_from_thread(self._failed, str(exc))
            return
        except Exception as exc:  # nothing of a failed import is visible; say so and keep the screen
            self.app.call_from_thread(self._failed, f"{type(exc).__name__}: {exc}")
            return
        self.app.call_from_thread(self._done, res)

    def _progress(self, rows: int, pos: int, size: int) -> None:
        bar = self.query_one("#progress", ProgressBar)
        if size:
            bar.update(total=size, progress=pos)
        self._status(_("{rows} rows read", rows=rows))

    def _failed(self, message: str) -> None:
        self.importing = False
        self._status(_("import failed, nothing imported: {error}", error=message))

    def _done(self, res) -> None:
        self.importing = False
        self.last = res
        bar = self.query_one("#progress", ProgressBar)
        bar.update(total=100, progress=100)
        counts = _("{new} new, {updated} updated, {duplicate} duplicate, {refused} refused, {incomplete} incomplete",
                   new=res.new, updated=res.updated, duplicate=res.duplicate, refused=res.refused,
                   incomplete=res.incomplete)
        if res.dry_run:
            head = _("Dry run, nothing written: {counts}. F6 imports.", counts=counts)
        else:
            self.batch_id = res.batch_id
            head = _("Imported as batch {batch}: {counts}. F8 undoes it.", batch=res.batch_id, counts=counts)
        lines = [head]
        if res.dry_run:  # what was understood, as the command line's dry run prints it
            lines += ["", importing.mapping_head(res.vendor), *importing.mapping_lines(res.mapping, res.samples),
                      *importing.dates_line(res.date_order), *importing.file_line(res.encoding, res.delimiter),
                      *importing.value_lines(res.values, True), ""]
        groups = importing.grouped(res.accounted())
        for g in groups[:REFUSED_SHOWN]:
            value = f" '{g.value}'" if g.value is not None else (f" '{g.example}'" if g.count == 1 else "")
            lines.append(_("{n} × {column}{value}: {reason} (line {lines})", n=g.count, column=g.column or "-",
                           value=value, reason=g.reason, lines=", ".join(map(str, g.lines))))
        if len(groups) > REFUSED_SHOWN:
            lines.append(_("… and {n} more kinds of problem (F9 saves every line to a CSV)",
                           n=len(groups) - REFUSED_SHOWN))
        kinds = importing.refusal_kinds(res.refusals)
        if "owner" in kinds:
            lines.insert(1, _("tick “Create missing owners” to add them as reps"))
        if "stage" in kinds:
            lines.insert(1, _("map the file's stage values in “stage values” (VALUE=STAGE)"))
        self.query_one("#result", Static).update(escape("\n".join(lines)))
        self._status(head)

    def refused_path(self) -> str:
        """Where F9 saves the refused rows: beside the file, ``NAME.errors.csv``."""
        return os.path.splitext(self.path or "import")[0] + ".errors.csv"

    def action_save_refused(self) -> None:
        if self.last is None or not self.last.accounted():
            self._status(_("no refused rows to save: run a dry run or an import first"))
            return
        path = self.refused_path()
        try:
            importing.write_refusals(self.last.accounted(), path)
        except OSError as exc:
            self._status(_("cannot write {file}: {error}", file=path, error=exc.strerror or exc))
            return
        self._status(_("{n} lines saved to {file}", n=len(self.last.accounted()), file=path))

    async def action_undo(self) -> None:
        if self.importing:
            return
        if self.batch_id is None:
            self._status(_("nothing to undo: no import was run here"))
            return
        try:
            n = await self.app.write(importing.undo, self.ctx, self.batch_id)
        except ServiceError as exc:
            self._status(str(exc))
            return
        self._status(_("import batch {batch} undone: {n} leads removed", batch=self.batch_id, n=n))
        self.query_one("#result", Static).update("")
        self.batch_id = None
