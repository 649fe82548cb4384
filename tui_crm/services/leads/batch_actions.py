"""The batch actions but tags (batch_tags.py): one task on all the leads, reassign, move to a stage, mark
lost. Each ``apply`` gets a chunk of locked rows and changes them with a few set-based statements, returning
the per-lead diffs that ``batch.run`` records (one entry per lead, naming the batch)."""
from __future__ import annotations

import peewee as pw

from ...domain import limits, rules
from ...domain.text import clean
from ...domain.vocab import CLOSED_STATUSES, OPEN_TASK_STATUSES, PRIORITIES, TASK_KINDS, resolve
from ...i18n import N_, _
from ...store import bulk, next_due
from ...store.models import Lead, StageHistory, Task, TaskLead, User
from .. import changes, scope
from ..activity import tasks as tasks_service
from ..errors import ValidationError, refuse_too_long
from ..records import dt, ts
from ..context import Session
from .batch import HISTORY_COLUMNS, Action, refresh_next_many, register, seen_with, touch
from .lookups import resolve_stage
from .people import drop_own_shares


def _reassignable(ctx: Session, rows: list[dict]) -> set[int]:
    """Of the chunk, the leads the actor may reassign: own, their team's (supervisor), any (admin); a
    collaborator may not (§8)."""
    a = ctx.actor
    if a.is_admin:
        return {r["id"] for r in rows}
    team = set()
    if a.is_supervisor and a.team_id is not None:
        owners = {r["owner"] for r in rows}
        team = {i for (i,) in User.select(User.id).where(User.id.in_(list(owners)) & (User.team == a.team_id))
                .tuples()}
    return {r["id"] for r in rows if r["owner"] == a.id or r["owner"] in team}


def _open_tasks(ctx: Session, lead_ids: list[int], alone: bool = False, owners: dict[int, int] | None = None
                ) -> dict[int, list[int]]:
    """lead id -> its own open tasks (``alone``: those it shares with no other lead; ``owners``: lead id -> the
    one owner whose tasks count, as a reassign moves only the previous owner's: activity.tasks.reassign_open)."""
    out: dict[int, list[int]] = {}
    if lead_ids:
        cond = Task.lead.in_(bulk.ids_in(lead_ids)) & Task.status.in_(OPEN_TASK_STATUSES)
        if alone:
            cond &= ~tasks_service.shared(ctx)
        for tid, lid, owner in Task.select(Task.id, Task.lead, Task.owner).where(cond).order_by(Task.id).tuples():
            if owners is None or owners.get(lid) == owner:
                out.setdefault(lid, []).append(tid)
    return out


class Reassign(Action):
    name = entry = "reassign"

    def __init__(self, ctx, params):
        super().__init__(ctx, params)
        self.dst = scope.resolve_user(params.get("login") or "")
        if not self.dst.active:
            raise ValidationError(_("{login} is deactivated", login=self.dst.login), {"login": _("deactivated")})
        scope.can_assign(ctx, self.dst)
        self.logins: dict[int, str] = {}

    def head(self):
        return {"to": self.dst.login}

    def apply(self, rows, res):
        allowed = _reassignable(self.ctx, rows)
        res.skip(_("not yours to reassign"), sum(1 for r in rows if r["id"] not in allowed))
        mine = [r for r in rows if r["id"] in allowed]
        res.skip(_("already theirs"), sum(1 for r in mine if r["owner"] == self.dst.id))
        todo = [r for r in mine if r["owner"] != self.dst.id]
        if not todo:
            return {}
        ids = [r["id"] for r in todo]
        missing = {r["owner"] for r in todo} - set(self.logins)
        if missing:
            self.logins.update(User.select(User.id, User.login).where(User.id.in_(list(missing))).tuples())
        # those that follow it
        tasks = _open_tasks(self.ctx, ids, alone=True, owners={r["id"]: r["owner"] for r in todo})
        touch(self.ctx, ids, {"owner": self.dst.id, "assigned_at": ts(self.now)})
        drop_own_shares(ids, self.dst.id)
        moved = [t for r in todo for t in tasks.get(r["id"], [])]
        if moved:
            Task.update(owner=self.dst.id).where(Task.id.in_(moved) & (Task.owner != self.dst.id)).execute()
        out = {}
        for r in todo:
            diff: dict = {"owner": [self.logins.get(r["owner"], "?"), self.dst.login]}
            if tasks.get(r["id"]):
                diff["tasks"] = ", ".join(str(t) for t in tasks[r["id"]])
            out[r["id"]] = diff
        return out

    def finish(self, res):
        from ..activity.inbox import notify

        if res.done and self.dst.id != self.ctx.actor.id:
            notify(self.ctx, self.dst.id, "assignment", N_("{name} assigned {n} leads to you"),
                   {"name": self.ctx.actor.name, "n": res.done})


