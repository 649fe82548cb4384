"""Undo of a batch (``batch.run``): each lead as the batch found it, where nobody changed it since.

The batch's own entries are walked by change id in chunks (the same pacing as the batch); each lead
still as the batch left it (owner, stage, status, tag) is put back with one ``undo`` entry of its own
(``{field: [as the batch left it, as restored]}``, ``undo_of``); a lead changed since is left and counted.
Who may undo: the user who ran the batch, or an admin. A batch is undone once.
"""
from __future__ import annotations

import json
import time
from typing import Callable

from ...domain.vocab import OPEN_TASK_STATUSES
from ...i18n import _
from ...store import bulk, checkpoints, schema
from ...store.models import Change, Lead, StageHistory, Task, TaskLead, User
from .. import changes, scope
from ..context import Session
from ..errors import AccessDenied, NotFound
from ..records import ts
from .batch import CHUNK_FIRST, LOCK_GAP, BatchResult, next_chunk, refresh_next_many, set_each, summaries_kept

UNDOERS: dict[str, Callable] = {}
UNDONE_ENTRY: dict[str, str] = {}  # a batch action -> its per-lead entries' action, where they differ
FIELDS = (Lead.id, Lead.owner, Lead.stage, Lead.status, Lead.stage_entered_at, Lead.lost_at, Lead.lost_reason)


def undoer(action: str):
    def wrap(fn):
        UNDOERS[action] = fn
        return fn
    return wrap


def head(ctx: Session, batch_id: int) -> Change:
    """The batch's own entry, if the actor may undo it."""
    entry = Change.get_or_none((Change.id == batch_id) & (Change.entity == "batch") & Change.entity_id.is_null())
    if entry is None:
        raise NotFound(_("no batch {id}", id=batch_id))
    if entry.user_id != ctx.actor.id and not ctx.actor.is_admin:
        raise AccessDenied(_("only the user who ran batch {id} or an admin may undo it", id=batch_id))
    if Change.select().where((Change.entity == "batch") & (Change.entity_id == batch_id)
                             & (Change.action == "undo")).exists():
        raise NotFound(_("batch {id} is already undone", id=batch_id))
    return entry


def last_batch(ctx: Session) -> int | None:
    """The actor's latest batch not undone yet (the audit screen's and ``u``'s default)."""
    undone = Change.select(Change.entity_id).where((Change.entity == "batch") & (Change.action == "undo"))
    row = (Change.select(Change.id).where((Change.entity == "batch") & Change.entity_id.is_null()
                                          & (Change.user == ctx.actor.id) & Change.id.not_in(undone))
           .order_by(Change.id.desc()).first())
    return row.id if row else None


