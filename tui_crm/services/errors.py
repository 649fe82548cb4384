"""Errors a service raises; their message is shown to the user as is (translated)."""
from __future__ import annotations


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


class StaleRecord(ServiceError):
    """The record changed since it was read; the message names who changed what."""
