"""How a task reads in a line (the queue's task column, the detail's task list, the timeline)."""
from __future__ import annotations

from functools import cache

from ...domain.vocab import TASK_KINDS
from ...i18n import _, catalog, label

# titles the rules give their tasks (stored in the language of whoever created them): the kind says it all
RULE_TITLES = ("First contact", "Follow up", "Complete the record", "Wake up")


def _norm(title: str) -> str:
    return "".join(title.lower().replace("-", " ").split())


@cache
def _generic_titles() -> frozenset[str]:
    zh = catalog("zh")
    names = {n for pair in TASK_KINDS.values() for n in pair} | set(RULE_TITLES) | {zh.get(t, t) for t in RULE_TITLES}
    return frozenset(_norm(n) for n in names)


def task_parts(t) -> tuple[str, str | None]:
    """The kind's label, and the title when it says more than the kind (a rule's own title does not)."""
    kind = label(TASK_KINDS, t.kind)
    title = _((t.title or "").strip())  # a rule's title is stored in English (N_): the reader's language
    if not title or _norm(title) in _generic_titles():
        return kind, None
    return kind, title


def task_text(t) -> str:
    """The task column: the kind, and the title when it says more than the kind."""
    kind, title = task_parts(t)
    return kind if title is None else _("{kind}: {title}", kind=kind, title=title)
