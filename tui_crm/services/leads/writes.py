"""Changing leads: create, edit, move, outcomes, reassign, reveal (sharing and handover: ``people``).

Every function is one transaction that also writes its change-log entries.
Edits use the version column: a write against a stale version is refused
with a message naming who changed the lead.
"""
from __future__ import annotations

from datetime import datetime

from ...domain import rules
from ...domain.spell import spelling
from ...domain.text import clean, clean_values
from ...domain.vocab import PRIORITIES, resolve
from ...i18n import N_, _
from ...store.models import Change, Lead, StageHistory, User
from ...store.search import derived, reversed_digits
from .. import changes, scope
from ..activity import tasks
from ..context import Session, settings_for_owner
from ..scope import can_assign, resolve_user
from .duplicates import answers_spent, exact_duplicates, similar_leads, split_by_scope, unseen_reason
from .lookups import clean_contact, next_code, resolve_source, resolve_stage
from .people import drop_own_shares, may_reassign, owners_diff
from ...domain import limits
from ..errors import StaleRecord, ValidationError, refuse_too_long
from ..records import LeadView, dt, ts


EDITABLE = ("company", "contact_name", "title", "phone", "email", "other_contact", "source", "industry",
            "company_size", "region", "first_contact_at", "need", "pain_points", "budget", "decision_maker",
            "obstacle", "priority", "follow_up_days", "amount_cents", "probability", "expected_close_date",
            "stay_reason", "remarks", "next_action", "escalation_note")


# ------------------------------------------------------------------ helpers
def _locked_update(ctx: Session, lead: Lead, version: int | None, values: dict) -> None:
    """UPDATE ... WHERE id AND version; refuse a stale write naming who changed it."""
    values = dict(values)
    values["updated_at"] = ts(ctx.now())
    values["version"] = Lead.version + 1
    expected = lead.version if version is None else version
    n = Lead.update(**values).where((Lead.id == lead.id) & (Lead.version == expected)).execute()
    if n == 0:
        raise stale_error(lead.id)


def stale_error(lead_id: int) -> StaleRecord:
    last = (Change.select().where((Change.lead_id == lead_id)).order_by(Change.id.desc()).first())
    who = "?"
    fields = ""
    if last is not None:
        user = User.get_or_none(User.id == last.user_id)
        who = user.name if user else "?"
        import json

        fields = ", ".join(json.loads(last.diff or "{}").keys())
    return StaleRecord(_("{who} changed this lead meanwhile ({fields}); reloaded, nothing was overwritten",
                         who=who, fields=fields or last.action if last else ""))


def add_lead(ctx: Session, values: dict, *, allow_duplicate: bool = False) -> LeadView:
    """Create a lead from user input (keys as Lead fields; owner as a login)."""
    values = clean_values({k: v for k, v in values.items() if v not in (None, "")})
    refuse_too_long(values)
    if not (values.get("company") or values.get("contact_name")):
        raise ValidationError(_("a company or a contact name is required"), {"company": _("required")})
    values.setdefault("company", "")
    values.setdefault("contact_name", "")
    values.setdefault("need", "")
    clean_contact(ctx, values)
    values["source"] = resolve_source(ctx, values.get("source") or "other", create=True)
    prio = resolve("priority", values.get("priority") or "medium", PRIORITIES)
    if not prio:
        raise ValidationError(_("unknown priority: {value}", value=values["priority"]))
    values["priority"] = prio
    manual_tags = values.pop("tags", None)
    owner = resolve_user(values.pop("owner")) if values.get("owner") else None  # None: by the rules
    if owner is not None:
        can_assign(ctx, owner)
    try:
        return _add(ctx, values, owner, prio, allow_duplicate, manual_tags)
    except _Unseen as hit:  # told, and audited, in a transaction of its own (the add's is rolled back)
        key = "phone" if hit.by_phone else "email"
        if hit.lead_id is not False:
            with ctx.db.atomic():
                changes.audit_unseen_duplicate(ctx, key, hit.lead_id, "add")
            raise ValidationError(unseen_reason(hit.by_phone), {key: unseen_reason(hit.by_phone)}) from None
        raise ValidationError(answers_spent(), {key: answers_spent()}) from None


