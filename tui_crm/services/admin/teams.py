"""Teams: listing, adding, their supervisor and their own rule numbers (SLA hours per priority, escalation
days, stall days, cadence per stage), which override the global settings for the team's leads.

``settings_for_owner`` is what the rules read: the settings that apply to a lead of that owner (their team's
overrides over the global ones) is ``context.settings_for_owner``."""
from __future__ import annotations

import json
from dataclasses import dataclass

from ...domain import limits
from ...domain.text import clean
from ...domain.vocab import PRIORITIES
from ...i18n import _
from ...store.models import Team, User
from .. import changes, scope
from ..context import TEAM_FIELDS, TEAM_SETTINGS_MEMO, Session, own_settings, team_by_name
from ..errors import AccessDenied, NotFound, ValidationError, refuse_too_long



@dataclass
class TeamView:
    id: int
    name: str
    supervisor: str | None  # login
    members: int
    settings: dict  # the team's own numbers only (the rest are the global ones)

    def to_json(self) -> dict:
        return {"name": self.name, "supervisor": self.supervisor, "members": self.members, **self.settings}


def _own(team: Team) -> dict:
    return own_settings(team.settings)


def list_teams(ctx: Session) -> list[TeamView]:
    """Every team (admins), or a supervisor's own."""
    scope.require_supervisor(ctx.actor)
    q = Team.select().order_by(Team.name)
    if not ctx.actor.is_admin:
        q = q.where(Team.id == ctx.actor.team_id)
    logins = dict(User.select(User.id, User.login).tuples())
    counts: dict[int, int] = {}
    for (tid,) in User.select(User.team).where(User.team.is_null(False) & (User.active == True)).tuples():  # noqa
        counts[tid] = counts.get(tid, 0) + 1
    return [TeamView(t.id, t.name, logins.get(t.supervisor_id), counts.get(t.id, 0), _own(t)) for t in q]


def add_team(ctx: Session, name: str, supervisor: str | None = None) -> TeamView:
    """A new team (admin), with its supervisor (a user who becomes a supervisor of this team)."""
    scope.require_admin(ctx.actor)
    name = clean(name or "").strip()
    refuse_too_long({"team": name}, limits.USER)
    if not name:
        raise ValidationError(_("a team needs a name"), {"name": _("required")})
    if Team.select().where(Team.name == name).exists():
        raise ValidationError(_("team {name} already exists", name=name))
    with ctx.db.atomic():
        tid = Team.insert(name=name).execute()
        changes.record(ctx, "team", tid, "create", {"name": [None, name]})
        if supervisor:
            _set_supervisor(ctx, tid, supervisor)
    return _view(tid)


def _set_supervisor(ctx: Session, team_id: int, login: str) -> None:
    user = User.get_or_none(User.login == login)
    if user is None:
        raise NotFound(_("unknown user: {login} (add it with `tui-crm users add`)", login=login))
    team = Team.get_by_id(team_id)
    before = User.select(User.login).where(User.id == team.supervisor_id).scalar() if team.supervisor_id else None
    values = {"team": team_id}
    if user.role == "rep":
        values["role"] = "supervisor"
    User.update(**values).where(User.id == user.id).execute()
    Team.update(supervisor_id=user.id).where(Team.id == team_id).execute()
    changes.record(ctx, "team", team_id, "update", {"supervisor": [before, login]})
    if user.team_id != team_id or "role" in values:
        changes.record(ctx, "user", user.id, "update", {"team": [None, team.name], "role": [user.role, values.get(
            "role", user.role)]})


def _days(value, what: str) -> int:
    try:
        n = int(value)
    except (TypeError, ValueError):
        raise ValidationError(_("{what} must be a whole number: {value}", what=what, value=value)) from None
    if n < 0 or n > 3650:
        raise ValidationError(_("{what} must be between 0 and 3650: {value}", what=what, value=value))
    return n


def set_team(ctx: Session, name: str, *, supervisor: str | None = None, sla_hours: dict | None = None,
             escalate_after_days=None, stall_after_days=None, cadence_days: dict | None = None,
             clear: list[str] | None = None) -> TeamView:
    """Change a team's supervisor (admins) and own rule numbers (admins, and the team's own supervisor).
    ``sla_hours``: {priority: hours}; ``cadence_days``: {stage key or ``won``: days}, merged into what the
    team had; ``clear``: fields back to the global numbers. One audited entry with the old and new numbers."""
    scope.require_supervisor(ctx.actor)
    team = team_by_name(name)
    current = User.select(User.login).where(User.id == team.supervisor_id).scalar() if team.supervisor_id else None
    if supervisor == current:
        supervisor = None  # as it is: nothing to record
    if not ctx.actor.is_admin:
        if team.id != ctx.actor.team_id:
            raise AccessDenied(_("a supervisor changes only their own team's numbers, not team {name}'s",
                                 name=team.name))
        if supervisor:
            raise AccessDenied(_("only an admin names a team's supervisor"))
    own = _own(team)
    new = json.loads(json.dumps(own))
    if sla_hours:
        for prio, hours in sla_hours.items():
            if prio not in PRIORITIES:
                raise ValidationError(_("unknown priority: {value}", value=prio))
            new.setdefault("sla_hours", {})[prio] = _days(hours, _("SLA hours"))
    if escalate_after_days is not None:
        new["escalate_after_days"] = _days(escalate_after_days, _("escalation days"))
    if stall_after_days is not None:
        new["stall_after_days"] = _days(stall_after_days, _("stall days"))
    if cadence_days:
        for stage, days in cadence_days.items():
            if stage not in ctx.stage_keys and stage != "won":
                raise ValidationError(_("unknown stage: {value}", value=stage))
            new.setdefault("cadence_days", {})[stage] = max(1, _days(days, _("cadence days")))
    for f in clear or ():
        new.pop(f, None)
    with ctx.db.atomic():
        if supervisor:
            _set_supervisor(ctx, team.id, supervisor)
        if new != own:
            Team.update(settings=json.dumps(new, sort_keys=True)).where(Team.id == team.id).execute()
            changes.record(ctx, "team", team.id, "settings", {k: [own.get(k), new.get(k)] for k in TEAM_FIELDS
                                                             if own.get(k) != new.get(k)})
    ctx.memo.pop(TEAM_SETTINGS_MEMO, None)
    return _view(team.id)


def _view(team_id: int) -> TeamView:
    t = Team.get_by_id(team_id)
    sup = User.select(User.login).where(User.id == t.supervisor_id).scalar() if t.supervisor_id else None
    members = User.select().where((User.team == t.id) & (User.active == True)).count()  # noqa: E712
    return TeamView(t.id, t.name, sup, members, _own(t))
