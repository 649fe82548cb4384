"""Record-level access (reps: own and shared leads; supervisors: their team's too; admins: all), as SQL the queries are built on.

- rep: own leads and those shared with them;
- supervisor: their team's leads, plus own and shared;
- admin: all.
Leads of an import that has not committed are invisible to everyone.
Contacts are shown in full to the owner, collaborators and the owner's
supervisor; everyone else sees them masked until they reveal (audited).
"""
from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

import peewee as pw

from ..i18n import _
from ..store import pgmasks
from ..store.models import ImportBatch, Lead, LeadShare, User
from .context import Actor, Session
from .errors import AccessDenied, NotFound


def committed() -> pw.Expression:
    """Leads that are not part of an import still staging (or undone)."""
    done = ImportBatch.select(ImportBatch.id).where(ImportBatch.state == "committed")
    return Lead.batch.is_null() | Lead.batch.in_(done)


def scope_expr(actor: Actor) -> pw.Expression:
    """Leads the actor may see and change."""
    base = committed()
    if actor.is_admin:
        return base
    shared = LeadShare.select(LeadShare.lead).where(LeadShare.user == actor.id)
    mine = (Lead.owner == actor.id) | Lead.id.in_(shared)
    if actor.is_supervisor and actor.team_id is not None:
        team = User.select(User.id).where(User.team == actor.team_id)
        mine = mine | Lead.owner.in_(team)
    return base & mine


def narrow(ctx: Session, owner: str | None = None, team: str | None = None) -> pw.Expression:
    """Scope narrowed by an owner login and/or a team name (still within access)."""
    from .context import team_by_name

    expr = scope_expr(ctx.actor)
    if owner:
        user = User.get_or_none(User.login == owner)
        if user is None:
            raise NotFound(_("unknown user: {login} (add it with `tui-crm users add`)", login=owner))
        expr &= Lead.owner == user.id
    if team:
        t = team_by_name(team)
        expr &= Lead.owner.in_(User.select(User.id).where(User.team == t.id))
    return expr


def get_visible(ctx: Session, code_or_id: str | int, *, lock: bool = False) -> Lead:
    """The lead by code or id if the actor may see it; NotFound otherwise (no leak).

    ``lock``: read inside a write's transaction and hold the row until it ends (``SELECT … FOR UPDATE``
    on PostgreSQL; on SQLite the transaction's ``BEGIN IMMEDIATE`` already holds the database), so
    the write decides on what every earlier writer committed. Use :func:`locked_lead`."""
    cond = (Lead.id == code_or_id) if isinstance(code_or_id, int) else (Lead.code == code_or_id)
    q = Lead.select().where(cond & scope_expr(ctx.actor))
    if lock:
        if not ctx.db.in_transaction():
            raise RuntimeError("a locked read outside a transaction holds nothing")
        if ctx.is_postgres:
            q = q.for_update()
    lead = q.first()
    if lead is None:
        raise NotFound(_("no lead {code} that you can see", code=code_or_id))
    return lead


@contextmanager
def locked_lead(ctx: Session, code_or_id: str | int) -> Iterator[Lead]:
    """One transaction around a read-modify-write of a lead, holding its row from the first read:
    two writers of one lead run one after the other, the second seeing the first's result (its open
    tasks, stage, status, version). Every write that decides from the lead's state goes through here."""
    with ctx.db.atomic():
        yield get_visible(ctx, code_or_id, lock=True)


def require_admin(actor: Actor) -> None:
    if not actor.is_admin:
        raise AccessDenied(_("only an admin may do that"))


def require_supervisor(actor: Actor) -> None:
    if actor.role not in ("admin", "supervisor"):
        raise AccessDenied(_("only a supervisor or an admin may do that"))


def may_reveal_here(ctx: Session) -> None:
    """A reveal shows what the database gives: a session of an admin's own PostgreSQL role is given contacts
    masked by the server, so a reveal there would show nothing and is refused in one line."""
    if pgmasks.masks_contacts(ctx.db):
        raise AccessDenied(_("your database role reads contacts masked: reveal them through the service "
                             "account's connection (DEPLOY.md, PostgreSQL)"))


def full_contact_ids(actor: Actor, leads: list[tuple[int, int, int | None]]) -> set[int]:
    """Of ``(lead_id, owner_id, owner_team_id)``, the leads whose contacts the actor sees in full."""
    if not leads:
        return set()
    out = {lid for lid, owner, _t in leads if owner == actor.id}
    if actor.is_supervisor and actor.team_id is not None:
        out |= {lid for lid, _o, team in leads if team == actor.team_id}
    rest = [lid for lid, *_ in leads if lid not in out]
    if rest:
        shared = LeadShare.select(LeadShare.lead).where((LeadShare.user == actor.id) & LeadShare.lead.in_(rest))
        out |= {r.lead_id for r in shared}
    return out


def full_contact_expr(actor: Actor) -> pw.Expression:
    """SQL form of :func:`full_contact_ids`: leads whose contacts the actor sees unmasked."""
    shared = LeadShare.select(LeadShare.lead).where(LeadShare.user == actor.id)
    expr = (Lead.owner == actor.id) | Lead.id.in_(shared)
    if actor.is_supervisor and actor.team_id is not None:
        expr = expr | Lead.owner.in_(User.select(User.id).where(User.team == actor.team_id))
    return expr


def resolve_user(login_or_name: str) -> User:
    user = User.get_or_none(User.login == login_or_name) or User.get_or_none(User.name == login_or_name)
    if user is None:
        raise NotFound(_("unknown user: {login} (add it with `tui-crm users add`)", login=login_or_name))
    return user


def can_assign(ctx: Session, owner: User) -> None:
    a = ctx.actor
    if owner.id == a.id or a.is_admin:
        return
    if a.is_supervisor and owner.team_id == a.team_id and a.team_id is not None:
        return
    raise AccessDenied(_("you cannot assign leads to {login}", login=owner.login))
