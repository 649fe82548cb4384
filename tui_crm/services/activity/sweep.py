"""The rule sweep: escalation of leads left uncontacted after assignment."""
from __future__ import annotations



from ...i18n import _
from ...store.models import Lead, User
from .. import changes, scope
from .inbox import notify
from ..context import Session, team_supervisor_ids
from ..records import ts


def sweep_escalations(ctx: Session) -> int:
    """Rule 2: uncontacted 3 days after assignment → flag and notify the owner's supervisor.

    Runs over everyone's leads (any session may run it); idempotent thanks to the flag.
    """
    limit = ts(ctx.now()) - ctx.settings.escalate_after_days * 86400
    q = (Lead.select(Lead.id, Lead.code, Lead.company, Lead.owner, User.team)
         .join(User, on=(Lead.owner == User.id))
         .where((Lead.status == "pending") & Lead.first_contact_at.is_null() & (Lead.escalated == False)  # noqa
                & (Lead.assigned_at <= limit) & scope.committed()).limit(1000))
    rows = list(q.dicts())
    if not rows:
        return 0
    done = 0
    with ctx.db.atomic():
        for r in rows:
            # the flag is the claim: of two sweeps at once (two apps starting) only one flips it and notifies
            if not Lead.update(escalated=True, version=Lead.version + 1).where(
                    (Lead.id == r["id"]) & (Lead.escalated == False)).execute():  # noqa: E712
                continue
            done += 1
            for sid in team_supervisor_ids(r["team"]) or []:
                notify(ctx, sid, "escalation", _("{code} {company}: not contacted {days} days after assignment",
                                                  code=r["code"], company=r["company"],
                                                  days=ctx.settings.escalate_after_days), r["id"])
            changes.record(ctx, "lead", r["id"], "escalate", {"escalated": [False, True]}, lead_id=r["id"],
                           system=True)
    return done
