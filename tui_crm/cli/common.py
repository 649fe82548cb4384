"""What every command shares: the user error, opening a session, and the parsers of
dates and amounts given as options (a bad value is a UserError naming it)."""
from __future__ import annotations

import json

from ..i18n import _


class UserError(Exception):
    """A mistake of the caller: printed as one line on stderr, exit code 1."""


def session(args, *, need_user: bool = True, create: bool = False, **kw):
    """The session on ``args.url``, acting as ``--user`` (else the OS login) unless ``need_user`` is
    false. A missing SQLite file is an error unless ``create`` (`demo`, the first `users add`); a file
    other OS users can read is said on stderr. Keyword arguments go to ``open_session`` (upgrade,
    strict)."""
    import sys

    from ..services import identity
    from ..services.context import open_session
    from ..store.db import readable_by_others

    ctx = open_session(args.url, None, create=create, **kw)
    ctx.remote = getattr(args, "remote", False)
    warning = readable_by_others(args.url)
    if warning:
        print(f"tui-crm: {warning}", file=sys.stderr)
    if need_user:
        identity.act(ctx, args.user)
    return ctx


def act_if_users(ctx, args) -> None:
    """Act as the caller when the database has users (a command open to anyone on an empty one)."""
    from ..services import admin, identity

    if not admin.first_user(ctx):
        identity.act(ctx, args.user)


def parse_dt(ctx, text: str | None):
    """An aware datetime in the session's zone from a date/time option, None if not given."""
    if not text:
        return None
    from ..domain.errors import InvalidValue
    from ..domain.parse import parse_datetime

    try:
        return parse_datetime(text, ctx.tz, now=ctx.now())
    except InvalidValue as exc:
        raise UserError(_("not a date: {value}", value=text)) from exc


def parse_date(ctx, text: str | None):
    """The local calendar date of a date/time option, None if not given."""
    value = parse_dt(ctx, text)
    return value.astimezone(ctx.tz).date() if value else None


def parse_amount(text: str | None):
    """An amount option in cents, None if not given."""
    if text in (None, ""):
        return None
    from ..domain.errors import InvalidValue
    from ..domain.parse import parse_amount as parse

    try:
        return parse(text)
    except InvalidValue as exc:
        raise UserError(_("not an amount: {value}", value=text)) from exc


def print_json(data) -> None:
    """JSON output: UTF-8 as is, indented, dates and decimals as strings."""
    print(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def print_table(headers: list[str], rows: list[list], styles: dict[tuple[int, int], str] | None = None,
                **layout) -> None:
    """A table on stdout (cli.tables): codes, phones and money never cut, columns giving way by rank on a
    narrow terminal, piped output whole; plain text cells (``Markup [/b] Inc`` prints as it is, control
    characters dropped). ``layout``: ``kinds`` and ``ranks`` per column."""
    from .tables import print_table as table

    table(headers, rows, styles, **layout)
