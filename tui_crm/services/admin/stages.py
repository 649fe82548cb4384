"""The team's configuration: the ordered open stages and the rule settings."""
from __future__ import annotations

import json

from ...domain import limits
from ...domain.rules import Settings
from ...domain.vocab import STAGE_LABELS, resolve
from ...i18n import _
from ...store.models import Lead, Meta, Stage
from .. import changes, scope
from ..context import Session
from ..errors import ValidationError, refuse_too_long


def set_stages(ctx: Session, specs: list[str]) -> None:
    """Replace the ordered list of open stages from NAME:PERCENT items; ``OLD=NEW:PERCENT`` renames the stage OLD
    (its leads, history and cadence stay with it): its name in the actor's language, both names where they were
    one (a stage the team made)."""
    from ...i18n import get_lang

    scope.require_admin(ctx.actor)
    parsed = []
    for spec in specs:
        name, sep, pct = spec.rpartition(":")
        if not sep or not name.strip():
            raise ValidationError(_("a stage is NAME:PERCENT, not {value}", value=spec))
        try:
            prob = int(float(pct.strip().rstrip("%")))
        except ValueError:
            raise ValidationError(_("a stage is NAME:PERCENT, not {value}", value=spec)) from None
        if not 0 <= prob <= 100:
            raise ValidationError(_("a probability is between 0 and 100: {value}", value=spec))
        old, eq, new = name.partition("=")
        old, new = old.strip(), new.strip() if eq else None
        if eq and not (old and new):
            raise ValidationError(_("a rename is OLD=NEW:PERCENT, not {value}", value=spec))
        refuse_too_long({"name": new or old}, limits.STAGE)
        parsed.append((old, new, prob))
    if not parsed:
        raise ValidationError(_("give at least one stage"))
    keys = []
    existing = {s.key: s for s in Stage.select()}
    labels = {k: (s.label_en, s.label_zh) for k, s in existing.items()}
    labels.update({k: v for k, v in STAGE_LABELS.items() if k not in labels})
    outcomes = {"won": ("won", "成交"), "lost": ("lost", "已流失")}
    renamed: dict[str, list[str]] = {}
    for name, new, prob in parsed:
        for n in filter(None, (name, new)):
            if n.lower() in ("won", "lost") or resolve("status", n, outcomes):
                raise ValidationError(_("won and lost are outcomes, not stages"))
        key = resolve("stage", name, labels) or (None if new else name)
        if key is None or (new and key not in existing):
            raise ValidationError(_("no stage {name} to rename", name=name))
        if new:
            clash = resolve("stage", new, labels)
            if clash and clash != key:
                raise ValidationError(_("a stage is called {name} already", name=new))
            renamed[key] = [name, new]
        if key in keys:
            raise ValidationError(_("stage {name} is given twice", name=name))
        keys.append(key)
    with ctx.db.atomic():
        in_use = {r.stage for r in Lead.select(Lead.stage).where(Lead.stage.not_in(keys)
                                                                  & Lead.status.not_in(("won", "lost"))).distinct()}
        if in_use:
            raise ValidationError(_("stages still hold open leads: {names}; move them first",
                                    names=", ".join(sorted(in_use))))
        Stage.update(active=False, position=Stage.position + 1000).execute()
        for pos, ((name, new, prob), key) in enumerate(zip(parsed, keys)):
            if key in existing:
                Stage.update(position=pos, probability=prob, active=True).where(Stage.key == key).execute()
            else:
                Stage.insert(key=key, label_en=name, label_zh=name, position=pos, probability=prob).execute()
            if new:
                st = existing[key]
                both = st.label_en == st.label_zh
                names = {"label_en": new, "label_zh": new} if both else \
                    {"label_zh" if get_lang() == "zh" else "label_en": new}
                Stage.update(**names).where(Stage.key == key).execute()
        diff = {"stages": [None, [f"{k}:{p}" for k, (_n, _new, p) in zip(keys, parsed)]]}
        if renamed:
            diff["renamed"] = renamed
        changes.record(ctx, "stage", None, "set", diff)
    ctx.reload_config()


def get_settings(ctx: Session) -> Settings:
    return ctx.settings


def save_settings(ctx: Session, settings: Settings) -> None:
    scope.require_admin(ctx.actor)
    old, new = ctx.settings.to_dict(), settings.to_dict()
    diff = {k: [old.get(k), v] for k, v in new.items() if old.get(k) != v}  # the audit names what changed
    with ctx.db.atomic():
        Meta.insert(key="settings", value=json.dumps(new)).on_conflict(
            conflict_target=[Meta.key], update={Meta.value: json.dumps(new)}).execute()
        changes.record(ctx, "settings", None, "update", diff)
    ctx.reload_config()


# ------------------------------------------------------------------ database