def undo(ctx: Session, batch_id: int, progress: Callable[[int, int], None] | None = None) -> BatchResult:
    entry = head(ctx, batch_id)
    info = {**json.loads(entry.diff or "{}"), "id": batch_id}
    total = int(info.get("leads") or 0)
    fn = UNDOERS[entry.action]
    with ctx.db.atomic():  # claimed first: a second undo, here or elsewhere, is refused from now on
        changes.record(ctx, "batch", batch_id, "undo", {"action": entry.action})
    res = BatchResult(batch_id, entry.action)
    done_at = (Change.select(Change.id).where((Change.entity == "batch") & (Change.entity_id == batch_id)
                                              & (Change.action == "done")).scalar())
    last, n, seen = batch_id, CHUNK_FIRST, 0
    # the batch's entries lie between its head and its end: walked by primary key over that window alone,
    # whoever else wrote meanwhile (an index on (user, action, at) read all of the user's entries of the kind,
    # and sorted them, for each chunk: the undo of 100,000 leads took minutes)
    wanted, via = UNDONE_ENTRY.get(entry.action, entry.action), f"batch {batch_id}"
    window = (Change.id < done_at) if done_at else None
    with checkpoints.SideCheckpointer(ctx.db) as side:
        while True:
            q = Change.select(Change.id, Change.user, Change.entity, Change.lead_id, Change.action, Change.diff)
            rows = list(q.where((Change.id > last) if window is None else (Change.id > last) & window)
                        .order_by(Change.id).limit(n).tuples())
            if not rows:
                break
            last = rows[-1][0]
            mine = {}
            for _cid, uid, entity, lid, action, diff in rows:
                if uid != entry.user_id or entity != "lead" or action != wanted:
                    continue
                d = json.loads(diff or "{}")
                if d.get("batch") == batch_id or d.get("via") == via:
                    mine[lid] = d
            held = 0.0
            if mine:
                locked = time.monotonic()
                with ctx.db.atomic():
                    q = (Lead.select(*FIELDS).where(Lead.id.in_(bulk.ids_in(mine))
                                                     & scope.scope_expr(ctx.actor)).order_by(Lead.id))
                    leads = {r["id"]: r for r in (q.for_update() if ctx.is_postgres else q).dicts()}
                    res.skip(_("out of your reach now"), len(set(mine) - set(leads)))
                    todo = {i: (leads[i], d) for i, d in mine.items() if i in leads}
                    with summaries_kept(ctx, entry.action, list(todo)):
                        back = fn(ctx, info, todo, res)
                    if isinstance(back, int):  # the undoer recorded its entries itself
                        res.done += back
                    else:
                        _record_undo(ctx, batch_id, back)
                        res.done += len(back)
                held = time.monotonic() - locked  # with the commit
                side.committed()
                seen += len(mine)
                if progress:
                    progress(min(seen, total), total)
            n = next_chunk(n, held)
            if mine:
                time.sleep(LOCK_GAP)
    return res


def _record_undo(ctx: Session, batch_id: int, back: dict[int, dict]) -> None:
    changes.record_leads(ctx, "undo", ((lid, {**d, "undo_of": batch_id}) for lid, d in back.items()))


def _changed_since(res: BatchResult, n: int) -> None:
    res.skip(_("changed since"), n)


def _recomputed(ctx: Session) -> tuple[str, ...]:
    """The SET clauses that recompute a restored lead's stages_seen (the stay taken out leaves no bit behind)
    and its next due and plan (the tasks put back or taken out), in the restore's own write of each lead: as
    three UPDATEs (the bits, the values, the dues) each lead was written three times, into all of its indexes."""
    from ...store import next_due

    lead = '"lead"'  # set_each's name of the row
    return (f'"stages_seen" = {schema.seen_bits(ctx.db, lead)}', next_due.set_clause(lead))


@undoer("reassign")
def _reassign(ctx, info, todo, res):
    logins = {d["owner"][0] for _lead, d in todo.values()} | {info.get("to")}
    users = dict(User.select(User.login, User.id).where(User.login.in_(list(logins))).tuples())
    dst = users.get(info.get("to"))
    back, leads_of, tasks_of = {}, {}, {}
    for lid, (lead, d) in todo.items():
        old = users.get(d["owner"][0])
        if lead["owner"] != dst or old is None:
            continue
        leads_of.setdefault(old, []).append(lid)
        if d.get("tasks"):
            tasks_of.setdefault(old, []).extend(int(t) for t in d["tasks"].split(", "))
        back[lid] = {"owner": [d["owner"][1], d["owner"][0]]}
    _changed_since(res, len(todo) - len(back))
    set_each(ctx, [(lid, owner) for owner, ids in leads_of.items() for lid in ids], {"owner_id": "BIGINT"},
             {"assigned_at": ts(ctx.now())})  # each its owner again, in one statement
    for owner in leads_of:
        if tasks_of.get(owner):
            Task.update(owner=owner).where(Task.id.in_(tasks_of[owner]) & (Task.owner == dst)
                                           & Task.status.in_(OPEN_TASK_STATUSES)).execute()
    return back


