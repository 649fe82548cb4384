"""Tags on leads: added and removed by hand (one audited entry per lead changed), read for the rows a screen
shows, counted for a filter's pick list, filtered and searched; and the auto-tag rules applied to a new lead.

Tag values split on , ; ， ； 、 (``domain.tags.split_tags``). Whoever sees a lead may tag it (its owner, a
collaborator, the owner's supervisor, an admin)."""
from __future__ import annotations

import peewee as pw

from ...domain import tags as tag_text
from ...domain.text import clean, printable
from ...i18n import _
from ...store import bulk
from ...store.models import AutoTagRule, Lead, LeadTag, Tag
from .. import changes, scope
from ..context import Session
from ..errors import ValidationError


def _names(values) -> list[str]:
    names = tag_text.split_tags([clean(v) for v in ([values] if isinstance(values, str) else values or [])])
    long = tag_text.too_long(names)
    if long:
        raise ValidationError(_("a tag is at most {n} characters: {tag}", n=Tag.name.max_length, tag=long[:20] + "…"),
                              {"tags": _("at most {n} characters", n=Tag.name.max_length)})
    return names


def _ids(names: list[str], create: bool) -> dict[str, int]:
    if not names:
        return {}
    if create:
        Tag.insert_many([{"name": n} for n in names]).on_conflict_ignore().as_rowcount().execute()
    return dict(Tag.select(Tag.name, Tag.id).where(Tag.name.in_(names)).tuples())


def _current(lead_ids: list[int]) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    for i in range(0, len(lead_ids), 20000):  # the ids as literals: a batch's chunk in one query
        q = (LeadTag.select(LeadTag.lead, Tag.name).join(Tag)
             .where(LeadTag.lead.in_(bulk.ids_in(lead_ids[i:i + 20000]))).order_by(LeadTag.id).tuples())
        for lid, name in q.execute().cursor:
            out.setdefault(lid, []).append(name)
    return out


def change_tags(ctx: Session, lead_ids: list[int], add=(), remove=(), *, via: str | None = None) -> int:
    """Add and remove tags on leads given by id, inside the caller's transaction (or one of its own); each lead
    whose tags change gets one ``tag`` entry {tags: [old, new]}. Returns how many leads changed. The caller
    has checked that the actor sees the leads (``tag_leads`` does)."""
    add, remove = _names(add), _names(remove)
    if not (add or remove) or not lead_ids:
        return 0
    with ctx.db.atomic():
        ids = _ids(add + remove, create=bool(add))
        before = _current(lead_ids)
        rows, gone, diffs = [], {}, {}
        for lid in lead_ids:
            old = before.get(lid, [])
            new = [t for t in old if t not in remove] + [t for t in add if t not in old and t not in remove]
            if new == old:
                continue
            rows += [(lid, ids[t]) for t in new if t not in old]
            for t in old:
                if t not in new and t in ids:
                    gone.setdefault(ids[t], []).append(lid)
            diffs[lid] = {"tags": [", ".join(old) or None, ", ".join(new) or None]}
            if via:
                diffs[lid]["via"] = via
        bulk.insert_new(ctx.db, LeadTag._meta.table_name, ("lead_id", "tag_id"), rows)
        for tid, lids in gone.items():  # a statement per tag taken off, whatever the number of leads
            for i in range(0, len(lids), 20000):
                LeadTag.delete().where((LeadTag.tag == tid)
                                       & LeadTag.lead.in_(bulk.ids_in(lids[i:i + 20000]))).execute()
        changes.record_leads(ctx, "tag", diffs, system=via == "rule")  # one entry per lead changed
    return len(diffs)


