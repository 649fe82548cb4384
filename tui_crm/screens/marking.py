"""Marking leads and acting on all of them (the list and the board): ``space`` marks the lead under the
cursor, ``shift+↑/↓`` extends the marks as the cursor moves, ``*`` marks everything the current filter shows
(again: unmarks all), ``a`` opens the batch menu, ``u`` undoes the last batch.

A screen using this mixin provides ``mark_view()`` (the lead under the cursor or None),
``mark_step(step)`` (move the cursor), ``mark_everything()`` (a ``batch.Selection`` of all it shows),
``repaint_marks()`` and ``paint_marks()`` (the status line says ``mark_text()``). ``*`` never loads the
leads: the selection is the filter, and the batch service walks it in SQL chunks.
"""
from __future__ import annotations

from textual.binding import Binding

from ..i18n import _
from ..services.errors import ServiceError
from ..services.leads import batch  # selections; batch_run and the batch forms are imported on first use


class Marking:
    MARK_BINDINGS = [
        Binding("space", "mark", _("Mark"), id="mark.toggle"),
        Binding("shift+down", "mark_extend(1)", _("Mark down"), show=False, id="mark.down"),
        Binding("shift+up", "mark_extend(-1)", _("Mark up"), show=False, id="mark.up"),
        Binding("asterisk", "mark_all", _("Mark all shown"), show=False, id="mark.all"),
        Binding("a", "batch", _("Batch"), tooltip=_("act on the marked leads"), id="mark.batch"),
        Binding("u", "undo_batch", _("Undo batch"), show=False, id="mark.undo"),
    ]

    def marks_reset(self) -> None:
        self.marked: set[int] = set()
        self.mark_sel: batch.Selection | None = None  # `*`: everything the filter showed then
        self.unmarked: set[int] = set()
        self.mark_total: int | None = None  # how many `*` marked (counted on the side thread)
        if not hasattr(self, "last_batch"):
            self.last_batch: int | None = None

    # ------------------------------------------------------------ what is marked
    def is_marked(self, view) -> bool:
        if self.mark_sel is not None:
            return view.id not in self.unmarked
        return view.id in self.marked

    def mark_count(self) -> int | None:
        if self.mark_sel is not None:
            return None if self.mark_total is None else max(0, self.mark_total - len(self.unmarked))
        return len(self.marked)

    def mark_text(self) -> str:
        n = self.mark_count()
        if self.mark_sel is None and not n:
            return ""
        return _("{n} marked", n="…" if n is None else f"{n:,}")

    def selection(self) -> batch.Selection:
        if self.mark_sel is not None:
            from dataclasses import replace

            return replace(self.mark_sel, excluded=tuple(sorted(self.unmarked)))
        return batch.Selection(ids=tuple(sorted(self.marked)))

    def _marks_changed(self) -> None:
        self.repaint_marks()
        self.paint_marks()

    # ------------------------------------------------------------ keys
    def action_mark(self) -> None:
        view = self.mark_view()
        if view is None:
            return
        self._flip(view)
        self._marks_changed()

    def _flip(self, view, on: bool | None = None) -> None:
        now = self.is_marked(view)
        want = (not now) if on is None else on
        if self.mark_sel is not None:
            (self.unmarked.discard if want else self.unmarked.add)(view.id)
        else:
            (self.marked.add if want else self.marked.discard)(view.id)

    def action_mark_extend(self, step: int) -> None:
        """``shift+↓``: the lead under the cursor and the next one marked, the cursor on the next."""
        view = self.mark_view()
        if view is None:
            return
        self._flip(view, True)
        self.mark_step(step)
        nxt = self.mark_view()
        if nxt is not None:
            self._flip(nxt, True)
        self._marks_changed()

    def action_mark_all(self) -> None:
        if self.mark_sel is not None and not self.unmarked:
            self.marks_reset()
            self._marks_changed()
            return
        self.marks_reset()
        self.mark_sel = self.mark_everything()
        self._marks_changed()
        self.run_worker(self._count_marks(self.mark_sel), group="marks", exclusive=True)

    async def _count_marks(self, sel) -> None:
        try:
            n = await self.app.db_side(batch.count, self.app.ctx, sel)
        except ServiceError as exc:
            self.app.notify(str(exc), severity="error")
            return
        if self.mark_sel is sel:
            self.mark_total = n
            self.paint_marks()

    def action_unmark_all(self) -> None:
        self.marks_reset()
        self._marks_changed()

    def action_batch(self) -> None:
        """``a``: the batch menu for what is marked (the lead under the cursor when nothing is)."""
        if self.mark_sel is None and not self.marked:
            view = self.mark_view()
            if view is None:
                self.app.notify(_("nothing marked: space marks a lead, * all shown"), severity="warning")
                return
            self.marked.add(view.id)
            self._marks_changed()
        from .batch_forms import FORMS, MENU, BatchMenu

        n = self.mark_count()
        actions = tuple(a for a, *_r in MENU if a in FORMS)

        def picked(action):
            if action:
                self.app.push_screen(FORMS[action](self.app.ctx, n or 0), callback=lambda p: self._go(action, p))

        self.app.push_screen(BatchMenu(n or 0, actions), callback=picked)

    def _go(self, action: str, params) -> None:
        if params:
            self.run_worker(self._run_batch(action, params), group="batch", exclusive=True)

    async def _run_batch(self, action: str, params: dict) -> None:
        from ..services.leads import batch_run

        try:
            res = await with_progress(self.app, _("Working on the marked leads…"), self.mark_count() or 0,
                                      batch_run.run, self.selection(), action, params)
        except ServiceError as exc:
            self.app.notify(str(exc), severity="error", timeout=8)
            return
        self.last_batch = res.batch_id
        self.marks_reset()
        self._marks_changed()
        self.app.notify(_("{done} leads changed, {skipped} skipped{why} · u undoes it", done=f"{res.done:,}",
                          skipped=f"{res.skipped:,}", why=_why(res)), timeout=10)
        await self.after_batch()

    async def action_undo_batch(self) -> None:
        bid = self.last_batch
        if bid is None:
            self.app.notify(_("nothing to undo"), severity="warning")
            return
        await self.undo_batch(bid)

    async def undo_batch(self, bid: int) -> None:
        if await undo_batch(self.app, bid) is not None and self.last_batch == bid:
            self.last_batch = None
        await self.after_batch()

    async def after_batch(self) -> None:
        pass


