"""Reading leads for the acting user: lists, filters, search, one lead."""
from __future__ import annotations

import re
import time
from datetime import timedelta

import peewee as pw

from ...domain import rules
from ...domain.contact import normalize_email, normalize_phone
from ...domain.errors import InvalidValue
from ...domain.text import SEARCH_LIMIT
from ...domain.vocab import OPEN_STATUSES, WORKING_STATUSES
from ...i18n import _
from ...store import search as store_search
from ...store.models import Lead, LeadTag, Tag, User
from .. import changes, scope
from ..context import Session
from ..errors import ValidationError
from ..records import LeadView, build_view

FILTERS = ("all", "mine", "team", "overdue", "today", "stalled", "invalid")


# ------------------------------------------------------------------ filters
def filter_expr(ctx: Session, name: str | None) -> pw.Expression | None:
    """SQL for a quick filter (evaluated at the session clock, in the user's day)."""
    now = ctx.now()
    now_ts = int(now.timestamp())
    if name in (None, "", "all"):
        return None
    if name == "mine":
        return Lead.owner == ctx.actor.id
    if name == "team":
        if ctx.actor.team_id is None:
            return Lead.owner == ctx.actor.id
        return Lead.owner.in_(User.select(User.id).where(User.team == ctx.actor.team_id))
    if name == "overdue":
        return Lead.status.in_(WORKING_STATUSES) & (Lead.next_follow_up_at < now_ts)
    if name == "today":
        _, tomorrow = rules.day_bounds(now, ctx.tz)
        return (Lead.status.in_(WORKING_STATUSES) & (Lead.next_follow_up_at >= now_ts)
                & (Lead.next_follow_up_at < int(tomorrow.timestamp())))
    if name == "stalled":
        without, before = stalled_parts(ctx)
        return without | before
    if name == "invalid":  # the monthly clean-up (seed 003): leads.cleanup
        from .invalid import invalid_expr

        return invalid_expr(ctx)
    if name.startswith("stage:"):
        return Lead.stage == name.split(":", 1)[1]
    if name.startswith("source:"):
        return Lead.source == name.split(":", 1)[1]
    if name.startswith("status:"):
        return Lead.status == name.split(":", 1)[1]
    if name.startswith("tag:"):  # leads carrying every tag named (split like any tag text)
        from .tags import tag_expr

        return tag_expr(name.split(":", 1)[1])
    raise ValueError(f"unknown filter: {name}")


def stalled_parts(ctx: Session) -> tuple[pw.Expression, pw.Expression]:
    """The stall rule (domain.rules.is_stalled) as two disjoint conditions, each one range of ``lead_stall``
    (store/plan.py): an open lead past its team's stall days in its stage with no open task at all
    (``plan_until`` NULL), or with all of them due before now (an overdue task is not a plan)."""
    now_ts = int(ctx.now().timestamp())
    overstayed = team_days_expr(ctx, Lead.stage_entered_at, now_ts, "stall_after_days")
    base = (Lead.status.in_(OPEN_STATUSES) & overstayed
            & (Lead.next_follow_up_at.is_null() | (Lead.next_follow_up_at < now_ts)))
    return base & Lead.plan_until.is_null(), base & (Lead.plan_until < now_ts)


def team_days_expr(ctx: Session, column, now_ts: int, name: str) -> pw.Expression:
    """``column`` more than the owner's team's ``name`` days (a Settings field) before now: one condition per
    team with a number of its own, and the global number for everyone else (PRODUCT §8)."""
    from ..context import overriding_teams

    default = now_ts - getattr(ctx.settings, name) * 86400
    own = {tid: s for tid, s in overriding_teams(ctx).items() if getattr(s, name) != getattr(ctx.settings, name)}
    if not own:
        return column < default
    in_own = User.select(User.id).where(User.team.in_(list(own)))
    expr = Lead.owner.not_in(in_own) & (column < default)
    for tid, s in own.items():
        members = User.select(User.id).where(User.team == tid)
        expr |= Lead.owner.in_(members) & (column < now_ts - getattr(s, name) * 86400)
    return expr