@undoer("move")
def _move(ctx, info, todo, res):
    stage, at = info.get("stage"), info.get("at")
    ok = {lid: (lead, d) for lid, (lead, d) in todo.items()
          if lead["stage"] == stage and lead["status"] not in ("won", "lost") and lead["stage_entered_at"] == at
          and d["stage"][0] in ctx.stage_keys}
    _changed_since(res, len(todo) - len(ok))
    if not ok:
        return {}
    ids = list(ok)
    StageHistory.delete().where(StageHistory.lead.in_(bulk.ids_in(ids)) & (StageHistory.stage == stage)
                                & (StageHistory.entered_at == at)).execute()
    StageHistory.update(left_at=None, reason=None).where(StageHistory.lead.in_(bulk.ids_in(ids))
                                                         & (StageHistory.left_at == at)).execute()
    Task.delete().where(Task.lead.in_(bulk.ids_in(ids)) & (Task.kind == "revisit") & (Task.created_at == at)
                        & Task.status.in_(OPEN_TASK_STATUSES)).execute()
    set_each(ctx, [(lid, d["stage"][0], d.get("entered"), d.get("stay"), d.get("probability"))
                   for lid, (_lead, d) in ok.items()],
             {"stage": "VARCHAR(64)", "stage_entered_at": "BIGINT", "stay_reason": "TEXT", "probability": "INTEGER"},
             computed=_recomputed(ctx))
    return {lid: {"stage": [stage, d["stage"][0]]} for lid, (_lead, d) in ok.items()}


@undoer("lost")
def _lost(ctx, info, todo, res):
    at, reason = info.get("at"), info.get("lost_reason")
    ok = {lid: (lead, d) for lid, (lead, d) in todo.items()
          if lead["status"] == "lost" and lead["lost_at"] == at and lead["lost_reason"] == reason}
    _changed_since(res, len(todo) - len(ok))
    if not ok:
        return {}
    ids = list(ok)
    StageHistory.delete().where(StageHistory.lead.in_(bulk.ids_in(ids)) & (StageHistory.stage == "lost")
                                & (StageHistory.entered_at == at)).execute()
    StageHistory.update(left_at=None, reason=None).where(StageHistory.lead.in_(bulk.ids_in(ids))
                                                         & (StageHistory.left_at == at)).execute()
    shelved = [int(t) for _lead, d in ok.values() if d.get("tasks") for t in d["tasks"].split(", ")]
    if shelved:
        Task.update(status="open", done_at=None).where(Task.id.in_(shelved) & (Task.status == "shelved")
                                                       & (Task.done_at == at)).execute()
    set_each(ctx, [(lid, d["status"][0], d["lost_reason"][0]) for lid, (_lead, d) in ok.items()],
             {"status": "VARCHAR(16)", "lost_reason": "TEXT"}, {"lost_at": None}, computed=_recomputed(ctx))
    return {lid: {"status": ["lost", d["status"][0]], "lost_reason": [reason, d["lost_reason"][0]]}
            for lid, (_lead, d) in ok.items()}


@undoer("task")
def _task(ctx, info, todo, res):
    """The one task gone while it is still open (done or shelved meanwhile, it is history: kept)."""
    back = {}
    for tid in {d["task"][1] for _lead, d in todo.values()}:
        task = Task.get_or_none(Task.id == tid)
        if task is not None and task.status not in OPEN_TASK_STATUSES:
            continue
        if task is not None:
            TaskLead.delete().where(TaskLead.task == tid).execute()
            Task.delete().where(Task.id == tid).execute()
            changes.record(ctx, "task", tid, "undo", {"status": [task.status, None]}, lead_id=task.lead_id)
        back.update({lid: {"task": [tid, None]} for lid, (_lead, d) in todo.items() if d["task"][1] == tid})
    refresh_next_many(list(back))  # this chunk's leads: the task no longer counts for them
    _changed_since(res, len(todo) - len(back))
    return back


def undoable(ctx: Session, batch_id: int) -> bool:
    try:
        head(ctx, batch_id)
    except (NotFound, AccessDenied):
        return False
    return True


