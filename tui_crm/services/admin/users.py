"""Users: the first user, adding, listing and their own preferences."""
from __future__ import annotations

from dataclasses import dataclass

from ...domain.vocab import ROLES, resolve
from ...i18n import _
from ...store.models import Team, User
from .. import changes, scope
from ..context import Session
from ..errors import AccessDenied, ValidationError


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