SCOPED_SCAN_MAX = 20000  # a scope this small is searched row by row, never through the whole index
SCOPE_SIZE_SECONDS = 30  # how long a session trusts its last look at its scope's size


def search_expr(ctx: Session, text: str, guard: bool = True, rows: bool | None = None) -> pw.Expression | None:
    """The search as one condition: any of :func:`search_parts` (None for an empty text)."""
    parts = search_parts(ctx, text, guard, rows)
    if not parts:
        return None
    out = parts[0]
    for e in parts[1:]:
        out = out | e
    return out


def search_parts(ctx: Session, text: str, guard: bool = True, rows: bool | None = None) -> list[pw.Expression]:
    """Leads matching ``text`` as a substring of code, company, contact, need or remarks,
    a phone by its last digits (only where the actor sees the phone) or in full, or an email.

    A full phone or email that finds a lead the actor sees masked tells its number: each such lead is
    a reveal (audited) and at most ``changes.SEARCH_REVEALS_PER_HOUR`` an hour are found so; past that,
    the search shows only leads whose contacts the actor sees anyway (``ctx.notices`` says so).
    ``guard=False`` leaves out the "actor sees the phone/email" conditions: a superset for a first,
    index-only pass; callers must apply the guarded form after it. A text over SEARCH_LIMIT characters
    is refused (a 100,000-character search took 108 s and 20 GB in the trigram index). ``rows``: the
    substring matched on each row read, not through the trigram index (see :func:`substring_expr`).
    """
    text = (text or "").strip()
    if not text:
        return []
    if len(text) > SEARCH_LIMIT:
        raise ValidationError(_("a search is at most {n} characters (this one has {m})", n=SEARCH_LIMIT,
                                m=len(text)), {"search": _("too long")})
    exprs: list[pw.Expression] = []
    digits = re.sub(r"[\s\-()+]", "", text)
    if digits.isdigit() and len(digits) >= 3:
        rev = digits[::-1]
        suffix = (Lead.phone_rev >= rev) & (Lead.phone_rev < rev + "~")
        exprs.append(suffix & scope.full_contact_expr(ctx.actor) if guard else suffix)
        try:
            exprs.append(_exact(ctx, Lead.phone == normalize_phone(text, ctx.settings.default_region), guard))
        except InvalidValue:
            pass
    if "@" in text:
        try:
            exprs.append(_exact(ctx, Lead.email == normalize_email(text), guard))
        except InvalidValue:
            pass
        prefix = Lead.email.startswith(text.lower())
        exprs.append(prefix & scope.full_contact_expr(ctx.actor) if guard else prefix)
    exprs.append(substring_expr(ctx, text, rows=rows))
    from .tags import tag_search_expr

    exprs.append(tag_search_expr(text))  # a tag containing the text
    return exprs


def _exact(ctx: Session, match: pw.Expression, guard: bool) -> pw.Expression:
    """A full phone or email: every lead that has it where the actor sees it in full; where they see it
    masked, only the leads :func:`changes.search_reveals` lets through (each one audited)."""
    if not guard:
        return match
    full = scope.full_contact_expr(ctx.actor)
    masked = [i for (i,) in Lead.select(Lead.id).where(match & scope.scope_expr(ctx.actor) & ~full)
              .limit(changes.SEARCH_REVEALS_PER_HOUR + 1).tuples()]
    allowed, at_limit = changes.search_reveals(ctx, masked)
    if at_limit:
        ctx.notices.append(_("a search by a full phone or email finds at most {n} leads an hour whose contacts "
                             "you see masked; this one looked only at the others",
                             n=changes.SEARCH_REVEALS_PER_HOUR))
    return match & (full | Lead.id.in_(sorted(allowed))) if allowed else match & full


