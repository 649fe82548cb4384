"""The assignment rules applied (PRODUCT §8): every lead created without an owner (the new-lead form,
`leads add`, import rows without an owner) goes to the first rule that matches it, in order; a rule to a team
picks a member in turn (round-robin) or the one with the fewest open leads (least-loaded), skipping inactive
users and those who had the rule's daily cap of leads from it today. No rule matches, or none can take it:
the creator owns it. Each lead a rule gave is a ``lead_assignment`` row and an ``assign`` entry, which the
timeline reads as "assigned by rule 3 (华东 → North, round-robin)".

An :class:`Assigner` keeps what it read (the rules, whose turn it is, today's counts, the loads) for the
leads of one write, so an import of many rows asks the database once per rule, not once per row."""
from __future__ import annotations

from dataclasses import dataclass

import peewee as pw

from ...domain import rules as domain_rules
from ...domain.tags import matches, split_values
from ...store.models import AssignmentRule, Lead, LeadAssignment, Team, User
from .. import changes, scope
from ..context import Session

OPEN_FOR_LOAD = ("pending", "in_progress", "paused")


@dataclass
class Choice:
    user_id: int
    login: str
    rule_id: int
    match: str  # what the rule matched on, in a few words (华东 · manufacturing)
    team: str | None  # the rule's team, None for a rule to one user
    mode: str | None

    def diff(self) -> dict:
        """The ``assign`` entry's facts."""
        out = {"rule": self.rule_id, "match": self.match, "owner": [None, self.login]}
        if self.team:
            out.update(team=self.team, mode=self.mode)
        return out


def _contains(value: str | None, wanted: str | None) -> bool:
    return not wanted or wanted.lower() in (value or "").lower()


def rule_matches(rule: AssignmentRule, values: dict) -> bool:
    """Region and industry: the lead's value contains the rule's (华东 matches 华东区), case-insensitively;
    source: the same key; keywords: one of them in the need or the remarks."""
    if rule.source and values.get("source") != rule.source:
        return False
    if not (_contains(values.get("region"), rule.region) and _contains(values.get("industry"), rule.industry)):
        return False
    text = f"{values.get('need') or ''} {values.get('remarks') or ''}"
    return matches(text, split_values(rule.keywords))


def match_text(rule: AssignmentRule) -> str:
    parts = [p for p in (rule.region, rule.industry, rule.source) if p] + split_values(rule.keywords)
    return " · ".join(parts) or "*"


class Assigner:
    """Chooses owners for new leads by the rules; one per write (a form's save, an import)."""

    def __init__(self, ctx: Session):
        self.ctx = ctx
        self.rules = list(AssignmentRule.select().order_by(AssignmentRule.position, AssignmentRule.id))
        self._users: dict[int, tuple[str, bool, int | None]] | None = None
        self._teams: dict[int, str] = {}
        self._last: dict[int, int | None] = {}  # rule -> the user it gave its last lead to
        self._today: dict[tuple[int, int], int] = {}  # (rule, user) -> leads today
        self._loaded_today: set[int] = set()
        self._load: dict[int, int] | None = None  # user -> open leads
        start, _end = domain_rules.day_bounds(ctx.now(), ctx.tz)
        self.day_start = int(start.timestamp())

    @property
    def users(self) -> dict[int, tuple[str, bool, int | None]]:
        if self._users is None:
            self._users = {u: (login, bool(active), team) for u, login, active, team in
                           User.select(User.id, User.login, User.active, User.team).tuples()}
            self._teams = dict(Team.select(Team.id, Team.name).tuples())
        return self._users

    def user(self, uid: int) -> User:
        """A user as :func:`beyond_reach` asks (id and team)."""
        return User(id=uid, team=self.users[uid][2])

    def _count_today(self, rule: AssignmentRule) -> None:
        if rule.id in self._loaded_today:
            return
        self._loaded_today.add(rule.id)
        q = (LeadAssignment.select(LeadAssignment.user, pw.fn.COUNT(LeadAssignment.id))
             .where((LeadAssignment.rule == rule.id) & (LeadAssignment.at >= self.day_start))
             .group_by(LeadAssignment.user).tuples())
        for uid, n in q:
            self._today[(rule.id, uid)] = n

    def _under_cap(self, rule: AssignmentRule, uid: int) -> bool:
        if not rule.daily_cap:
            return True
        self._count_today(rule)
        return self._today.get((rule.id, uid), 0) < rule.daily_cap

    def _last_of(self, rule: AssignmentRule) -> int | None:
        if rule.id not in self._last:
            self._last[rule.id] = (LeadAssignment.select(LeadAssignment.user).where(LeadAssignment.rule == rule.id)
                                   .order_by(LeadAssignment.id.desc()).scalar())
        return self._last[rule.id]

    def _loads(self) -> dict[int, int]:
        """Open leads per user, the whole team's: on a user's own PostgreSQL role the rows beyond their reach
        are counted by the server (``crm_open_loads``), or a rep would see colleagues' loads as empty."""
        if self._load is None:
            counted = None
            if self.ctx.is_postgres and not self.ctx.actor.is_admin:
                from ...store import pgroles

                counted = pgroles.open_loads(self.ctx.db, OPEN_FOR_LOAD)
            self._load = counted if counted is not None else dict(
                Lead.select(Lead.owner, pw.fn.COUNT(Lead.id)).where(
                    Lead.status.in_(OPEN_FOR_LOAD) & scope.committed()).group_by(Lead.owner).tuples())
        return self._load

    def _pick(self, rule: AssignmentRule) -> int | None:
        users = self.users
        if rule.to_user_id:
            u = users.get(rule.to_user_id)
            return rule.to_user_id if u and u[1] and self._under_cap(rule, rule.to_user_id) else None
        members = sorted(uid for uid, (_l, active, team) in users.items() if active and team == rule.to_team_id)
        free = [uid for uid in members if self._under_cap(rule, uid)]
        if not free:
            return None
        if rule.mode == "least-loaded":
            loads = self._loads()
            return min(free, key=lambda uid: (loads.get(uid, 0), uid))
        last = self._last_of(rule)
        after = [uid for uid in free if last is not None and uid > last]
        return after[0] if after else free[0]

    def choose(self, values: dict) -> Choice | None:
        """The owner the rules give a new lead of ``values`` (lead fields: source key, region, industry, need,
        remarks); None: no rule can take it (the creator owns it). Counts it as given (the next lead of the
        same write sees the turn moved on and the cap used)."""
        for rule in self.rules:
            if not rule_matches(rule, values):
                continue
            uid = self._pick(rule)
            if uid is None:
                continue
            self._last[rule.id] = uid
            if rule.daily_cap:
                self._today[(rule.id, uid)] = self._today.get((rule.id, uid), 0) + 1
            if self._load is not None:
                self._load[uid] = self._load.get(uid, 0) + 1
            team = self._teams.get(rule.to_team_id) if rule.to_team_id else None
            return Choice(uid, self.users[uid][0], rule.id, match_text(rule), team,
                          rule.mode if rule.to_team_id else None)
        return None


