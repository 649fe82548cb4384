"""Batch work on marked leads: one task for all of them, reassign, tag / untag, move stage, mark lost.

A selection is either leads marked one by one (``ids``) or everything a list query or board filter shows
(``*``; minus the ones unmarked after), and the batch never loads it into Python as a whole: it walks the
selection's SQL condition by lead id in chunks. Each chunk is one short transaction (about
``TXN_SECONDS``, the rows locked FOR UPDATE on PostgreSQL; SQLite's BEGIN IMMEDIATE holds the file) that
updates its leads with a few set-based statements and writes one change entry per lead; between two
chunks the lock stays free for ``LOCK_GAP`` (as an import does, services/importing/run.py), so no other
user's write waits for more than about one chunk.

The batch is itself a change entry (entity ``batch``, its id the batch's id); each lead's entry names it
(``"batch": id`` in its diff), which is what ``batch_undo.undo`` walks back. A lead the batch may not
change (closed, outside what the actor may reassign, already so) is skipped and counted.
"""
from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Callable

import peewee as pw

from ...domain import limits, rules
from ...domain.text import clean
from ...domain.vocab import CLOSED_STATUSES, OPEN_TASK_STATUSES, PRIORITIES, TASK_KINDS
from ...i18n import N_, _
from ...store import bulk
from ...store.models import Change, Lead, StageHistory, Task, TaskLead, User
from .. import changes, scope
from ..context import Session
from ..errors import NotFound, ValidationError, refuse_too_long
from ..records import dt, ts
from . import board as board_query
from . import pages
from .lookups import resolve_stage

TXN_SECONDS, CHUNK_MIN, CHUNK_MAX, CHUNK_FIRST = 0.4, 100, 5000, 500
LOCK_GAP = 0.11  # longer than SQLite's busy-handler step (100 ms): a waiting writer lands in the gap
CHANGE_COLUMNS = ("at", "user_id", "entity", "entity_id", "lead_id", "action", "diff")
HISTORY_COLUMNS = ("lead_id", "stage", "entered_at", "user_id")
ACTIONS = ("task", "reassign", "tag", "untag", "move", "lost")


@dataclass(frozen=True)
class Selection:
    """What is marked: ``ids`` one by one, or everything ``query`` (the list) / ``board`` (the board's
    open leads) shows, less ``excluded``."""
    ids: tuple[int, ...] = ()
    query: pages.ListQuery | None = None
    board: board_query.BoardFilter | None = None
    excluded: tuple[int, ...] = ()

    @property
    def everything(self) -> bool:
        return self.query is not None or self.board is not None


@dataclass
class BatchResult:
    batch_id: int | None
    action: str
    done: int = 0
    skipped: int = 0
    why: dict[str, int] = field(default_factory=dict)  # skip reason -> count

    def skip(self, reason: str, n: int = 1) -> None:
        if n:
            self.skipped += n
            self.why[reason] = self.why.get(reason, 0) + n


def condition(ctx: Session, sel: Selection) -> pw.Expression:
    """The selection as SQL, within the actor's scope (built once per batch: a search's reveals are
    audited when it is built, not again per chunk)."""
    if sel.query is not None:
        cond = pages.condition(ctx, sel.query)
    elif sel.board is not None:
        cond = board_query.condition(ctx, sel.board) & Lead.status.not_in(CLOSED_STATUSES)
    else:
        cond = scope.scope_expr(ctx.actor) & Lead.id.in_(sorted(set(sel.ids)) or [0])
    if sel.excluded:
        cond &= Lead.id.not_in(sorted(set(sel.excluded)))
    return cond


def count(ctx: Session, sel: Selection) -> int:
    """How many leads the selection holds now (the status line's count of marked leads)."""
    return Lead.select(Lead.id).where(condition(ctx, sel)).count()


# ------------------------------------------------------------------ the actions
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


def _open_tasks(lead_ids: list[int]) -> dict[int, list[int]]:
    out: dict[int, list[int]] = {}
    if lead_ids:
        for tid, lid in (Task.select(Task.id, Task.lead).where(Task.lead.in_(lead_ids)
                         & Task.status.in_(OPEN_TASK_STATUSES)).order_by(Task.id).tuples()):
            out.setdefault(lid, []).append(tid)
    return out


def refresh_next_many(lead_ids: list[int]) -> None:
    """next_follow_up_at of these leads from their open tasks, in one statement."""
    if lead_ids:
        earliest = (Task.select(pw.fn.MIN(Task.due_at)).where((Task.lead == Lead.id)
                                                              & Task.status.in_(OPEN_TASK_STATUSES)))
        Lead.update(next_follow_up_at=earliest).where(Lead.id.in_(lead_ids)).execute()


