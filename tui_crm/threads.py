"""A thread that waits on the database beside a thread that computes: short GIL turns while both run.

A thread coming back from a database round trip (psycopg2 lets the GIL go while it waits) has to take the
GIL back from a thread that is computing. CPython lets the computing thread keep it for the switch
interval first, 5 ms by default, so every statement of the waiting thread costs 5 ms more than the server
took: a SELECT 1 took 0.08 ms alone and 6 ms beside a busy thread, and 0.8 ms with turns of 0.5 ms
(measured here). An import on PostgreSQL reads and converts its rows on a thread of its own while its writer
sends a dozen statements per part, so it runs its parts with short turns (docs/PERFORMANCE.md).

The interval is the process's: it is shortened while any holder of :func:`short_turns` runs and put back,
as it was, when the last one ends.
"""
from __future__ import annotations

import sys
import threading
from contextlib import contextmanager
from typing import Iterator

SHORT_TURN = 0.0005  # seconds

_lock = threading.Lock()
_holders = 0
_saved = 0.005


@contextmanager
def short_turns() -> Iterator[None]:
    """The GIL's switch interval at most :data:`SHORT_TURN` for the block."""
    global _holders, _saved
    with _lock:
        if _holders == 0:
            _saved = sys.getswitchinterval()
            sys.setswitchinterval(min(_saved, SHORT_TURN))
        _holders += 1
    try:
        yield
    finally:
        with _lock:
            _holders -= 1
            if _holders == 0:
                sys.setswitchinterval(_saved)