class Move(Action):
    name = entry = "move"

    def __init__(self, ctx, params):
        super().__init__(ctx, params)
        self.stage = resolve_stage(ctx, params.get("stage") or "")
        self.seen = seen_with(self.stage)  # the moved leads' stages_seen, asked of the stage table once
        self.reason = clean(params.get("reason")) or None
        refuse_too_long({"stay_reason": self.reason})

    def head(self):
        return {"stage": self.stage, "reason": self.reason}

    def apply(self, rows, res):
        res.skip(_("closed"), sum(1 for r in rows if r["status"] in CLOSED_STATUSES))
        live = [r for r in rows if r["status"] not in CLOSED_STATUSES]
        res.skip(_("already in that stage"), sum(1 for r in live if r["stage"] == self.stage))
        live = [r for r in live if r["stage"] != self.stage]
        s, now = self.ctx.settings, self.now
        ok = []
        for r in live:
            entered = r["stage_entered_at"]
            if self.reason or r["stay_reason"] or not rules.overstayed(dt(entered), now, s):
                ok.append(r)
        res.skip(_("stayed too long: give a stay reason"), len(live) - len(ok))
        if not ok:
            return {}
        ids = [r["id"] for r in ok]
        stay = Lead.select(Lead.stay_reason).where(Lead.id == StageHistory.lead)
        StageHistory.update(left_at=ts(now), reason=pw.fn.COALESCE(self.reason, stay)).where(
            StageHistory.lead.in_(bulk.ids_in(ids)) & StageHistory.left_at.is_null()).execute()
        touch(self.ctx, ids, {"stage": self.stage, "stage_entered_at": ts(now), "stay_reason": None,
                               "probability": None, "last_activity_at": ts(now), "stages_seen": self.seen})
        bulk.insert_rows(self.ctx.db, StageHistory._meta.table_name, HISTORY_COLUMNS,
                         ((i, self.stage, ts(now), self.ctx.actor.id) for i in ids))
        due = rules.revisit_due(now, self.stage, s)
        if due:
            Task.insert_many([{"lead": r["id"], "owner": r["owner"], "kind": "revisit",
                               "title": N_("Revisit after the proposal"), "priority": r["priority"],
                               "due_at": ts(due), "status": "open", "created_at": ts(now),
                               "remind_minutes": s.reminder_minutes} for r in ok]).execute()
            refresh_next_many(ids)
        return {r["id"]: {"stage": [r["stage"], self.stage], "reason": self.reason or r["stay_reason"],
                          "entered": r["stage_entered_at"], "stay": r["stay_reason"], "probability": r["probability"]}
                for r in ok}


class Lost(Action):
    name = entry = "lost"

    def __init__(self, ctx, params):
        super().__init__(ctx, params)
        self.reason = clean(params.get("lost_reason"))
        refuse_too_long({"lost_reason": self.reason}, limits.OUTCOME)
        if not self.reason:
            raise ValidationError(_("missing: {fields}", fields="lost_reason"), {"lost_reason": _("required")})

    def head(self):
        return {"lost_reason": self.reason}

    def apply(self, rows, res):
        res.skip(_("closed"), sum(1 for r in rows if r["status"] in CLOSED_STATUSES))
        todo = [r for r in rows if r["status"] not in CLOSED_STATUSES]
        if not todo:
            return {}
        ids, now = [r["id"] for r in todo], ts(self.now)
        # a task shared with other leads stays open for them (tasks.close_open)
        tasks = _open_tasks(self.ctx, ids, alone=True)
        stay = Lead.select(Lead.stay_reason).where(Lead.id == StageHistory.lead)
        StageHistory.update(left_at=now, reason=pw.fn.COALESCE(stay, self.reason)).where(
            StageHistory.lead.in_(bulk.ids_in(ids)) & StageHistory.left_at.is_null()).execute()
        bulk.insert_rows(self.ctx.db, StageHistory._meta.table_name, HISTORY_COLUMNS,
                         ((i, "lost", now, self.ctx.actor.id) for i in ids))
        touch(self.ctx, ids, {"status": "lost", "lost_at": now, "lost_reason": self.reason,
                               "last_activity_at": now, "next_follow_up_at": None, "plan_until": None})
        shelved = [t for r in todo for t in tasks.get(r["id"], [])]
        if shelved:
            Task.update(status="shelved", done_at=now).where(Task.id.in_(shelved)).execute()
        next_due.refresh(ids, only_sharing=True)
        out = {}
        for r in todo:
            diff: dict = {"status": [r["status"], "lost"], "lost_reason": [r["lost_reason"], self.reason]}
            if tasks.get(r["id"]):
                diff["tasks"] = ", ".join(str(t) for t in tasks[r["id"]])
            out[r["id"]] = diff
        return out