def touch(ctx: Session, ids: list[int], values: dict) -> None:
    values.update(updated_at=ts(ctx.now()), version=Lead.version + 1)
    Lead.update(**values).where(Lead.id.in_(ids)).execute()


def set_each(ctx: Session, rows: list[tuple], casts: dict[str, str], values: dict | None = None) -> None:
    """A value of its own for each lead in one statement: ``UPDATE lead SET c = v.columnN … FROM (VALUES …) v``
    (``rows``: ``(id, *values in the order of casts)``; ``casts``: column -> SQL type, which PostgreSQL
    needs for a column of NULLs); ``values`` (plain values) are set on all of them alike."""
    if not rows:
        return
    p = ctx.db.param
    sets = [f'"{c}" = CAST(v.column{i} AS {t})' for i, (c, t) in enumerate(casts.items(), start=2)]
    params: list = []
    for k, v in {**(values or {}), "updated_at": ts(ctx.now())}.items():
        sets.append(f'"{k}" = {p}')
        params.append(v)
    sets.append('"version" = "version" + 1')
    one = "(" + ", ".join([f"CAST({p} AS BIGINT)"] + [p] * len(casts)) + ")"
    for r in rows:
        params.extend(r)
    ctx.db.execute_sql(f'UPDATE "lead" SET {", ".join(sets)} FROM (VALUES {", ".join([one] * len(rows))}) AS v '
                       f'WHERE "lead"."id" = v.column1', params)


class _Action:
    """One batch action: ``check`` its parameters once, ``apply`` to a chunk of locked rows (returns the
    per-lead diffs written), ``finish`` after the last chunk."""
    name = ""
    entry = ""  # the per-lead change entry's action

    def __init__(self, ctx: Session, params: dict):
        self.ctx, self.params = ctx, params
        self.now = ctx.now()

    def apply(self, rows: list[dict], res: BatchResult) -> dict[int, dict]:
        raise NotImplementedError

    def head(self) -> dict:
        return {}

    def head_entry(self) -> dict:
        return {**self.head(), "at": ts(self.now)}

    def finish(self, res: BatchResult) -> None:
        pass


class _Reassign(_Action):
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
        tasks = _open_tasks(ids)
        touch(self.ctx, ids, {"owner": self.dst.id, "assigned_at": ts(self.now)})
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


class _Move(_Action):
    name = entry = "move"

    def __init__(self, ctx, params):
        super().__init__(ctx, params)
        self.stage = resolve_stage(ctx, params.get("stage") or "")
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
            StageHistory.lead.in_(ids) & StageHistory.left_at.is_null()).execute()
        touch(self.ctx, ids, {"stage": self.stage, "stage_entered_at": ts(now), "stay_reason": None,
                               "probability": None, "last_activity_at": ts(now)})
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


class _Lost(_Action):
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
        tasks = _open_tasks(ids)
        stay = Lead.select(Lead.stay_reason).where(Lead.id == StageHistory.lead)
        StageHistory.update(left_at=now, reason=pw.fn.COALESCE(stay, self.reason)).where(
            StageHistory.lead.in_(ids) & StageHistory.left_at.is_null()).execute()
        bulk.insert_rows(self.ctx.db, StageHistory._meta.table_name, HISTORY_COLUMNS,
                         ((i, "lost", now, self.ctx.actor.id) for i in ids))
        touch(self.ctx, ids, {"status": "lost", "lost_at": now, "lost_reason": self.reason,
                               "last_activity_at": now, "next_follow_up_at": None})
        shelved = [t for r in todo for t in tasks.get(r["id"], [])]
        if shelved:
            Task.update(status="shelved", done_at=now).where(Task.id.in_(shelved)).execute()
        out = {}
        for r in todo:
            diff: dict = {"status": [r["status"], "lost"], "lost_reason": [r["lost_reason"], self.reason]}
            if tasks.get(r["id"]):
                diff["tasks"] = ", ".join(str(t) for t in tasks[r["id"]])
            out[r["id"]] = diff
        return out


