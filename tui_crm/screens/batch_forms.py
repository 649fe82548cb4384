"""Batch work's dialogs: the menu of what to do with the marked leads (``a``), a form per action (each is
dismissed with the action's parameters, the marking screen runs the batch), and the progress bar."""
from __future__ import annotations

from datetime import timedelta

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import ProgressBar, Static

from ..domain import limits
from ..domain.vocab import PRIORITIES, TASK_KINDS
from ..i18n import _, pgettext
from .picklists import lost_reason_field, read_lost_reason
from .task_forms import read_remind, remind_field
from .form_base import Field, FormScreen, choice_hint, read_choice, read_when, when_text
from .styles import css

# action -> (key on the menu, what the menu says)
MENU = (("task", "t", lambda: _("one task for all of them")), ("reassign", "o", lambda: _("reassign")),
        ("move", "s", lambda: _("move to a stage")), ("lost", "x", lambda: _("mark lost")),
        ("tag", "g", lambda: _("add or remove tags")))


class BatchMenu(ModalScreen):
    """What to do with the marked leads: one key each; escape cancels. Dismissed with the action's name."""
    CSS_PATH = css("team")

    BINDINGS = [Binding(key, f"pick('{action}')", text(), id=f"batch.{action}") for action, key, text in MENU] + [
        Binding("escape", "pick('')", _("Cancel"), id="batch.cancel")]

    def __init__(self, count: int, actions: tuple[str, ...] | None = None):
        super().__init__()
        self.count = count
        self.actions = actions or tuple(a for a, *_r in MENU)

    def compose(self) -> ComposeResult:
        with Vertical(id="batch-menu"):
            yield Static(_("{n} marked leads: what to do with them?", n=f"{self.count:,}"), id="batch-title")
            for action, key, text in MENU:
                if action in self.actions:
                    yield Static(f"{key}  {text()}", classes="batch-item", markup=False)
            yield Static(_("escape cancels"), id="batch-keys")

    def action_pick(self, action: str) -> None:
        if action and action not in self.actions:
            return
        self.dismiss(action or None)


class _Batch:
    """Mixed into a batch action's form: its parameters, dismissed with them (the batch runs after, with
    its progress); ``count`` says how many leads it is for."""

    def __init__(self, ctx, count: int):
        self.count = count
        super().__init__(ctx)

    async def save(self, c):
        return c


class BatchTaskForm(_Batch, FormScreen):
    LIMITS = limits.TASK

    def title_text(self) -> str:
        return _("One task for {n} leads", n=f"{self.count:,}")

    def make_fields(self):
        due = self.ctx.now().astimezone(self.ctx.tz).replace(hour=10, minute=0, second=0, microsecond=0)
        return [Field("title", pgettext("task", "title"), _("Follow up")),
                Field("due", _("due"), when_text(self.ctx, due + timedelta(days=1))),
                Field("kind", _("kind"), "follow_up", choice_hint(TASK_KINDS), TASK_KINDS),
                Field("priority", _("priority"), "medium", choice_hint(PRIORITIES), PRIORITIES),
                Field("owner", _("owner (login)"), "", _("empty: you")), remind_field(self.ctx)]

    def check(self, v):
        errors: dict[str, str] = {}
        out = {"title": v["title"], "owner": v["owner"] or None}
        if not v["title"]:
            errors["title"] = _("required")
        out["due"] = read_when(self.ctx, v["due"], errors, "due", required=True)
        out["kind"] = read_choice("task", v["kind"], TASK_KINDS, errors, "kind")
        out["priority"] = read_choice("priority", v["priority"], PRIORITIES, errors, "priority")
        out["remind"] = read_remind(v, errors)
        return out, errors


class BatchReassignForm(_Batch, FormScreen):
    LIMITS = {"login": limits.NAME}

    def title_text(self) -> str:
        return _("Reassign {n} leads to", n=f"{self.count:,}")

    def make_fields(self):
        return [Field("login", _("user (login or name)"), "")]

    def check(self, v):
        return v, ({} if v["login"] else {"login": _("required")})


class BatchStageForm(_Batch, FormScreen):
    LIMITS = limits.OUTCOME

    def title_text(self) -> str:
        return _("Move {n} leads to a stage", n=f"{self.count:,}")

    def make_fields(self):
        labels = {s.key: (s.label_en, s.label_zh) for s in self.ctx.stages}
        return [Field("stage", _("stage"), self.ctx.stage_keys[0], choice_hint(labels), labels),
                Field("reason", _("stay reason"), "", _("for leads that stayed long in their stage"))]

    def check(self, v):
        errors: dict[str, str] = {}
        labels = {s.key: (s.label_en, s.label_zh) for s in self.ctx.stages}
        stage = read_choice("stage", v["stage"], labels, errors, "stage")
        return {"stage": stage, "reason": v["reason"] or None}, errors


class BatchLostForm(_Batch, FormScreen):
    LIMITS = limits.OUTCOME

    def title_text(self) -> str:
        return _("Mark {n} leads lost", n=f"{self.count:,}")

    def make_fields(self):
        return [lost_reason_field(self.ctx)]  # the team's pick list, as the lead's own lost form has it

    def check(self, v):
        if not v["lost_reason"]:
            return v, {"lost_reason": _("required")}
        return {"lost_reason": read_lost_reason(self.ctx, v["lost_reason"])}, {}


class BatchTagForm(_Batch, FormScreen):
    LIMITS = {"add": limits.LINE, "remove": limits.LINE}

    def title_text(self) -> str:
        return _("Tags on {n} leads", n=f"{self.count:,}")

    def make_fields(self):
        return [Field("add", _("add tags"), "", _("e.g. 新能源, 高意向")),
                Field("remove", _("remove tags"), "", _("optional"))]

    def check(self, v):
        return v, ({} if v["add"] or v["remove"] else {"add": _("name a tag to add or remove")})


FORMS = {"tag": BatchTagForm, "task": BatchTaskForm, "reassign": BatchReassignForm, "move": BatchStageForm, "lost": BatchLostForm}


class BatchProgress(ModalScreen):
    """A batch running: how far it is. It cannot be cancelled halfway (each chunk is committed); the
    undo (``u``) takes it back."""
    CSS_PATH = css("team")

    def __init__(self, title: str, total: int):
        super().__init__()
        self.title_text, self.total = title, total

    def compose(self) -> ComposeResult:
        with Vertical(id="batch-progress"):
            yield Static(self.title_text, id="batch-title", markup=False)
            yield ProgressBar(total=max(1, self.total), show_eta=False, id="batch-bar")

    def advance(self, done: int, total: int) -> None:
        try:
            self.query_one(ProgressBar).update(total=max(1, total), progress=done)
        except Exception:  # the dialog was closed meanwhile
            pass
