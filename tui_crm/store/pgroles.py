"""PostgreSQL: one database role per CRM user, and row-level security that makes a session
connected as that role see and change exactly what the user may (the same rules as
``services.scope``, in SQL the server enforces, for the app and for psql alike).

Roles (``PREFIX`` is ``crm_`` unless ``db roles --prefix`` chose another; roles are
cluster-wide, so two databases on one server need two prefixes):
- ``crm_<login>``: one per user; LOGIN while the user is active, NOLOGIN otherwise.
  No password is set here: the DBA sets one (``ALTER ROLE … PASSWORD``) or uses
  certificates; pg_hba.conf decides how roles authenticate.
- ``crm`` (the prefix without its ``_``): the group every non-admin user role is in;
  ``crmadmin``: the group of admins' roles. Neither can log in, and neither name can
  be ``PREFIX + login``.
- The schema owner (the role that created the tables and runs ``db roles``) bypasses
  the policies, as does a superuser: that URL holds the whole database, like the
  SQLite file does.

Who a session is: ``session_user`` minus the prefix, if that is an active user
(``crm_uid()``). A deactivated user's role sees nothing even before ``db roles``
turns its LOGIN off. The change log is append-only for every role but the owner:
the groups get INSERT on it and nothing else.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

import peewee as pw

from . import pgmasks, pgpolicies
from .pgpolicies import ADMIN_ONLY, APPEND_ONLY, LEAD_DATA, MEMBER_WRITES, ROW_SECURED, Groups

__all__ = ["ADMIN_ONLY", "APPEND_ONLY", "LEAD_DATA", "MEMBER_WRITES", "ROW_SECURED", "Groups", "RoleSync",
           "RolesError", "configured_prefix", "connected_login", "hidden_matches", "holds_database", "install",
           "open_loads",
           "refresh", "sync", "refusal", "drop_roles", "valid_prefix", "DEFAULT_PREFIX"]

DEFAULT_PREFIX = "crm_"
META_KEY = "pg_roles"
_PREFIX_RE = re.compile(r"[a-z][a-z0-9_]{0,29}_")


class RolesError(Exception):
    """``db roles`` cannot run here; the message says why."""


@dataclass
class RoleSync:
    """What ``sync`` did, one list per outcome, each of role names (``skipped``: (role, reason))."""
    created: list[str] = field(default_factory=list)
    enabled: list[str] = field(default_factory=list)
    disabled: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)


def ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def valid_prefix(prefix: str) -> bool:
    return bool(_PREFIX_RE.fullmatch(prefix))


def configured_prefix(db: pw.Database) -> str | None:
    """The prefix ``db roles`` set up in this database, None if it never ran (or on SQLite)."""
    if not isinstance(db, pw.PostgresqlDatabase):
        return None
    row = db.execute_sql("SELECT value FROM meta WHERE key = %s", (META_KEY,)).fetchone()
    return json.loads(row[0]).get("prefix") if row else None


def connected_login(db: pw.Database) -> str | None:
    """The login this session's database role belongs to (``crm_<login>``), None for any other role."""
    prefix = configured_prefix(db)
    if not prefix:
        return None
    (role,) = db.execute_sql("SELECT session_user").fetchone()
    return role[len(prefix):] if role.startswith(prefix) and len(role) > len(prefix) else None


def hidden_matches(db: pw.Database, col: str, vals: list[str]) -> list[tuple[str, int | None]]:
    """In a session of a user's role: ``(value, batch_id)`` for each lead, seen or not, whose ``col`` (code,
    phone, email) is one of ``vals``, so duplicates beyond the user's reach are still found (and told only
    as existing). Any other session sees them itself: the caller asks only in a role's session
    (services.identity.session_role_login, asked once per session)."""
    if not vals:
        return []
    return db.execute_sql("SELECT val, batch_id FROM crm_lead_matches(%s, %s)", (col, list(vals))).fetchall()


def open_loads(db: pw.Database, statuses) -> dict[int, int] | None:
    """In a session of a user's role: user id -> how many open (``statuses``), committed leads they own, all of
    them, seen or not (``crm_open_loads``: counts only); None for any other session (it counts them itself)
    and where ``db roles`` has not installed the function yet (it runs again on the next ``db upgrade``)."""
    if connected_login(db) is None:
        return None
    if not has_function(db, "crm_open_loads(text[])"):
        return None
    return dict(db.execute_sql("SELECT user_id, n FROM crm_open_loads(%s)", (list(statuses),)).fetchall())


def has_function(db: pw.Database, signature: str) -> bool:
    """``db roles`` has installed this function (``name(types)``) in the session's schema: one added since runs
    only after the next ``db roles`` or ``db upgrade``."""
    return db.execute_sql("SELECT to_regprocedure(%s) IS NOT NULL", (signature,)).fetchone()[0]


def holds_database(db: pw.Database) -> bool:
    """The session's role owns the tables or is above row-level security (superuser, BYPASSRLS)."""
    row = db.execute_sql(
        "SELECT r.rolsuper OR r.rolbypassrls OR EXISTS (SELECT 1 FROM pg_tables t WHERE t.schemaname = "
        "current_schema() AND t.tablename = 'lead' AND t.tableowner = session_user) "
        "FROM pg_roles r WHERE r.rolname = session_user").fetchone()
    return bool(row and row[0])


def _check_may_manage(db: pw.Database, create_roles: bool) -> None:
    from ..i18n import _

    row = db.execute_sql(
        "SELECT r.rolsuper OR r.rolcreaterole, r.rolsuper OR EXISTS (SELECT 1 FROM pg_tables t WHERE "
        "t.schemaname = current_schema() AND t.tablename = 'lead' AND t.tableowner = current_user) "
        "FROM pg_roles r WHERE r.rolname = current_user").fetchone()
    if not row or not row[1]:
        raise RolesError(_("`db roles` runs as the role that owns the tables (the one that created them)"))
    if create_roles and not row[0]:
        raise RolesError(_("`db roles` needs CREATEROLE: ALTER ROLE {role} CREATEROLE",
                           role=db.execute_sql("SELECT current_user").fetchone()[0]))


