"""Moving a card on the board: the step and outcome keys. A step goes through the same flow as on
the list and the detail (``lead_actions.step_with_reason``: the stay reason is asked when needed);
won and lost ask with the detail's own form (screens/forms.py), so a card is marked won the same way
wherever it is.
"""
from __future__ import annotations

from ..i18n import _, pgettext
from .forms import OutcomeForm
from .lead_actions import step_with_reason


class BoardMoves:
    """The board screen's moves (mixed into BoardScreen: uses its focused_card, request, request_reload,
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
        self.run_worker(step_with_reason(self, card, step, self._moved), group="board")

    async def _moved(self, view) -> None:
        """After a step: the window that shows the moved card; after a stale refusal, a reload."""
        if view is None:
            self.request_reload({"keep": True})
        else:
            self.request(self._show_lead, view)

    def action_outcome(self, status: str) -> None:
        card = self.focused_card
        if card is None:
            return

        def done(saved):  # the form wrote it (the detail's own form: same fields, checks and stay reason)
            if saved:
                word = pgettext("status", "won") if status == "won" else pgettext("status", "lost")
                self.notify(_("marked {outcome}", outcome=word))
                self.request_reload({"keep": True})

        self.app.push_screen(OutcomeForm(self.ctx, card, status), done)

    def action_tags(self) -> None:
        """``t`` on a card: its tags in the form the list and the detail use (tag_form.py)."""
        from .tag_form import TagForm

        card = self.focused_card
        if card is None:
            return

        def done(saved):
            if saved:
                self.request_reload({"keep": True})

        self.app.push_screen(TagForm(self.ctx, card), done)
