"""The keys that act on a lead (PRODUCT.md §5), shared by the list, the detail and the queue.

A screen using this mixin provides ``current_lead()`` (a LeadView or None) and
``after_write(lead_id)``; the mixin opens the forms and runs the writes on the
database thread.
"""
from __future__ import annotations

from textual.binding import Binding

from ..domain import rules
from ..i18n import _
from ..services import activity, leads
from ..services.errors import ServiceError, StaleRecord, ValidationError


def due_text(ctx, view) -> str:
    """What the next-follow-up cell says: never colour alone."""
    nxt = view.next_follow_up_at
    if view.due_state == rules.OVERDUE:
        if view.overdue_days > 0:
            return _("overdue {days}d", days=view.overdue_days)
        return _("overdue {time}", time=nxt.astimezone(ctx.tz).strftime("%H:%M"))
    if view.due_state == rules.DUE_TODAY:
        return _("today {time}", time=nxt.astimezone(ctx.tz).strftime("%H:%M"))
    if nxt is None:
        return "–"
    return nxt.astimezone(ctx.tz).strftime("%m-%d %H:%M")


class LeadActions:
    LEAD_BINDINGS = [
        Binding("enter", "open_lead", _("Open"), show=False, id="lead.open"),
        Binding("f", "followup", _("Log"), id="lead.followup"),
        Binding("e", "edit", _("Edit"), show=False, id="lead.edit"),
        Binding("greater_than_sign,shift+right", "step(1)", _("Next stage"), show=False, id="lead.next"),
        Binding("less_than_sign,shift+left", "step(-1)", _("Prev stage"), show=False, id="lead.prev"),
        Binding("w", "outcome('won')", _("Won"), show=False, id="lead.won"),
        Binding("x", "outcome('lost')", _("Lost"), show=False, id="lead.lost"),
        Binding("v", "reveal", _("Reveal"), show=False, id="lead.reveal"),
    ]
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

    def open_lead(self, lead_id: int, **kwargs) -> None:
        from .lead_detail import LeadDetailScreen

        self.app.push_screen(LeadDetailScreen(self.app.ctx, lead_id, **kwargs))

    def action_open_lead(self) -> None:
        view = self._lead_or_say()
        if view is not None:
            self.open_lead(view.id)

    def action_new_lead(self) -> None:
        from .forms import LeadForm

        async def saved(view):
            if view is not None:
                await self.after_write(view.id)
                self.open_lead(view.id)

        self.app.push_screen(LeadForm(self.app.ctx, None), callback=saved)

    async def run_write(self, fn, *args, lead_id=None, **kwargs):
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

        self.app.push_screen(LeadForm(self.app.ctx, view), callback=saved)

    async def action_step(self, step: int) -> None:
        view = self._lead_or_say()
        if view is None:
            return
        try:
            await self.app.write(leads.step_stage, self.app.ctx, view.id, step, None, view.version)
        except ValidationError as exc:
            if "reason" in exc.fields:
                from .forms import ReasonForm

                async def given(reason):
                    if reason:
                        await self.run_write(leads.step_stage, self.app.ctx, view.id, step, reason,
                                             view.version, lead_id=view.id)

                self.app.push_screen(ReasonForm(self.app.ctx, view, str(exc)), callback=given)
                return
            self.app.notify(str(exc), severity="error")
            return
        except StaleRecord as exc:
            self.app.notify(str(exc), severity="warning", timeout=8)
        except ServiceError as exc:
            self.app.notify(str(exc), severity="error")
            return
        await self.after_write(view.id)

    def action_outcome(self, status: str) -> None:
        view = self._lead_or_say()
        if view is None:
            return
        from .forms import OutcomeForm

        async def saved(result):
            if result:
                await self.after_write(view.id)

        self.app.push_screen(OutcomeForm(self.app.ctx, view, status), callback=saved)

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
