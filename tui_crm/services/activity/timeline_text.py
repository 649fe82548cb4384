"""How each entry of a lead's timeline reads, in the reader's language: a follow-up, a stay, an outcome, a
task and every kind of change entry, in words (never ``reassign: owner: 6`` or ``wake_up_at: 1798761600``)."""
from __future__ import annotations

from ...domain.contact import CONTACT_FIELDS, mask_contact
from ...domain.parse import format_amount
from ...domain.vocab import FIELD_TITLES, METHODS, PRIORITIES, SENTIMENTS, STATUSES
from ...i18n import _, label
from ..records import dt

# what an item's kind is called (the JSON keeps the key)
KIND_NAMES = {"followup": "follow-up", "stage": "stage", "change": "change", "outcome": "outcome",
              "create": "created", "reveal": "revealed", "reassign": "reassigned", "escalate": "escalated",
              "task": "task", "handover": "handed over", "share": "shared", "dormant": "dormant",
              "paused": "paused", "reopen": "reopened", "tag": "tags", "assign": "assigned",
              "unshare": "unshared", "undo": "undone"}


def kind_label(kind: str) -> str:
    """The kind of a timeline item in words (``followup`` -> follow-up / 跟进)."""
    return _(KIND_NAMES[kind]) if kind in KIND_NAMES else _("change")


def local(ctx, stamp) -> str:
    """An epoch time (or an aware datetime, or an ISO text) in the reader's zone, to the minute."""
    if isinstance(stamp, str):
        from datetime import datetime

        try:
            stamp = datetime.fromisoformat(stamp)
        except ValueError:
            return stamp
    value = dt(stamp) if isinstance(stamp, (int, float)) else stamp
    return value.astimezone(ctx.tz).strftime("%Y-%m-%d %H:%M")


def shown(ctx, field: str, value, masked: bool = False) -> str:
    """A changed field's old or new value as the screens show it: money, times, labels; a contact masked."""
    if value in (None, ""):
        return "–"
    if masked and field in CONTACT_FIELDS:
        return mask_contact(field, str(value))
    if field.endswith("_cents") and isinstance(value, int):
        return format_amount(value)
    if field.endswith("_at") and isinstance(value, (int, float, str)):
        return local(ctx, value)
    if field == "status":
        return label(STATUSES, value)
    if field == "priority":
        return label(PRIORITIES, value)
    if field == "stage":
        return ctx.stage_label(value)
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return str(value)


def followup_text(f) -> str:
    """``[phone] (not reached) summary customer: “…” reading: … sentiment: … objection: … → … next: …``."""
    parts = [f"[{label(METHODS, f.method)}]", f.summary]
    if not f.reached:
        parts.insert(1, _("(not reached)"))
    if f.customer_words:
        parts.append(_("customer: “{words}”", words=f.customer_words))
    if f.reading:
        parts.append(_("reading: {text}", text=f.reading))
    if f.sentiment:
        parts.append(_("sentiment: {value}", value=label(SENTIMENTS, f.sentiment)))
    if f.objection:
        parts.append(_("objection: {text}", text=f.objection) + (f" → {f.handling}" if f.handling else ""))
    elif f.handling:
        parts.append(_("handled by: {text}", text=f.handling))
    if f.next_action:
        parts.append(_("next: {text}", text=f.next_action))
    return " ".join(parts)


def field_changes(ctx, diff: dict, masked: bool) -> str:
    """``expected amount: – → 80,000.00; priority: high → low`` (fields by their titles)."""
    return _("; ").join(_("{field}: {old} → {new}", field=_(FIELD_TITLES.get(k, k)),
                          old=shown(ctx, k, v[0], masked), new=shown(ctx, k, v[1], masked))
                        for k, v in diff.items() if isinstance(v, list) and len(v) == 2 and v[0] != v[1])


def _new(diff: dict, key: str):
    v = diff.get(key)
    return v[1] if isinstance(v, list) and len(v) == 2 else v


