"""Assignment rules and auto-tag rules: listing, adding, moving and removing them (admins; everyone may read
them). The rules are applied by ``services.leads.assign`` and ``services.leads.tags``.

An assignment rule matches a new lead without an owner on region, industry, source (any empty condition
matches anything) and keywords (one of them in the need or the remarks); it gives the lead to one user, or
to a team's active members in turn (round-robin) or to the one with the fewest open leads (least-loaded),
skipping those who had ``cap`` leads from it today."""
from __future__ import annotations

from dataclasses import dataclass, field

import peewee as pw

from ...domain import limits
from ...domain.tags import split_values
from ...domain.text import clean
from ...i18n import _, label
from ...store.models import AssignmentRule, AutoTagRule, Team, User
from .. import changes, scope
from ..context import Session, team_by_name
from ..errors import AccessDenied, NotFound, ValidationError, refuse_too_long

MODES = ("round-robin", "least-loaded")


@dataclass
class RuleView:
    id: int
    position: int
    region: str | None
    industry: str | None
    source: str | None
    keywords: list[str]
    to_user: str | None  # login
    to_team: str | None  # name
    mode: str
    cap: int | None
    source_label: str | None = None  # the source in the reader's language (展会, not expo)
    target_inactive: bool = False  # its user is deactivated: the rule is skipped

    def to_json(self) -> dict:
        return {"id": self.id, "position": self.position, "region": self.region, "industry": self.industry,
                "source": self.source, "keywords": self.keywords, "to_user": self.to_user, "to_team": self.to_team,
                "mode": self.mode if self.to_team else None, "cap": self.cap, "skipped": self.target_inactive}

    def condition_text(self) -> str:
        """What the rule matches, in a few words (``华东 · 制造业 · 展会 · 采购``; ``*``: anything)."""
        parts = [p for p in (self.region, self.industry, self.source_label or self.source) if p] + self.keywords
        return " · ".join(parts) or "*"

    def target_text(self) -> str:
        text = self.to_user if self.to_user else f"{self.to_team} ({_(self.mode)})"
        # a rule to a deactivated user gives nothing (assignment skips them): the list said nothing of it
        return text + " · " + _("deactivated: skipped") if self.target_inactive else text


@dataclass
class AutoTagView:
    id: int
    tag: str
    sources: list[str]
    keywords: list[str]
    source_labels: list[str] = field(default_factory=list)  # in the reader's language

    def to_json(self) -> dict:
        return {"id": self.id, "tag": self.tag, "sources": self.sources, "keywords": self.keywords}

    def sources_text(self) -> str:
        return ", ".join(self.source_labels or self.sources) or "*"


def _source_labels(ctx: Session) -> dict:
    from ...domain.vocab import SOURCES

    return {**SOURCES, **ctx.sources}


def _rule_view(ctx: Session, r: AssignmentRule, logins: dict[int, str], teams: dict[int, str],
               inactive: set[int]) -> RuleView:
    return RuleView(r.id, r.position, r.region, r.industry, r.source, split_values(r.keywords),
                    logins.get(r.to_user_id), teams.get(r.to_team_id), r.mode, r.daily_cap,
                    label(_source_labels(ctx), r.source) if r.source else None, r.to_user_id in inactive)


def list_rules(ctx: Session) -> list[RuleView]:
    """The assignment rules in the order they are tried (admins); a supervisor sees those that give leads to
    their team or one of its members (each with its place among all)."""
    scope.require_supervisor(ctx.actor)
    logins = dict(User.select(User.id, User.login).tuples())
    teams = dict(Team.select(Team.id, Team.name).tuples())
    q = AssignmentRule.select().order_by(AssignmentRule.position, AssignmentRule.id)
    if not ctx.actor.is_admin:
        members = User.select(User.id).where(User.team == ctx.actor.team_id)
        q = q.where((AssignmentRule.to_team == ctx.actor.team_id) | AssignmentRule.to_user.in_(members)) \
            if ctx.actor.team_id is not None else q.where(AssignmentRule.id.is_null())
    inactive = {i for (i,) in User.select(User.id).where(~User.active).tuples()}
    return [_rule_view(ctx, r, logins, teams, inactive) for r in q]


