"""What a queue row needs to make the call: the contact, the phone (masked by the same rule as every view:
``records.build_view``'s), the stage, the last call's summary, and rule 7's hint (missed calls in a row)."""
from __future__ import annotations

from dataclasses import dataclass

import peewee as pw

from ...domain.contact import mask_email, mask_phone, mask_other
from ...domain.text import printable
from ...store.models import FollowUp, Lead, User
from .. import scope
from ..context import Session


@dataclass
class CallInfo:
    contact_name: str
    reach: str  # the phone, else the email or other contact; masked unless the actor sees it in full
    masked: bool
    stage: str
    last_call: str | None  # the latest follow-up's summary
    suggest_lost: bool  # rule 7: the last N calls in a row did not reach the customer


def call_info(ctx: Session, lead_ids: list[int]) -> dict[int, CallInfo]:
    """For the leads of the listed tasks (at most the queue's 500): one query for the leads, one for the
    latest follow-up of each."""
    ids = sorted({i for i in lead_ids if i})
    if not ids:
        return {}
    rows = list(Lead.select(Lead.id, Lead.contact_name, Lead.phone, Lead.email, Lead.other_contact, Lead.stage,
                            Lead.missed_calls, Lead.owner, User.team)
                .join(User, on=(Lead.owner == User.id)).where(Lead.id.in_(ids)).dicts())
    full = scope.full_contact_ids(ctx.actor, [(r["id"], r["owner"], r["team"]) for r in rows])
    latest = (FollowUp.select(FollowUp.lead, pw.fn.MAX(FollowUp.id).alias("last"))
              .where(FollowUp.lead.in_(ids)).group_by(FollowUp.lead))
    summaries = dict(FollowUp.select(FollowUp.lead, FollowUp.summary)
                     .where(FollowUp.id.in_([r["last"] for r in latest.dicts()])).tuples()) if rows else {}
    out = {}
    for r in rows:
        seen = r["id"] in full
        phone, email, other = (printable(r[k]) for k in ("phone", "email", "other_contact"))
        if phone:
            reach = phone if seen else mask_phone(phone)
        elif email:
            reach = email if seen else mask_email(email)
        else:
            reach = (other if seen else mask_other(other)) if other else ""
        out[r["id"]] = CallInfo(printable(r["contact_name"]) or "", reach, not seen and bool(reach), r["stage"],
                                printable(summaries.get(r["id"])) or None,
                                (r["missed_calls"] or 0) >= ctx.settings.missed_calls_for_lost)
    return out
