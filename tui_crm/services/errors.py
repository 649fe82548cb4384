"""Errors a service raises; their message is shown to the user as is (translated)."""
from __future__ import annotations

from ..domain import limits
from ..domain.vocab import FIELD_TITLES
from ..i18n import _


class ServiceError(Exception):
    """A refused or impossible action. ``str(exc)`` is one user-facing line."""


class NotFound(ServiceError):
    pass


class AccessDenied(ServiceError):
    pass


class ValidationError(ServiceError):
    """Bad input; ``fields`` maps a field name to what is wrong with it."""

    def __init__(self, message: str, fields: dict[str, str] | None = None):
        super().__init__(message)
        self.fields = fields or {}


class Deactivated(AccessDenied):
    """The acting user was deactivated while their session was open: it must end (PRODUCT §7: a deactivated
    user cannot act at all)."""


class StaleRecord(ServiceError):
    """The record changed since it was read; the message names who changed what."""


def refuse_too_long(values: dict, table: dict[str, int] | None = None) -> None:
    """Refuse, in one line, a text of ``values`` longer than ``domain.limits`` allows for its field
    (``table``: one of limits' tables, LEAD when none is given). Every service that stores typed text calls
    this, so the command line, the TUI and import refuse the same."""
    hit = limits.too_long(values, table)
    if hit:
        field, n, m = hit
        title = _(FIELD_TITLES.get(field, field.replace("_", " ")))
        raise ValidationError(_("{field} is at most {n} characters (this one has {m})", field=title, n=n, m=m),
                              {field: _("at most {n} characters", n=n)})


class Unavailable(ServiceError):
    """The database failed under a call: the connection stayed lost past its retry time, the disk is
    full, the file is read-only or gone. ``kind`` as :func:`tui_crm.store.faults.kind`; ``applied``
    False: nothing of a write was saved, None: it may have been (check before saving it again)."""

    def __init__(self, message: str, kind: str, applied: bool | None = False):
        super().__init__(message)
        self.kind = kind
        self.applied = applied


def unavailable(exc: BaseException, url: str | None = None) -> Unavailable | None:
    """``exc`` as an :class:`Unavailable` (its one line, without the password), or None when it is
    not the database failing (a bug, a refusal)."""
    from ..store import faults

    if isinstance(exc, Unavailable):
        return exc
    found = faults.kind(exc)
    if found not in faults.FAILURES:
        return None
    return Unavailable(faults.describe(exc, url), found, faults.applied(exc))