def require_rules_admin(ctx: Session) -> None:
    """Adding, moving and removing assignment rules takes an admin: the first rule that matches decides for
    every team's new leads, so one team's rule would take leads from the others."""
    if not ctx.actor.is_admin:
        raise AccessDenied(_("only an admin changes the assignment rules: the first that matches decides "
                             "for every team"))


def _sources(ctx: Session, text: str) -> list[str]:
    """One source by key or label (``online ads``), else each word of ``expo website`` as one, when each is."""
    try:
        return [resolve_source(ctx, text)]
    except ValidationError:
        words = text.split()
        if len(words) < 2:
            raise
        return [resolve_source(ctx, w) for w in words]


def resolve_source(ctx: Session, text: str) -> str:
    """A source by key or label (English or Chinese); an unknown one is refused (a rule on a source no lead
    comes from would never match)."""
    from ...domain.vocab import SOURCES, resolve

    key = resolve("source", text, {**SOURCES, **ctx.sources})
    if not key:
        msg = _("unknown source: {value}", value=text)
        raise ValidationError(msg, {"source": msg})
    return key


def _text(value, field: str, limit: int) -> str | None:
    value = clean(value or "").strip() or None
    if value:
        refuse_too_long({field: value}, {field: limit})
    return value


def add_rule(ctx: Session, *, region: str | None = None, industry: str | None = None, source: str | None = None,
             keywords=(), to_user: str | None = None, to_team: str | None = None, mode: str = "round-robin",
             cap: int | None = None, position: int | None = None) -> RuleView:
    """A new assignment rule (admin), last unless ``position`` (1 = tried first) says where."""
    require_rules_admin(ctx)
    if bool(to_user) == bool(to_team):
        raise ValidationError(_("a rule gives leads to one user (--to) or to a team (--team)"))
    if mode not in MODES:
        raise ValidationError(_("unknown mode: {value} (round-robin or least-loaded)", value=mode))
    if cap is not None and int(cap) < 1:
        raise ValidationError(_("a daily cap is at least 1: {value}", value=cap))
    user_id = team_id = None
    if to_user:
        user = User.get_or_none(User.login == to_user)
        if user is None:
            raise NotFound(_("unknown user: {login} (add it with `tui-crm users add`)", login=to_user))
        if not user.active:
            raise ValidationError(_("user {login} is deactivated", login=to_user))
        user_id = user.id
    else:
        team_id = team_by_name(to_team).id
    words = [w for k in (keywords or ()) for w in split_values(clean(k))]
    row = {"region": _text(region, "region", limits.LEAD["region"]),
           "industry": _text(industry, "industry", limits.LEAD["industry"]),
           "source": resolve_source(ctx, source) if source else None,
           "keywords": ", ".join(words) or None}
    refuse_too_long({"keywords": row["keywords"] or ""}, {"keywords": limits.TEXT})
    with ctx.db.atomic():
        top = AssignmentRule.select(pw.fn.MAX(AssignmentRule.position)).scalar() or 0
        rid = AssignmentRule.insert(position=top + 1, to_user=user_id, to_team=team_id, mode=mode,
                                    daily_cap=int(cap) if cap is not None else None,
                                    created_at=int(ctx.now().timestamp()), **row).execute()
        changes.record(ctx, "rule", rid, "create", {k: [None, v] for k, v in {
            **row, "to": to_user or to_team, "mode": mode if to_team else None, "cap": cap}.items() if v})
        if position is not None:
            _place(ctx, rid, position)
    return next(r for r in list_rules(ctx) if r.id == rid)


