"""People on a lead: who may give it to someone else, sharing it with a collaborator, and handing a departing
rep's pipeline over in one step (to one user or spread over a team), with or without deactivating them.

Every function is one transaction that writes its change-log entries: a handover is one ``handover`` entry per
lead (old and new owner by login, the open tasks that went with it), one ``reassign`` entry per task of no lead,
and one notification per new owner. The history keeps its authors: follow-ups, stage moves and change entries
stay as who made them."""
from __future__ import annotations

from dataclasses import dataclass, field

from ...i18n import N_, _
from ...store.models import Lead, LeadShare, User
from .. import changes, scope
from ..activity import tasks
from ..context import Session, team_by_name
from ..errors import AccessDenied, ValidationError
from ..scope import can_assign, resolve_user


def may_reassign(ctx: Session, lead: Lead) -> None:
    """Only the lead's owner, their supervisor or an admin gives a lead to someone else (PRODUCT §8: a
    collaborator sees and logs on it, but does not take it)."""
    a = ctx.actor
    if a.is_admin or lead.owner_id == a.id:
        return
    if a.is_supervisor and a.team_id is not None and \
            User.select(User.team).where(User.id == lead.owner_id).scalar() == a.team_id:
        return
    raise AccessDenied(_("only the owner of {code}, their supervisor or an admin may reassign it", code=lead.code))



def drop_own_shares(lead_ids: list[int], owner_id: int) -> None:
    """A lead given to its collaborator is no longer shared with them: the share they kept let the new owner's
    psql give it on to anyone, as reach still held through it."""
    from ...store.bulk import ids_in

    if lead_ids:
        LeadShare.delete().where((LeadShare.user == owner_id) & LeadShare.lead.in_(ids_in(lead_ids))).execute()


def owners_diff(old: str, new: str, tasks_moved: list[int]) -> dict:
    """A reassign's or handover's entry: the owners by login, and which open tasks went with the lead."""
    diff: dict = {"owner": [old, new]}
    if tasks_moved:
        diff["tasks"] = ", ".join(str(t) for t in tasks_moved)
    return diff



def share(ctx: Session, code: str | int, login: str, remove: bool = False) -> bool:
    """Share a lead with a colleague (a collaborator: sees it, logs on it, sees its contacts unmasked), or
    stop sharing it (``remove``). Whoever may reassign it may share it. Returns whether anything changed."""
    user = resolve_user(login)
    with scope.locked_lead(ctx, code) as lead:
        may_reassign(ctx, lead)
        if remove:
            n = LeadShare.delete().where((LeadShare.lead == lead.id) & (LeadShare.user == user.id)).execute()
            if n:
                changes.record(ctx, "lead", lead.id, "unshare", {"collaborator": [user.login, None]}, lead_id=lead.id)
            return bool(n)
        if user.id == lead.owner_id:
            raise ValidationError(_("{login} owns {code} already", login=user.login, code=lead.code))
        if not user.active:
            raise ValidationError(_("user {login} is deactivated", login=user.login))
        n = LeadShare.insert(lead=lead.id, user=user.id).on_conflict_ignore().as_rowcount().execute()
        if n:
            changes.record(ctx, "lead", lead.id, "share", {"collaborator": [None, user.login]}, lead_id=lead.id)
        return bool(n)


def collaborators(ctx: Session, code: str | int) -> list[tuple[str, str]]:
    """(login, name) of the users a visible lead is shared with."""
    lead = scope.get_visible(ctx, code)
    return list(User.select(User.login, User.name).join(LeadShare, on=(LeadShare.user == User.id))
                .where(LeadShare.lead == lead.id).order_by(User.login).tuples())


@dataclass
class HandoverResult:
    leads: int = 0
    tasks: int = 0  # open tasks given away: those that went with their leads and every other one
    to: dict[str, int] = field(default_factory=dict)  # new owner's login -> leads they got


def _targets(ctx: Session, src: User, to_login: str | None, spread: str | None) -> list[User]:
    if bool(to_login) == bool(spread):
        raise ValidationError(_("hand over to one user (--to) or spread over a team (--spread)"))
    if to_login:
        dst = resolve_user(to_login)
        people = [dst]
    else:
        team = team_by_name(spread)
        people = list(User.select().where((User.team == team.id) & (User.active == True)  # noqa: E712
                                          & (User.id != src.id)).order_by(User.id))
        if not people:
            raise ValidationError(_("team {name} has no active member to hand over to", name=team.name))
    for p in people:
        if p.id == src.id:
            raise ValidationError(_("{login} cannot hand over to themselves", login=src.login))
        if not p.active:
            raise ValidationError(_("user {login} is deactivated", login=p.login))
        can_assign(ctx, p)
    return people


