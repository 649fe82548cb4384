"""What happens around a lead: follow-ups, tasks (and how a task reads in a line), the timeline,
notifications, the rule sweep and the agenda.

`tasks`, `task_text` and `agenda` are used as modules; the rest by the names below, each loaded on
first use (PEP 562) so that the first screen does not wait for them (tests/test_startup_imports.py).
"""
from ...lazy import lazy_names

_MODULES = ("agenda", "task_text", "tasks")
_NAMES = {
    "followups": ("FollowUpInput", "followups_count", "last_method", "log_followup", "proposed_next", "suggest_lost"),
    "inbox": ("NotificationView", "mark_read", "notifications", "notify"),
    "timeline": ("TimelineItem", "lead_timeline"),
}

# `sweep` is both a submodule and the function it exports: importing the submodule (anyone's `from .sweep
# import ...`) sets the package's `sweep` to the module, so the function is bound here, after it, eagerly
from .sweep import SweepResult, sweep, sweep_escalations  # noqa: E402

__getattr__, __dir__, __all__ = lazy_names(__name__, globals(), _MODULES, _NAMES,
                                           eager=("SweepResult", "sweep", "sweep_escalations"))