def _place(ctx: Session, rule_id: int, position: int) -> None:
    ids = [i for (i,) in AssignmentRule.select(AssignmentRule.id).order_by(AssignmentRule.position,
                                                                           AssignmentRule.id).tuples()]
    ids.remove(rule_id)
    ids.insert(max(0, min(len(ids), int(position) - 1)), rule_id)
    for n, rid in enumerate(ids, 1):
        AssignmentRule.update(position=n).where((AssignmentRule.id == rid) & (AssignmentRule.position != n)).execute()


def move_rule(ctx: Session, rule_id: int, position: int) -> list[RuleView]:
    """Try the rule at ``position`` (1 = first); the others keep their order. Returns the rules."""
    require_rules_admin(ctx)
    with ctx.db.atomic():
        rule = AssignmentRule.get_or_none(AssignmentRule.id == rule_id)
        if rule is None:
            raise NotFound(_("no assignment rule {id}", id=rule_id))
        _place(ctx, rule.id, position)
        changes.record(ctx, "rule", rule.id, "move", {"position": [rule.position, int(position)]})
    return list_rules(ctx)


def remove_rule(ctx: Session, rule_id: int) -> None:
    require_rules_admin(ctx)
    with ctx.db.atomic():
        rule = AssignmentRule.get_or_none(AssignmentRule.id == rule_id)
        if rule is None:
            raise NotFound(_("no assignment rule {id}", id=rule_id))
        view = next(r for r in list_rules(ctx) if r.id == rule.id)
        AssignmentRule.delete().where(AssignmentRule.id == rule.id).execute()
        changes.record(ctx, "rule", rule.id, "remove", {"rule": [f"{view.condition_text()} → {view.target_text()}",
                                                                 None]})


# ------------------------------------------------------------------ auto tags
def list_auto_tags(ctx: Session) -> list[AutoTagView]:
    """The auto-tag rules (supervisors and admins)."""
    scope.require_supervisor(ctx.actor)
    names = _source_labels(ctx)
    return [AutoTagView(r.id, r.tag, split_values(r.sources), split_values(r.keywords),
                        [label(names, k) for k in split_values(r.sources)])
            for r in AutoTagRule.select().order_by(AutoTagRule.id)]


def add_auto_tag(ctx: Session, tag: str, *, sources=(), keywords=()) -> AutoTagView:
    """A new auto-tag rule (admin): a new lead from one of ``sources`` (any, if none) whose need or remarks hold
    one of ``keywords`` (any, if none) gets ``tag``."""
    scope.require_admin(ctx.actor)
    tag = " ".join(clean(tag or "").split())
    if not tag:
        raise ValidationError(_("an auto-tag rule needs a tag"), {"tag": _("required")})
    refuse_too_long({"tag": tag}, {"tag": limits.TAG})
    srcs = [src for k in (sources or ()) for s in split_values(clean(k)) for src in _sources(ctx, s)]
    words = [w for k in (keywords or ()) for w in split_values(clean(k))]
    if not (srcs or words):
        raise ValidationError(_("an auto-tag rule needs a source or a keyword (--source, --keyword)"))
    values = {"tag": tag, "sources": ", ".join(srcs) or None, "keywords": ", ".join(words) or None}
    refuse_too_long({"keywords": values["keywords"] or ""}, {"keywords": limits.TEXT})
    with ctx.db.atomic():
        rid = AutoTagRule.insert(created_at=int(ctx.now().timestamp()), **values).execute()
        changes.record(ctx, "tag_rule", rid, "create", {k: [None, v] for k, v in values.items() if v})
    return next(r for r in list_auto_tags(ctx) if r.id == rid)


def remove_auto_tag(ctx: Session, rule_id: int) -> None:
    scope.require_admin(ctx.actor)
    with ctx.db.atomic():
        rule = AutoTagRule.get_or_none(AutoTagRule.id == rule_id)
        if rule is None:
            raise NotFound(_("no auto-tag rule {id}", id=rule_id))
        AutoTagRule.delete().where(AutoTagRule.id == rule.id).execute()
        changes.record(ctx, "tag_rule", rule.id, "remove", {"tag": [rule.tag, None]})