def substring_expr(ctx: Session, text: str, in_scope: bool = True, rows: bool | None = None) -> pw.Expression:
    """``text`` as a substring of code, company, contact, need or remarks. The trigram index (SQLite FTS5 /
    pg_trgm) serves it, except for a scope small enough to read row by row (:func:`scoped_scan`): then
    the match runs on the actor's own leads only, never over the whole table first (``in_scope=False``:
    the caller does not limit the query to the scope, so the index always serves it). One or two
    characters are below the trigram index's reach: prefix matches on indexed columns and a scan that
    callers bound with LIMIT (pages). ``rows`` True: matched on each row read (a common text walked in the
    list's sort order, SQLite), False: through the index; None: as the scope's size says."""
    if len(text) < 3:
        out = None
        for col in (Lead.code, Lead.company, Lead.contact_name):
            out = col.contains(text) if out is None else out | col.contains(text)
        return out
    if ctx.is_postgres:
        pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        from ..identity import session_role_login

        if session_role_login(ctx) is not None:  # row security: lead's own columns (search_pg says why)
            return store_search.pg_own_text_match(pattern)
        if rows:  # each row read in the page's order: its own text looked up
            return store_search.pg_row_match(pattern)
        return Lead.id.in_(store_search.pg_match(pattern))
    by_rows = rows if rows is not None else (in_scope and scoped_scan(ctx))
    if by_rows:
        out = None
        for name in store_search.FTS_COLUMNS:
            e = getattr(Lead, name).contains(text)
            out = e if out is None else out | e
        return out
    ids = pw.SQL("(SELECT rowid FROM lead_fts WHERE lead_fts MATCH ?)", (store_search.fts_query(text),))
    return Lead.id.in_(ids)


def scoped_scan(ctx: Session) -> bool:
    """True when the actor's scope holds at most SCOPED_SCAN_MAX leads (SQLite; PostgreSQL's planner
    weighs the scope against the trigram index itself). Asked at most every SCOPE_SIZE_SECONDS."""
    if ctx.is_postgres or ctx.actor.is_admin:
        return False
    now = time.monotonic()
    seen = ctx.memo.get("scope_small")
    if seen is not None and seen[0] == ctx.actor.id and now - seen[1] < SCOPE_SIZE_SECONDS:
        return seen[2]
    n = Lead.select(Lead.id).where(scope.scope_expr(ctx.actor)).limit(SCOPED_SCAN_MAX + 1).count()
    ctx.memo["scope_small"] = (ctx.actor.id, now, n <= SCOPED_SCAN_MAX)
    return n <= SCOPED_SCAN_MAX


def base_query(ctx: Session, *, filter: str | None = None, search: str | None = None,
               owner: str | None = None, team: str | None = None, tag: str | None = None,
               stage: str | None = None, extra: pw.Expression | None = None) -> pw.ModelSelect:
    """``tag``: leads carrying every tag it names (split like any tag text); ``stage``: a stage key."""
    from .tags import tag_expr

    cond = scope.narrow(ctx, owner, team)
    for e in (filter_expr(ctx, filter), search_expr(ctx, search or ""), extra,
              tag_expr(tag) if tag else None, (Lead.stage == stage) if stage else None):
        if e is not None:
            cond &= e
    return Lead.select().where(cond)


def views_for(ctx: Session, rows: list[dict], reveal: bool = False) -> list[LeadView]:
    """Attach owners, masking and due flags to raw lead rows (one query for owners)."""
    if not rows:
        return []
    if reveal:
        scope.may_reveal_here(ctx)
    owner_ids = {r["owner_id"] if "owner_id" in r else r["owner"] for r in rows}
    owners = {u.id: (u.login, u.name, u.team_id) for u in
              User.select(User.id, User.login, User.name, User.team).where(User.id.in_(list(owner_ids)))}
    for r in rows:
        if "owner_id" not in r:
            r["owner_id"] = r.pop("owner")
        if "batch_id" not in r and "batch" in r:
            r["batch_id"] = r.pop("batch")
    full = scope.full_contact_ids(ctx.actor, [(r["id"], r["owner_id"], owners.get(r["owner_id"], ("", "", None))[2])
                                              for r in rows])
    views = [build_view(ctx, r, owners.get(r["owner_id"], ("?", "?", None)), r["id"] in full, reveal)
             for r in rows]
    tags = tags_for([v.id for v in views])
    for v in views:
        v.tags = tags.get(v.id, [])
    return views


