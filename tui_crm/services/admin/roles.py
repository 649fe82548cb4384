"""``db roles``: one PostgreSQL role per user and the row-level security behind them (store/pgroles.py)."""
from __future__ import annotations

from ...i18n import _
from ...store import pgroles
from .. import changes
from ..context import Session
from ..errors import ServiceError
from ..scope import require_admin


def sync_roles(ctx: Session, prefix: str | None = None) -> pgroles.RoleSync:
    """Create or update the roles of every user and (re)install the policies, in one transaction.
    The prefix is chosen once per database (``crm_`` unless given) and kept."""
    require_admin(ctx.actor)
    if not ctx.is_postgres:
        raise ServiceError(_("`db roles` is for PostgreSQL; a SQLite database is guarded by its file's mode"))
    kept = pgroles.configured_prefix(ctx.db)
    chosen = prefix or kept or pgroles.DEFAULT_PREFIX
    if not pgroles.valid_prefix(chosen):
        raise ServiceError(_("--prefix {prefix}: lower-case letters, digits and _, ending in _ (at most 30)",
                             prefix=chosen))
    if kept and chosen != kept:
        raise ServiceError(_("this database's roles use the prefix {prefix}", prefix=kept))
    try:
        with ctx.db.atomic():
            ctx.db.execute_sql("SELECT pg_advisory_xact_lock(74658)")
            pgroles.install(ctx.db, chosen)
            result = pgroles.sync(ctx.db, chosen)
            if result.created or result.enabled or result.disabled:
                changes.record(ctx, "roles", None, "sync", {"created": result.created, "changed": result.enabled,
                                                            "no_login": result.disabled})
    except pgroles.RolesError as exc:
        raise ServiceError(str(exc)) from None
    return result
