"""The lost reasons' pick list (PRODUCT §1 ``lost_reason``): list, add, rename, remove, order.

A lead keeps the words it was lost with (its ``lost_reason`` is text), so nothing done to the list changes a
lead: a removed or renamed reason stays on the leads lost with it, and the list says how many those are.
While a team has no list of its own the forms offer the default reasons; the first change writes those
defaults (in the admin's language) as the list, then changes it. The list keeps one reason at least.
Admins only; each change is one audit entry (entity ``lost_reason``), which every open app takes up."""
from __future__ import annotations

from dataclasses import dataclass

import peewee as pw

from ...domain import limits
from ...domain.text import clean
from ...domain.vocab import LOST_REASONS, norm_key
from ...i18n import _, get_lang
from ...store.models import Lead, LostReason
from .. import changes, scope
from ..context import Session
from ..errors import NotFound, ValidationError


@dataclass
class ReasonView:
    position: int  # 1 = first: the number a form and ``leads lost --reason`` take for it
    reason: str
    leads: int | None  # leads lost with these words (admins only)
    default: bool  # offered because the team has no list of its own yet

    def to_json(self) -> dict:
        return {"position": self.position, "reason": self.reason, "leads": self.leads, "default": self.default}


def _defaults() -> list[str]:
    zh = get_lang() == "zh"
    return [pair[1] if zh else pair[0] for pair in LOST_REASONS.values()]


def _own() -> list[str]:
    return [r.label for r in LostReason.select().order_by(LostReason.id)]


def _counts() -> dict[str, int]:
    return dict(Lead.select(Lead.lost_reason, pw.fn.COUNT(Lead.id)).where(Lead.status == "lost")
                .group_by(Lead.lost_reason).tuples())


def list_reasons(ctx: Session) -> list[ReasonView]:
    """The pick list in order (everyone uses it); admins also see how many leads were lost with each."""
    own = _own()
    admin = ctx.actor is not None and ctx.actor.is_admin
    counts = _counts() if admin else {}
    return [ReasonView(i, text, counts.get(text, 0) if admin else None, not own)
            for i, text in enumerate(own or _defaults(), 1)]


def _index(reasons: list[str], text: str) -> int:
    """A reason by its number in the list or its words (any case and width)."""
    want = norm_key(text or "")
    if want.isdigit() and 1 <= int(want) <= len(reasons):
        return int(want) - 1
    for i, r in enumerate(reasons):
        if want and norm_key(r) == want:
            return i
    if want:
        for pair in LOST_REASONS.values():  # a default's words in the other language
            if want in (norm_key(pair[0]), norm_key(pair[1])):
                for i, r in enumerate(reasons):
                    if r in pair:
                        return i
    raise NotFound(_("no such lost reason: {value}", value=text))


def _words(text: str) -> str:
    text = " ".join(clean(text or "").split())
    if not text:
        raise ValidationError(_("a lost reason needs words"), {"reason": _("required")})
    if len(text) > limits.REASON:
        raise ValidationError(_("a lost reason is at most {n} characters", n=limits.REASON), {"reason": _("too long")})
    if text.isdigit():
        raise ValidationError(_("a lost reason is words, not a number: {value}", value=text))
    return text


def _write(ctx: Session, reasons: list[str], action: str, diff: dict) -> list[ReasonView]:
    """The whole list in its new order (its rows' order is the list's), and the entry."""
    with ctx.db.atomic():
        LostReason.delete().execute()  # nothing refers to a reason's row: leads hold its words
        LostReason.insert_many([{"label": r} for r in reasons]).execute()
        changes.record(ctx, "lost_reason", None, action, diff)
    ctx.reload_config()
    return list_reasons(ctx)


def _start(ctx: Session) -> list[str]:
    scope.require_admin(ctx.actor)
    return _own() or _defaults()


def add_reason(ctx: Session, text: str, position: int | None = None) -> list[ReasonView]:
    """A new reason, last unless ``position`` (1 = first) says where."""
    reasons = _start(ctx)
    text = _words(text)
    if any(norm_key(r) == norm_key(text) for r in reasons):
        raise ValidationError(_("lost reason {reason} is in the list already", reason=text))
    at = len(reasons) if position is None else max(0, min(len(reasons), int(position) - 1))
    reasons.insert(at, text)
    return _write(ctx, reasons, "create", {"reason": [None, text], "position": [None, at + 1]})


def rename_reason(ctx: Session, reason: str, text: str) -> list[ReasonView]:
    """New words for a reason of the list; leads lost with the old words keep them."""
    reasons = _start(ctx)
    i = _index(reasons, reason)
    text = _words(text)
    if any(norm_key(r) == norm_key(text) for j, r in enumerate(reasons) if j != i):
        raise ValidationError(_("lost reason {reason} is in the list already", reason=text))
    old, reasons[i] = reasons[i], text
    return _write(ctx, reasons, "update", {"reason": [old, text]})


def remove_reason(ctx: Session, reason: str) -> tuple[str, int]:
    """Take a reason off the list: (its words, how many leads lost with them keep them)."""
    reasons = _start(ctx)
    i = _index(reasons, reason)
    if len(reasons) == 1:
        raise ValidationError(_("the list keeps one lost reason at least: add another first"))
    gone = reasons.pop(i)
    _write(ctx, reasons, "delete", {"reason": [gone, None]})
    return gone, _counts().get(gone, 0)


def move_reason(ctx: Session, reason: str, position: int) -> list[ReasonView]:
    """Put a reason at ``position`` (1 = first; past the end: last)."""
    reasons = _start(ctx)
    i = _index(reasons, reason)
    at = max(0, min(len(reasons) - 1, int(position) - 1))
    if at == i:
        return list_reasons(ctx)
    reasons.insert(at, reasons.pop(i))
    return _write(ctx, reasons, "move", {"reason": reasons[at], "position": [i + 1, at + 1]})
