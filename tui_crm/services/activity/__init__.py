"""What happens around a lead: follow-ups, tasks (and how a task reads in a line), the timeline,
notifications, the rule sweep and the agenda.

`tasks`, `task_text` and `agenda` are used as modules; the rest by the names below.
"""
from . import agenda, task_text, tasks
from .followups import FollowUpInput, followups_count, last_method, log_followup, proposed_next, suggest_lost
from .inbox import NotificationView, mark_read, notifications, notify
from .sweep import SweepResult, sweep, sweep_escalations
from .timeline import TimelineItem, lead_timeline

__all__ = ["agenda", "task_text", "tasks", "FollowUpInput", "followups_count", "last_method", "log_followup",
           "suggest_lost", "NotificationView", "mark_read", "notifications", "notify", "SweepResult", "sweep", "sweep_escalations",
           "TimelineItem", "lead_timeline"]
