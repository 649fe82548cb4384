"""A task's status (未开始 / 进行中 / 已完成 / 已搁置), its result and the customer's sentiment change (中性→积极),
in one form on the tasks screen (``enter`` / ``e``); ``activity.task_list.set_task_status`` writes it."""
from __future__ import annotations

from ..domain import limits
from ..domain.vocab import SENTIMENTS, TASK_STATUSES
from ..i18n import _, get_lang, label, pgettext
from ..services.activity import task_list
from .form_base import Field, FormScreen, choice_hint, read_choice


def sentiment_hint() -> str:
    arrow = "→"
    words = [pair[1] if get_lang() == "zh" else key for key, pair in SENTIMENTS.items()]
    return _("e.g. {a}{arrow}{b} (before→after), or just after", a=words[1] if len(words) > 1 else words[0],
             arrow=arrow, b=words[0])


class TaskStatusForm(FormScreen):
    LIMITS = {**limits.TASK, "sentiment": limits.LINE}
    FOCUS = "status"

    def __init__(self, ctx, task):
        self.the_task = task
        super().__init__(ctx)

    def title_text(self) -> str:
        return _("Task {id}: {title}", id=self.the_task.id, title=_(self.the_task.title))

    def make_fields(self):
        t = self.the_task
        now = ""
        if t.sentiment_before or t.sentiment_after:
            now = f"{label(SENTIMENTS, t.sentiment_before) if t.sentiment_before else ''}→" \
                  f"{label(SENTIMENTS, t.sentiment_after) if t.sentiment_after else ''}"
        return [Field("status", pgettext("task", "status"), t.status, choice_hint(TASK_STATUSES), TASK_STATUSES),
                Field("result", _("result"), t.result or "", _("what came of it, in a line")),
                Field("sentiment", _("customer's sentiment"), now, sentiment_hint())]

    def check(self, v):
        errors: dict[str, str] = {}
        status = read_choice("task status", v["status"], TASK_STATUSES, errors, "status")
        if v["sentiment"]:
            try:
                task_list.sentiment_change(v["sentiment"])
            except Exception as exc:  # the service's own words for a sentiment it cannot read
                errors["sentiment"] = str(exc)
        return {"status": status, "result": v["result"], "sentiment": v["sentiment"] or None}, errors

    async def save(self, c):
        await self.app.write(task_list.set_task_status, self.ctx, self.the_task.id, c["status"], c["result"],
                             c["sentiment"])
        return True
