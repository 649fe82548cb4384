"""What happens around a lead: follow-ups, tasks (and how a task reads in a line), the timeline,
notifications, the rule sweep and the agenda.

`tasks`, `task_text` and `agenda` are used as modules; the rest by the names below, each loaded on
first use (PEP 562) so that the first screen does not wait for them (tests/test_startup_imports.py).
"""
from importlib import import_module

_MODULES = ("agenda", "task_text", "tasks")
_NAMES = {
    "followups": ("FollowUpInput", "followups_count", "last_method", "log_followup", "proposed_next", "suggest_lost"),
    "inbox": ("NotificationView", "mark_read", "notifications", "notify"),
    "timeline": ("TimelineItem", "lead_timeline"),
}
_WHERE = {name: module for module, names in _NAMES.items() for name in names}

# `sweep` is both a submodule and the function it exports: importing the submodule (anyone's `from .sweep
# import ...`) sets the package's `sweep` to the module, so the function is bound here, after it, eagerly
from .sweep import SweepResult, sweep, sweep_escalations  # noqa: E402

__all__ = [*_MODULES, *_WHERE, "SweepResult", "sweep", "sweep_escalations"]


def __getattr__(name: str):
    if name in _MODULES:
        value = import_module(f"{__name__}.{name}")
    elif name in _WHERE:
        value = getattr(import_module(f"{__name__}.{_WHERE[name]}"), name)
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__():
    return sorted([*globals(), *__all__])
