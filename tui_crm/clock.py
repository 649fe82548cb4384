"""The one source of "now".

Everything that needs the time calls :func:`now`. Tests move time with
:func:`set_now` / :class:`frozen`; a subprocess can be pinned with the
``TUI_CRM_NOW`` environment variable (ISO 8601 with an offset), which is how
CLI and snapshot tests get a fixed clock.
"""
from __future__ import annotations

import os
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone

_fixed: datetime | None = None
_offset = timedelta(0)


def _env_now() -> datetime | None:
    raw = os.environ.get("TUI_CRM_NOW")
    if not raw:
        return None
    value = datetime.fromisoformat(raw)
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value


def now() -> datetime:
    """Aware UTC now, to the second."""
    base = _fixed or _env_now() or datetime.now(timezone.utc)
    return (base + _offset).astimezone(timezone.utc).replace(microsecond=0)


def timestamp() -> int:
    return int(now().timestamp())


def set_now(value: datetime | None) -> None:
    """Pin the clock (None releases it)."""
    global _fixed, _offset
    _fixed = value
    _offset = timedelta(0)


def advance(delta: timedelta) -> None:
    """Move the clock forward (works pinned or not)."""
    global _offset
    _offset += delta


@contextmanager
def frozen(value: datetime):
    global _fixed, _offset
    saved = (_fixed, _offset)
    _fixed, _offset = value, timedelta(0)
    try:
        yield
    finally:
        _fixed, _offset = saved
