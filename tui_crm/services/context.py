"""The acting user's session: database, user, settings, stages, time zone."""
from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from datetime import datetime, tzinfo

import peewee as pw

from .. import clock, config
from ..domain.rules import Settings
from ..i18n import _, get_lang
from ..store import db as store_db
from ..store.models import LostReason, Meta, Source, Stage, Team, User
from .errors import AccessDenied, Deactivated, NotFound


@dataclass
class Actor:
    id: int
    login: str
    name: str
    role: str
    team_id: int | None
    tz: tzinfo

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def is_supervisor(self) -> bool:
        return self.role == "supervisor"


@dataclass
class StageInfo:
    key: str
    label_en: str
    label_zh: str
    probability: int
    position: int

    def label(self, lang: str) -> str:
        return self.label_zh if lang == "zh" else self.label_en


@dataclass
class Session:
    url: str
    db: pw.Database
    actor: Actor | None = None
    settings: Settings = field(default_factory=Settings)
    stages: list[StageInfo] = field(default_factory=list)
    sources: dict[str, tuple[str, str]] = field(default_factory=dict)  # every source, in the list's order
    retired_sources: set[str] = field(default_factory=set)  # kept on their leads, not offered for new ones
    lost_reasons: list[str] = field(default_factory=list)  # the team's pick list (PRODUCT §1 lost_reason)
    # the person is not at this host (a pinned SSH key): nothing is read from or written to the
    # host's files on their behalf; data comes in and goes out through the session's own streams
    remote: bool = False
    memo: dict = field(default_factory=dict)  # per-session answers worth keeping a little (scope size)
    notices: list[str] = field(default_factory=list)  # what a read had to leave out, for the caller to say

    # ------------------------------------------------------------ loading
    def reload_config(self) -> None:
        row = Meta.get_or_none(Meta.key == "settings")
        self.settings = Settings.from_dict(json.loads(row.value) if row else None)
        self.stages = [StageInfo(s.key, s.label_en, s.label_zh, s.probability, s.position)
                       for s in Stage.select().where(Stage.active == True).order_by(Stage.position)]  # noqa: E712
        rows = list(Source.select().order_by(Source.id))
        self.sources = {s.key: (s.label_en, s.label_zh) for s in rows}
        self.retired_sources = {s.key for s in rows if not s.active}
        self.lost_reasons = [r.label for r in LostReason.select().order_by(LostReason.id)]

    def act_as(self, login: str) -> Actor:
        """Act as the active user ``login`` (who may act as whom: :mod:`services.identity`)."""
        user = (User.select(User.id, User.login, User.name, User.role, User.team, User.active, User.tz)
                .where(User.login == login).first())
        if user is None:
            raise NotFound(_("unknown user: {login} (add it with `tui-crm users add`)", login=login))
        if not user.active:
            raise AccessDenied(_("user {login} is deactivated", login=login))
        self.actor = actor_of(user)
        store_db.name_connections(self.db, user.login)
        return self.actor

    def ensure_active(self) -> None:
        """Before each call of a long-lived session (the TUI, also under a pinned SSH key): the acting user is
        still active, else :class:`Deactivated`; a role or team changed meanwhile (by an admin, elsewhere) is
        taken up at once, so a demoted admin's open app is no longer an admin's."""
        if self.actor is None:
            return
        row = User.select(User.active, User.role, User.team).where(User.id == self.actor.id).tuples().first()
        if row is None or not row[0]:
            raise Deactivated(_("user {login} was deactivated: this session ends", login=self.actor.login))
        if (row[1], row[2]) != (self.actor.role, self.actor.team_id):
            self.actor.role, self.actor.team_id = row[1], row[2]

    # ------------------------------------------------------------ helpers
    def host_file(self, path: str) -> str:
        """``path``, when this session may read or write the host's files for its user; a remote
        session (a pinned SSH key) is refused: its data comes in and goes out through its streams."""
        if self.remote:
            raise AccessDenied(_("over SSH, tui-crm reads and writes no files on the server: "
                                 "use `import -` < FILE and `export -` > FILE"))
        return path

    def active_sources(self, keep: str | None = None) -> dict[str, tuple[str, str]]:
        """The sources a lead may be given, in the list's order (``keep``: a lead's own, even if retired)."""
        return {k: v for k, v in self.sources.items() if k not in self.retired_sources or k == keep}

    @property
    def stage_keys(self) -> list[str]:
        return [s.key for s in self.stages]

    def stage(self, key: str) -> StageInfo | None:
        return next((s for s in self.stages if s.key == key), None)

    def stage_label(self, key: str | None) -> str:
        """A stage's label in the current language; an unknown key reads as itself."""
        info = self.stage(key) if key else None
        return info.label(get_lang()) if info else (key or "")

    def probability_of(self, stage: str, status: str) -> int:
        if status == "won":
            return 100
        if status == "lost":
            return 0
        info = self.stage(stage)
        return info.probability if info else 0

    @property
    def tz(self) -> tzinfo:
        return self.actor.tz if self.actor else config.local_tz()

    def now(self) -> datetime:
        return clock.now()

    @property
    def is_postgres(self) -> bool:
        return isinstance(self.db, pw.PostgresqlDatabase)

    def close(self) -> None:
        if not self.db.is_closed():
            self.db.close()

    def for_screens(self) -> None:
        """This session serves a TUI: its SQLite connections keep a small page cache (store.db.small_page_cache),
        so the app's memory stays flat at a million leads."""
        store_db.small_page_cache(self.db)

    @staticmethod
    def label_thread(label: str | None) -> None:
        """This thread's database connections are for ``label`` (PostgreSQL: in their application_name)."""
        store_db.label_thread(label)

    def call(self, fn, /, *args, **kwargs):
        """``fn(*args, **kwargs)``, run again after a lost connection when nothing of it was saved.

        A read that loses its connection outside a transaction comes back on its own (the store
        reconnects, store/reconnect.py); a transaction cannot, as the server has rolled it back.
        Then, when no transaction of this call had committed and the failure says nothing was
        applied, the database reconnects (with backoff) and the whole call runs again: a write is
        done once, or raises. A call of several transactions (an import) that had committed some
        is not run again. On SQLite nothing is lost this way: the call just runs."""
        from ..store.faults import Disconnected, is_disconnect

        reconnect = getattr(self.db, "reconnect", None)
        while True:
            before = getattr(self.db, "commits", 0)
            try:
                return fn(*args, **kwargs)
            except Exception as exc:
                if reconnect is None or not is_disconnect(exc) or self.db.in_transaction():
                    raise
                if isinstance(exc, Disconnected) and (exc.applied is not False or exc.gave_up):
                    raise
                if self.db.commits != before:
                    raise
                reconnect()


