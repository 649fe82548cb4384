"""A PostgreSQL connection that comes back after it is lost (a restart, a failover, an idle timeout,
a terminated backend, a network blip).

The contract, per connection (peewee's are per thread):

- A read outside a transaction that finds the connection gone reconnects (with backoff, for
  ``retry_for`` seconds; None: until it works) and runs again: the caller never sees the loss.
- Inside a transaction the loss is raised (the server has rolled the transaction back); the
  rollback that follows only drops the dead connection. The caller may run the whole transaction
  again: :meth:`tui_crm.services.context.Session.call` does, when nothing had committed.
- A COMMIT whose answer is lost is settled, not guessed: the transaction's id is read before
  COMMIT is sent, and after reconnecting ``pg_xact_status`` says whether it committed. Committed:
  ``commit()`` returns as if nothing happened. Rolled back: :class:`Disconnected` with ``applied``
  False. Unknown (the server cannot tell in time): ``applied`` None.
- A lone write outside a transaction whose answer is lost raises ``applied`` None.
- Listeners (``on_state``) hear ``"reconnecting"`` and ``"connected"`` from the thread that
  reconnects, so a screen can say so.
"""
from __future__ import annotations

import os
import threading
import time
from typing import Callable

import peewee as pw

from ..i18n import _
from . import faults
from .faults import Disconnected

_READS = ("SELECT", "SHOW", "VALUES", "PRAGMA")


def _unsure() -> str:
    return _("lost the connection to the database while saving: the change may or may not have been saved; "
             "check before saving it again")


def _not_saved() -> str:
    return _("lost the connection to the database: the change was not saved")


def default_retry_seconds() -> float | None:
    """``TUI_CRM_RETRY`` seconds (``forever`` or ``0``: no limit); 30 by default."""
    raw = os.environ.get("TUI_CRM_RETRY", "").strip().lower()
    if raw in ("forever", "0", "none"):
        return None
    try:
        return float(raw) if raw else 30.0
    except ValueError:
        return 30.0


def _is_read(sql: str) -> bool:
    head = sql.lstrip().split(None, 1)[0].upper() if sql.strip() else ""
    if head == "WITH":
        upper = sql.upper()
        return not any(w in upper for w in ("INSERT ", "UPDATE ", "DELETE ", "MERGE "))
    return head in _READS


