"""How an audit entry reads on the audit screen, in the reader's language: what was done to what
(``lead edited``, ``user created``, ``task done``) and its changes and facts with fields by their titles
and values as the screens show them (``stage: 新线索 → 已验证 · via: a search``), never the change log's
own keys (``follow_up``, ``phone``, ``via: search``). The command line's JSON keeps the keys."""
from __future__ import annotations

from ...domain.vocab import METHODS, ROLES, SENTIMENTS, TASK_KINDS, TASK_STATUSES
from ...i18n import _, get_lang, label, pgettext
from ..activity.timeline_text import FIELD_TITLES, shown
from .audit import AuditEntry


def _per_language(build):
    """``build``'s words made once per language, not once per row (an audit page reads hundreds of rows)."""
    made: dict[str, dict[str, str]] = {}

    def words() -> dict[str, str]:
        lang = get_lang()
        if lang not in made:
            made[lang] = build()
        return made[lang]
    return words


@_per_language
def _actions() -> dict[str, str]:
    p = pgettext
    return {
        "create": p("audit", "created"), "update": p("audit", "edited"), "move": p("audit", "moved"),
        "reveal": p("audit", "contact revealed"), "reassign": p("audit", "reassigned"),
        "handover": p("audit", "handed over"), "share": p("audit", "shared"), "escalate": p("audit", "escalated"),
        "wake": p("audit", "woken up"), "log": p("audit", "logged"), "done": p("audit", "done"),
        "open": p("audit", "reopened"), "in_progress": p("audit", "in progress"), "shelved": p("audit", "shelved"),
        "snooze": p("audit", "snoozed"), "undo": p("audit", "undone"), "start": p("audit", "started"),
        "commit": p("audit", "committed"), "failed": p("audit", "failed"), "load": p("audit", "loaded"),
        "sync": p("audit", "synchronised"), "set": p("audit", "set"), "won": p("audit", "won"),
        "lost": p("audit", "lost"), "dormant": p("audit", "made dormant"), "paused": p("audit", "paused"),
        "reopen": p("audit", "reopened"), "restore": p("audit", "restored"), "delete": p("audit", "deleted"),
        "deactivate": p("audit", "deactivated"), "remind": p("audit", "reminded"),
        # team operations (PRODUCT §8)
        "assign": p("audit", "assigned by a rule"), "tag": p("audit", "tags changed"),
        "unshare": p("audit", "no longer shared"), "link": p("audit", "linked to a lead"),
        "remove": p("audit", "removed"), "settings": p("audit", "numbers set"), "retire": p("audit", "retired"),
        # a batch's own entries (entity batch: its action, then done) and its per-lead entries
        "task": p("audit", "given one task"), "untag": p("audit", "tags removed"),
    }


@_per_language
def _entities() -> dict[str, str]:
    p = pgettext
    return {
        "lead": p("audit", "lead"), "followup": p("audit", "follow-up"), "follow_up": p("audit", "follow-up"),
        "task": p("audit", "task"), "import": p("audit", "import"), "demo": p("audit", "demo data"),
        "roles": p("audit", "database roles"), "settings": p("audit", "settings"), "stage": p("audit", "stages"),
        "user": p("audit", "user"), "team": p("audit", "team"), "database": p("audit", "database"),
        "source": p("audit", "source"), "rule": p("audit", "rule"), "tag": p("audit", "tag"),
        "tag_rule": p("audit", "auto-tag rule"), "lost_reason": p("audit", "lost reason"),
        "batch": p("audit", "batch of marked leads"),
    }


