"""The configurable list of lead sources (PRODUCT §1): list, add, rename, retire or restore, remove, order.

A source is stored on its leads by its key, and the key makes their codes (``EXPO-20241101-001``), so the key
never changes: a rename changes its English and Chinese labels. A source some lead or rule uses is never
removed (that would leave those leads with a source nobody can name or pick): it is retired, which takes it
off the new-lead form's choices and refuses it on new leads while every lead that has it keeps it and shows
it. The order is the list's order everywhere (the form's choices, the filters). Admins only; each change is
one audit entry (entity ``source``), and every open app takes the list up when it sees one."""
from __future__ import annotations

from dataclasses import dataclass

import peewee as pw

from ...domain import limits
from ...domain.tags import split_values
from ...domain.text import clean
from ...domain.vocab import norm_key
from ...i18n import _
from ...store.models import AssignmentRule, AutoTagRule, Lead, Source
from .. import changes, scope
from ..context import Session
from ..errors import NotFound, ValidationError


@dataclass
class SourceView:
    position: int  # 1 = first
    key: str
    en: str
    zh: str
    active: bool
    leads: int | None  # how many leads carry it (admins only; None where not counted)

    def to_json(self) -> dict:
        return {"position": self.position, "key": self.key, "en": self.en, "zh": self.zh, "active": self.active,
                "leads": self.leads}

    def label(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


def _rows() -> list[Source]:
    return list(Source.select().order_by(Source.id))


def _counts() -> dict[str, int]:
    return dict(Lead.select(Lead.source, pw.fn.COUNT(Lead.id)).group_by(Lead.source).tuples())


def list_sources(ctx: Session) -> list[SourceView]:
    """Every source in order, retired ones too; admins also see how many leads carry each."""
    admin = ctx.actor is not None and ctx.actor.is_admin
    counts = _counts() if admin else {}
    return [SourceView(i, s.key, s.label_en, s.label_zh, s.active, counts.get(s.key, 0) if admin else None)
            for i, s in enumerate(_rows(), 1)]


def find(text: str) -> Source:
    """A source by its key, a label (either language) or its place in the list (``3``)."""
    want = norm_key(text or "")
    rows = _rows()
    if want.isdigit() and 1 <= int(want) <= len(rows):
        return rows[int(want) - 1]
    for s in rows:
        if want and want in (norm_key(s.key), norm_key(s.label_en), norm_key(s.label_zh)):
            return s
    raise NotFound(_("unknown source: {value}", value=text))


def _label(text: str | None, field: str) -> str | None:
    text = clean(text or "").strip()
    if not text:
        return None
    if len(text) > limits.LABEL:
        raise ValidationError(_("{field} is at most {n} characters", field=field, n=limits.LABEL), {field: _("too long")})
    return text


def _clash(text: str, but: int | None = None) -> None:
    want = norm_key(text)
    for s in _rows():
        if s.id != but and want in (norm_key(s.key), norm_key(s.label_en), norm_key(s.label_zh)):
            raise ValidationError(_("source {name} exists already", name=s.key), {"name": _("exists already")})


def add_source(ctx: Session, name: str, en: str | None = None, zh: str | None = None) -> SourceView:
    """A new source, last in the list: its key is ``name`` (lower case, spaces as ``-``), its labels ``en`` and
    ``zh`` (else the name). Adding a retired source's name restores it."""
    scope.require_admin(ctx.actor)
    name = _label(name, "name")
    if not name:
        raise ValidationError(_("a source needs a name"), {"name": _("required")})
    try:
        old = find(name)
    except NotFound:
        old = None
    if old is not None and not old.active:
        return set_active(ctx, old.key, True)
    key = "-".join(name.lower().split())
    en, zh = _label(en, "en") or name, _label(zh, "zh") or name
    for text in dict.fromkeys((key, name, en, zh)):
        _clash(text)
    with ctx.db.atomic():
        Source.insert(key=key, label_en=en, label_zh=zh, active=True).execute()
        changes.record(ctx, "source", None, "create", {"source": [None, key], "en": [None, en], "zh": [None, zh]})
    ctx.reload_config()
    return _view(key)


def rename_source(ctx: Session, source: str, en: str | None = None, zh: str | None = None) -> SourceView:
    """New English and/or Chinese labels; the key (on the leads, in their codes) stays."""
    scope.require_admin(ctx.actor)
    s = find(source)
    en, zh = _label(en, "en"), _label(zh, "zh")
    if not (en or zh):
        raise ValidationError(_("give a new name: --en NAME and/or --zh NAME"))
    for text in (t for t in (en, zh) if t):
        _clash(text, but=s.id)
    diff = {k: [old, new] for k, old, new in (("en", s.label_en, en), ("zh", s.label_zh, zh)) if new and new != old}
    if diff:
        with ctx.db.atomic():
            Source.update(label_en=en or s.label_en, label_zh=zh or s.label_zh).where(Source.id == s.id).execute()
            changes.record(ctx, "source", None, "update", {"source": s.key, **diff})
        ctx.reload_config()
    return _view(s.key)


def _uses(key: str) -> tuple[int, int]:
    leads = Lead.select().where(Lead.source == key).count()
    rules = AssignmentRule.select().where(AssignmentRule.source == key).count()
    rules += sum(1 for (text,) in AutoTagRule.select(AutoTagRule.sources).where(AutoTagRule.sources.is_null(False))
                 .tuples() if key in split_values(text))
    return leads, rules


def set_active(ctx: Session, source: str, active: bool) -> SourceView:
    """Retire a source (off the new-lead form, refused on new leads; its leads keep it) or restore it."""
    scope.require_admin(ctx.actor)
    s = find(source)
    if s.active == active:
        return _view(s.key)
    if not active and not Source.select().where(Source.active & (Source.id != s.id)).exists():
        raise ValidationError(_("the last source in use cannot be retired: add another first"))
    with ctx.db.atomic():
        Source.update(active=active).where(Source.id == s.id).execute()
        changes.record(ctx, "source", None, "restore" if active else "retire", {"source": s.key, "active": [s.active, active]})
    ctx.reload_config()
    return _view(s.key)


def remove_source(ctx: Session, source: str) -> str:
    """Remove a source no lead and no rule uses; one that is used is refused in one line (retire it)."""
    scope.require_admin(ctx.actor)
    s = find(source)
    leads, rules = _uses(s.key)
    if leads or rules:
        raise ValidationError(_("source {name} is used by {leads} leads and {rules} rules: retire it instead "
                                "(its leads keep it)", name=s.key, leads=leads, rules=rules))
    if not Source.select().where(Source.active & (Source.id != s.id)).exists():
        raise ValidationError(_("the last source in use cannot be removed: add another first"))
    with ctx.db.atomic():
        Source.delete().where(Source.id == s.id).execute()
        changes.record(ctx, "source", None, "delete", {"source": [s.key, None], "en": [s.label_en, None],
                                                       "zh": [s.label_zh, None]})
    ctx.reload_config()
    return s.key


def move_source(ctx: Session, source: str, position: int) -> list[SourceView]:
    """Put a source at ``position`` (1 = first; past the end: last); the list's order is its rows' order."""
    scope.require_admin(ctx.actor)
    s = find(source)
    with ctx.db.atomic():
        rows = _rows()
        old = next(i for i, r in enumerate(rows) if r.id == s.id)
        new = max(0, min(len(rows) - 1, int(position) - 1))
        if new != old:
            rows.insert(new, rows.pop(old))
            values = [{"key": r.key, "label_en": r.label_en, "label_zh": r.label_zh, "active": r.active} for r in rows]
            Source.delete().execute()  # nothing refers to a source's row: leads and rules hold its key
            Source.insert_many(values).execute()
            changes.record(ctx, "source", None, "move", {"source": s.key, "position": [old + 1, new + 1]})
    ctx.reload_config()
    return list_sources(ctx)


def _view(key: str) -> SourceView:
    rows = _rows()
    i, s = next((i, s) for i, s in enumerate(rows, 1) if s.key == key)
    return SourceView(i, s.key, s.label_en, s.label_zh, s.active, _counts().get(s.key, 0))