class Reconnecting:
    """Mixin for ``peewee.PostgresqlDatabase`` (first in the bases)."""

    BACKOFF_FIRST = 0.05
    BACKOFF_MAX = 2.0

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.retry_for: float | None = default_retry_seconds()
        self._listeners: list[Callable[[str], None]] = []
        self._listeners_lock = threading.Lock()

    # ------------------------------------------------------------ listeners
    def on_state(self, listener: Callable[[str], None]) -> Callable[[], None]:
        """Call ``listener("reconnecting")`` / ``listener("connected")``; returns the unsubscribe."""
        with self._listeners_lock:
            self._listeners.append(listener)

        def remove() -> None:
            with self._listeners_lock:
                if listener in self._listeners:
                    self._listeners.remove(listener)
        return remove

    def _tell(self, state: str) -> None:
        with self._listeners_lock:
            listeners = list(self._listeners)
        for listener in listeners:
            try:
                listener(state)
            except Exception:  # noqa: BLE001 — a listener's failure must not stop the reconnect
                pass

    # ------------------------------------------------------------ the connection
    @property
    def commits(self) -> int:
        """Transactions this thread's connections committed (a caller compares before and after)."""
        return getattr(self._state, "commits", 0)

    def _forget(self) -> None:
        """Drop this thread's dead connection; at the next statement peewee opens a new one."""
        conn = self._state.conn
        if conn is not None:
            try:
                conn.close()
            except Exception:  # noqa: BLE001 — it is gone already
                pass
        if not self.in_transaction():
            self._state.reset()

    def _dead(self) -> bool:
        conn = self._state.conn
        return conn is not None and bool(getattr(conn, "closed", 0))

    def reconnect(self) -> None:
        """A new connection for this thread, tried with backoff until ``retry_for`` runs out."""
        self._forget()
        self._tell("reconnecting")
        delay = self.BACKOFF_FIRST
        deadline = None if self.retry_for is None else time.monotonic() + self.retry_for
        while True:
            try:
                self.connect(reuse_if_open=True)
                break
            except Exception as exc:  # noqa: BLE001 — sorted below
                if not faults.is_disconnect(exc):
                    raise
                left = None if deadline is None else deadline - time.monotonic()
                if left is not None and left <= 0:
                    raise Disconnected(faults.describe(exc, self.database), applied=False, gave_up=True) from exc
                self._state.reset()
                time.sleep(delay if left is None else min(delay, left))
                delay = min(delay * 2, self.BACKOFF_MAX)
        self._tell("connected")

    # ------------------------------------------------------------ statements
    def execute_sql(self, sql, params=None):
        while True:
            unsent = self._state.closed or self._dead()  # a statement on no or a dead connection is never sent
            try:
                return super().execute_sql(sql, params)
            except (pw.OperationalError, pw.InterfaceError) as exc:
                if not faults.is_disconnect(exc) or isinstance(exc, Disconnected):
                    raise
                if self.in_transaction():
                    raise  # the server rolled it back; the caller decides whether to run it again
                if not (unsent or _is_read(sql)):
                    self._forget()
                    raise Disconnected(_unsure(), applied=None) from exc
                self.reconnect()

    def begin(self, *args, **kwargs):
        while True:  # no transaction is open yet: a lost connection is simply made again
            try:
                return super().begin(*args, **kwargs)
            except (pw.OperationalError, pw.InterfaceError) as exc:
                if not faults.is_disconnect(exc) or self.in_transaction():
                    raise
                self.reconnect()

    def rollback(self):
        if self._dead():
            self._forget()
            return
        try:
            super().rollback()
        except (pw.OperationalError, pw.InterfaceError) as exc:
            if not faults.is_disconnect(exc):
                raise
            self._forget()  # the server rolls back a transaction whose connection is gone

    def commit(self):
        if self._dead():
            self._forget()
            raise Disconnected(_not_saved(), applied=False)
        try:
            xid = super().execute_sql("SELECT pg_current_xact_id_if_assigned()::text").fetchone()[0]
        except (pw.OperationalError, pw.InterfaceError) as exc:
            if not faults.is_disconnect(exc):
                raise
            self._forget()
            raise Disconnected(faults.describe(exc, self.database), applied=False) from exc
        try:
            result = super().commit()
        except (pw.OperationalError, pw.InterfaceError) as exc:
            if not faults.is_disconnect(exc):
                raise
            self._forget()
            if xid is None or not self._committed(int(xid), exc):
                raise Disconnected(_not_saved(),
                                   applied=False) from exc
            result = None
        self._state.commits = self.commits + 1
        return result

    def _committed(self, xid: int, cause: BaseException) -> bool:
        """After a COMMIT whose answer was lost: reconnect and ask what became of transaction ``xid``."""
        delay = self.BACKOFF_FIRST
        deadline = None if self.retry_for is None else time.monotonic() + self.retry_for
        while True:
            self.reconnect()
            try:
                status = super().execute_sql("SELECT pg_xact_status(%s::text::xid8)", (str(xid),)).fetchone()[0]
            except (pw.OperationalError, pw.InterfaceError) as exc:
                if not faults.is_disconnect(exc):
                    raise
                status = "lost again"
                self._forget()
            if status == "committed":
                return True
            if status == "aborted":
                return False
            if status is None or (deadline is not None and time.monotonic() > deadline):
                raise Disconnected(_unsure(), applied=None) from cause
            time.sleep(delay)  # "in progress": the old session has not finished yet
            delay = min(delay * 2, self.BACKOFF_MAX)