def record(ctx: Session, given: list[tuple[int, Choice]]) -> None:
    """Write what the rules gave ((lead id, choice) pairs), inside the creating transaction: one
    ``lead_assignment`` row and one ``assign`` entry per lead."""
    if not given:
        return
    at = int(ctx.now().timestamp())
    rows = [{"lead": lid, "rule": c.rule_id, "user": c.user_id, "at": at} for lid, c in given]
    for i in range(0, len(rows), 500):
        LeadAssignment.insert_many(rows[i:i + 500]).as_rowcount().execute()
    for lid, c in given:
        changes.record(ctx, "lead", lid, "assign", c.diff(), lead_id=lid)


def beyond_reach(ctx: Session, owner) -> bool:
    """Whether a lead of ``owner`` would be beyond the acting user's row-level security (PostgreSQL, a session
    connected as the user's own role): then the lead is made as the creator's and handed on by :func:`give`."""
    if not ctx.is_postgres or ctx.actor.is_admin or owner.id == ctx.actor.id:
        return False
    if ctx.actor.is_supervisor and ctx.actor.team_id is not None and owner.team_id == ctx.actor.team_id:
        return False
    from ..identity import session_role_login

    return session_role_login(ctx) is not None


def give(ctx: Session, lead_id: int, owner_id: int) -> None:
    """Hand a lead just made (and recorded in ``lead_assignment``) to the rule's choice, through the database's
    ``crm_give_lead`` (store/pgpolicies.py): the last step of its creating transaction."""
    (done,) = ctx.db.execute_sql("SELECT crm_give_lead(%s, %s)", (lead_id, owner_id)).fetchone()
    if not done:
        raise RuntimeError(f"crm_give_lead({lead_id}, {owner_id}) refused")


def dry_run(ctx: Session, limit: int = 50) -> list[tuple[str, str, str | None, Choice | None]]:
    """Who the rules as they are now would give the last ``limit`` leads to (admin): (code, current owner's
    login, the rule's choice's login or None for "no rule: the creator", the choice). Nothing is written; the
    turns and caps move on from lead to lead as they would have."""
    scope.require_admin(ctx.actor)
    assigner = Assigner(ctx)
    assigner._last = {r.id: None for r in assigner.rules}  # a fresh turn, as if the rules had just been set
    assigner._loaded_today = {r.id for r in assigner.rules}  # and no lead given today yet
    rows = list(Lead.select(Lead.id, Lead.code, Lead.owner, Lead.source, Lead.region, Lead.industry, Lead.need,
                            Lead.remarks, Lead.status)
                .where(scope.committed()).order_by(Lead.created_at.desc(), Lead.id.desc()).limit(limit).dicts())
    rows.reverse()  # oldest first: the turns go round as they would have
    out = []
    for r in rows:
        choice = assigner.choose(r)
        out.append((r["code"], assigner.users.get(r["owner"], ("?",))[0], choice.login if choice else None, choice))
    out.reverse()
    return out

