"""A row's read values to the lead record the import writes: status and stage from what the row says
(a stage, a status, ``IsWon``/``IsClosed``), the outcome's time (to the minute the file gives), the
creation time, the one follow-up the row records and the next one it plans, and what is missing."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from ...domain import rules
from ...domain.spell import spelling
from ...i18n import _
from .refusals import Refusal

_CJK = re.compile(r"[\u3400-\u9fff]")


@dataclass
class Record:
    line: int
    lead: dict
    owner: int | str  # a user id, or a name to create with --create-owners
    followup: dict | None = None
    plan: tuple[int, str, str] | None = None  # (due, title, kind) of the next follow-up the row plans
    notes: list[Refusal] = field(default_factory=list)  # warnings: the row went in, but look at this
    extra: dict = field(default_factory=dict)


def _full_name(first: str | None, last: str | None) -> str:
    first, last = (first or "").strip(), (last or "").strip()
    if _CJK.search(first + last):
        return last + first  # 姓 then 名
    return " ".join(p for p in (first, last) if p)


def _iso(ts: int, tz) -> str:
    return dt.datetime.fromtimestamp(ts, tz).strftime("%Y-%m-%d %H:%M")


def build(conv, line: int, v: dict) -> Record:
    now = conv.now_ts
    notes: list[Refusal] = []
    if not v.get("contact_name") and (v.get("first_name") or v.get("last_name")):
        v["contact_name"] = _full_name(v.get("first_name"), v.get("last_name"))[:100]
    status, stage = v.get("status"), v.get("stage")
    if status is None and v.get("is_won"):
        status = "won"
    elif status is None and v.get("is_closed"):
        status = "lost"
    contacted = bool(v.get("last_contact_at") or v.get("first_contact_at") or v.get("contact_summary"))
    if status is None:
        status = "in_progress" if contacted or (stage and stage in conv.stages
                                                 and conv.stages.index(stage) > 0) else "pending"
    if stage is None:
        stage = conv.stages[-1] if status == "won" else conv.stages[0]
    closed_at = v.get("closed_at")
    if status in ("won", "lost") and closed_at is None:
        closed_at = v.get("close_ts")
    won_at = v.get("won_at") or (closed_at if status == "won" else None)
    lost_at = v.get("lost_at") or (closed_at if status == "lost" else None)
    end = won_at if status == "won" else lost_at if status == "lost" else None
    first = v.get("first_contact_at")
    given = v.get("created_at")
    created = given or first or v.get("last_contact_at") or now
    earlier = [t for t in (first, v.get("stage_entered_at"), end) if t and t < created]
    if earlier:
        if given:
            at = min(earlier)
            what = _("its close") if at == end else _("its first contact") if at == first else _("its stage entry")
            notes.append(Refusal(line, "created_at", _iso(given, conv.tz),
                                 _("created after {what} ({at}): creation time taken as {at}", what=what,
                                   at=_iso(at, conv.tz)), "", "warning"))
        created = min(earlier)
    entered = v.get("stage_entered_at") or created
    last_act = max([t for t in (first, v.get("last_contact_at")) if t], default=None)
    won_amount = v.get("won_amount")
    if status == "won" and won_amount is None:
        won_amount = v.get("amount")
    lead = {
        "code": v.get("code"), "company": v.get("company", ""), "contact_name": v.get("contact_name", ""),
        "title": v.get("title"), "phone": v.get("phone"), "email": v.get("email"),
        "other_contact": v.get("other_contact"), "source": v.get("source", "other"),
        "industry": v.get("industry"), "company_size": v.get("company_size"), "region": v.get("region"),
        "first_contact_at": first, "need": v.get("need", ""), "pain_points": v.get("pain_points"),
        "budget": v.get("budget"), "decision_maker": v.get("decision_maker"), "obstacle": v.get("obstacle"),
        "priority": v.get("priority", "medium"), "follow_up_days": v.get("follow_up_days"),
        "amount_cents": v.get("amount"), "probability": v.get("probability"),
        "expected_close_date": v.get("expected_close_date"), "stage": stage, "status": status,
        "stage_entered_at": entered, "last_activity_at": last_act, "stay_reason": v.get("stay_reason"),
        "remarks": v.get("remarks"), "next_action": v.get("next_action"),
        "won_amount_cents": won_amount if status == "won" else None,
        "product": v.get("product"), "won_at": won_at if status == "won" else None,
        "lost_reason": v.get("lost_reason"), "lost_at": lost_at if status == "lost" else None,
        "wake_up_at": v.get("wake_up_at"), "pause_reason": v.get("pause_reason"), "created_at": created,
        "currency": v.get("currency"),
    }
    missing = rules.missing_required({**lead, "owner": True, "source": v.get("source"), "won_at": lead["won_at"]})
    lead["incomplete"] = ",".join(missing)
    fu = None
    # a contact time alone is the lead's last activity, not a follow-up: no call is invented without a word of it
    if v.get("contact_summary") or v.get("contact_method") or v.get("customer_feedback"):
        fu = {"at": v.get("last_contact_at") or first or created, "method": v.get("contact_method", "phone"),
              "summary": v.get("contact_summary", ""), "customer_words": v.get("customer_feedback")}
    plan = None
    if v.get("next_follow_up_at"):
        title = v.get("next_follow_up_task") or v.get("next_action") or _("Follow up")
        plan = (v["next_follow_up_at"], title[:200], v.get("next_follow_up_kind") or "follow_up")
    owner = v.get("owner")
    rec = Record(line, lead, owner if owner is not None else conv.ctx.actor.id, fu, plan, notes)
    rec.extra["tags"] = v.get("tags")
    rec.extra["unowned"] = owner is None  # the assignment rules choose (PRODUCT §8)
    rec.extra["contacted"] = contacted
    # the names' pinyin, read here, between the writer's transactions, rather than inside one
    # (a tenth of the lock's time at 100k rows); the writer reads it again if a later duplicate's update
    # changed the names
    rec.extra["spelled"] = (lead["company"], lead["contact_name"], spelling(lead["company"], lead["contact_name"]))
    if v.get("owner_name"):
        rec.extra["owner_name"] = v["owner_name"]
    return rec
