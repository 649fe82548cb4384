"""Errors raised by the pure domain helpers."""


class InvalidValue(ValueError):
    """A value (typed, passed on the command line or imported) cannot be read.

    The message is a short English sentence without a final period, e.g.
    ``not a phone number: 'abc'``.
    """
