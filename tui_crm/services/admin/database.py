"""Database maintenance: check, backup and restore."""
from __future__ import annotations


from ...i18n import _
from ...store import schema
from ...store.models import User
from .. import scope
from ..context import Session
from ..errors import AccessDenied, ServiceError


def require_database_admin(ctx: Session) -> None:
    """The whole database is at stake: an admin must act, unless it has no users yet."""
    if ctx.actor is None and not User.select().exists():
        return
    if ctx.actor is None:
        raise AccessDenied(_("only an admin may do that"))
    scope.require_admin(ctx.actor)


def check(ctx: Session) -> list[str]:
    return schema.check(ctx.db)


def upgrade(ctx: Session) -> None:
    """Bring the schema to this version of tui-crm (admin only)."""
    require_database_admin(ctx)
    version = schema.current_version(ctx.db)
    if version is not None and version < schema.LATEST:
        schema.upgrade(ctx.db)
        ctx.reload_config()


def backup(ctx: Session, path: str) -> None:
    """A consistent copy of a SQLite database (online backup API), mode 0600 (admin only)."""
    require_database_admin(ctx)
    if ctx.is_postgres:
        raise ServiceError(_("use pg_dump to back up a PostgreSQL database"))
    import sqlite3

    from ...files import create_private

    src = ctx.db.connection()
    try:
        create_private(ctx.host_file(path))
    except OSError as exc:
        raise ServiceError(_("cannot write {file}: {error}", file=path, error=exc.strerror or exc)) from exc
    dst = sqlite3.connect(path)
    try:
        src.backup(dst)
    finally:
        dst.close()


def restore(ctx: Session, path: str) -> None:
    """Replace this SQLite database by a backup (checked first; admin only)."""
    require_database_admin(ctx)
    if ctx.is_postgres:
        raise ServiceError(_("use pg_restore to restore a PostgreSQL database"))
    import sqlite3

    ctx.host_file(path)
    try:
        probe = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        ok = probe.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        has_meta = probe.execute("SELECT count(*) FROM sqlite_master WHERE name='meta'").fetchone()[0]
        probe_src = probe
    except sqlite3.DatabaseError as exc:
        raise ServiceError(_("not a tui-crm backup: {path} ({error})", path=path, error=exc)) from exc
    if not ok or not has_meta:
        probe.close()
        raise ServiceError(_("not a tui-crm backup: {path} ({error})", path=path, error="integrity"))
    dst = ctx.db.connection()
    probe_src.backup(dst)
    probe.close()
    ctx.reload_config()
