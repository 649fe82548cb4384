"""What a user types, resolved: source and stage names to keys, phone and email normalised, and the next lead code."""
from __future__ import annotations

from datetime import datetime

from ...domain import rules
from ...domain.contact import normalize_email, normalize_phone
from ...domain.errors import InvalidValue
from ...domain.text import clean
from ...domain.vocab import SOURCES, resolve
from ...i18n import _, label
from ...store.models import CodeCounter, Lead, Source
from ..context import Session
from ..errors import ValidationError


def resolve_source(ctx: Session, text: str, create: bool = False, keep: str | None = None) -> str:
    """A source's key for what a user typed (a key or a label); ``create``: a new name is added to the list.
    A retired source is refused (``keep``: a lead's own source stays allowed on it)."""
    labels = dict(SOURCES)
    labels.update(ctx.sources)
    key = resolve("source", text, labels)
    if key and key in ctx.retired_sources and key != keep:
        msg = _("source {name} is retired: pick another", name=label(labels, key))
        raise ValidationError(msg, {"source": msg})
    if key and (key in ctx.sources or not create):
        return key
    if key:  # a default source an admin removed: typed again, it is back in the list
        en, zh = SOURCES[key]
        Source.insert(key=key, label_en=en, label_zh=zh).on_conflict_ignore().execute()
        ctx.sources[key] = (en, zh)
        return key
    if not create:
        raise ValidationError(_("unknown source: {value}", value=text), {"source": _("unknown source")})
    key = clean(text.strip())
    Source.insert(key=key, label_en=key, label_zh=key).on_conflict_ignore().execute()
    ctx.sources[key] = (key, key)
    return key


def resolve_stage(ctx: Session, text: str) -> str:
    from ...domain.vocab import STAGE_LABELS

    labels = {s.key: (s.label_en, s.label_zh) for s in ctx.stages}
    key = resolve("stage", text, labels) or resolve("stage", text, {k: v for k, v in STAGE_LABELS.items()
                                                                    if k in labels})
    if not key:
        raise ValidationError(_("unknown stage: {value}", value=text))
    return key


def clean_contact(ctx: Session, values: dict) -> None:
    """Normalise phone and email in place; ValidationError names the field."""
    errors = {}
    if values.get("phone"):
        try:
            values["phone"] = normalize_phone(values["phone"], ctx.settings.default_region)
        except InvalidValue:
            errors["phone"] = _("not a phone number: {value}", value=values["phone"])
    if values.get("email"):
        try:
            values["email"] = normalize_email(values["email"])
        except InvalidValue:
            errors["email"] = _("not an email address: {value}", value=values["email"])
    if errors:
        raise ValidationError(next(iter(errors.values())), errors)


def next_code(ctx: Session, source: str, when: datetime) -> str:
    pattern = ctx.settings.code_pattern
    local = when.astimezone(ctx.tz)
    prefix = rules.code_prefix(pattern, source, local)
    CodeCounter.insert(prefix=prefix, last=0).on_conflict_ignore().execute()
    while True:
        CodeCounter.update(last=CodeCounter.last + 1).where(CodeCounter.prefix == prefix).execute()
        seq = CodeCounter.get_by_id(prefix).last
        code = rules.lead_code(pattern, source, local, seq)
        if not Lead.select().where(Lead.code == code).exists():
            return code