class _Unseen(Exception):
    """The lead to add has the phone or email of a lead beyond the actor's scope (``lead_id`` False: the
    actor has had all the answers about such leads this hour, and is told so whether or not one exists)."""

    def __init__(self, by_phone: bool, lead_id):
        super().__init__()
        self.by_phone, self.lead_id = by_phone, lead_id


def _add(ctx: Session, values: dict, owner: User | None, prio: str, allow_duplicate: bool,
         manual_tags=None) -> LeadView:
    from . import assign
    from ..context import settings_for_owner
    from .queries import get, views_for

    now = ctx.now()
    with ctx.db.atomic():
        choice = assign.Assigner(ctx).choose(values) if owner is None else None
        owner = owner or User.get_by_id(choice.user_id if choice else ctx.actor.id)
        dups = exact_duplicates(ctx, values.get("phone"), values.get("email"))
        seen, unseen = split_by_scope(ctx, dups) if dups and not allow_duplicate else ([], [])
        if seen:
            raise ValidationError(_("duplicate of lead {code} (same phone or email)", code=seen[0].code),
                                  {"phone": _("duplicate of {code}", code=seen[0].code)})
        if not allow_duplicate and (values.get("phone") or values.get("email")) \
                and changes.unseen_answers_left(ctx) == 0:
            raise _Unseen(bool(values.get("phone")), False)
        if unseen:
            by_phone = bool(values.get("phone")) and any(d.phone == values["phone"] for d in unseen)
            raise _Unseen(by_phone, unseen[0].id)
        stage = values.pop("stage", None) or ctx.stage_keys[0]
        row = {k: values[k] for k in EDITABLE if k in values}
        give = choice is not None and assign.beyond_reach(ctx, owner)  # PostgreSQL, the creator's own role
        row.update(
            code=values.get("code") or next_code(ctx, values["source"], now),
            owner=ctx.actor.id if give else owner.id, stage=stage,
            status="pending", stage_entered_at=ts(now), created_at=ts(now), updated_at=ts(now),
            assigned_at=ts(now), created_by=ctx.actor.id, phone_rev=reversed_digits(values.get("phone")),
            pinyin=spelling(values["company"], values.get("contact_name")),
            dup_suspected=bool(similar_leads(ctx, values["company"], values["contact_name"])),
        )
        missing = rules.missing_required({**row, "owner": owner.id})
        row["incomplete"] = ",".join(missing)
        lead_id = Lead.insert(**row).execute()
        StageHistory.insert(lead=lead_id, stage=stage, entered_at=ts(now), user=ctx.actor.id).execute()
        changes.record(ctx, "lead", lead_id, "create", {"code": [None, row["code"]], "company": [None, row["company"]]},
                       lead_id=lead_id)
        if choice:
            assign.record(ctx, [(lead_id, choice)])
        due = rules.first_contact_due(now, prio, settings_for_owner(ctx, owner.id))
        tasks.create_task(ctx, lead_id, owner.id, "first_contact", N_("First contact"), due, prio)
        if missing:
            tasks.create_task(ctx, lead_id, owner.id, "complete_record", N_("Complete the record"),
                              rules.complete_record_due(now, ctx.settings), prio)
        from .tags import apply_auto_tags

        apply_auto_tags(ctx, {lead_id: row})
        if manual_tags:
            from .tags import change_tags

            change_tags(ctx, [lead_id], manual_tags)
        if owner.id != ctx.actor.id:
            from ..activity.inbox import notify

            notify(ctx, owner.id, "assignment", N_("New lead assigned: {code} {company}"),
                   {"code": row["code"], "company": row["company"]}, lead_id)
        if choice is None:
            seen = None
        else:  # the rules may have given it to someone the creator does not see: read it while they still do
            seen = Lead.select().where(Lead.id == lead_id).dicts().get()
            seen["owner"] = owner.id
            if give:
                assign.give(ctx, lead_id, owner.id)
    return get(ctx, lead_id) if seen is None else views_for(ctx, [seen])[0]


