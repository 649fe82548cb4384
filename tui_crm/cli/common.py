"""What every command shares: the user error, opening a session, and the parsers of
dates and amounts given as options (a bad value is a UserError naming it)."""
from __future__ import annotations

import json

from ..i18n import _


class UserError(Exception):
    """A mistake of the caller: printed as one line on stderr, exit code 1."""


def session(args, *, need_user: bool = True, **kw):
    """The session on ``args.url``, acting as ``args.login`` unless ``need_user`` is false;
    keyword arguments go to ``open_session`` (upgrade, create, strict)."""
    from ..services.context import open_session

    ctx = open_session(args.url, None, **kw)
    if need_user:
        act(ctx, args)
    return ctx


def act(ctx, args):
    """Act as the caller: on PostgreSQL as a user's role, as the role decides (``services.identity``);
    otherwise as ``--user``, else the OS login."""
    from ..services import identity

    return ctx.act_as(identity.role_acting_login(ctx, args.user) or args.login)


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
