"""Files the program creates hold customers' data: they are private to the account (mode 0600).

``open_private`` opens a file for writing that only its owner can read, whether it is new or
was there before; ``create_private`` makes an empty one for a library that opens the path itself
(SQLite keeps a database's -wal and -shm at the database file's mode).
"""
from __future__ import annotations

import os

PRIVATE = 0o600


def _private(fd: int) -> None:
    try:
        os.fchmod(fd, PRIVATE)
    except PermissionError:  # another account's file, writable to us: its owner keeps its mode
        pass


def create_private(path: str) -> None:
    """Make sure ``path`` exists and is mode 0600 (its content is left alone)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, PRIVATE)
    try:
        _private(fd)
    finally:
        os.close(fd)


def open_private(path: str, mode: str = "w", **kwargs):
    """``open(path, mode, **kwargs)`` for writing (``w``/``wb``/``a``/``ab``), the file made 0600 first."""
    flags = os.O_WRONLY | os.O_CREAT | (os.O_APPEND if mode.startswith("a") else os.O_TRUNC)
    fd = os.open(path, flags, PRIVATE)
    try:
        _private(fd)
        return os.fdopen(fd, mode, **kwargs)
    except BaseException:
        os.close(fd)
        raise
