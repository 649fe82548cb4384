"""Database maintenance: check, backup and restore."""
from __future__ import annotations


from ...i18n import _
from ...store import schema
from ..context import Session
from ..errors import ServiceError


def check(ctx: Session) -> list[str]:
    return schema.check(ctx.db)


def backup(ctx: Session, path: str) -> None:
    """A consistent copy of a SQLite database (online backup API)."""
    if ctx.is_postgres:
        raise ServiceError(_("use pg_dump to back up a PostgreSQL database"))
    import sqlite3

    src = ctx.db.connection()
    dst = sqlite3.connect(path)
    try:
        src.backup(dst)
    finally:
        dst.close()


def restore(ctx: Session, path: str) -> None:
    """Replace this SQLite database by a backup (checked first)."""
    if ctx.is_postgres:
        raise ServiceError(_("use pg_restore to restore a PostgreSQL database"))
    import sqlite3

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
