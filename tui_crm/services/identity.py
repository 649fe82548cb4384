"""Who a session acts as. On PostgreSQL the database role decides:

- Connected as ``crm_<login>`` (one of the roles ``db roles`` keeps): the session acts as
  that user; ``--user`` naming anyone else is refused unless that user is an admin. The OS
  login plays no part: the server already knows who connected.
- Connected as the tables' owner or a superuser (:func:`holds_database`): that role holds
  the whole database, as the SQLite file's owner does, so ``--user`` is honoured.
- Any other role, and SQLite: the rules for the OS login apply.
"""
from __future__ import annotations

from ..i18n import _
from ..store import pgroles
from ..store.models import User
from .context import Session
from .errors import AccessDenied


def role_acting_login(ctx: Session, requested: str | None) -> str | None:
    """Who acts in a session connected as a user's role: that user, or ``requested`` when that user is an
    active admin; AccessDenied for anyone else. None when the session's role is not a user's role."""
    if not ctx.is_postgres:
        return None
    pinned = pgroles.connected_login(ctx.db)
    if pinned is None:
        return None
    if requested in (None, pinned):
        return pinned
    admin = User.select().where((User.login == pinned) & (User.role == "admin") & (User.active == True))  # noqa: E712
    if admin.exists():
        return requested
    raise AccessDenied(_("--user {login} refused: this session is connected as {role}, which acts as {me} only",
                         login=requested, role=pgroles.Groups(pgroles.configured_prefix(ctx.db)).role(pinned),
                         me=pinned))


def holds_database(ctx: Session) -> bool:
    """The session's role owns the tables or is above row-level security: like owning the SQLite file."""
    return ctx.is_postgres and pgroles.holds_database(ctx.db)