@_per_language
def _facts() -> dict[str, str]:
    p = pgettext
    return {"via": p("audit", "via"), "match": p("audit", "matched by"), "in": p("audit", "in"),
            "batch": p("audit", "batch"), "tasks": p("audit", "tasks"), "file": p("audit", "file"),
            "rows": p("audit", "rows"), "leads": p("audit", "leads"), "reason": p("audit", "reason"),
            "by": p("audit", "by"), "count": p("audit", "count"), "result": p("audit", "result"),
            "reps": p("audit", "reps"), "seed": p("audit", "seed"), "prefix": p("audit", "prefix"),
            "days": p("audit", "days"), "done": p("audit", "changed"), "skipped": p("audit", "skipped"),
            "to": p("audit", "to"), "add": p("audit", "tags added"), "remove": p("audit", "tags removed"),
            "at": p("audit", "at"), "task": p("audit", "task"),
            "entered": p("audit", "in the stage since"), "stay": p("audit", "stay reason before"),
            "undo_of": p("audit", "undoing entry"), "action": p("audit", "action"), "tags": p("audit", "tags")}


@_per_language
def _ways() -> dict[str, str]:
    p = pgettext
    return {"detail": p("audit via", "the detail"), "list": p("audit via", "the list"),
            "search": p("audit via", "a search"), "duplicate": p("audit via", "a duplicate check"),
            "export": p("audit via", "an export"), "import": p("audit via", "an import"),
            "dry run": p("audit via", "a dry run"), "add": p("audit via", "a new lead"),
            "form": p("audit via", "the new-lead form"), "database": p("audit via", "the database"),
            "match": p("audit via", "the database's duplicate check"), "phone": _("phone"), "email": _("email"),
            "code": _("code"), "rule": p("audit via", "an auto-tag rule")}


def what(e: AuditEntry) -> str:
    """``edited`` for a lead, ``user created``, ``task done``: the entry's entity and action in words."""
    action = _actions().get(e.action, e.action)
    if e.entity == "lead":
        return action
    return _("{entity} {action}", entity=_entities().get(e.entity, e.entity), action=action)


# fields of follow-ups, tasks and users (a lead's are in FIELD_TITLES), and the vocabularies of their values
OTHER_FIELDS = {"code": "code", "method": "method", "summary": "summary", "kind": "kind", "result": "result",
                "due_at": "due", "title": "task title", "owner": "owner", "login": "login", "name": "name",
                "role": "role", "team": "team", "active": "active", "lang": "language", "tz": "time zone",
                "sentiment": "sentiment", "reached": "call connected", "next_at": "next follow-up",
                "en": "English name", "zh": "Chinese name", "position": "place in the list"}
VALUE_LABELS = {"method": METHODS, "kind": TASK_KINDS, "sentiment": SENTIMENTS, "role": ROLES}


def _field(e: AuditEntry, k: str) -> str:
    facts = _facts()
    if k == "title" and e.action == "task":  # a batch task's title on each lead's entry, not the contact's job title
        return pgettext("audit field", "task title")
    if k in facts:
        return facts[k]
    if k in OTHER_FIELDS and (e.entity != "lead" or k not in FIELD_TITLES):
        return pgettext("audit field", OTHER_FIELDS[k])
    return _(FIELD_TITLES[k]) if k in FIELD_TITLES else k


def _value(ctx, e: AuditEntry, k: str, v) -> str:
    if isinstance(v, str) and k in VALUE_LABELS:
        return label(VALUE_LABELS[k], v)
    if isinstance(v, str) and k == "status" and e.entity == "task":
        return label(TASK_STATUSES, v)
    if isinstance(v, str) and k == "via" and v.startswith("batch "):  # a tag batch's ("batch 32")
        return pgettext("audit via", "the batch of marked leads {id}").format(id=v[6:])
    if isinstance(v, str) and k in ("via", "match", "in"):
        return _ways().get(v, v)
    if isinstance(v, str) and k == "action":  # a batch undone: which action it was
        return _actions().get(v, v)
    return shown(ctx, k, v)


def details(ctx, e: AuditEntry) -> str:
    """Old → new of each changed field (by its title) and the entry's other facts, in a line."""
    parts = [_("{field}: {old} → {new}", field=_field(e, k), old=_value(ctx, e, k, old), new=_value(ctx, e, k, new))
             for k, (old, new) in e.changes.items()]
    parts += [_("{field}: {value}", field=_field(e, k), value=_value(ctx, e, k, v)) for k, v in e.details.items()]
    return _("; ").join(parts)
