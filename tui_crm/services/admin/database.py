"""Database maintenance: check, backup and restore."""
from __future__ import annotations


from ...i18n import _
from ...store import schema
from ...store.models import User
from .. import scope
from ..context import Session
from ..errors import AccessDenied, ServiceError
from .restore_log import merge as merge_log


def require_database_admin(ctx: Session) -> None:
    """The whole database is at stake: an admin must act, unless it has no users yet."""
    if ctx.actor is None and not User.select().exists():
        return
    if ctx.actor is None:
        raise AccessDenied(_("only an admin may do that"))
    scope.require_admin(ctx.actor)


def check(ctx: Session) -> list[str]:
    return schema.check(ctx.db)


def repair(ctx: Session) -> None:
    """Rebuild the report's summary tables and the search index from the leads and the leads' plan_until from
    their tasks (admin only; one transaction)."""
    require_database_admin(ctx)
    from ...store import plan, search, summary_triggers

    if schema.current_version(ctx.db) != schema.LATEST:
        raise ServiceError(_("run `tui-crm db upgrade` first"))
    with ctx.db.atomic():
        if ctx.is_postgres:
            ctx.db.execute_sql("LOCK TABLE lead, task, task_lead IN SHARE MODE")  # no write in between is lost
        summary_triggers.install(ctx.db)
        plan.recompute(ctx.db)
        search.repair(ctx.db)


def upgrade(ctx: Session, progress=None) -> int | None:
    """Bring the schema to this version of tui-crm (admin only); ``progress`` as schema.upgrade's. Returns the
    version it was at (None when there was nothing to do)."""
    require_database_admin(ctx)
    version = schema.current_version(ctx.db)
    if version is not None and version < schema.LATEST:
        schema.upgrade(ctx.db, progress)
        ctx.reload_config()
        return version
    return None


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


def restore(ctx: Session, path: str) -> int:
    """Replace this SQLite database by a backup (checked first; admin only), keeping the audit log.

    The change log is append-only (PRODUCT §7): what the backup holds comes back, and every entry of the
    current log that the backup does not hold (everything done since the backup was taken, or all of it
    when the backup is of another database) is appended after it, naming its user and lead as before; then
    a ``restore`` entry says who restored which file. Done in a private copy that replaces the database
    in one step, so a failure leaves it as it was. Returns how many entries were kept so."""
    require_database_admin(ctx)
    if ctx.is_postgres:
        raise ServiceError(_("use pg_restore to restore a PostgreSQL database"))
    import os
    import sqlite3
    import tempfile

    ctx.host_file(path)
    try:
        probe = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        ok = probe.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        has_meta = probe.execute("SELECT count(*) FROM sqlite_master WHERE name='meta'").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        raise ServiceError(_("not a tui-crm backup: {path} ({error})", path=path, error=exc)) from exc
    if not ok or not has_meta:
        probe.close()
        raise ServiceError(_("not a tui-crm backup: {path} ({error})", path=path, error="integrity"))
    dst = ctx.db.connection()
    fd, staged_path = tempfile.mkstemp(prefix=".tui-crm-restore-", suffix=".db",
                                       dir=os.path.dirname(os.path.abspath(ctx.db.database)))
    os.close(fd)
    try:
        staged = sqlite3.connect(staged_path)
        try:
            probe.backup(staged)
            probe.close()
            kept = merge_log(dst, staged, ctx.actor.login if ctx.actor else None,
                                     int(ctx.now().timestamp()), os.path.basename(path))
            staged.commit()
            staged.backup(dst)
        finally:
            staged.close()
    finally:
        probe.close()
        os.unlink(staged_path)
    ctx.reload_config()
    return kept
