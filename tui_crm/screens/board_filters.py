"""The board's filters: keys (m, o, g, r, p, c, /) and the same choices in the command palette."""
from __future__ import annotations

from dataclasses import replace

from textual.widgets import Input

from ..domain.vocab import PRIORITIES
from ..i18n import _, label
from .commands import CommandList
from .marking import mark_commands


class BoardFilters:
    """Mixed into BoardScreen: uses its filter, request, owner_choices, team_choices, ctx and _starts."""

    def set_filter(self, **changes_) -> None:
        new = replace(self.filter, **changes_)
        if new == self.filter:
            return
        self.filter = new
        if self.mark_sel is not None:  # `*` marked what the filter showed before
            self.marks_reset()
        self.request(self._reset_windows)
        self._paint_status()

    def _reset_windows(self) -> dict:
        for k in self._starts:
            self._starts[k], self._above[k] = None, 0
        return {"keep": True}

    def action_clear_filters(self) -> None:
        search = self.query_one("#board-search", Input)
        search.value = ""
        self._hide_search(search)
        self.set_filter(text="", owner=None, team=None, source=None, priority=None, mine=False, tag=None)

    def action_pick_tag(self) -> None:
        """``#``: choose a tag to filter the cards by (pick_tag.py), or none."""
        from .pick_tag import pick_tag

        self.run_worker(pick_tag(self, lambda name: self.set_filter(tag=name)), group="tags")

    def action_toggle_mine(self) -> None:
        self.set_filter(mine=not self.filter.mine)

    def action_cycle(self, what: str) -> None:
        if what == "owner":
            choices = [login for login, _n in self.owner_choices]
        elif what == "team":
            choices = list(self.team_choices)
        elif what == "source":
            choices = list(self.ctx.sources)
        else:
            choices = list(PRIORITIES)
        if what in ("owner", "team") and len(choices) <= 1 and not self.ctx.actor.is_admin:
            if self.ctx.actor.role == "rep":
                self.notify(_("you see your own and shared leads only"), severity="warning")
                return
        options = [None] + choices
        current = getattr(self.filter, what)
        nxt = options[(options.index(current) + 1) % len(options)] if current in options else None
        self.set_filter(**{what: nxt})

    def action_search(self) -> None:
        box = self.query_one("#board-search", Input)
        box.disabled = False
        box.add_class("-shown")
        self.call_after_refresh(box.focus)

    def _hide_search(self, box: Input) -> None:
        box.remove_class("-shown")
        box.disabled = True
        self.set_focus(None)

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "board-search":
            self.set_filter(text=event.value.strip())

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "board-search":
            event.stop()
            self.set_focus(None)


class BoardCommands(CommandList):
    """Board filters in the command palette."""

    def commands(self):
        screen = self.screen
        if not isinstance(screen, BoardFilters):
            return
        yield _("Board: only my leads"), lambda: screen.set_filter(mine=not screen.filter.mine), ""
        yield _("Board: clear filters"), screen.action_clear_filters, ""
        for login, name in screen.owner_choices:
            yield (_("Board: owner {name} ({login})", name=name, login=login),
                   lambda login=login: screen.set_filter(owner=login), "")
        for team in screen.team_choices:
            yield _("Board: team {team}", team=team), lambda team=team: screen.set_filter(team=team), ""
        for key in screen.ctx.sources:
            yield (_("Board: source {source}", source=screen.source_label(key)),
                   lambda key=key: screen.set_filter(source=key), "")
        for key in PRIORITIES:
            yield (_("Board: priority {priority}", priority=label(PRIORITIES, key)),
                   lambda key=key: screen.set_filter(priority=key), "")
        yield _("Board: tag…"), screen.action_pick_tag, ""
        for name, _n in screen.tag_choices:
            yield _("Board: tag {tag}", tag=name), lambda t=name: screen.set_filter(tag=t), ""
        yield _("Tags of the card under the cursor"), screen.action_tags, ""
        yield from mark_commands(screen)
