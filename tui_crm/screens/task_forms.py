"""The queue's ``c``: a task done asks, like a logged call, for its result and the lead's next follow-up
(pre-filled from the cadence when the lead has no other open task), so a lead never loses its next step
silently; the queue offers undo after it (``u``)."""
from __future__ import annotations

from ..domain import limits, rules
from ..i18n import _
from ..services.activity import tasks
from .form_base import Field, FormScreen, read_when, when_text


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