def change_text(ctx, action: str, diff: dict, people: dict[str, str], masked: bool, settings=None) -> str:
    """A change entry of the lead in words; ``people`` names users by login; ``settings``: the lead's rule
    numbers (its team's own over the global ones), for an entry that does not keep the number it applied."""
    def who(login):
        return people.get(login, login or "–")

    if action == "update":
        return field_changes(ctx, diff, masked) or _("record saved")
    if action == "create":
        return _("lead created")
    if action == "reveal":
        return _("contact revealed")
    if action in ("reassign", "handover"):
        old, new = (diff.get("owner") or [None, None])[:2]
        text = (_("reassigned from {old} to {new}", old=who(old), new=who(new)) if action == "reassign"
                else _("handed over from {old} to {new}", old=who(old), new=who(new)))
        moved = [t for t in str(diff.get("tasks") or "").split(",") if t.strip()]
        if moved:
            text += " · " + _("{n} open tasks went with it", n=len(moved))
        return text
    if action == "tag":
        old, new = (diff.get("tags") or [None, None])[:2]
        text = _("tags: {old} → {new}", old=old or "–", new=new or "–")
        return text + " · " + _("by an auto-tag rule") if diff.get("via") == "rule" else text
    if action == "assign":  # "assigned by rule 3 (华东 → North, round-robin)"
        target = diff.get("team") or who(_new(diff, "owner"))
        if diff.get("mode"):
            target = f"{target}, {_(diff['mode'])}"
        return _("assigned by rule {n} ({match} → {target})", n=diff.get("rule"), match=diff.get("match") or "*",
                 target=target)
    if action == "unshare":
        old = (diff.get("collaborator") or [None])[0]
        return _("no longer shared with {name}", name=who(old))
    if action == "share":
        return _("shared with {name}", name=who(_new(diff, "collaborator")))
    if action == "dormant":
        wake = _new(diff, "wake_up_at")
        return _("made dormant, to wake up on {date}", date=shown(ctx, "wake_up_at", wake)) if wake \
            else _("made dormant")
    if action == "paused":
        reason = _new(diff, "pause_reason")
        return _("paused: {reason}", reason=reason) if reason else _("paused")
    if action == "reopen":
        return _("reopened: {status}", status=shown(ctx, "status", _new(diff, "status")))
    if action == "escalate":
        days = diff.get("days")  # kept since the team's own days were; before that, the lead's team's now
        return _("escalated to the supervisor: not contacted {days} days after assignment",
                 days=days if isinstance(days, int) else (settings or ctx.settings).escalate_after_days)
    if action == "task":  # one task for the marked leads (a batch): "task: 46 → –" before
        return _("one task for the marked leads: {title} (task {id})", title=diff.get("title") or "–",
                 id=_new(diff, "task") or "–")
    if action == "undo" and "task" in diff:
        return _("the marked leads' task {id} taken back", id=(diff.get("task") or [None])[0] or "–")
    rest = field_changes(ctx, diff, masked)
    return _(KIND_NAMES.get(action, action)) + (f": {rest}" if rest else "")


def outcome_text(ctx, stage: str, diff: dict, lead) -> str:
    """``outcome: won · amount won: 80,000.00 · product: servers`` (``diff``: the won/lost entry's, else the
    lead's own values when this is its current outcome)."""
    parts = [_("outcome: {stage}", stage=label(STATUSES, stage))]
    if stage == "won":
        amount = _new(diff, "won_amount_cents") if diff else lead.won_amount_cents
        product = _new(diff, "product") if diff else lead.product
        if amount is not None:
            parts.append(_("amount won: {amount}", amount=format_amount(amount)))
        if product:
            parts.append(_("product: {product}", product=product))
    else:
        reason = _new(diff, "lost_reason") if diff else lead.lost_reason
        if reason:
            parts.append(_("lost reason: {reason}", reason=reason))
    return " · ".join(parts)