def tag_leads(ctx: Session, codes: list[str | int], add=(), remove=()) -> list[str]:
    """``leads tag CODE ... TAG ...`` and ``t`` on a lead: add (or remove) tags on leads by code or id, each
    one the actor sees (else NotFound naming it, nothing changed). Returns the codes of the leads that changed."""
    with ctx.db.atomic():
        leads = [scope.get_visible(ctx, c, lock=True) for c in codes]
        before = _current([l.id for l in leads])
        change_tags(ctx, [l.id for l in leads], add, remove)
        after = _current([l.id for l in leads])
    return [l.code for l in leads if before.get(l.id, []) != after.get(l.id, [])]


def lead_tags(ctx: Session, code: str | int) -> list[str]:
    """One visible lead's tags, in the order they were given."""
    lead = scope.get_visible(ctx, code)
    return [printable(t) for t in _current([lead.id]).get(lead.id, [])]


def tags_of(ctx: Session, lead_ids: list[int]) -> dict[int, list[str]]:
    """Tags of the visible rows a screen shows (lead ids; those the actor cannot see are left out): one
    indexed query per 500 rows."""
    if not lead_ids:
        return {}
    visible = {i for (i,) in Lead.select(Lead.id).where(Lead.id.in_(bulk.ids_in(lead_ids))
                                                             & scope.scope_expr(ctx.actor))
               .tuples()} if not ctx.actor.is_admin else set(lead_ids)
    found = _current([i for i in lead_ids if i in visible])
    return {lid: [printable(t) for t in names] for lid, names in found.items()}


def all_tags(ctx: Session) -> list[tuple[str, int]]:
    """The tags on leads the actor sees, with how many such leads carry each, most used first (a filter's
    pick list, ``t``'s suggestions)."""
    n = pw.fn.COUNT(LeadTag.id)
    q = (Tag.select(Tag.name, n).join(LeadTag).join(Lead, on=(LeadTag.lead == Lead.id))
         .where(scope.scope_expr(ctx.actor)).group_by(Tag.name).order_by(n.desc(), Tag.name).tuples())
    return [(printable(name), count) for name, count in q]


def tag_expr(names) -> pw.Expression:
    """Leads carrying every one of the tags ``names`` (a filter; values split like any tag text)."""
    expr = None
    for name in _names(names):
        has = (LeadTag.select(LeadTag.lead).join(Tag).where(Tag.name == name))
        e = Lead.id.in_(has)
        expr = e if expr is None else expr & e
    return expr if expr is not None else pw.SQL("1 = 1")


def tag_search_expr(text: str) -> pw.Expression:
    """Leads with a tag containing ``text`` (the list's search finds tags too)."""
    has = LeadTag.select(LeadTag.lead).join(Tag).where(Tag.name.contains(text.strip()))
    return Lead.id.in_(has)


# ------------------------------------------------------------------ auto tags
def auto_tags_for(values: dict, rules: list | None = None) -> list[str]:
    """The auto-tag rules' tags for a new lead's values (``source`` key, ``need``, ``remarks``)."""
    rules = rules if rules is not None else list(AutoTagRule.select().order_by(AutoTagRule.id))
    text = " ".join(str(values.get(f) or "") for f in ("need", "remarks"))
    out = []
    for r in rules:
        sources = tag_text.split_values(r.sources)
        if sources and values.get("source") not in sources:
            continue
        if not tag_text.matches(text, tag_text.split_values(r.keywords)):
            continue
        if r.tag not in out:
            out.append(r.tag)
    return out


def apply_auto_tags(ctx: Session, lead_values: dict[int, dict]) -> int:
    """Auto tags on new leads ({lead id: values}), inside the creating transaction; returns the leads tagged.
    Each tagged lead gets one ``tag`` entry marked as the rule's."""
    rules = list(AutoTagRule.select().order_by(AutoTagRule.id))
    if not rules:
        return 0
    by_tags: dict[tuple, list[int]] = {}
    for lid, values in lead_values.items():
        found = tuple(auto_tags_for(values, rules))
        if found:
            by_tags.setdefault(found, []).append(lid)
    return sum(change_tags(ctx, ids, list(found), via="rule") for found, ids in by_tags.items())
