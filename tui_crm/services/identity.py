"""Who this process acts as: the one home of that rule.

The acting user is the OS login unless ``--user`` names another.
- PostgreSQL, connected as ``crm_<login>`` (one of the roles ``db roles`` keeps): the session
  acts as that user; ``--user`` naming anyone else is refused unless that user is an admin. The
  OS login plays no part: the server already knows who connected (:func:`role_acting_login`).
- Otherwise ``--user`` naming someone else is honoured only when
  - the OS account owns the SQLite file (the person on their own machine, or the service account
    that holds a team's database and whose SSH keys pin a login), or, on PostgreSQL, the session's
    role owns the tables or is above row-level security (:func:`holds_database`: it holds the
    whole database, as the file's owner does), or
  - the OS login is an active CRM admin.
Everything else is refused with one line, before anything is read or written. The OS login comes
from the process's uid (``config.os_login``), never from ``$USER``.
"""
from __future__ import annotations

import os

from .. import config
from ..i18n import _
from ..store.db import sqlite_path
from ..store.models import User
from .context import Actor, Session
from .errors import AccessDenied


def session_role_login(ctx: Session) -> str | None:
    """The user whose own database role this PostgreSQL session is connected as (row security applies to it), None
    for the owner's or any other role and on SQLite; asked once per session (its role does not change)."""
    if not ctx.is_postgres:
        return None
    if "role_login" not in ctx.memo:
        from ..store import pgroles

        ctx.memo["role_login"] = pgroles.connected_login(ctx.db)
    return ctx.memo["role_login"]


def role_needs_server(ctx: Session, signature: str) -> bool:
    """This is a session of a user's own role (row security hides and keeps its writes from what is beyond the
    user's reach) and ``db roles`` has installed the server's function ``signature`` (``name(types)``) that does
    the part beyond it; False elsewhere (the session sees and reaches everything it needs itself) and before
    the next ``db roles`` or ``db upgrade`` brings a function added since. Asked once per session."""
    key = ("server_function", signature)
    if key not in ctx.memo:
        from ..store import pgroles

        ctx.memo[key] = session_role_login(ctx) is not None and pgroles.has_function(ctx.db, signature)
    return ctx.memo[key]


def role_acting_login(ctx: Session, requested: str | None) -> str | None:
    """Who acts in a session connected as a user's role: that user, or ``requested`` when that user is an
    active admin; AccessDenied for anyone else. None when the session's role is not a user's role."""
    if not ctx.is_postgres:
        return None
    from ..store import pgroles  # PostgreSQL only: a SQLite session never loads the roles and policies

    pinned = pgroles.connected_login(ctx.db)
    if pinned is None:
        return None
    if requested in (None, pinned):
        return pinned
    if _is_admin(pinned):
        return requested
    raise AccessDenied(_("--user {login} refused: this session is connected as {role}, which acts as {me} only",
                         login=requested, role=pgroles.Groups(pgroles.configured_prefix(ctx.db)).role(pinned),
                         me=pinned))


def holds_database(ctx: Session) -> bool:
    """The session's role owns the tables or is above row-level security: like owning the SQLite file."""
    if not ctx.is_postgres:
        return False
    from ..store import pgroles

    return pgroles.holds_database(ctx.db)


def owns_database_file(url: str) -> bool:
    """The OS account running this process owns the SQLite file at ``url``."""
    path = sqlite_path(url)
    if path == ":memory:":
        return True
    try:
        return os.stat(path).st_uid == os.geteuid()
    except OSError:
        return False


def _is_admin(login: str) -> bool:
    active_admin = (User.login == login) & (User.role == "admin") & (User.active == True)  # noqa: E712
    return User.select().where(active_admin).exists()


def may_act_as(ctx: Session, os_login: str, login: str) -> bool:
    """Outside a user's role: may the OS account ``os_login`` act as ``login``? (the module's rule)"""
    if login == os_login:
        return True
    if holds_database(ctx) if ctx.is_postgres else owns_database_file(ctx.url):
        return True
    return _is_admin(os_login)


def act(ctx: Session, requested: str | None) -> Actor:
    """Make ``ctx`` act as ``requested`` (``--user``), else as the OS login (or the user of the role it is
    connected as); AccessDenied when the caller may not act as that user, or the user is deactivated."""
    pinned = role_acting_login(ctx, requested)
    if pinned is not None:
        return ctx.act_as(pinned)
    os_login = config.os_login()
    login = requested or os_login
    if not may_act_as(ctx, os_login, login):
        raise AccessDenied(_("--user {login} refused: only the account that owns the database, or an admin, "
                             "may act as another user", login=login))
    return ctx.act_as(login)
