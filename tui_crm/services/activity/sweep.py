"""The rule sweep, run by every open app on a timer and by `tui-crm tick` (cron): escalation of leads left
uncontacted after assignment (rule 2), task reminders (``remind_minutes`` before due), dormant leads woken and
paused ones resumed at their date, and the complete-record task of an incomplete lead (rule 3).

Any number of sweeps may run at once (two apps, an app and a cron tick, on one host or several): each step
claims what it does with a conditional UPDATE (the escalation flag, the task's ``reminded_at``, the lead's
status), or under the lead's row lock (the complete-record task), so nothing is escalated, reminded or woken
twice. Notifications are stored as message keys (``N_``) with values and read in the reader's language.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

import peewee as pw

from ...domain import rules
from ...domain.vocab import OPEN_TASK_STATUSES, WORKING_STATUSES
from ...i18n import N_
from ...store.models import Lead, Task, User
from .. import changes, scope
from ..context import Session, settings_for_team, team_supervisor_ids
from ..records import ts
from .inbox import notify

BATCH = 1000  # per step and sweep: a backlog is worked off over the next sweeps, none blocks for long
REMIND_AHEAD_MAX = 7 * 86400  # a reminder is looked for at most this long before its task is due


@dataclass
class SweepResult:
    escalated: int = 0
    reminded: int = 0
    woken: int = 0
    resumed: int = 0
    record_tasks: int = 0

    def to_dict(self) -> dict:
        return asdict(self)


def sweep(ctx: Session) -> SweepResult:
    """Every rule that runs by the clock, once."""
    return SweepResult(escalated=sweep_escalations(ctx), reminded=sweep_reminders(ctx),
                       woken=sweep_wake_ups(ctx, "dormant"), resumed=sweep_wake_ups(ctx, "paused"),
                       record_tasks=sweep_incomplete(ctx))


def sweep_escalations(ctx: Session) -> int:
    """Rule 2: uncontacted 3 days after assignment → flag and notify the owner's supervisor.

    Runs over everyone's leads (any session may run it); idempotent thanks to the flag.
    """
    from ..context import overriding_teams

    now = ts(ctx.now())
    limit = now - ctx.settings.escalate_after_days * 86400
    own = {tid: s.escalate_after_days for tid, s in overriding_teams(ctx).items()
           if s.escalate_after_days != ctx.settings.escalate_after_days}
    due = (User.team.is_null() | User.team.not_in(list(own))) & (Lead.assigned_at <= limit) if own else (
        Lead.assigned_at <= limit)
    for tid, days in own.items():  # a team's own escalation days (PRODUCT §8)
        due |= (User.team == tid) & (Lead.assigned_at <= now - days * 86400)
    q = (Lead.select(Lead.id, Lead.code, Lead.company, Lead.owner, User.team)
         .join(User, on=(Lead.owner == User.id))
         .where((Lead.status == "pending") & Lead.first_contact_at.is_null() & (Lead.escalated == False)  # noqa
                & due & scope.committed()).limit(BATCH))
    rows = list(q.dicts())
    if not rows:
        return 0
    done = 0
    with ctx.db.atomic():
        for r in rows:
            # the flag is the claim: of two sweeps at once only one flips it and notifies
            if not Lead.update(escalated=True, version=Lead.version + 1).where(
                    (Lead.id == r["id"]) & (Lead.escalated == False)).execute():  # noqa: E712
                continue
            done += 1
            days = settings_for_team(ctx, r["team"]).escalate_after_days  # the team's own, else the global
            for sid in team_supervisor_ids(r["team"]) or []:
                notify(ctx, sid, "escalation", N_("{code} {company}: not contacted {days} days after assignment"),
                       {"code": r["code"], "company": r["company"], "days": days}, r["id"])
            # the days that applied are kept: the timeline quotes them, whatever the numbers are later
            changes.record(ctx, "lead", r["id"], "escalate", {"escalated": [False, True], "days": days},
                           lead_id=r["id"], system=True)
    return done


def sweep_reminders(ctx: Session) -> int:
    """A task's reminder: ``remind_minutes`` before it is due, a notification to its owner (once). A task of a
    lead that is closed, dormant or paused sends none; one already overdue when first swept is not reminded
    (the queue shows it red)."""
    from .agenda import paused_now

    now = ts(ctx.now())
    q = (Task.select(Task.id, Task.title, Task.kind, Task.due_at, Task.owner, Task.lead, Lead.code, Lead.company)
         .join(Lead, pw.JOIN.LEFT_OUTER, on=(Task.lead == Lead.id))
         .where(Task.status.in_(OPEN_TASK_STATUSES) & Task.reminded_at.is_null() & (Task.remind_minutes > 0)
                & (Task.due_at - Task.remind_minutes * 60 <= now) & (Task.due_at >= now)
                & (Task.due_at <= now + REMIND_AHEAD_MAX)  # with reminded_at IS NULL: the partial index
                & (Task.lead.is_null() | (Lead.status.in_(WORKING_STATUSES + ("paused",)) & scope.committed()
                                          & ~paused_now(ctx))))
         .order_by(Task.due_at).limit(BATCH))
    rows = list(q.dicts())
    done = 0
    with ctx.db.atomic():
        for r in rows:
            if not Task.update(reminded_at=now).where((Task.id == r["id"]) & Task.reminded_at.is_null()).execute():
                continue  # another sweep sent it
            done += 1
            minutes = max(0, (r["due_at"] - now + 59) // 60)
            notify(ctx, r["owner"], "reminder", N_("{code} {company}: {title} due in {minutes} min"),
                   {"code": r.get("code") or "", "company": r.get("company") or "", "title": r["title"] or r["kind"].replace("_", " "),
                    "minutes": minutes}, r.get("lead"), translate=("title",) if r["title"] else ())
    return done


def sweep_wake_ups(ctx: Session, status: str) -> int:
    """A dormant lead at its wake-up date, or a paused one at its resume date, is worked again (in progress),
    and its owner is told."""
    now = ts(ctx.now())
    rows = list(Lead.select(Lead.id, Lead.code, Lead.company, Lead.owner).where(
        (Lead.status == status) & Lead.wake_up_at.is_null(False) & (Lead.wake_up_at <= now)
        & scope.committed()).limit(BATCH).dicts())
    done = 0
    with ctx.db.atomic():
        for r in rows:
            if not Lead.update(status="in_progress", version=Lead.version + 1, last_activity_at=now).where(
                    (Lead.id == r["id"]) & (Lead.status == status)).execute():
                continue
            done += 1
            changes.record(ctx, "lead", r["id"], "wake" if status == "dormant" else "resume",
                           {"status": [status, "in_progress"]}, lead_id=r["id"], system=True)
            msgid = (N_("{code} {company} woke up: it is in progress again") if status == "dormant"
                     else N_("{code} {company}: the pause is over, it is in progress again"))
            notify(ctx, r["owner"], "wake_up", msgid, {"code": r["code"], "company": r["company"]}, r["id"])
    return done


def sweep_incomplete(ctx: Session) -> int:
    """Rule 3 for a lead that became incomplete after it was made (an edit): a ``complete_record`` task due
    in 2 h, once (a lead that ever had one is left to its owner)."""
    from .tasks import create_task

    had = Task.select(Task.id).where((Task.lead == Lead.id) & (Task.kind == "complete_record"))
    # a literal, as the partial index lead_incomplete has it (a bound '' would not match it on SQLite)
    # an imported lead whose record was not edited since is the import's to decide (rule 12: none for a recorded
    # contact; a first contact's task completes the record too); a handover or a reassign is no edit of the record
    # (``version == 1`` took it for one: the leads handed over got a task the import had decided against)
    from ...store.models import Change

    edited = Change.select(Change.id).where((Change.lead_id == Lead.id) & (Change.entity == "lead")
                                            & (Change.action == "update"))
    imported = Lead.batch.is_null(False) & ~pw.fn.EXISTS(edited)
    cond = (pw.SQL("incomplete <> ''") & Lead.status.in_(WORKING_STATUSES)
            & ~pw.fn.EXISTS(had) & ~imported & scope.committed())
    ids = [i for (i,) in Lead.select(Lead.id).where(cond).limit(BATCH).tuples()]
    done = 0
    for lead_id in ids:
        with ctx.db.atomic():
            # the row lock first, the question after it in a statement of its own: under READ COMMITTED a
            # sweep that waited on the lock sees the task the other sweep committed (SQLite: the
            # transaction holds the file)
            q = Lead.select(Lead.id).where(Lead.id == lead_id)
            (q.for_update() if ctx.is_postgres else q).first()
            lead = Lead.select(Lead.id, Lead.owner, Lead.priority).where((Lead.id == lead_id) & cond).first()
            if lead is None:  # another sweep made it meanwhile, or the record was completed
                continue
            create_task(ctx, lead.id, lead.owner_id, "complete_record", N_("Complete the record"),
                        rules.complete_record_due(ctx.now(), ctx.settings), lead.priority)
            done += 1
    return done