# ------------------------------------------------------------------ edit
def update_lead(ctx: Session, code: str | int, changes_in: dict, version: int | None = None) -> LeadView:
    """Edit fields (user-input values); refuses stale versions."""
    from .queries import get

    changes_in = clean_values(changes_in)
    refuse_too_long(changes_in)
    values = {k: v for k, v in changes_in.items() if k in EDITABLE}
    unknown = set(changes_in) - set(EDITABLE)
    if unknown:
        raise ValidationError(_("cannot edit: {fields}", fields=", ".join(sorted(unknown))))
    with scope.locked_lead(ctx, code) as lead:
        _edit(ctx, lead, values, version)
    return get(ctx, lead.id)


def _edit(ctx: Session, lead: Lead, values: dict, version: int | None) -> None:
    if "phone" in values or "email" in values:
        clean_contact(ctx, values)
    values.update(derived(values, lead))
    if "source" in values and values["source"]:
        values["source"] = resolve_source(ctx, values["source"], create=True, keep=lead.source)
    if "priority" in values:
        values["priority"] = resolve("priority", values["priority"] or "medium", PRIORITIES) or "medium"
    for f in ("company", "contact_name", "need"):
        if f in values and not values[f]:
            raise ValidationError(_("{field} is required", field=f), {f: _("required")})
    diff = {}
    for k, v in values.items():
        old = getattr(lead, k)
        if k in ("phone_rev", "pinyin"):
            continue
        if old != v:
            diff[k] = [old, v]
    if not diff:
        return
    merged = {f: getattr(lead, f) for f in ("company", "contact_name", "source", "need", "phone", "email",
                                            "other_contact", "status", "product", "won_at")}
    merged.update(values)
    merged["owner"] = lead.owner_id
    missing = rules.missing_required(merged)
    values["incomplete"] = ",".join(missing)
    _locked_update(ctx, lead, version, values)
    changes.record(ctx, "lead", lead.id, "update", diff, lead_id=lead.id)
    if "priority" in diff and lead.first_contact_at is None:  # rule 1: the first contact keeps the new SLA
        tasks.reschedule_kind(ctx, lead.id, "first_contact",
                              rules.first_contact_due(dt(lead.assigned_at), values["priority"],
                                                      settings_for_owner(ctx, lead.owner_id)))
    if not missing:
        tasks.close_kind(ctx, lead.id, "complete_record", "done")


# ------------------------------------------------------------------ stages and outcomes
def _enter(ctx: Session, lead: Lead, stage: str, now: datetime, reason: str | None) -> None:
    StageHistory.update(left_at=ts(now), reason=reason).where(
        (StageHistory.lead == lead.id) & StageHistory.left_at.is_null()).execute()
    StageHistory.insert(lead=lead.id, stage=stage, entered_at=ts(now), user=ctx.actor.id).execute()


def _stay_reason_needed(ctx: Session, lead) -> None:
    """Rule 6: a lead that stayed too long in its stage leaves it only with a stay reason."""
    raise ValidationError(_("{code} stayed more than {days} days in its stage: give a stay reason",
                            code=lead.code, days=settings_for_owner(ctx, lead.owner_id).stall_after_days),
                          {"reason": _("required")})


def move_stage(ctx: Session, code: str | int, stage: str, reason: str | None = None,
               version: int | None = None) -> LeadView:
    """Move to an open stage; a stay of more than 7 days needs a reason."""
    from .queries import get

    stage = resolve_stage(ctx, stage)
    reason = clean(reason)
    refuse_too_long({"stay_reason": reason})
    with scope.locked_lead(ctx, code) as lead:
        _move(ctx, lead, stage, reason, version)
    return get(ctx, lead.id)


