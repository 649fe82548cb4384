"""Plain rows the services hand to screens and the command line (no peewee objects)."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone

from ..domain import rules
from ..domain.contact import mask_email, mask_other, mask_phone
from ..domain.text import printable
from .context import Session, settings_for_team


def dt(ts: int | None) -> datetime | None:
    return None if ts is None else datetime.fromtimestamp(ts, timezone.utc)


def ts(value: datetime | None) -> int | None:
    return None if value is None else int(value.timestamp())


def iso(value: datetime | None, tz=None) -> str | None:
    if value is None:
        return None
    return value.astimezone(tz).isoformat() if tz else value.isoformat()


def cents_to_str(cents: int | None) -> str | None:
    if cents is None:
        return None
    sign = "-" if cents < 0 else ""
    cents = abs(cents)
    return f"{sign}{cents // 100}.{cents % 100:02d}"


def cents_to_number(cents: int | None):
    """For JSON: an exact 2-decimal number (float repr of x.yz is exact enough to print 0.01)."""
    if cents is None:
        return None
    return round(cents / 100, 2)


LEAD_COLUMNS = (
    "id", "code", "company", "contact_name", "title", "phone", "email", "other_contact", "source",
    "industry", "company_size", "region", "first_contact_at", "need", "pain_points", "budget",
    "decision_maker", "obstacle", "owner_id", "priority", "follow_up_days", "amount_cents",
    "probability", "expected_close_date", "stage", "status", "stage_entered_at", "last_activity_at",
    "next_follow_up_at", "stay_reason", "incomplete", "escalated", "escalation_note", "dup_suspected",
    "remarks", "next_action", "won_amount_cents", "currency", "product", "won_at", "lost_reason", "lost_at",
    "wake_up_at", "pause_reason", "missed_calls", "created_at", "updated_at", "assigned_at", "version",
)
TIME_COLUMNS = {"first_contact_at", "stage_entered_at", "last_activity_at", "next_follow_up_at",
                "won_at", "lost_at", "wake_up_at", "created_at", "updated_at", "assigned_at"}


@dataclass
class LeadView:
    id: int
    code: str
    company: str
    contact_name: str
    title: str | None
    phone: str | None  # E.164, or masked
    email: str | None
    other_contact: str | None
    source: str
    industry: str | None
    company_size: str | None
    region: str | None
    first_contact_at: datetime | None
    need: str
    pain_points: str | None
    budget: str | None
    decision_maker: str | None
    obstacle: str | None
    owner_id: int
    priority: str
    follow_up_days: int | None
    amount_cents: int | None
    probability: int | None  # effective: the lead's own or the stage's
    expected_close_date: str | None
    stage: str
    status: str
    stage_entered_at: datetime | None
    last_activity_at: datetime | None
    next_follow_up_at: datetime | None
    stay_reason: str | None
    incomplete: list[str]
    escalated: bool
    escalation_note: str | None
    dup_suspected: bool
    remarks: str | None
    next_action: str | None
    won_amount_cents: int | None
    currency: str | None  # ISO 4217 code its import named; None: the team's own
    product: str | None
    won_at: datetime | None
    lost_reason: str | None
    lost_at: datetime | None
    wake_up_at: datetime | None
    pause_reason: str | None
    missed_calls: int
    created_at: datetime | None
    updated_at: datetime | None
    assigned_at: datetime | None
    version: int
    owner_login: str = ""
    owner_name: str = ""
    owner_team_id: int | None = None
    masked: bool = False  # phone/email/other contact shown masked to this actor
    revealed: bool = False  # shown in full only because the actor revealed them (an audited action)
    due_state: str = rules.NOTHING  # overdue | today | planned | none
    overdue_days: int = 0
    stalled: bool = False
    planned_later: bool = False  # some open task is due now or later (a lead being worked is not stalled)
    last_due_at: datetime | None = None  # the latest due among the open tasks (lead.plan_until): the timer
    # decides "planned later" from it, so an earlier task falling due never stalls a lead with a later one
    overstayed: bool = False
    tags: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)


def build_view(ctx: Session, row: dict, owner: tuple[str, str, int | None], full_contact: bool,
               reveal: bool = False) -> LeadView:
    """A LeadView from a row dict of lead columns (times as epoch ints). Contacts are masked unless
    ``full_contact`` (the actor's right) or ``reveal`` (an audited reveal: the view is marked ``revealed``)."""
    values = {c: printable(row.get(c)) for c in LEAD_COLUMNS}  # stored before inputs were cleaned: no escapes
    for c in TIME_COLUMNS:
        values[c] = dt(values[c])
    values["last_due_at"] = dt(row.get("plan_until"))  # a later task planned: not stalled (rule 6)
    values["incomplete"] = [x for x in (values["incomplete"] or "").split(",") if x]
    values["escalated"] = bool(values["escalated"])
    values["dup_suspected"] = bool(values["dup_suspected"])
    values["missed_calls"] = values["missed_calls"] or 0
    if values["probability"] is None:
        values["probability"] = ctx.probability_of(values["stage"], values["status"])
    masked = False
    revealed = not full_contact and reveal and bool(values["phone"] or values["email"] or values["other_contact"])
    if not full_contact and not reveal:
        if values["phone"]:
            values["phone"], masked = mask_phone(values["phone"]), True
        if values["email"]:
            values["email"], masked = mask_email(values["email"]), True
        if values["other_contact"]:
            values["other_contact"], masked = mask_other(values["other_contact"]), True
    view = LeadView(**values, owner_login=owner[0], owner_name=printable(owner[1]), owner_team_id=owner[2],
                    masked=masked, revealed=revealed)
    settings_for_team(ctx, view.owner_team_id)  # read (on the database's thread) what apply_due takes as read
    apply_due(ctx, view)
    return view


def apply_due(ctx: Session, view: LeadView) -> None:
    """Recompute the time-dependent flags (overdue, due today, stalled) for now."""
    now = ctx.now()
    view.due_state = rules.due_state(view.status, view.next_follow_up_at, now, ctx.tz)
    view.overdue_days = (rules.overdue_days(view.next_follow_up_at, now, ctx.tz)
                         if view.due_state == rules.OVERDUE else 0)
    open_ = view.status not in ("won", "lost", "dormant")
    s = settings_for_team(ctx, view.owner_team_id, read=False)  # the team's own stall days, never a query here
    view.overstayed = open_ and rules.overstayed(view.stage_entered_at, now, s)
    view.planned_later = view.last_due_at is not None and view.last_due_at >= now
    view.stalled = (rules.is_stalled(view.status, view.stage_entered_at, view.next_follow_up_at, now, s)
                    and not view.planned_later)


def lead_json(ctx: Session, v: LeadView) -> dict:
    """The §4 JSON object for a lead."""
    tz = ctx.tz
    return {
        "code": v.code, "company": v.company, "contact_name": v.contact_name, "title": v.title,
        "phone": v.phone, "email": v.email, "other_contact": v.other_contact, "source": v.source,
        "industry": v.industry, "company_size": v.company_size, "region": v.region,
        "first_contact_at": iso(v.first_contact_at, tz), "need": v.need, "pain_points": v.pain_points,
        "budget": v.budget, "decision_maker": v.decision_maker, "obstacle": v.obstacle,
        "follow_up_days": v.follow_up_days, "stage": v.stage, "status": v.status,
        "owner": v.owner_login, "priority": v.priority, "amount": cents_to_number(v.amount_cents), "currency": v.currency,
        "probability": v.probability, "expected_close_date": v.expected_close_date,
        "next_follow_up_at": iso(v.next_follow_up_at, tz), "overdue": v.due_state == rules.OVERDUE,
        "due_today": v.due_state == rules.DUE_TODAY, "stalled": v.stalled, "incomplete": bool(v.incomplete),
        "missing": v.incomplete, "stage_entered_at": iso(v.stage_entered_at, tz),
        "last_activity_at": iso(v.last_activity_at, tz), "stay_reason": v.stay_reason,
        "won_amount": cents_to_number(v.won_amount_cents), "product": v.product,
        "won_at": iso(v.won_at, tz), "lost_reason": v.lost_reason, "lost_at": iso(v.lost_at, tz),
        "wake_up_at": iso(v.wake_up_at, tz), "pause_reason": v.pause_reason, "remarks": v.remarks,
        "next_action": v.next_action, "escalated": v.escalated, "duplicate_suspected": v.dup_suspected,
        "masked": v.masked, "tags": v.tags, "created_at": iso(v.created_at, tz), "version": v.version,
    }
