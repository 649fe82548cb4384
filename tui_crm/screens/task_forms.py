"""Task forms: a task added (on a lead), snoozed, done. The queue's ``c``: a task done asks, like a logged
call, for its result and the lead's next follow-up (pre-filled from the cadence when the lead has no other
open task), so a lead never loses its next step silently; the queue offers undo after it (``u``)."""
from __future__ import annotations

from datetime import timedelta

from ..domain import limits, rules
from ..domain.vocab import PRIORITIES, TASK_KINDS
from ..i18n import _, pgettext
from ..services.activity import tasks
from .form_base import Field, FormScreen, choice_hint, read_choice, read_when, when_text


class DoneForm(FormScreen):
    FOCUS = "result"
    LIMITS = {**limits.TASK, "next_action": limits.FOLLOW_UP["next_action"]}  # the next action: the task's title

    def __init__(self, ctx, task, lead, others: int):
        """``lead``: the task's lead (a LeadView) or None; ``others``: the lead's other open tasks."""
        self.the_task, self.lead, self.others = task, lead, others
        super().__init__(ctx)

    def title_text(self) -> str:
        if self.lead is None:
            return _("Task done: {title}", title=_(self.the_task.title))
        return _("Task done: {code} {company}", code=self.lead.code, company=self.lead.company)

    def make_fields(self) -> list[Field]:
        fields = [Field("result", _("result"), "", _("what came of it, in a line"))]
        if self.lead is not None:
            nxt = ""
            if not self.others:  # the lead's only step: the next one is asked for, from the cadence
                status = "in_progress" if self.lead.status == "pending" else self.lead.status
                nxt = when_text(self.ctx, rules.next_follow_up(self.ctx.now(), self.lead.stage, status,
                                                                 self.lead.follow_up_days, self.ctx.settings))
            hint = (_("date and time, +3d, tomorrow") if not self.others
                    else _("optional: the lead has {n} other open tasks", n=self.others))
            fields += [Field("next_at", _("next follow-up"), nxt, hint), Field("next_action", _("next action"), "")]
        return fields

    def check(self, v):
        errors: dict[str, str] = {}
        out = {"result": v["result"], "next_at": None, "next_action": v.get("next_action") or None}
        if not v["result"]:
            errors["result"] = _("required: what came of it")
        if self.lead is not None:
            out["next_at"] = read_when(self.ctx, v["next_at"], errors, "next_at")
            if out["next_at"] is not None and out["next_at"] <= self.ctx.now():
                errors["next_at"] = _("must be later than now")
            elif not v["next_at"] and not self.others and "next_at" not in errors:
                errors["next_at"] = _("required: the lead has no other open task (pause it or mark it lost "
                                      "from the lead instead)")
        return out, errors

    async def save(self, c):
        created = await self.app.write(tasks.finish_task, self.ctx, self.the_task.id, c["result"], c["next_at"],
                                       c["next_action"])
        return {"created": created}


class TaskForm(FormScreen):
    LIMITS = limits.TASK
    TITLE = "Add a task"

    def __init__(self, ctx, lead):
        self.lead = lead
        super().__init__(ctx)

    def make_fields(self):
        due = when_text(self.ctx, self.ctx.now() + timedelta(days=1))
        return [Field("title", pgettext("task", "title"), ""), Field("kind", _("kind"), "other", choice_hint(TASK_KINDS), TASK_KINDS),
                Field("due", _("due"), due), Field("priority", _("priority"), self.lead.priority if self.lead else
                                                   "medium", choice_hint(PRIORITIES), PRIORITIES),
                remind_field(self.ctx)]

    def check(self, v):
        errors: dict[str, str] = {}
        out = dict(v)
        if not v["title"]:
            errors["title"] = _("required")
        out["kind"] = read_choice("task", v["kind"], TASK_KINDS, errors, "kind")
        out["due"] = read_when(self.ctx, v["due"], errors, "due", required=True)
        out["priority"] = read_choice("priority", v["priority"], PRIORITIES, errors, "priority")
        out["remind"] = read_remind(v, errors)
        return out, errors

    async def save(self, c):
        await self.app.write(tasks.add_task, self.ctx, self.lead.id if self.lead else None, c["kind"], c["title"],
                             c["due"], c["priority"], remind=c["remind"])
        return True


def remind_field(ctx) -> Field:
    """Minutes before due that the owner's open app reminds them (seed 004), the team's number to start with."""
    return Field("remind", _("remind, minutes"), str(ctx.settings.reminder_minutes),
                 _("minutes before due, 0 to {n}", n=tasks.REMIND_MAX))


def read_remind(v: dict, errors: dict) -> int | None:
    """Minutes as typed: ``30``, ``30 min``, ``30分钟``, ``三十分钟``, ``1h`` / ``1小时`` (an hour's 60)."""
    import re
    from decimal import Decimal

    from ..domain.numerals import cn_number

    text = (v.get("remind") or "").strip().lower()
    if not text:
        return None
    text = re.sub(r"^半个?小时$", "0.5小时", re.sub(r"个半小时$", ".5小时", text))  # 半小时 30, 一个半小时 90
    m = re.fullmatch(r"(.+?)\s*(分钟|分|minutes?|mins?|m|小时|个小时|hours?|h)?", text)
    n = None
    if m:
        num = m.group(1)
        whole, _dot, frac = num.partition(".")
        n = Decimal(whole) if whole.isdigit() else cn_number(whole)
        if n is not None and frac:
            n = n + Decimal("0." + frac) if frac.isdigit() else None
        if n is not None and m.group(2) in ("小时", "个小时", "hour", "hours", "h"):
            n = n * 60
    if n is None or n != int(n) or not 0 <= n <= tasks.REMIND_MAX:
        errors["remind"] = _("a number of minutes, 0 to {n}", n=tasks.REMIND_MAX)
        return None
    return int(n)


class SnoozeForm(FormScreen):
    LIMITS = limits.TASK
    TITLE = "Snooze the task until"

    def __init__(self, ctx, task):
        self.the_task = task
        super().__init__(ctx)

    def make_fields(self):
        return [Field("due", _("new time"), when_text(self.ctx, self.ctx.now() + timedelta(hours=2)),
                      _("date and time, +2h, tomorrow"))]

    def check(self, v):
        errors: dict[str, str] = {}
        due = read_when(self.ctx, v["due"], errors, "due", required=True)
        if due is not None and due <= self.ctx.now():
            errors["due"] = _("must be later than now")
        return {"due": due}, errors

    async def save(self, c):
        await self.app.write(tasks.snooze_task, self.ctx, self.the_task.id, c["due"])
        return True
