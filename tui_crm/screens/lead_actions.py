"""The keys that act on a lead, shared by the list, the detail and the queue (see docs/ARCHITECTURE.md).

A screen using this mixin provides ``current_lead()`` (a LeadView or None) and
``after_write(lead_id)``; the mixin opens the forms and runs the writes on the
database thread.
"""
from __future__ import annotations

from textual.binding import Binding

from ..i18n import _
from ..services import activity, leads
from ..services.errors import ServiceError, StaleRecord, ValidationError
from .messages import OpenLead


async def step_with_reason(screen, lead, step: int, then) -> None:
    """``>`` / ``<`` on a lead, wherever it is shown: step its stage. A stay over the limit is refused
    until a reason is given: the reason form asks for it and the step is tried again with it.
    ``then(view)`` is awaited after the move was written, ``then(None)`` after a stale refusal
    (someone else wrote first: the caller reloads); other refusals are said in one line."""
    app = screen.app

    async def attempt(reason: str | None) -> None:
        try:
            view = await app.write(leads.step_stage, app.ctx, lead.id, step, reason, lead.version)
        except ValidationError as exc:
            if reason is None and "reason" in exc.fields:
                ask(str(exc))
            else:
                app.notify(str(exc), severity="error")
            return
        except StaleRecord as exc:
            app.notify(str(exc), severity="warning", timeout=8)
            await then(None)
            return
        except ServiceError as exc:
            app.notify(str(exc), severity="error")
            return
        await then(view)

    def ask(why: str) -> None:
        from .forms import ReasonForm

        async def given(reason):
            if reason:
                await attempt(reason)

        app.push_screen(ReasonForm(app.ctx, lead, why), callback=given)

    await attempt(None)


class LeadActions:
    LEAD_BINDINGS = [
        Binding("enter", "open_lead", _("Open"), show=False, id="lead.open"),
        Binding("f", "followup", _("Log"), tooltip=_("log follow-up"), id="lead.followup"),
        Binding("e", "edit", _("Edit"), show=False, id="lead.edit"),
        Binding("greater_than_sign,shift+right", "step(1)", _("Next stage"), show=False, id="lead.next"),
        Binding("less_than_sign,shift+left", "step(-1)", _("Prev stage"), show=False, id="lead.prev"),
        Binding("w", "outcome('won')", _("Won"), show=False, id="lead.won"),
        Binding("x", "outcome('lost')", _("Lost"), show=False, id="lead.lost"),
        Binding("v", "reveal", _("Reveal"), show=False, tooltip=_("reveal contact"), id="lead.reveal"),
    ]
    TAG_BINDING = Binding("t", "tags", _("Tags"), show=False, tooltip=_("add or remove tags"), id="lead.tags")
    return_to_queue = False

    # to be provided by the screen
    def current_lead(self):
        raise NotImplementedError

    async def after_write(self, lead_id: int | None) -> None:
        pass

    # ------------------------------------------------------------ helpers
    def _lead_or_say(self):
        view = self.current_lead()
        if view is None:
            self.app.notify(_("no lead selected"), severity="warning")
        return view

    def open_lead(self, lead_id: int, from_queue: bool = False) -> None:
        self.app.post_message(OpenLead(lead_id, from_queue))

    def action_open_lead(self) -> None:
        view = self._lead_or_say()
        if view is not None:
            self.open_lead(view.id)

    def action_new_lead(self) -> None:
        from .forms import LeadForm

        async def saved(result):
            if isinstance(result, OpenLead):  # the possible duplicate instead
                self.app.post_message(result)
            elif result is not None:
                await self.after_write(result.id)
                if await self.app.db(leads.can_see, self.app.ctx, result.id):
                    self.open_lead(result.id)
                else:  # the assignment rules gave it to someone beyond this user's reach
                    self.app.notify(_("{code} went to {name} by the assignment rules", code=result.code,
                                      name=result.owner_name))

        self.app.push_screen(LeadForm(self.app.ctx, None), callback=saved)

    async def run_write(self, fn, /, *args, lead_id=None, **kwargs):
        """A write from a key; errors become one line; a stale record reloads."""
        try:
            result = await self.app.write(fn, *args, **kwargs)
        except StaleRecord as exc:
            self.app.notify(str(exc), severity="warning", timeout=8)
            await self.after_write(lead_id)
            return None
        except ServiceError as exc:
            self.app.notify(str(exc), severity="error")
            return None
        await self.after_write(lead_id)
        return result if result is not None else True

    # ------------------------------------------------------------ actions
    def action_followup(self) -> None:
        view = self._lead_or_say()
        if view is None:
            return

        async def saved(result):
            if result:
                await self.after_write(view.id)
                await self.followup_saved(view.id)

        self.app.run_worker(self._open_followup(view, saved))

    async def _open_followup(self, view, saved) -> None:
        from .forms import FollowUpForm

        method = await self.app.db(activity.last_method, self.app.ctx)
        self.app.push_screen(FollowUpForm(self.app.ctx, view, method), callback=saved)

    async def followup_saved(self, lead_id: int) -> None:
        pass

    def action_edit(self) -> None:
        view = self._lead_or_say()
        if view is None:
            return
        from .forms import LeadForm

        async def saved(result):
            await self.after_write(view.id)
            if isinstance(result, OpenLead):  # the possible duplicate
                self.app.post_message(result)

        self.app.push_screen(LeadForm(self.app.ctx, view), callback=saved)

    async def action_step(self, step: int) -> None:
        view = self._lead_or_say()
        if view is None:
            return

        async def moved(_view) -> None:
            await self.after_write(view.id)

        await step_with_reason(self, view, step, moved)

    def action_outcome(self, status: str) -> None:
        view = self._lead_or_say()
        if view is None:
            return
        from .forms import OutcomeForm

        async def saved(result):
            if result:
                await self.after_write(view.id)

        self.app.push_screen(OutcomeForm(self.app.ctx, view, status), callback=saved)

    def action_tags(self) -> None:
        """``t``: the lead's tags in a form (tag_form.py)."""
        view = self._lead_or_say()
        if view is None:
            return
        from .tag_form import TagForm

        async def saved(result):
            if result:
                await self.after_write(view.id)

        self.app.push_screen(TagForm(self.app.ctx, view), callback=saved)

    async def action_reveal(self) -> None:
        view = self._lead_or_say()
        if view is None:
            return
        if not view.masked:
            self.app.notify(_("contacts are already shown in full"))
            return
        revealed = await self.run_write(leads.reveal, self.app.ctx, view.id, lead_id=view.id)
        if revealed:
            await self.show_revealed(revealed)

    async def show_revealed(self, view) -> None:
        self.app.notify(_("{phone} {email} (revealed; audited)", phone=view.phone or "", email=view.email or ""),
                        timeout=15)
