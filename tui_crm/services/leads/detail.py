"""Everything the lead detail screen shows, read in one call."""
from __future__ import annotations

from dataclasses import dataclass


from ..activity import followups, tasks, timeline
from ..context import Session
from ..records import LeadView
from .queries import get

# sort name -> (column, nullable)


@dataclass
class LeadDetail:
    lead: LeadView
    tasks: list
    timeline: list
    suggest_lost: bool


def load_detail(ctx: Session, lead_id: int, reveal: bool = False) -> LeadDetail:
    """Everything the detail screen shows, in one call (one trip to the database thread)."""
    view = get(ctx, lead_id, reveal=reveal)
    return LeadDetail(view, tasks.open_tasks(ctx, lead_id), timeline.lead_timeline(ctx, lead_id, reveal=reveal),
                      followups.suggest_lost(ctx, lead_id))
