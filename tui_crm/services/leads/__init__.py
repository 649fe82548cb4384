"""Leads: reading them (filters, search, keyset pages, the detail), changing them, and the board.

What the rest of tui-crm may call is named here; `pages` (the virtual list's keyset pages and probes)
and `board` (column aggregates and card pages) and `tags` (tags by hand, for rows, auto tags) are used as modules.
"""
from . import board, pages, tags
from .detail import LeadDetail, load_detail
from .duplicates import Duplicate, exact_duplicates, find_duplicates, similar_leads
from .lookups import clean_contact, next_code, resolve_source, resolve_stage
from .people import HandoverResult, collaborators, deactivate, hand_over, handover, may_reassign, share
from .queries import (FILTERS, WRITTEN, base_query, can_see, count, filter_expr, get, list_leads, recent_cutoff,
                      scoped_scan, search_expr, spelled, status_counts, substring_expr, tags_for, views_for,
                      written_match)
from .writes import (EDITABLE, add_lead, move_stage, reassign, reveal, set_outcome, stale_error, step_stage,
                     update_lead)

__all__ = ["board", "pages", "tags", "LeadDetail", "load_detail", "Duplicate", "exact_duplicates", "find_duplicates",
           "similar_leads", "clean_contact", "next_code", "resolve_source", "resolve_stage", "FILTERS", "base_query",
           "can_see", "count", "filter_expr", "get", "list_leads", "recent_cutoff", "scoped_scan", "search_expr", "spelled",
           "written_match", "WRITTEN", "status_counts", "substring_expr", "tags_for", "views_for", "EDITABLE",
           "HandoverResult", "collaborators", "deactivate", "hand_over", "may_reassign",
           "add_lead", "handover", "move_stage", "reassign", "reveal", "set_outcome", "share",
           "stale_error", "step_stage", "update_lead"]
