"""A lead's timeline: follow-ups, tasks, stage moves, field changes and outcomes in one stream, as the reader's language shows them."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime


from ...domain.contact import mask_contact
from ...domain.text import printable
from ...domain.vocab import SENTIMENTS
from ...i18n import _, label
from ...store.models import Change, FollowUp, StageHistory, Task, User
from .. import scope
from ..context import Session, settings_for_owner
from .task_text import task_parts
from ..records import dt
from .timeline_text import change_text, followup_text, outcome_text, shown


@dataclass
class TimelineItem:
    at: datetime
    kind: str  # followup | stage | change | outcome | task | reveal | create
    user: str
    text: str
    data: dict


def lead_timeline(ctx: Session, code: str | int, limit: int = 200, reveal: bool = False) -> list[TimelineItem]:
    """Follow-ups, tasks (planned, snoozed, done), stage moves with their stay reasons, field changes and
    outcomes of one lead, newest first, in words in the reader's language. Each item keeps the author it had
    when it happened (a reassign changes who owns the open tasks, not who planned them). A changed phone,
    email or other contact is masked, old and new, for a reader who sees the lead's contacts masked
    (``reveal``: they revealed them, an audited action)."""
    lead = scope.get_visible(ctx, code)
    masked = not reveal and not contacts_in_full(ctx, lead)
    names, people, ids = {}, {}, {}
    for uid, name, login in User.select(User.id, User.name, User.login).tuples():
        names[uid], people[login], ids[login] = name, name, uid
    names[None] = _("tui-crm (a rule)")  # done by a rule on its own, e.g. an escalation
    entries = list(Change.select().where((Change.lead_id == lead.id) & Change.entity.in_(("lead", "task")))
                   .order_by(Change.id.desc()).limit(max(limit, 1000)))
    items: list[TimelineItem] = []
    for f in FollowUp.select().where(FollowUp.lead == lead.id).order_by(FollowUp.at.desc()).limit(limit):
        items.append(TimelineItem(dt(f.at), "followup", names.get(f.user_id, "?"), followup_text(f),
                                  {"method": f.method, "reached": f.reached, "sentiment": f.sentiment}))
    items += _stays(ctx, lead, names, entries)
    items += _tasks(ctx, lead, names, entries, limit, ids)
    numbers = settings_for_owner(ctx, lead.owner_id)  # a team's own rule numbers over the global ones
    for c in [c for c in entries if c.entity == "lead"][:limit]:
        if c.action in SHOWN_ELSEWHERE:
            continue
        diff = json.loads(c.diff or "{}")
        if masked:  # the item's data too: a screen may read it
            diff = {k: ([mask_contact(k, x) for x in v] if isinstance(v, list) else mask_contact(k, v))
                    for k, v in diff.items()}
        items.append(TimelineItem(dt(c.at), "change" if c.action == "update" else c.action,
                                  names.get(c.user_id, "?"), change_text(ctx, c.action, diff, people, masked, numbers),
                                  diff))
    items.sort(key=lambda i: i.at, reverse=True)
    items = items[:limit]
    for i in items:  # text stored before inputs were cleaned carries no escape sequence to a terminal
        i.text, i.user = printable(i.text), printable(i.user)
    return items


SHOWN_ELSEWHERE = {"move", "log", "won", "lost"}  # told by the stage history and the follow-ups


def _stays(ctx: Session, lead, names: dict, entries: list) -> list[TimelineItem]:
    """One item per stage entered or outcome reached; the stay reason given on leaving a stage is told
    with the stage entered next; an outcome with its amount and product, or its lost reason."""
    stays = StageHistory.select().where(StageHistory.lead == lead.id).order_by(StageHistory.entered_at,
                                                                               StageHistory.id)
    outcomes = {k: [json.loads(c.diff or "{}") for c in reversed(entries) if c.entity == "lead" and c.action == k]
                for k in ("won", "lost")}
    seen = {"won": 0, "lost": 0}
    items, before = [], None
    for h in stays:
        if h.stage in ("won", "lost"):
            k = seen[h.stage]
            seen[h.stage] += 1
            # the won/lost entry of this outcome, in order; none (an import): the lead's own values if current
            diff = outcomes[h.stage][k] if k < len(outcomes[h.stage]) else (None if lead.status == h.stage else {})
            kind, text = "outcome", outcome_text(ctx, h.stage, diff, lead)
        else:
            kind, text = "stage", _("entered stage {stage}", stage=ctx.stage_label(h.stage))
        if before is not None and before.reason:
            text += " · " + _("stay reason in {stage}: {reason}", stage=ctx.stage_label(before.stage),
                               reason=before.reason)
        items.append(TimelineItem(dt(h.entered_at), kind, names.get(h.user_id, "?"), text, {"stage": h.stage}))
        before = h
    return items


def _tasks(ctx: Session, lead, names: dict, entries: list, limit: int, ids: dict[str, int]
           ) -> list[TimelineItem]:
    """Each task planned and done (or shelved) by whoever did it then, and each snooze."""
    authors: dict[int, dict] = {}
    snoozes = []
    first_due: dict[int, object] = {}  # the due a task was planned with (a snooze's old value, the create's new)
    for c in reversed(entries):  # oldest first
        if c.entity != "task" or c.entity_id is None:
            continue
        if c.action in ("snooze", "reschedule"):
            snoozes.append(c)
        else:
            authors.setdefault(c.entity_id, {}).setdefault(c.action, c.user_id)
        if c.action in ("create", "snooze", "reschedule") and c.entity_id not in first_due:
            due = (json.loads(c.diff or "{}").get("due_at") or [None, None])[:2]
            first_due[c.entity_id] = due[1] if c.action == "create" else due[0]
    planners = _planners(lead, entries, ids)
    items, whats = [], {}
    from ...store.models import TaskLead

    linked = TaskLead.select(TaskLead.task).where(TaskLead.lead == lead.id)  # a task on several leads, this one too
    for t in Task.select().where((Task.lead == lead.id) | Task.id.in_(linked)).order_by(
            Task.created_at.desc()).limit(limit):
        kind, title = task_parts(t)
        whats[t.id] = what = kind if title is None else f"{kind} · {title}"
        by = authors.get(t.id, {})
        planner = by["create"] if "create" in by else planners(t)
        due = shown(ctx, "due_at", first_due[t.id]) if first_due.get(t.id) else _local(ctx, t.due_at)
        items.append(TimelineItem(dt(t.created_at), "task", names.get(planner, "?"),
                                  _("task planned: {what}, due {due}", what=what, due=due), {"task": t.id}))
        if t.done_at:
            text = (_("task shelved: {what}", what=what) if t.status == "shelved"
                    else _("task done: {what}", what=what)) + (f" — {t.result}" if t.result else "")
            if t.sentiment_after:  # seed 004: the customer's sentiment change (中性→积极)
                text += " · " + "→".join(label(SENTIMENTS, s) for s in (t.sentiment_before, t.sentiment_after) if s)
            doer = by.get(t.status, by.get("done", t.owner_id))
            items.append(TimelineItem(dt(t.done_at), "task", names.get(doer, "?"), text, {"task": t.id}))
    for c in snoozes:
        if c.entity_id not in whats:
            continue
        old, new = (json.loads(c.diff or "{}").get("due_at") or [None, None])[:2]
        text = (_("task snoozed: {what}, {old} → {new}", what=whats[c.entity_id], old=shown(ctx, "due_at", old),
                  new=shown(ctx, "due_at", new)) if c.action == "snooze" else
                _("task moved to the new priority's deadline: {what}, {old} → {new}", what=whats[c.entity_id],
                  old=shown(ctx, "due_at", old), new=shown(ctx, "due_at", new)))
        items.append(TimelineItem(dt(c.at), "task", names.get(c.user_id, "?"), text, {"task": c.entity_id}))
    return items


def _local(ctx: Session, stamp: int) -> str:
    return dt(stamp).astimezone(ctx.tz).strftime("%Y-%m-%d %H:%M")


def contacts_in_full(ctx: Session, lead) -> bool:
    """Whether the actor sees this lead's phone, email and other contact unmasked."""
    team = User.select(User.team).where(User.id == lead.owner_id).scalar()
    return bool(scope.full_contact_ids(ctx.actor, [(lead.id, lead.owner_id, team)]))


# ------------------------------------------------------------------ notifications


def _planners(lead, entries: list, users: dict[str, int]):
    """Who planned a task that has no entry of its own (the tasks an import, the demo or a batch move wrote in
    bulk), as a function of the task: the one who imported the lead, for a task its import made; else the task's
    first owner, the one a handover or reassign moved it from (it fell back to the current owner, so a handover
    rewrote who had planned it)."""
    from ...store.models import ImportBatch

    batch = ImportBatch.get_or_none(ImportBatch.id == lead.batch_id) if lead.batch_id else None
    first: dict[int, int] = {}  # task id -> the owner it was moved from first
    for c in reversed(entries):  # oldest first
        if c.action not in ("handover", "reassign"):
            continue
        diff = json.loads(c.diff or "{}")
        old = users.get((diff.get("owner") or [None])[0])
        moved = [c.entity_id] if c.entity == "task" else [int(x) for x in str(diff.get("tasks") or "").split(", ") if x]
        for tid in moved:
            first.setdefault(tid, old)

    def planner(t) -> int | None:
        if batch is not None and batch.started_at <= t.created_at <= (batch.finished_at or t.created_at):
            return batch.user_id
        return first.get(t.id) or t.owner_id
    return planner