class OneTask(Action):
    """One task on every lead of the batch (seed 004): the first lead its owner has of the whole selection (else the
    first they can see) is the task's lead, the others are its ``task_lead`` rows; the owner is the actor unless one
    is named (who must see one of the leads: completing a task asks for its own lead)."""
    name, entry = "task", "task"

    def __init__(self, ctx, params):
        super().__init__(ctx, params)
        self.title = clean(params.get("title") or "")
        refuse_too_long({"title": self.title}, limits.TASK)
        if not self.title:
            raise ValidationError(_("a task needs a title"), {"title": _("required")})
        self.due = params.get("due")
        if self.due is None:
            raise ValidationError(_("a task needs a due time"), {"due": _("required")})
        kind, priority = params.get("kind") or "follow_up", params.get("priority") or "medium"
        self.kind = resolve("kind", kind, TASK_KINDS)  # a key or its label in either language (跟进, 高)
        if not self.kind:
            raise ValidationError(_("unknown task kind: {value}", value=kind))
        self.priority = resolve("priority", priority, PRIORITIES)
        if not self.priority:
            raise ValidationError(_("unknown priority: {value}", value=priority))
        owner = params.get("owner")
        self.owner = scope.resolve_user(owner) if owner else User.get_by_id(ctx.actor.id)
        if not self.owner.active:  # as `tasks add --owner` and a reassign refuse one
            raise ValidationError(_("user {login} is deactivated", login=self.owner.login), {"owner": _("deactivated")})
        if self.owner.id != ctx.actor.id:
            scope.can_assign(ctx, self.owner)
        remind = tasks_service.check_remind(params.get("remind"))
        self.remind = ctx.settings.reminder_minutes if remind is None else remind
        self.task_id: int | None = None
        self.first: int | None = None

    def start(self, cond):
        """The task's own lead, asked of the whole selection (a chunk holds only some of the owner's leads)."""
        from ..context import actor_of

        def first(extra=None):
            return Lead.select(pw.fn.MIN(Lead.id)).where(cond if extra is None else cond & extra).scalar()
        self.first = first(Lead.owner == self.owner.id)
        if self.first is None and self.owner.id != self.ctx.actor.id:
            self.first = first(scope.scope_expr(actor_of(self.owner)))
            if self.first is None:
                raise ValidationError(_("{login} can see none of the marked leads: the task would be theirs on "
                                        "leads they cannot open", login=self.owner.login), {"owner": _("no lead")})
        if self.first is None:
            self.first = first()

    def head(self):
        return {"title": self.title, "due_at": self.due.isoformat(), "owner": self.owner.login}

    def apply(self, rows, res):
        ids = [r["id"] for r in rows]
        if not ids:
            return {}
        if self.task_id is None:
            # on its own lead, which may come in a later chunk (its next follow-up is set there, with its summaries)
            first = self.first if self.first is not None else ids[0]
            self.task_id = Task.insert(lead=first, owner=self.owner.id, kind=self.kind, title=self.title,
                                       priority=self.priority, due_at=ts(self.due), status="open",
                                       created_at=ts(self.now), remind_minutes=self.remind).execute()
            changes.record(self.ctx, "task", self.task_id, "create", {"kind": [None, self.kind],
                           "due_at": [None, self.due], "title": [None, self.title]}, lead_id=first)
            self.first = first
        extra = [i for i in ids if i != self.first]
        if extra:
            bulk.insert_rows(self.ctx.db, TaskLead._meta.table_name, ("task_id", "lead_id"),
                             ((self.task_id, i) for i in extra))
        refresh_next_many(ids)  # the task counts for each of its leads' next follow-up
        return {i: {"task": [None, self.task_id], "title": self.title} for i in ids}


for _name, _cls in (("reassign", Reassign), ("move", Move), ("lost", Lost), ("task", OneTask)):
    register(_name, _cls)