async def with_progress(app, title: str, total: int, fn, *args):
    """Run a batch (or its undo) on the side database thread behind a progress bar."""
    from .batch_forms import BatchProgress

    bar = BatchProgress(title, total)
    await app.push_screen(bar)

    def progress(done: int, total: int) -> None:
        app.call_from_thread(bar.advance, done, total)

    try:
        return await app.db_side(fn, app.ctx, *args, progress=progress)
    finally:
        if app.screen is bar:
            bar.dismiss()
        app.wrote()


async def undo_batch(app, bid: int):
    """Batch ``bid`` undone behind a progress bar, said in a toast; None when it was refused (said too)."""
    from ..services.leads import batch_run

    try:
        res = await with_progress(app, _("Undoing the batch…"), 0, batch_run.undo, bid)
    except ServiceError as exc:
        app.notify(str(exc), severity="error", timeout=8)
        return None
    app.notify(_("batch undone: {done} leads back, {skipped} changed since{why}", done=f"{res.done:,}",
                 skipped=f"{res.skipped:,}", why=_why(res)), timeout=10)
    return res


def _why(res) -> str:
    return (" (" + ", ".join(f"{reason}: {n:,}" for reason, n in res.why.items()) + ")") if res.why else ""


def mark_commands(screen):
    """The palette's entries for marking (each screen's CommandList yields them)."""
    yield _("Mark the lead under the cursor"), screen.action_mark, ""
    yield _("Mark everything shown"), screen.action_mark_all, ""
    yield _("Unmark all"), screen.action_unmark_all, ""
    yield _("Batch: act on the marked leads"), screen.action_batch, ""
    yield _("Undo the last batch"), lambda: screen.run_worker(screen.action_undo_batch()), ""
