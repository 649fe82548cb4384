"""Moving a card on the board: the step and outcome keys and the service calls, which run on the
board's loader thread. Won, lost and the stay reason ask with the lead detail's own forms
(screens/forms.py), so a card is marked won the same way wherever it is.
"""
from __future__ import annotations

from ..i18n import _
from ..services import leads
from ..services.errors import ServiceError, StaleRecord, ValidationError
from .forms import OutcomeForm, ReasonForm


class BoardMoves:
    """The board screen's moves (mixed into BoardScreen: uses its focused_card, request, columns,
    stage_keys, ctx and _show_lead)."""

    def action_step(self, step: int) -> None:
        card = self.focused_card
        if card is None:
            return
        i = self.stage_keys.index(card.stage) if card.stage in self.stage_keys else 0
        if step > 0 and i == len(self.stage_keys) - 1:
            self.action_outcome("won")
            return
        if step < 0 and i == 0:
            self.notify(_("already in the first stage"), severity="warning")
            return
        self.request(self._do_step, card.id, card.version, step, None)

    def _do_step(self, lead_id: int, version: int, step: int, reason: str | None):
        try:
            view = leads.step_stage(self.ctx, lead_id, step, reason, version)
        except ValidationError as exc:
            if "reason" in exc.fields:
                self.app.call_from_thread(self._ask_reason, lead_id, str(exc), lambda r: self.request(
                    self._do_step, lead_id, None, step, r))
                return None
            self.app.call_from_thread(self.notify, str(exc), severity="error")
            return None
        except StaleRecord as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="warning")
            return {"keep": True}
        except ServiceError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error")
            return None
        return self._show_lead(view)

    def _ask_reason(self, lead_id: int, why: str, then) -> None:
        card = next((c for col in self.columns for c in col.cards if c.id == lead_id), None)
        if card is None:
            return

        def done(reason):
            if reason:
                then(reason)

        self.app.push_screen(ReasonForm(self.ctx, card, why), done)

    def action_outcome(self, status: str) -> None:
        card = self.focused_card
        if card is None:
            return

        def done(saved):  # the form wrote it (the detail's own form: same fields, checks and stay reason)
            if saved:
                word = _("won") if status == "won" else _("lost")
                self.notify(_("marked {outcome}", outcome=word))
                self.request_reload({"keep": True})

        self.app.push_screen(OutcomeForm(self.ctx, card, status), done)
