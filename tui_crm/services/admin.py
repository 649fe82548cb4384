"""Users, teams, stages, settings and database maintenance."""
from __future__ import annotations

import json
from dataclasses import dataclass

from ..domain.rules import Settings
from ..domain.vocab import ROLES, STAGE_LABELS, resolve
from ..i18n import _
from ..store import schema
from ..store.models import Lead, Meta, Stage, Team, User
from . import changes, scope
from .context import Session
from .errors import AccessDenied, ServiceError, ValidationError


@dataclass
class UserView:
    id: int
    login: str
    name: str
    role: str
    team: str | None
    active: bool


def first_user(ctx: Session) -> bool:
    return not User.select().exists()


def add_user(ctx: Session, login: str, name: str, role: str, team: str | None = None) -> UserView:
    """Add a user (admin only, except the very first user, who becomes an admin)."""
    first = first_user(ctx)
    if not first:
        if ctx.actor is None:
            raise AccessDenied(_("only an admin may do that"))
        scope.require_admin(ctx.actor)
    role_key = resolve("role", role, ROLES)
    if not role_key:
        raise ValidationError(_("unknown role: {value} (rep, supervisor or admin)", value=role))
    if first:
        role_key = "admin"
    login = login.strip()
    if not login or any(c.isspace() for c in login):
        raise ValidationError(_("a login is one word without spaces"))
    if User.select().where(User.login == login).exists():
        raise ValidationError(_("user {login} already exists", login=login))
    with ctx.db.atomic():
        team_row = None
        if team:
            team_row, _created = Team.get_or_create(name=team.strip())
        uid = User.insert(login=login, name=name.strip() or login, role=role_key, team=team_row,
                          created_at=int(ctx.now().timestamp())).execute()
        if team_row and role_key == "supervisor" and team_row.supervisor_id is None:
            Team.update(supervisor_id=uid).where(Team.id == team_row.id).execute()
        changes.record(ctx, "user", uid, "create", {"login": [None, login], "role": [None, role_key]},
                       user_id=ctx.actor.id if ctx.actor else uid)
    return get_user(uid)


def get_user(uid: int) -> UserView:
    u = User.get_by_id(uid)
    team = Team.get_or_none(Team.id == u.team_id) if u.team_id else None
    return UserView(u.id, u.login, u.name, u.role, team.name if team else None, u.active)


def list_users(ctx: Session) -> list[UserView]:
    teams = {t.id: t.name for t in Team.select()}
    return [UserView(u.id, u.login, u.name, u.role, teams.get(u.team_id), u.active)
            for u in User.select().order_by(User.login)]


def set_user_prefs(ctx: Session, tz: str | None = None, lang: str | None = None) -> None:
    User.update(**{k: v for k, v in (("tz", tz), ("lang", lang)) if v}).where(User.id == ctx.actor.id).execute()


# ------------------------------------------------------------------ stages
def set_stages(ctx: Session, specs: list[str]) -> None:
    """Replace the ordered list of open stages from NAME:PERCENT items."""
    scope.require_admin(ctx.actor)
    parsed = []
    for spec in specs:
        name, sep, pct = spec.rpartition(":")
        if not sep or not name.strip():
            raise ValidationError(_("a stage is NAME:PERCENT, not {value}", value=spec))
        try:
            prob = int(float(pct.strip().rstrip("%")))
        except ValueError:
            raise ValidationError(_("a stage is NAME:PERCENT, not {value}", value=spec)) from None
        if not 0 <= prob <= 100:
            raise ValidationError(_("a probability is between 0 and 100: {value}", value=spec))
        parsed.append((name.strip(), prob))
    if not parsed:
        raise ValidationError(_("give at least one stage"))
    keys = []
    existing = {s.key: s for s in Stage.select()}
    labels = {k: (s.label_en, s.label_zh) for k, s in existing.items()}
    labels.update({k: v for k, v in STAGE_LABELS.items() if k not in labels})
    for name, prob in parsed:
        if name.lower() in ("won", "lost") or resolve("status", name, {"won": ("won", "成交"), "lost": ("lost", "已流失")}):
            raise ValidationError(_("won and lost are outcomes, not stages"))
        key = resolve("stage", name, labels) or name
        if key in keys:
            raise ValidationError(_("stage {name} is given twice", name=name))
        keys.append(key)
    with ctx.db.atomic():
        in_use = {r.stage for r in Lead.select(Lead.stage).where(Lead.stage.not_in(keys)
                                                                  & Lead.status.not_in(("won", "lost"))).distinct()}
        if in_use:
            raise ValidationError(_("stages still hold open leads: {names}; move them first",
                                    names=", ".join(sorted(in_use))))
        Stage.update(active=False, position=Stage.position + 1000).execute()
        for pos, ((name, prob), key) in enumerate(zip(parsed, keys)):
            if key in existing:
                Stage.update(position=pos, probability=prob, active=True).where(Stage.key == key).execute()
            else:
                Stage.insert(key=key, label_en=name, label_zh=name, position=pos, probability=prob).execute()
        changes.record(ctx, "stage", None, "set", {"stages": [None, [f"{k}:{p}" for k, (_n, p) in zip(keys, parsed)]]})
    ctx.reload_config()


def get_settings(ctx: Session) -> Settings:
    return ctx.settings


def save_settings(ctx: Session, settings: Settings) -> None:
    scope.require_admin(ctx.actor)
    with ctx.db.atomic():
        Meta.insert(key="settings", value=json.dumps(settings.to_dict())).on_conflict(
            conflict_target=[Meta.key], update={Meta.value: json.dumps(settings.to_dict())}).execute()
        changes.record(ctx, "settings", None, "update", {})
    ctx.reload_config()


# ------------------------------------------------------------------ database
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

