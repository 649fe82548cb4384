"""How a search finds its page at 1M leads (issue 17: within 0.1 s; a rep's search never walks other reps' leads).

A search's text is matched by indexes that name lead ids (the trigram index, the reversed phone digits, the
tags: ``queries.search_expr(guard=False)``). :func:`visible` reads those ids, index only, up to COMMON, and
keeps those in the actor's reach:

- at most PROBED_MAX matches: each is read by primary key and its owner checked (only leads the text matched
  are read, no index range is walked);
- more: they are checked against the actor's own range of the owner index (a covering range of ``owner_id`` =
  the actor or the team's members, never another user's), and the leads shared with the actor;
- an actor who sees everything keeps them all;
- more than COMMON anywhere: None, the text is common, and walking the list's sort order matching each row
  finds a page within a few thousand rows, sooner than collecting every match.

The page then reads the visible matches only (pages._plan).

PostgreSQL asks the same questions without naming an index (its planner joins the owner and trigram indexes).
"""
from __future__ import annotations

import peewee as pw

from ...store import search as store_search
from ...store.bulk import ids_in  # the ids written out: integers the database gave
from ...store.models import Lead, LeadShare, User
from ...store.summary_triggers import OWNER_INDEX  # (owner_id, status, next_follow_up_at, batch_id), then the rowid
from ..context import Session
from . import queries

COMMON = 20000  # more matches than this anywhere: the text is common, the sort order's walk finds a page sooner
PROBED_MAX = 5000  # up to this many matches are read by primary key; more are checked in the owner index


def owners(ctx: Session) -> list[int] | None:
    """The owners whose leads the actor sees (besides shared ones); None: all of them (an admin)."""
    a = ctx.actor
    if a.is_admin:
        return None
    if a.is_supervisor and a.team_id is not None:
        return sorted({a.id} | {i for (i,) in User.select(User.id).where(User.team == a.team_id).tuples()})
    return [a.id]


def matched(ctx: Session, text: str):
    """The ids the text indexes give for ``text`` (a superset: guards and scope apply after; an id may come
    twice): a UNION ALL of one SELECT per way of matching, each served by its own index (as one OR,
    PostgreSQL's planner read the whole table at 1M: a subquery's branch cannot join a bitmap OR)."""
    selects = [_ids(ctx, part) for part in queries.search_parts(ctx, text, guard=False)]
    out = selects[0]
    for q in selects[1:]:
        out = out + q  # UNION ALL: read in turn and stopped at the LIMIT (a UNION collected every match first)
    return out


def _ids(ctx: Session, part: pw.Expression) -> pw.SelectQuery:
    """The SELECT of the ids ``part`` matches. PostgreSQL: a part that is ``lead.id IN (a SELECT of ids)`` (the
    search text, the tags) is that SELECT: joined back to lead, the planner hashed the matches and read the
    whole primary key (29 of 69 ms for a company fragment of 7,082 leads at 100k)."""
    if (ctx.is_postgres and isinstance(part, pw.Expression) and part.lhs is Lead.id and part.op == pw.OP.IN
            and isinstance(part.rhs, pw.SelectQuery)):
        return part.rhs
    return Lead.select(Lead.id).where(part)


def visible(ctx: Session, text: str) -> list[int] | None:
    """Ids of the leads in the actor's reach that the text indexes match (a superset of what the search shows:
    the page applies the scope, the contact guard and the filters to them), or None when the text is common
    (more than COMMON matches anywhere)."""
    if common_words(ctx, text):
        return None
    ids = list(dict.fromkeys(int(i) for (i,) in matched(ctx, text).limit(COMMON + 1).tuples()))  # once each
    if len(ids) > COMMON:
        return None
    mine = owners(ctx)
    if mine is None:
        return ids
    if len(ids) <= PROBED_MAX:  # each match read by primary key, its owner checked (no index walked)
        own = Lead.select(Lead.id).from_(pw.NodeList((Lead, pw.SQL("NOT INDEXED"))) if not ctx.is_postgres
                                         else Lead).where(Lead.id.in_(ids_in(ids)) & Lead.owner.in_(mine))
    else:  # many: the actor's own range of the owner index, each entry checked against the matches
        table = Lead if ctx.is_postgres else pw.NodeList((Lead, pw.SQL(f"INDEXED BY {OWNER_INDEX}")))
        own = Lead.select(Lead.id).from_(table).where(Lead.owner.in_(mine) & Lead.id.in_(ids_in(ids)))
    shared = LeadShare.select(LeadShare.lead).where((LeadShare.user == ctx.actor.id) & LeadShare.lead.in_(ids_in(ids)))
    return sorted({int(i) for (i,) in own.tuples()} | {int(i) for (i,) in shared.tuples()})


def common_words(ctx: Session, text: str) -> bool:
    """SQLite: the trigram index alone, read in its own order and stopped past COMMON, says the text is common
    (the matches' first pass would collect every trigram match before its LIMIT: 0.6 s for 69,498)."""
    text = text.strip()
    if ctx.is_postgres or len(text) < 3:
        return False
    sql = "SELECT count(*) FROM (SELECT rowid FROM lead_fts WHERE lead_fts MATCH ? LIMIT ?)"
    return ctx.db.execute_sql(sql, (store_search.fts_query(text), COMMON + 1)).fetchone()[0] > COMMON


