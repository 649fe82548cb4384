"""Users: the first user, adding, listing and their own preferences."""
from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ...domain import limits
from ...domain.text import clean
from ...domain.vocab import ROLES, resolve
from ...i18n import MONEY_STYLES, _, normalize_lang
from ...store.models import Team, User
from .. import changes, scope
from ..context import Session
from ..errors import AccessDenied, NotFound, ValidationError, refuse_too_long


@dataclass
class UserView:
    id: int
    login: str
    name: str
    role: str
    team: str | None
    active: bool
    lang: str | None = None  # None: the environment's (LANG), else English
    tz: str | None = None  # None: the machine's zone
    money: str | None = None  # cn | plain; None: by the language


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
    name = clean(name)
    team = clean(team)
    refuse_too_long({"name": name, "team": team}, limits.USER)  # a login: is_valid_login below
    from ...domain.logins import is_valid_login  # not for saved_prefs, which every command line start asks

    if not is_valid_login(login):
        raise ValidationError(_("not a valid login: {login} (1-32 characters of a-z 0-9 . _ -)", login=login))
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


def _view(u: User, team: str | None) -> UserView:
    return UserView(u.id, u.login, u.name, u.role, team, u.active, u.lang, u.tz, u.money)


def get_user(uid: int) -> UserView:
    u = User.get_by_id(uid)
    team = Team.get_or_none(Team.id == u.team_id) if u.team_id else None
    return _view(u, team.name if team else None)


def list_users(ctx: Session) -> list[UserView]:
    """Every user (admins), or the users of a supervisor's own team."""
    scope.require_supervisor(ctx.actor)
    teams = {t.id: t.name for t in Team.select()}
    q = User.select().order_by(User.login)
    if not ctx.actor.is_admin:
        q = q.where(User.team == ctx.actor.team_id) if ctx.actor.team_id is not None else q.where(
            User.id == ctx.actor.id)
    return [_view(u, teams.get(u.team_id)) for u in q]


# what a user may change on their own account; the rest is an admin's
OWN_PREFS = ("lang", "tz", "money")
# what a supervisor may change on their own team's reps and supervisors (a role or a team takes an admin:
# a supervisor could otherwise make an admin, or move a rep and their leads out of reach)
TEAM_EDITS = ("name", "lang", "tz")


def _may_edit(ctx: Session, user: User, fields: dict) -> None:
    a = ctx.actor
    if a.is_admin or (a.id == user.id and set(fields) <= set(OWN_PREFS)):
        return
    if not a.is_supervisor:
        scope.require_admin(a)
    if a.team_id is None or user.team_id != a.team_id or user.role == "admin":
        raise AccessDenied(_("a supervisor changes only their own team's users: {login} is not in it",
                             login=user.login))
    if not set(fields) <= set(TEAM_EDITS):
        raise AccessDenied(_("a supervisor changes a user's name, language and time zone; a role or a team "
                             "takes an admin"))


def _check_tz(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationError(_("unknown time zone: {value} (e.g. Asia/Shanghai)", value=name), {"tz": _("not a time zone")})
    return name


def set_user(ctx: Session, login: str, **fields) -> UserView:
    """Change a user's name, role, team, language (``en``/``zh``) or time zone (an IANA name such as
    ``Asia/Shanghai``); an empty string clears the language or zone (back to the environment's). A user
    may change their own language and zone, a supervisor the name, language and zone of their team's
    users; everything else takes an admin. One audited change entry with the old and new values."""
    fields = {k: clean(v) for k, v in fields.items() if v is not None}
    refuse_too_long(fields, limits.USER)
    user = User.get_or_none(User.login == login)
    if user is None:
        raise NotFound(_("unknown user: {login} (add it with `tui-crm users add`)", login=login))
    _may_edit(ctx, user, fields)
    values: dict = {}
    if "name" in fields:
        if not fields["name"].strip():
            raise ValidationError(_("a name cannot be empty"), {"name": _("required")})
        values["name"] = fields["name"].strip()
    if "role" in fields:
        role_key = resolve("role", fields["role"], ROLES)
        if not role_key:
            raise ValidationError(_("unknown role: {value} (rep, supervisor or admin)", value=fields["role"]))
        values["role"] = role_key
    if "lang" in fields:
        values["lang"] = normalize_lang(fields["lang"])
    if "tz" in fields:
        values["tz"] = _check_tz(fields["tz"].strip()) if fields["tz"].strip() else None
    if "money" in fields:
        if fields["money"] not in ("", *MONEY_STYLES):
            raise ValidationError(_("unknown money style: {value} (cn or plain)", value=fields["money"]))
        values["money"] = fields["money"] or None
    with ctx.db.atomic():
        if "team" in fields:
            team_row = Team.get_or_create(name=fields["team"].strip())[0] if fields["team"].strip() else None
            values["team"] = team_row.id if team_row else None
        old = {k: getattr(user, "team_id" if k == "team" else k) for k in values}
        diff = {k: [old[k], v] for k, v in values.items() if old[k] != v}
        if diff:
            User.update(**values).where(User.id == user.id).execute()
            if "team" in diff:  # the log names teams, not ids
                names = {t.id: t.name for t in Team.select().where(Team.id.in_([i for i in diff["team"] if i]))}
                diff["team"] = [names.get(i) for i in diff["team"]]
            changes.record(ctx, "user", user.id, "update", diff)
    return get_user(user.id)


def set_user_prefs(ctx: Session, tz: str | None = None, lang: str | None = None) -> None:
    """The acting user's own language and zone (None leaves one as it is)."""
    set_user(ctx, ctx.actor.login, tz=tz, lang=lang)


def saved_language(url: str, login: str) -> str | None:
    """The language ``login`` chose for themselves in the database at ``url``, read before anything else
    (the command line needs it to build its help); None when there is no such database or user, or it
    cannot be read. Never creates, upgrades or writes a database."""
    return saved_prefs(url, login)[0]


def saved_money(url: str, login: str) -> str | None:
    """The money style ``login`` chose (``cn`` / ``plain``), read like :func:`saved_language`; None before
    schema v10 too."""
    return saved_prefs(url, login)[1]


def saved_prefs(url: str, login: str) -> tuple[str | None, str | None]:
    """(language, money style) of ``login``, in one connection and one query (the command line asks both
    before it builds its parser); (None, None) when they cannot be read."""
    from ...store import db as store_db

    if not store_db.may_exist(url):
        return None, None
    try:
        store_db.connect(url, create=False, strict=False)
    except Exception:  # any reason it cannot be read: the settings fall back, the command reports the rest
        return None, None
    for columns in ((User.lang, User.money), (User.lang,)):  # user.money is schema v10's
        try:
            row = User.select(*columns).where(User.login == login).tuples().first()
        except Exception:
            continue
        if row is None:
            return None, None
        return normalize_lang(row[0]), (row[1] if len(row) > 1 else None)
    return None, None


# ------------------------------------------------------------------ stages
