"""The list's filters, sorts, tags and marks in the command palette."""
from __future__ import annotations

from ..domain.vocab import SOURCES
from ..i18n import _, label
from ..widgets.lead_columns import columns
from ..wording import stage_label
from .commands import CommandList
from .marking import mark_commands


class ListCommands(CommandList):
    """The list's filters and sorts in the command palette."""

    def commands(self):
        screen = self.screen
        if not hasattr(screen, "list_query"):  # the list (lead_list.py) in front
            return
        yield _("Filter: mine"), lambda: screen.set_scope("mine"), ""
        yield _("Filter: team"), lambda: screen.set_scope("team"), ""
        yield _("Filter: all"), lambda: screen.set_scope("all"), ""
        yield _("Filter: overdue"), lambda: screen.action_toggle("overdue"), ""
        yield _("Filter: due today"), lambda: screen.action_toggle("today"), ""
        yield _("Filter: stalled"), lambda: screen.action_toggle("stalled"), ""
        yield _("Clear filters"), screen.action_clear_filters, ""
        for st in screen.ctx.stages:
            yield (_("Filter: stage {stage}", stage=stage_label(screen.ctx, st.key)),
                   lambda k=st.key: screen.set_filter("stage", k), "")
        for key in screen.ctx.sources:
            yield (_("Filter: source {source}", source=label({**SOURCES, **screen.ctx.sources}, key)),
                   lambda k=key: screen.set_filter("source", k), "")
        for col in columns():
            if col.sort:
                yield _("Sort by {column}", column=col.title), lambda s=col.sort: screen.set_sort(s, False), ""
        yield _("Filter: tag…"), screen.action_pick_tag, ""
        for name, _n in screen.tag_choices:
            yield _("Filter: tag {tag}", tag=name), lambda t=name: screen.set_filter("tag", t), ""
        yield _("Tags of the lead under the cursor"), screen.action_tags, ""
        yield from mark_commands(screen)
