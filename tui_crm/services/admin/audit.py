"""The audit log: who did what, when, to which lead, read from the change log.

Admins read every entry, a supervisor those of their team (what its members did, and what was done to
the team's leads), a rep none. Old and new values of a phone, email or other contact are masked unless
the reader sees that lead's contacts in full, as everywhere else. Entries come newest first, in keyset
pages, so a long log streams.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from typing import Iterator

import peewee as pw

from ...domain.contact import CONTACT_FIELDS, mask_contact
from ...domain.text import printable
from ...i18n import _
from ...store.models import Change, Lead, User
from .. import scope
from ..context import Session
from ..errors import AccessDenied, NotFound

PAGE = 1000
HIDDEN_ENTITIES = ("notification",)  # a notice sent, not something a person did: the feed's, not the audit's


@dataclass
class AuditEntry:
    id: int
    at: datetime
    user: str  # login; "" for a rule acting on its own
    action: str
    entity: str
    entity_id: int | None
    lead: str | None  # the lead's code (None: no lead, or a lead since deleted)
    lead_id: int | None = None
    changes: dict = field(default_factory=dict)  # {field: [old, new]}, contacts masked as the reader sees them
    details: dict = field(default_factory=dict)  # the entry's other facts (via, batch, tasks moved, …)

    def changes_text(self) -> str:
        """The old -> new values and the other facts, in a line."""
        parts = [f"{k}: {'–' if old in (None, '') else old} → {'–' if new in (None, '') else new}"
                 for k, (old, new) in self.changes.items()]
        parts += [f"{k}: {v}" for k, v in self.details.items()]
        return "; ".join(parts)

    def to_dict(self, tz=None) -> dict:
        return {"id": self.id, "at": self.at.astimezone(tz).isoformat() if tz else self.at.isoformat(),
                "user": self.user or None, "action": self.action,
                "entity": self.entity, "entity_id": self.entity_id, "lead": self.lead,
                "changes": {k: {"old": v[0], "new": v[1]} for k, v in self.changes.items()},
                "details": self.details}


@dataclass
class AuditFilter:
    since: date | None = None  # inclusive local dates of the reader
    until: date | None = None
    user: str | None = None  # login
    lead: str | None = None  # code
    action: str | None = None  # an action (reveal, reassign, update…) or what it acted on (user, settings…)


def require_reader(ctx: Session) -> None:
    if ctx.actor.role not in ("admin", "supervisor"):
        raise AccessDenied(_("only a supervisor or an admin may read the audit log"))


def _day_start(ctx: Session, day: date) -> int:
    return int(datetime.combine(day, time(), ctx.tz).astimezone(timezone.utc).timestamp())


def condition(ctx: Session, f: AuditFilter) -> pw.Expression:
    """The entries ``f`` asks for, within what the reader may read."""
    require_reader(ctx)
    cond = Change.entity.not_in(HIDDEN_ENTITIES)
    if not ctx.actor.is_admin:
        team = [ctx.actor.id] if ctx.actor.team_id is None else [
            u for (u,) in User.select(User.id).where(User.team == ctx.actor.team_id).tuples()]
        team_leads = Lead.select(Lead.id).where(Lead.owner.in_(team))
        cond &= Change.user.in_(team) | Change.lead_id.in_(team_leads)
    if f.since:
        cond &= Change.at >= _day_start(ctx, f.since)
    if f.until:
        cond &= Change.at < _day_start(ctx, f.until + timedelta(days=1))
    if f.user:
        user = User.get_or_none(User.login == f.user)
        if user is None:
            raise NotFound(_("unknown user: {login} (add it with `tui-crm users add`)", login=f.user))
        cond &= Change.user == user.id
    if f.lead:
        lead = Lead.get_or_none(Lead.code == f.lead)
        if lead is None or not _readable_lead(ctx, lead):
            raise NotFound(_("no lead {code} that you can see", code=f.lead))
        cond &= Change.lead_id == lead.id
    if f.action:
        cond &= (Change.action == f.action) | (Change.entity == f.action)
    return cond


def _readable_lead(ctx: Session, lead: Lead) -> bool:
    return Lead.select(Lead.id).where((Lead.id == lead.id) & scope.scope_expr(ctx.actor)).exists()


def entries(ctx: Session, f: AuditFilter | None = None, limit: int | None = None) -> Iterator[AuditEntry]:
    """The entries ``f`` asks for, newest first."""
    cond = condition(ctx, f or AuditFilter())
    logins = dict(User.select(User.id, User.login).tuples())
    last, given = None, 0
    while limit is None or given < limit:
        q = Change.select().where(cond if last is None else cond & (Change.id < last))
        page = list(q.order_by(Change.id.desc()).limit(PAGE if limit is None else min(PAGE, limit - given)))
        if not page:
            return
        last = page[-1].id
        leads = _leads_of(ctx, {c.lead_id for c in page if c.lead_id is not None})
        for c in page:
            yield _entry(c, logins, leads)
            given += 1


def _leads_of(ctx: Session, ids: set[int]) -> dict[int, tuple[str, bool]]:
    """lead id -> (code, the reader sees its contacts in full)."""
    if not ids:
        return {}
    rows = list(Lead.select(Lead.id, Lead.code, Lead.owner, User.team).join(User, on=(Lead.owner == User.id))
                .where(Lead.id.in_(list(ids))).tuples())
    full = scope.full_contact_ids(ctx.actor, [(lid, owner, team) for lid, _code, owner, team in rows])
    return {lid: (code, lid in full) for lid, code, _owner, _team in rows}


def _entry(c: Change, logins: dict[int, str], leads: dict[int, tuple[str, bool]]) -> AuditEntry:
    diff = json.loads(c.diff or "{}")
    code, full = leads.get(c.lead_id, (None, False))
    if code is None and isinstance(diff.get("code"), list):
        code = diff["code"][1]  # a lead since deleted (an import undone): its creation named it
    if isinstance(diff.get("lead_code"), str):  # kept by a restore from a backup that does not hold the lead
        lead_code = diff.pop("lead_code")
        code = code or lead_code
    changes, details = {}, {}
    for k, v in diff.items():
        if isinstance(v, list) and len(v) == 2:
            changes[k] = [_shown(k, x, full) for x in v]
        else:
            details[k] = _shown(k, v, full)
    user = logins.get(c.user_id) or (diff.pop("by") if isinstance(diff.get("by"), str) else "")  # restore_log's
    return AuditEntry(c.id, datetime.fromtimestamp(c.at, timezone.utc), user, c.action,
                      c.entity, c.entity_id, code, c.lead_id, changes, details)


def _shown(field: str, value, full: bool):
    if field in CONTACT_FIELDS and not full:
        value = mask_contact(field, value)
    return printable(value) if isinstance(value, str) else value
