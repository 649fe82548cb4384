"""The queue's columns: call-ready at 140 columns (due, priority, code, company, contact, phone, stage, task,
the last call), the most important at 80 (due, code, contact, phone, task). When the columns do not fit,
the least important give way first (the last call, the company, the task's title, the contact); the code,
the phone and the task's kind are never cut."""
from __future__ import annotations

from rich.text import Text

from ..domain.text import cell_width
from ..domain.vocab import PRIORITIES, TASK_KINDS
from ..i18n import _, label
from ..services.activity.task_text import task_text
from ..wording import stage_label, task_due_text

WIDE = ("due", "priority", "code", "company", "contact", "phone", "stage", "task", "last")
NARROW = ("due", "code", "contact", "phone", "task")
WIDE_FROM = 120  # columns of the terminal
GIVE_WAY = ("last", "company", "task", "contact")  # shrunk in this order, each down to its minimum (the task to its kind)
PAD = 2  # a DataTable cell's padding


def headers() -> dict[str, str]:
    return {"due": _("due"), "priority": _("priority"), "code": _("code"), "company": _("company"),
            "contact": _("contact"), "phone": _("phone"), "stage": _("stage"), "task": _("task"),
            "last": _("last call")}


def layout(width: int) -> tuple[str, ...]:
    return WIDE if width >= WIDE_FROM else NARROW


def cells(ctx, t, info, keys: tuple[str, ...]) -> list[Text]:
    """One row; every cell a Text (a str cell of a DataTable is read as markup, and a company is user text)."""
    style = "bold red" if t.overdue else ("yellow" if t.due_today else "")
    contact = (info.contact_name if info else "") or ""
    if info and info.suggest_lost:
        contact = "⚠ " + contact
    values = {
        "due": Text(task_due_text(ctx, t), style=style), "priority": Text(label(PRIORITIES, t.priority)),
        "code": Text(t.lead_code or ""), "company": Text(t.company or ""), "contact": Text(contact),
        "phone": Text(info.reach if info else ""), "stage": Text(stage_label(ctx, info.stage) if info else ""),
        "task": Text(task_text(t)), "last": Text(((info.last_call or "") if info else "").replace("\n", " ")),
    }
    return [values[k] for k in keys]


def widths(keys: tuple[str, ...], rows: list[list[Text]], width: int) -> list[int]:
    """Each column's width: its widest cell, the give-way columns shrunk until the row fits ``width``."""
    head = headers()
    natural = [max([cell_width(head[k])] + [cell_width(r[i].plain) for r in rows]) for i, k in enumerate(keys)]
    kind_width = max(cell_width(label(TASK_KINDS, k)) for k in TASK_KINDS)
    floor = {"last": cell_width(head["last"]), "company": 8, "contact": 6, "task": max(kind_width, 4)}
    out = list(natural)
    room = width - 2 - PAD * len(keys)  # the scrollbar's two cells
    for k in GIVE_WAY:
        if k not in keys:
            continue
        over = sum(out) - room
        if over <= 0:
            break
        i = keys.index(k)
        out[i] = max(min(out[i], floor[k]), out[i] - over)
    return out