def refusal(exc: Exception) -> str | None:
    """One line for an error the server raised because the session's role may not do that (privileges,
    row-level security: SQLSTATE 42501), None for any other error."""
    from ..i18n import _

    orig = getattr(exc, "orig", None) or exc  # peewee keeps the driver's error as .orig
    if getattr(orig, "pgcode", None) != "42501":
        return None
    line = (str(orig).strip().splitlines() or [""])[0]
    return _("the database refused: {error}", error=line)


def install(db: pw.Database, prefix: str) -> None:
    """The groups, the session functions, the grants and the policies (idempotent). Run by the owner."""
    groups = Groups(prefix)
    roles = dict(db.execute_sql("SELECT rolname, rolcanlogin OR rolsuper OR rolbypassrls FROM pg_roles "
                                "WHERE rolname = ANY(%s)", ([groups.members, groups.admins],)).fetchall())
    _check_may_manage(db, create_roles=len(roles) < 2)
    for group in (groups.members, groups.admins):
        if group not in roles:
            db.execute_sql(f"CREATE ROLE {ident(group)} NOLOGIN")
        elif roles[group]:
            from ..i18n import _

            raise RolesError(_("role {role} exists and can log in or bypass row security: choose another --prefix",
                               role=group))
    schema = db.execute_sql("SELECT current_schema()").fetchone()[0]
    cur = db.cursor()
    for sql in pgpolicies.statements(ident(schema), groups):
        cur.execute(sql)  # no parameters: the statements are literal SQL (``%I`` in a format())
    for sql in pgmasks.statements(db, schema, groups.admins, pgpolicies.committed_or_mine(ident(schema))):
        cur.execute(sql)
    db.execute_sql("INSERT INTO meta (key, value) VALUES (%s, %s) ON CONFLICT (key) DO UPDATE SET value = "
                   "EXCLUDED.value", (META_KEY, json.dumps({"prefix": prefix})))


def refresh(db: pw.Database) -> None:
    """After a schema upgrade: grants and policies for the new schema, if ``db roles`` ever ran here."""
    prefix = configured_prefix(db)
    if prefix:
        install(db, prefix)


def sync(db: pw.Database, prefix: str) -> RoleSync:
    """One role per user (needs CREATEROLE): LOGIN for the active, NOLOGIN for the rest, each in its
    group; our roles whose user is gone cannot log in either. A role that exists and is a superuser,
    bypasses row security or can create roles is left alone and reported."""
    from ..i18n import _

    groups = Groups(prefix)
    out = RoleSync()
    users = db.execute_sql('SELECT login, role, active FROM "user" ORDER BY login').fetchall()
    existing = {r[0]: r[1:] for r in db.execute_sql(
        "SELECT rolname, rolcanlogin, rolsuper OR rolbypassrls OR rolcreaterole, "
        "pg_has_role(rolname, %s, 'MEMBER'), pg_has_role(rolname, %s, 'MEMBER') FROM pg_roles "
        "WHERE rolname LIKE %s", (groups.members, groups.admins, prefix.replace("_", r"\_") + "%")).fetchall()}
    wanted = set()
    for login, role, active in users:
        name = groups.role(login)
        wanted.add(name)
        if len(name.encode()) > 63:
            out.skipped.append((name, _("longer than 63 bytes")))
            continue
        have = existing.get(name)
        if have and have[1]:
            out.skipped.append((name, _("a superuser, or bypasses row security, or can create roles")))
            continue
        group, other = (groups.admins, groups.members) if role == "admin" else (groups.members, groups.admins)
        login_kw = "LOGIN" if active else "NOLOGIN"
        if have is None:
            db.execute_sql(f"CREATE ROLE {ident(name)} {login_kw} IN ROLE {ident(group)}")
            (out.created if active else out.disabled).append(name)
            continue
        can_login, _power, in_members, in_admins = have
        in_group, in_other = (in_admins, in_members) if role == "admin" else (in_members, in_admins)
        if can_login != bool(active) or not in_group or in_other:
            db.execute_sql(f"ALTER ROLE {ident(name)} {login_kw}")
            db.execute_sql(f"GRANT {ident(group)} TO {ident(name)}")
            if in_other:
                db.execute_sql(f"REVOKE {ident(other)} FROM {ident(name)}")
            (out.enabled if active else out.disabled).append(name)
        else:
            out.unchanged.append(name)
    for name, (can_login, power, in_members, in_admins) in existing.items():
        if name not in wanted and (in_members or in_admins) and not power and can_login:
            db.execute_sql(f"ALTER ROLE {ident(name)} NOLOGIN")  # its user is gone or renamed
            out.disabled.append(name)
    return out


def drop_roles(db: pw.Database, prefix: str) -> None:
    """Drop every role of ``prefix`` and its groups from the server (tests; a database being retired).
    Their grants in this database go first; run it in each database they were used in."""
    groups = Groups(prefix)
    names = [r[0] for r in db.execute_sql("SELECT rolname FROM pg_roles WHERE rolname LIKE %s OR rolname = ANY(%s)",
                                           (prefix.replace("_", r"\_") + "%", [groups.members, groups.admins]))]
    for name in names:
        db.execute_sql(f"DROP OWNED BY {ident(name)}")
    for name in sorted(names, key=lambda n: n in (groups.members, groups.admins)):
        db.execute_sql(f"DROP ROLE {ident(name)}")
