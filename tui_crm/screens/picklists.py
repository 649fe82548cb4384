"""Pick lists of free-text fields: the lost reason is picked from the team's list (PRODUCT §1
``lost_reason``; the defaults while the team has none) by its number or the start of its words, or typed
as any other text."""
from __future__ import annotations

from ..domain.vocab import lost_reason_choices as choices_of, pick_lost_reason
from ..i18n import _, get_lang
from .form_base import Field


def lost_reason_choices(ctx) -> dict[str, tuple[str, str]]:
    """The team's lost reasons (as written, in both languages), else the default ones."""
    return choices_of(getattr(ctx, "lost_reasons", None))


def lost_reason_field(ctx) -> Field:
    choices = lost_reason_choices(ctx)
    zh = get_lang() == "zh"
    hint = " · ".join(f"{i} {pair[1] if zh else pair[0]}" for i, pair in enumerate(choices.values(), 1))
    return Field("lost_reason", _("lost reason"), "", _("{choices}, or any other reason", choices=hint), choices)


def read_lost_reason(ctx, text: str) -> str:
    """A number of the list is its reason; a reason of the list (either language) reads as shown; any other
    text is kept as typed (the command line's ``leads lost --reason`` reads it the same way)."""
    return pick_lost_reason(text, getattr(ctx, "lost_reasons", None), get_lang() == "zh")
