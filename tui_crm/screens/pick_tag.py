"""Choose a tag to filter by (the list's and the board's ``#``): the tags on leads the user sees, most used
first, with how many leads carry each; "no tag filter" first."""
from __future__ import annotations

from ..i18n import _
from ..services.errors import ServiceError
from ..services.leads import tags
from .pick import PickScreen

NONE = "\x00none"


async def pick_tag(screen, chosen) -> None:
    """Load the tags (kept in ``screen.tag_choices`` for the palette), then ask; ``chosen(name or None)``."""
    app = screen.app
    try:
        found = await app.db(tags.all_tags, app.ctx)
    except ServiceError as exc:
        app.notify(str(exc), severity="error")
        return
    screen.tag_choices = found
    if not found:
        app.notify(_("no lead you see has a tag yet (t on a lead adds one)"), severity="warning")
        return
    options = [(NONE, _("(no tag filter)"))] + [(name, f"{name}  ({n:,})") for name, n in found]

    def picked(value):
        if value is not None:
            chosen(None if value == NONE else value)

    app.push_screen(PickScreen(_("Filter by tag"), options), callback=picked)
