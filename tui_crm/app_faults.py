"""What the app does when its database fails (docs/ARCHITECTURE.md, "When the database fails").

- Every service call of the app runs through ``Session.call`` on one of the app's two database
  threads: a lost PostgreSQL connection is made again (with backoff, for ``TUI_CRM_RETRY`` s) and a
  write is done once (store/reconnect.py).
- What still fails (the connection stays lost past its retry time, the disk is full, the SQLite file
  is read-only or gone) reaches the screens as ``services.errors.Unavailable``, a ``ServiceError`` of
  one line: a form keeps what was typed and says it was not saved; a read is dropped and made again
  when the database is back. One that escapes a worker is a toast, never the end of the app.
- The header says ``reconnecting…`` while a database thread makes its connection again, or what a
  write met (the disk is full, the file read-only or gone) until a write works again; then nothing.
- When a lost connection is back, every open screen is told to read again (``LiveChanges`` with
  ``everything``).
"""
from __future__ import annotations

import asyncio
import threading

from .domain.text import printable
from .i18n import _
from .screens.messages import LiveChanges
from .services.errors import Unavailable, unavailable


def _words(kind: str) -> str:
    return {
        "disconnect": _("reconnecting…"),
        "full": _("the disk is full: not saved"),
        "readonly": _("the database is read-only: not saved"),
        "gone": _("the database file is gone: not saved"),
        "locked": _("the database is busy"),
    }.get(kind, "")


class DatabaseState:
    """The app's view of its database: the header's words and what follows a failure."""

    def __init__(self, app):
        self.app = app
        self.base_title = app.sub_title
        self.reconnecting: set[str] = set()  # the database threads making their connection again
        self.failed: str | None = None  # the kind a call met, until one works again
        self._toasted: str | None = None  # said once per episode, not at every poll
        self._loop: asyncio.AbstractEventLoop | None = None
        self._unsubscribe = None

    @property
    def words(self) -> str:
        """What the header says of the database now ("" when all is well)."""
        if self.reconnecting:
            return _words("disconnect")
        return _words(self.failed) if self.failed else ""

    def attach(self) -> None:
        """From on_mount: hear the database's "reconnecting" / "connected" (PostgreSQL)."""
        self._loop = asyncio.get_running_loop()
        on_state = getattr(self.app.ctx.db, "on_state", None)
        if on_state is not None:
            self._unsubscribe = on_state(self._heard)

    def detach(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        self._loop = None

    # ------------------------------------------------------------ on a database thread
    def _heard(self, state: str) -> None:
        self._post(self._state, threading.current_thread().name, state)

    def worked(self, write: bool) -> None:
        """A call returned on this database thread: its connection works (and a write: the file takes writes)."""
        name = threading.current_thread().name
        if name in self.reconnecting or (self.failed and (write or self.failed == "disconnect")):
            self._post(self._state, name, "worked")

    def _post(self, fn, *args) -> None:
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        try:
            loop.call_soon_threadsafe(fn, *args)
        except RuntimeError:  # the loop closed meanwhile: the app is gone
            pass

    # ------------------------------------------------------------ on the UI thread
    def _state(self, thread: str, state: str) -> None:
        was = self.words
        if state == "reconnecting":
            self.reconnecting.add(thread)
        else:
            back = thread in self.reconnecting or self.failed == "disconnect"
            self.reconnecting.discard(thread)
            if state == "worked" or self.failed == "disconnect":
                self.failed = None
            if back and not self.reconnecting:
                self._toasted = None
                self.refresh_everything()
        if self.words != was:
            self.show()

    def failure(self, exc: BaseException) -> Unavailable | None:
        """``exc`` met by a call: a database failure is said (the header, one toast) and returned."""
        err = unavailable(exc, self.app.ctx.url)
        if err is None:
            return None
        self.failed = err.kind
        if self._toasted != err.kind:
            self._toasted = err.kind
            self.app.notify(str(err), severity="error", timeout=8)
        self.show()
        return err

    def show(self) -> None:
        words = self.words
        self.app.sub_title = printable(f"{self.base_title} · {words}" if words else self.base_title)

    def refresh_everything(self) -> None:
        for screen in self.app.open_screens():
            screen.post_message(LiveChanges([], everything=True))
