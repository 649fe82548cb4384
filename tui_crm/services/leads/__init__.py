"""Leads: reading them (filters, search, keyset pages, the detail), changing them, and the board.

What the rest of tui-crm may call is named here; `pages` (the virtual list's keyset pages and probes)
and `board` (column aggregates and card pages) and `tags` (tags by hand, for rows, auto tags) are used as modules,
and so is batch work: `batch_run` (run and undo a batch over marked leads), on `batch` (selections, SQL chunks),
`batch_actions`, `batch_tags` and `batch_undo`.

Each name is loaded on first use (PEP 562, tui_crm/lazy.py), so the list's first page does not wait for the board,
the writes or the duplicate finder to be imported (tests/test_startup_imports.py keeps it so).
"""
from ...lazy import lazy_names

_MODULES = ("board", "pages", "search_ids", "tags", "batch", "batch_actions", "batch_undo", "batch_tags", "batch_run")
_NAMES = {
    "detail": ("LeadDetail", "load_detail"),
    "duplicates": ("Duplicate", "exact_duplicates", "find_duplicates", "similar_leads"),
    "lookups": ("clean_contact", "next_code", "resolve_source", "resolve_stage"),
    "people": ("HandoverResult", "collaborators", "deactivate", "hand_over", "handover", "may_reassign", "share"),
    "queries": ("FILTERS", "WRITTEN", "base_query", "can_see", "count", "filter_expr", "get", "list_leads",
                "recent_cutoff", "scoped_scan", "search_expr", "spelled", "status_counts", "substring_expr",
                "tags_for", "views_for", "written_match"),
    "writes": ("EDITABLE", "add_lead", "move_stage", "reassign", "reveal", "set_outcome", "stale_error",
               "step_stage", "update_lead"),
}

__getattr__, __dir__, __all__ = lazy_names(__name__, globals(), _MODULES, _NAMES)
