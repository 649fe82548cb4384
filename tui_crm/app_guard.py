"""What keeps the app from outliving its terminal, and a remote session from the server's files.

- Hang-up: SIGHUP keeps its default (the process ends). Where it does not arrive or is ignored
  (``nohup``), a terminal that stops being one (a pty whose other end closed answers EIO) ends the
  app within a fraction of a second, and if the app has not ended a moment later the process exits
  anyway: no orphan keeps spinning on a dead input.
- Remote (a pinned SSH key): the import and export screens and the screenshot would read or write
  files on the server; they say how to use ``import -`` / ``export -`` instead.
"""
from __future__ import annotations

import os
import sys
import threading

from .i18n import _

CHECK_SECONDS = 0.25
HARD_EXIT_SECONDS = 0.5


def remote_hint() -> str:
    return _("over SSH, files stay on your side: `ssh HOST export - > leads.csv`, `ssh HOST import - < leads.csv`")


def refuse_remote(app) -> None:
    app.notify(remote_hint(), title=_("Not available over SSH"), severity="warning", timeout=10)


def _terminal_fds() -> list[int]:
    fds = []
    for stream in (sys.__stdin__, sys.__stdout__):
        try:
            fds.append(stream.fileno())
        except (AttributeError, ValueError, OSError):
            pass
    return fds


def terminal_lost(fds: list[int]) -> bool:
    return any(not os.isatty(fd) for fd in fds)


def watch_terminal(app) -> None:
    """From on_mount: end ``app`` within a fraction of a second of losing its terminal (or at once, when
    it was lost before the app got this far). Headless apps (tests) have none to lose."""
    if app.is_headless:
        return
    fds = _terminal_fds()

    def lost() -> None:
        if getattr(app, "_terminal_gone", False):
            return
        app._terminal_gone = True
        timer = threading.Timer(HARD_EXIT_SECONDS, os._exit, args=(129,))
        timer.daemon = True
        timer.start()
        app.exit(return_code=129)

    def check() -> None:
        if terminal_lost(fds):
            lost()

    check()
    app.set_interval(CHECK_SECONDS, check)