class _OneTask(_Action):
    """One task on every lead of the batch (seed 004): its first lead is the task's lead, the others are
    its ``task_lead`` rows; the task's owner is the actor unless one is named."""
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
        self.kind = params.get("kind") or "follow_up"
        self.priority = params.get("priority") or "medium"
        if self.kind not in TASK_KINDS or self.priority not in PRIORITIES:
            raise ValidationError(_("unknown kind or priority"))
        owner = params.get("owner")
        self.owner = scope.resolve_user(owner) if owner else User.get_by_id(ctx.actor.id)
        if self.owner.id != ctx.actor.id:
            scope.can_assign(ctx, self.owner)
        self.task_id: int | None = None

    def head(self):
        return {"title": self.title, "due_at": self.due.isoformat(), "owner": self.owner.login}

    def apply(self, rows, res):
        ids = [r["id"] for r in rows]
        if not ids:
            return {}
        if self.task_id is None:
            self.task_id = Task.insert(lead=ids[0], owner=self.owner.id, kind=self.kind, title=self.title,
                                       priority=self.priority, due_at=ts(self.due), status="open",
                                       created_at=ts(self.now), remind_minutes=self.ctx.settings.reminder_minutes
                                       ).execute()
            changes.record(self.ctx, "task", self.task_id, "create", {"kind": [None, self.kind],
                           "due_at": [None, self.due], "title": [None, self.title]}, lead_id=ids[0])
            refresh_next_many([ids[0]])
            extra = ids[1:]
        else:
            extra = ids
        if extra:
            bulk.insert_rows(self.ctx.db, TaskLead._meta.table_name, ("task_id", "lead_id"),
                             ((self.task_id, i) for i in extra))
        return {i: {"task": [None, self.task_id], "title": self.title} for i in ids}


ACTION_CLASSES: dict[str, type[_Action]] = {"reassign": _Reassign, "move": _Move, "lost": _Lost, "task": _OneTask}


def register(name: str, cls: type) -> None:
    """Another batch action (the tags', batch_tags.py) under ``name``."""
    ACTION_CLASSES[name] = cls


ROW_FIELDS = (Lead.id, Lead.owner, Lead.stage, Lead.status, Lead.stage_entered_at, Lead.stay_reason,
              Lead.priority, Lead.probability, Lead.lost_reason, Lead.version)


# ------------------------------------------------------------------ the run
def run(ctx: Session, sel: Selection, action: str, params: dict | None = None,
        progress: Callable[[int, int], None] | None = None) -> BatchResult:
    """Apply ``action`` to every lead of ``sel``; ``progress(seen, total)`` after each chunk."""
    if action not in ACTION_CLASSES:
        raise ValidationError(_("unknown batch action: {action}", action=action))
    act = ACTION_CLASSES[action](ctx, dict(params or {}))
    cond = condition(ctx, sel)
    total = Lead.select(Lead.id).where(cond).count()
    if total == 0:
        raise NotFound(_("no marked lead that you can see"))
    with ctx.db.atomic():
        bid = changes.record(ctx, "batch", None, action, {**act.head_entry(), "leads": total})
    res = BatchResult(bid, action)
    last, n, seen = 0, CHUNK_FIRST, 0
    while True:
        started, limit = time.monotonic(), n
        with ctx.db.atomic():
            q = Lead.select(*ROW_FIELDS).where(cond & (Lead.id > last)).order_by(Lead.id).limit(limit)
            rows = list((q.for_update() if ctx.is_postgres else q).dicts())
            if not rows:
                break
            last = rows[-1]["id"]
            diffs = act.apply(rows, res)
            _record_many(ctx, act.entry, bid, diffs)
            res.done += len(diffs)
        seen += len(rows)
        if progress:
            progress(min(seen, total), total)
        took = time.monotonic() - started
        n = max(CHUNK_MIN, min(CHUNK_MAX, int(n * TXN_SECONDS / took) if took > 0 else CHUNK_MAX))
        if len(rows) < limit:
            break
        time.sleep(LOCK_GAP)  # the lock free for any other writer waiting
    with ctx.db.atomic():
        act.finish(res)
        changes.record(ctx, "batch", bid, "done", {"done": res.done, "skipped": res.skipped})
    return res


def _record_many(ctx: Session, action: str, bid: int, diffs: dict[int, dict]) -> None:
    """One change entry per lead, in one statement (``changes.record``'s row, ``batch`` in the diff)."""
    if not diffs:
        return
    changes.claim_order(ctx)
    at, uid = ts(ctx.now()), ctx.actor.id
    bulk.insert_rows(ctx.db, Change._meta.table_name, CHANGE_COLUMNS,
                     ((at, uid, "lead", lid, lid, action, json.dumps({**d, "batch": bid}, ensure_ascii=False,
                                                                     default=str)) for lid, d in diffs.items()))