def _move(ctx: Session, lead: Lead, stage: str, reason: str | None, version: int | None) -> None:
    """The move of a locked lead (nothing when it is in ``stage`` already)."""
    try:
        rules.check_stage_move(lead.status, ctx.stage_keys, lead.stage, stage)
    except rules.RuleError as exc:
        raise ValidationError(_("lead is closed; reopen it before moving its stage")
                              if lead.status in ("won", "lost") else str(exc)) from exc
    if stage == lead.stage:
        return
    now = ctx.now()
    reason = reason or lead.stay_reason
    if rules.overstayed(dt(lead.stage_entered_at), now, settings_for_owner(ctx, lead.owner_id)) and not reason:
        _stay_reason_needed(ctx, lead)
    _locked_update(ctx, lead, version, {"stage": stage, "stage_entered_at": ts(now), "stay_reason": None,
                                        "probability": None, "last_activity_at": ts(now)})
    _enter(ctx, lead, stage, now, reason)
    changes.record(ctx, "lead", lead.id, "move", {"stage": [lead.stage, stage], "reason": reason},
                   lead_id=lead.id)
    due = rules.revisit_due(now, stage, ctx.settings)
    if due:
        tasks.create_task(ctx, lead.id, lead.owner_id, "revisit", N_("Revisit after the proposal"), due,
                          lead.priority)


def step_stage(ctx: Session, code: str | int, step: int, reason: str | None = None,
               version: int | None = None) -> LeadView:
    """One stage on (``step`` 1) or back (-1) from where the lead is when its row is locked."""
    from .queries import get

    reason = clean(reason)
    refuse_too_long({"stay_reason": reason})
    with scope.locked_lead(ctx, code) as lead:
        target = rules.neighbour_stage(ctx.stage_keys, lead.stage, step)
        if target is None:
            raise ValidationError(_("no next stage: mark it won or lost") if step > 0
                                  else _("already in the first stage"))
        _move(ctx, lead, target, reason, version)
    return get(ctx, lead.id)


def set_outcome(ctx: Session, code: str | int, status: str, values: dict, version: int | None = None) -> LeadView:
    """won / lost / dormant / paused / in_progress (reopen or wake), with what each requires."""
    from .queries import get

    with scope.locked_lead(ctx, code) as lead:
        _outcome(ctx, lead, status, values, version)
    return get(ctx, lead.id)