def hand_over(ctx: Session, from_login: str, to_login: str | None = None, *, spread: str | None = None
              ) -> HandoverResult:
    """A departing rep's open leads (each with its own open tasks of theirs, and those it shares with other leads)
    and their open tasks of no lead, to ``to_login`` or spread in turn over the active members of the team
    ``spread``, in one step (supervisors: their team's reps, to their team; admins: anyone)."""
    from ..activity.inbox import notify

    scope.require_supervisor(ctx.actor)
    src = resolve_user(from_login)
    a = ctx.actor
    if not a.is_admin and (src.team_id != a.team_id or a.team_id is None):
        raise AccessDenied(_("you cannot hand over the leads of {login}", login=src.login))
    people = _targets(ctx, src, to_login, spread)
    now = int(ctx.now().timestamp())
    result = HandoverResult()
    got: dict[int, list[int]] = {p.id: [0, 0] for p in people}
    with ctx.db.atomic():
        q = (Lead.select(Lead.id).where((Lead.owner == src.id) & Lead.status.not_in(("won", "lost"))
                                        & scope.scope_expr(ctx.actor)).order_by(Lead.id))
        ids = [r.id for r in (q.for_update() if ctx.is_postgres else q)]  # rows locked in id order: no deadlock
        given: dict[int, User] = {}  # lead id -> its new owner
        for n, lid in enumerate(ids):
            dst = given[lid] = people[n % len(people)]
            Lead.update(owner=dst.id, assigned_at=now, version=Lead.version + 1).where(Lead.id == lid).execute()
            drop_own_shares([lid], dst.id)
            moved = tasks.reassign_open(ctx, lid, dst.id, src.id)
            changes.record(ctx, "lead", lid, "handover", owners_diff(src.login, dst.login, moved), lead_id=lid)
            got[dst.id][0] += 1
            got[dst.id][1] += len(moved)
        # their other open tasks: one on several leads goes to its lead's new owner, those of no lead in turn; a
        # task on a lead that stays (closed, another's) stays too, as no new owner may see that lead
        rest = tasks.open_of(ctx, src.id)
        loose = [tid for tid, lid in rest if lid is None]
        for k, dst in enumerate(people):
            theirs = loose[k::len(people)] + [tid for tid, lid in rest if given.get(lid) is dst]
            got[dst.id][1] += len(tasks.give_tasks(ctx, src.id, dst.id, sorted(theirs)))
        for p in people:
            n_leads, n_tasks = got[p.id]
            if n_leads or n_tasks:
                # by whom (the supervisor or admin who did it), and whose they were: it named the departing rep
                # as the one who handed them over
                notify(ctx, p.id, "assignment", N_("{by} handed over {n} leads and {t} tasks of {name} to you"),
                       {"by": ctx.actor.name, "name": src.name, "n": n_leads, "t": n_tasks})
                result.to[p.login] = n_leads
    result.leads, result.tasks = len(ids), sum(t for _n, t in got.values())  # with their leads and the rest
    return result


def handover(ctx: Session, from_login: str, to_login: str | None = None, *, spread: str | None = None) -> int:
    """:func:`hand_over`; returns the number of leads handed over."""
    return hand_over(ctx, from_login, to_login, spread=spread).leads


def deactivate(ctx: Session, login: str, to_login: str | None = None, *, spread: str | None = None
               ) -> HandoverResult:
    """``users deactivate``: hand over everything open of ``login`` (as :func:`hand_over`) and deactivate them, in
    one step (admin): they can no longer act, their open sessions end, rules skip them."""
    from ...store.models import Team

    scope.require_admin(ctx.actor)
    user = resolve_user(login)
    if user.id == ctx.actor.id:
        raise ValidationError(_("you cannot deactivate yourself"))
    if not user.active:
        raise ValidationError(_("user {login} is deactivated", login=user.login))
    with ctx.db.atomic():
        result = hand_over(ctx, login, to_login, spread=spread)
        User.update(active=False).where(User.id == user.id).execute()
        Team.update(supervisor_id=None).where(Team.supervisor_id == user.id).execute()
        changes.record(ctx, "user", user.id, "deactivate", {"active": [True, False], "leads": result.leads,
                                                            "to": ", ".join(result.to) or None})
    return result
