"""What the app tells its screens, and what a screen asks of the app, as Textual messages.

The app posts ``LiveChanges`` to every open screen when the change feed moved and
``OverdueTick`` to the screen in front every few seconds; a screen that cares handles
``on_live_changes`` / ``on_overdue_tick``. Any screen or form asks for a lead's detail by
posting ``OpenLead`` to the app, so no screen imports another to open a lead.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from textual.message import Message


@dataclass
class LiveChanges(Message, bubble=False):
    """New change entries (oldest first). Two still waiting in a screen's queue are handled as one.
    ``everything``: what is shown may be stale anywhere, read it again: the database is back after a failure,
    or the feed jumped over entries it was too far behind to tell one by one (a big batch elsewhere)."""

    entries: list = field(default_factory=list)
    everything: bool = False

    @property
    def lead_ids(self) -> set[int]:
        return {e.lead_id for e in self.entries if e.lead_id}

    def can_replace(self, message: Message) -> bool:
        if isinstance(message, LiveChanges):
            message.entries = self.entries + message.entries  # the newer one carries both
            message.everything = self.everything or message.everything
            return True
        return False


@dataclass
class OverdueTick(Message, bubble=False):
    """Re-evaluate the due states of what is on screen; a tick still waiting gives way to the next."""


    def can_replace(self, message: Message) -> bool:
        return isinstance(message, OverdueTick)


@dataclass
class OpenLead(Message):
    """Show one lead's detail; ``from_queue``: a logged call there returns to the queue."""

    lead_id: int
    from_queue: bool = False