def _outcome(ctx: Session, lead: Lead, status: str, values: dict, version: int | None) -> None:
    now = ctx.now()
    values = clean_values({k: v for k, v in values.items() if v not in (None, "")})
    refuse_too_long(values, limits.OUTCOME)
    if status == "won":
        values.setdefault("won_at", now)
    if status == "lost":
        values.setdefault("lost_at", now)
    missing = rules.check_outcome(status, {**values, "won_amount": values.get("won_amount_cents")})
    if missing:
        raise ValidationError(_("missing: {fields}", fields=", ".join(missing)), {m: _("required") for m in missing})
    try:
        rules.check_status_change(lead.status, status)
    except rules.RuleError as exc:
        raise ValidationError(_("cannot change status from {old} to {new}", old=lead.status, new=status)) from exc
    update: dict = {"status": status, "last_activity_at": ts(now)}
    for k in ("won_amount_cents", "product", "lost_reason", "pause_reason"):
        if k in values:
            update[k] = values[k]
    for k in ("won_at", "lost_at", "wake_up_at"):
        if k in values:
            update[k] = ts(values[k])
    if status == "paused" and "wake_up_at" not in values:
        update["wake_up_at"] = None  # paused until resumed by hand: no resume date of an earlier pause stands
    reason = values.get("reason") or lead.stay_reason
    if status in ("won", "lost"):
        if rules.overstayed(dt(lead.stage_entered_at), now, settings_for_owner(ctx, lead.owner_id)) and not reason \
                and lead.status not in ("won", "lost"):
            _stay_reason_needed(ctx, lead)
    if status == "won" and not update.get("won_amount_cents") and update.get("won_amount_cents") != 0:
        update["won_amount_cents"] = lead.amount_cents
    if status == "in_progress" and lead.status in ("won", "lost"):
        update.update(won_at=None, lost_at=None, won_amount_cents=None, lost_reason=None, product=None)
    _locked_update(ctx, lead, version, update)
    at = values.get("won_at") or values.get("lost_at") or now
    if status in ("won", "lost"):
        _enter(ctx, lead, status, at, reason)
        tasks.close_open(ctx, lead.id, "shelved" if status == "lost" else "done")
        if status == "won":
            due = rules.next_follow_up(at, lead.stage, "won", lead.follow_up_days,
                                       settings_for_owner(ctx, lead.owner_id))
            tasks.create_task(ctx, lead.id, lead.owner_id, "follow_up", N_("Customer care call"), due, lead.priority)
    elif lead.status in ("won", "lost"):  # reopened: back into its last open stage
        _enter(ctx, lead, lead.stage, now, None)
        _locked_update(ctx, Lead.get_by_id(lead.id), None, {"stage_entered_at": ts(now)})
    if lead.status == "dormant" and status != "dormant":  # woken by hand: the wake-up task is done, not next
        tasks.close_kind(ctx, lead.id, "wake_up", "done")
        if status in ("in_progress", "pending") and not tasks.has_open(lead.id):
            tasks.create_task(ctx, lead.id, lead.owner_id, "follow_up", N_("Follow up"),
                              rules.next_follow_up(now, lead.stage, "in_progress", lead.follow_up_days,
                                                   settings_for_owner(ctx, lead.owner_id)),
                              lead.priority)
    if status == "dormant":
        tasks.close_open(ctx, lead.id, "shelved")
        tasks.create_task(ctx, lead.id, lead.owner_id, "wake_up", N_("Wake up"), values["wake_up_at"],
                          lead.priority)
    diff = {"status": [lead.status, status]}
    diff.update({k: [getattr(lead, k, None), v] for k, v in update.items() if k not in ("status", "last_activity_at")})
    changes.record(ctx, "lead", lead.id, status if status in ("won", "lost", "dormant", "paused") else "reopen",
                   diff, lead_id=lead.id)


# ------------------------------------------------------------------ people
def reassign(ctx: Session, code: str | int, login: str, version: int | None = None) -> LeadView:
    from ..activity.inbox import notify
    from .queries import get

    owner = resolve_user(login)
    can_assign(ctx, owner)
    if not owner.active:
        raise ValidationError(_("user {login} is deactivated", login=owner.login))
    now = ctx.now()
    with scope.locked_lead(ctx, code) as lead:
        may_reassign(ctx, lead)
        previous = lead.owner_id
        before = User.get_by_id(previous).login
        _locked_update(ctx, lead, version, {"owner": owner.id, "assigned_at": ts(now)})
        drop_own_shares([lead.id], owner.id)
        moved = tasks.reassign_open(ctx, lead.id, owner.id, previous)
        changes.record(ctx, "lead", lead.id, "reassign", owners_diff(before, owner.login, moved), lead_id=lead.id)
        notify(ctx, owner.id, "assignment", N_("Lead assigned to you: {code} {company}"),
               {"code": lead.code, "company": lead.company}, lead.id)
    return get(ctx, lead.id)


def reveal(ctx: Session, code: str | int) -> LeadView:
    """The lead with its contacts unmasked; audited."""
    from .queries import get

    view = get(ctx, code, reveal=True)
    with ctx.db.atomic():
        changes.record(ctx, "lead", view.id, "reveal", {"via": "detail"}, lead_id=view.id)
    return view