def tags_for(lead_ids: list[int]) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    if not lead_ids:
        return out
    q = (LeadTag.select(LeadTag.lead, Tag.name).join(Tag).where(LeadTag.lead.in_(lead_ids)).tuples())
    for lid, name in q:
        out.setdefault(lid, []).append(name)
    return out


def order_overdue_first(ctx: Session) -> list:
    now_ts = int(ctx.now().timestamp())
    overdue = pw.Case(None, [((Lead.status.in_(WORKING_STATUSES)) & (Lead.next_follow_up_at < now_ts), 0)], 1)
    return [overdue, Lead.next_follow_up_at.is_null(), Lead.next_follow_up_at, Lead.code]


_PINYIN_LIKE = re.compile(r"[A-Za-z][A-Za-z ]*")
WRITTEN = ("code", "company", "contact_name", "need", "remarks")


def spelled(text: str | None) -> bool:
    """A search that may find leads by the pinyin of their names alone (``tengfei``, ``tfkj``)."""
    text = (text or "").strip()
    return len(text) >= 3 and bool(_PINYIN_LIKE.fullmatch(text))


def written_match(text: str | None) -> pw.Expression | None:
    """For a search that may match by pinyin: the leads whose own words hold the text (they rank before
    those found by the pinyin of their names alone); None for any other search."""
    if not spelled(text):
        return None
    text = text.strip()
    out = None
    for name in WRITTEN:
        e = pw.fn.COALESCE(getattr(Lead, name), "").contains(text)  # NULL would make NOT written NULL
        out = e if out is None else out | e
    return out


def list_leads(ctx: Session, *, filter: str | None = None, search: str | None = None,
               owner: str | None = None, team: str | None = None, limit: int | None = None,
               offset: int = 0, reveal: bool = False, tag: str | None = None,
               stage: str | None = None) -> list[LeadView]:
    """Leads in scope, overdue first, then by next follow-up, then code (the CLI's order); a search's
    matches by pinyin alone after the rest."""
    q = base_query(ctx, filter=filter, search=search, owner=owner, team=team, tag=tag, stage=stage)
    written = written_match(search)
    rank = [pw.Case(None, [(written, 0)], 1)] if written is not None else []
    q = q.order_by(*rank, *order_overdue_first(ctx))
    if limit is not None:
        q = q.limit(limit).offset(offset)
    rows = list(q.dicts())
    views = views_for(ctx, rows, reveal=reveal)
    if reveal:
        from ..changes import audit_reveal

        audit_reveal(ctx, [v for v in views], via="list")
    return views


def count(ctx: Session, **kwargs) -> int:
    return base_query(ctx, **kwargs).count()


def get(ctx: Session, code: str | int, *, reveal: bool = False) -> LeadView:
    lead = scope.get_visible(ctx, code)
    row = Lead.select().where(Lead.id == lead.id).dicts().get()
    view = views_for(ctx, [row], reveal=reveal)[0]
    return view


def can_see(ctx: Session, lead_id: int) -> bool:
    """Whether the actor may see the lead (one indexed look-up): a lead the rules just gave away may not be."""
    return Lead.select(Lead.id).where((Lead.id == lead_id) & scope.scope_expr(ctx.actor)).exists()


def status_counts(ctx: Session) -> dict[str, int]:
    """Counts for a status line: total, overdue, today, stalled (in scope)."""
    return {name: count(ctx, filter=None if name == "total" else name)
            for name in ("total", "overdue", "today", "stalled")}


def recent_cutoff(ctx: Session, days: int) -> int:
    return int((ctx.now() - timedelta(days=days)).timestamp())