def actor_of(user: User) -> Actor:
    try:
        tz = config.tz_by_name(user.tz)
    except Exception:
        tz = config.local_tz()
    return Actor(user.id, user.login, user.name, user.role, user.team_id, tz)


def open_session(url: str, login: str | None = None, *, create: bool = True,
                 upgrade: bool = False, strict: bool = True) -> Session:
    """Open the database and act as ``login`` (None: no user yet, e.g. `demo`, `users add`)."""
    db = store_db.connect(url, create=create, upgrade=upgrade, strict=strict)
    ctx = Session(url=url, db=db)
    ctx.reload_config()
    if login is not None:
        ctx.act_as(login)
    return ctx


def team_supervisor_ids(team_id: int | None) -> list[int]:
    if team_id is None:
        return []
    return [u.id for u in User.select(User.id).where((User.team == team_id) & (User.role == "supervisor"))]


def team_by_name(name: str) -> Team:
    team = Team.get_or_none(Team.name == name)
    if team is None:
        raise NotFound(_("unknown team: {name}", name=name))
    return team


# ------------------------------------------------------------------ team settings
TEAM_FIELDS = ("sla_hours", "escalate_after_days", "stall_after_days", "cadence_days")  # a team may set these
TEAM_SETTINGS_MEMO = "team_settings"
TEAM_SETTINGS_SECONDS = 5.0  # how long a session trusts its map of team settings


def own_settings(raw: str | None) -> dict:
    """A team's own rule numbers from its stored JSON (``team.settings``, schema v12)."""
    try:
        data = json.loads(raw or "{}")
    except ValueError:
        data = {}
    return {k: v for k, v in data.items() if k in TEAM_FIELDS} if isinstance(data, dict) else {}


def _team_maps(ctx: Session) -> tuple[dict[int, Settings], dict[int, int | None]]:
    """(team id -> its settings, for the teams with numbers of their own; user id -> team id)."""
    hit = ctx.memo.get(TEAM_SETTINGS_MEMO)
    now = time.monotonic()
    if hit is not None and now - hit[0] < TEAM_SETTINGS_SECONDS and hit[3] is ctx.settings:
        return hit[1], hit[2]
    teams = {}
    for tid, raw in Team.select(Team.id, Team.settings).where(Team.settings.is_null(False)).tuples():
        own = own_settings(raw)
        if own:
            teams[tid] = ctx.settings.with_overrides(own)
    users = dict(User.select(User.id, User.team).tuples()) if teams else {}
    ctx.memo[TEAM_SETTINGS_MEMO] = (now, teams, users, ctx.settings)
    return teams, users


def settings_for_team(ctx: Session, team_id: int | None, *, read: bool = True) -> Settings:
    """The rule numbers of a team's leads: its own over the global ones. ``read=False``: from what the session
    last read only, never the database (the screens' timer re-evaluates due flags on the UI thread)."""
    if team_id is None:
        return ctx.settings
    if not read:
        hit = ctx.memo.get(TEAM_SETTINGS_MEMO)
        return hit[1].get(team_id, ctx.settings) if hit is not None and hit[3] is ctx.settings else ctx.settings
    return _team_maps(ctx)[0].get(team_id, ctx.settings)


def settings_for_owner(ctx: Session, owner_id: int | None) -> Settings:
    """The rule numbers for a lead of ``owner_id`` (PRODUCT §8: team settings override the global ones)."""
    teams, users = _team_maps(ctx)
    if not teams or owner_id is None:
        return ctx.settings
    if owner_id not in users:  # a user added since the map was made
        users[owner_id] = User.select(User.team).where(User.id == owner_id).scalar()
    return teams.get(users[owner_id], ctx.settings)


def overriding_teams(ctx: Session) -> dict[int, Settings]:
    """The teams with numbers of their own, with their settings: a rule written as SQL takes one condition
    per such team and the global one for everyone else."""
    return _team_maps(ctx)[0]
