"""Which screen class answers to which name (list, queue, board, stats, inbox, audit, tasks, admin)."""
from __future__ import annotations

from importlib import import_module

SCREENS = {
    "list": ("tui_crm.screens.lead_list", "LeadListScreen"),
    "queue": ("tui_crm.screens.queue", "QueueScreen"),
    "board": ("tui_crm.screens.board", "BoardScreen"),
    "stats": ("tui_crm.screens.stats", "StatsScreen"),
    "inbox": ("tui_crm.screens.inbox", "InboxScreen"),
    "audit": ("tui_crm.screens.audit", "AuditScreen"),
    "tasks": ("tui_crm.screens.tasks", "TasksScreen"),
    "admin": ("tui_crm.screens.admin", "AdminScreen"),
}


def make(name: str, app):
    module, cls = SCREENS[name]
    screen = getattr(import_module(module), cls)(app.ctx)
    screen.screen_name = name
    return screen
