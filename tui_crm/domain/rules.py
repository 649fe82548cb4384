"""The business rules (SLA, cadence, stall, escalation, due states, transitions, lead codes) as pure functions over plain values.

Every number is a field of :class:`Settings` (a team setting, stored as JSON
by the store); defaults are the templates' numbers.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from datetime import datetime, time, timedelta, tzinfo

from .vocab import CLOSED_STATUSES, WORKING_STATUSES


@dataclass
class Settings:
    sla_hours: dict[str, int] = field(default_factory=lambda: {"high": 24, "medium": 48, "low": 72})
    escalate_after_days: int = 3
    complete_record_hours: int = 2
    cadence_days: dict[str, int] = field(default_factory=lambda: {
        "acquired": 7, "qualified": 7, "proposal": 3, "negotiation": 3, "won": 30})
    default_cadence_days: int = 7  # a configured stage missing from cadence_days
    revisit_stage: str = "proposal"
    revisit_after_days: int = 3
    stall_after_days: int = 7
    missed_calls_for_lost: int = 3
    duplicate_similarity: float = 0.9
    code_pattern: str = "{SOURCE}-{YYYYMMDD}-{SEQ:03}"
    default_region: str = "CN"
    overdue_tick_seconds: int = 5
    reminder_minutes: int = 15
    sweep_seconds: int = 30  # how often every open app runs the rule sweep (escalations, reminders, wake-ups)
    # a call not reached is tried again this many hours later the same working day, else at the start of
    # the next working day (Monday to Friday, work_hours local), not after the stage's cadence
    missed_call_retry_hours: int = 2
    work_hours: list = field(default_factory=lambda: [9, 18])

    def to_dict(self) -> dict:
        return asdict(self)

    def with_overrides(self, own: dict) -> "Settings":
        """These settings with a team's own numbers over them (dicts merged key by key)."""
        data = self.to_dict()
        for k, v in own.items():
            if k in data:
                data[k] = {**data[k], **v} if isinstance(v, dict) and isinstance(data[k], dict) else v
        return Settings.from_dict(data)

    @classmethod
    def from_dict(cls, data: dict | None) -> "Settings":
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in (data or {}).items() if k in names})


# ---------------------------------------------------------------- lead codes
def lead_code(pattern: str, source: str, day: datetime, seq: int) -> str:
    """``{SOURCE}-{YYYYMMDD}-{SEQ:03}`` → ``EXPO-20241101-001``."""
    return pattern.format(
        SOURCE=source.upper(), source=source, YYYYMMDD=day.strftime("%Y%m%d"),
        YYYY=day.strftime("%Y"), MM=day.strftime("%m"), DD=day.strftime("%d"), SEQ=seq)


def code_prefix(pattern: str, source: str, day: datetime) -> str:
    """The part of a code before the sequence (what the per-day counter is keyed by)."""
    head = pattern.split("{SEQ", 1)[0]
    return head.format(SOURCE=source.upper(), source=source, YYYYMMDD=day.strftime("%Y%m%d"),
                       YYYY=day.strftime("%Y"), MM=day.strftime("%m"), DD=day.strftime("%d"))


# ------------------------------------------------------------------- timing
def first_contact_due(created: datetime, priority: str, s: Settings) -> datetime:
    return created + timedelta(hours=s.sla_hours.get(priority or "medium", s.sla_hours["medium"]))


def escalation_due(assigned: datetime, s: Settings) -> datetime:
    return assigned + timedelta(days=s.escalate_after_days)


def needs_escalation(assigned: datetime, contacted: bool, status: str, now: datetime, s: Settings) -> bool:
    return (not contacted) and status in WORKING_STATUSES and now >= escalation_due(assigned, s)


def complete_record_due(now: datetime, s: Settings) -> datetime:
    return now + timedelta(hours=s.complete_record_hours)


def cadence_days(stage: str, status: str, own_days: int | None, s: Settings) -> int:
    if own_days:
        return int(own_days)
    if status == "won":
        return s.cadence_days.get("won", 30)
    return s.cadence_days.get(stage, s.default_cadence_days)


def next_follow_up(at: datetime, stage: str, status: str, own_days: int | None, s: Settings) -> datetime:
    return at + timedelta(days=cadence_days(stage, status, own_days, s))


def missed_call_retry(at: datetime, tz, s: Settings) -> datetime:
    """When to call again after a call that did not connect: ``missed_call_retry_hours`` later if that is
    still within the working day, else the next working day's first hour (local time in ``tz``)."""
    local = at.astimezone(tz)
    start, end = int(s.work_hours[0]), int(s.work_hours[1])
    retry = local + timedelta(hours=s.missed_call_retry_hours)
    working = local.weekday() < 5
    if working and retry.date() == local.date() and start <= retry.hour and (retry.hour, retry.minute) < (end, 1):
        return retry
    day = local.date()
    if not (working and local.hour < start):  # before the day's work began: its first hour; else the next day's
        day += timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return datetime.combine(day, time(start), tzinfo=local.tzinfo).astimezone(tz)


def revisit_due(entered: datetime, stage: str, s: Settings) -> datetime | None:
    """Entering the revisit stage (proposal) plans a revisit N days later."""
    if stage != s.revisit_stage:
        return None
    return entered + timedelta(days=s.revisit_after_days)


def overstayed(stage_entered: datetime | None, now: datetime, s: Settings) -> bool:
    """More than 7×24 h in the current stage: a stay reason is needed."""
    return stage_entered is not None and now - stage_entered > timedelta(days=s.stall_after_days)


def is_stalled(status: str, stage_entered: datetime | None, next_due: datetime | None,
               now: datetime, s: Settings) -> bool:
    """Overstayed and nothing planned (an overdue task does not count as planned)."""
    if status in CLOSED_STATUSES or status == "dormant":
        return False
    planned = next_due is not None and next_due >= now
    return overstayed(stage_entered, now, s) and not planned


def suggest_lost(reached_flags_newest_first: list[bool], s: Settings) -> bool:
    """Rule 7: the last N follow-ups all failed to reach the customer."""
    n = s.missed_calls_for_lost
    recent = reached_flags_newest_first[:n]
    return len(recent) >= n and not any(recent)


# ------------------------------------------------------------- due states
OVERDUE, DUE_TODAY, PLANNED, NOTHING = "overdue", "today", "planned", "none"


def day_bounds(now: datetime, tz: tzinfo) -> tuple[datetime, datetime]:
    """Start of today and of tomorrow in the user's time zone (aware datetimes)."""
    today = now.astimezone(tz).date()
    start = datetime.combine(today, time(0), tzinfo=tz)
    return start, datetime.combine(today + timedelta(days=1), time(0), tzinfo=tz)


def due_state(status: str, next_due: datetime | None, now: datetime, tz: tzinfo) -> str:
    """overdue / today / planned / none, in the user's local day."""
    if next_due is None or status not in WORKING_STATUSES and status != "paused":
        return NOTHING
    if status not in WORKING_STATUSES:  # paused: planned but never overdue
        return PLANNED
    if next_due < now:
        return OVERDUE
    _, tomorrow = day_bounds(now, tz)
    return DUE_TODAY if next_due < tomorrow else PLANNED


def overdue_days(next_due: datetime, now: datetime, tz: tzinfo) -> int:
    """Whole local days overdue ("overdue 2d"); 0 means earlier today."""
    return (now.astimezone(tz).date() - next_due.astimezone(tz).date()).days


# --------------------------------------------------------- transitions
class RuleError(ValueError):
    """A transition that the rules refuse; the message says why."""


OUTCOME_REQUIREMENTS = {
    "won": ("won_amount", "product", "won_at"),
    "lost": ("lost_reason",),
    "dormant": ("wake_up_at",),
    "paused": ("pause_reason",),
}


def check_outcome(status: str, values: dict) -> list[str]:
    """Names of the fields an outcome needs that are missing."""
    return [f for f in OUTCOME_REQUIREMENTS.get(status, ()) if values.get(f) in (None, "")]


ALLOWED_STATUS = {
    "pending": {"in_progress", "won", "lost", "dormant", "paused"},
    "in_progress": {"won", "lost", "dormant", "paused"},
    "paused": {"in_progress", "won", "lost", "dormant"},
    "dormant": {"in_progress", "lost", "won"},
    "won": {"in_progress"},  # reopen
    "lost": {"in_progress"},  # reopen
}


def check_status_change(old: str, new: str) -> None:
    if old == new:
        return
    if new not in ALLOWED_STATUS.get(old, set()):
        raise RuleError(f"cannot change status from {old} to {new}")


def check_stage_move(status: str, stages: list[str], old: str, new: str) -> None:
    if status in CLOSED_STATUSES:
        raise RuleError("lead is closed; reopen it before moving its stage")
    if new not in stages:
        raise RuleError(f"unknown stage: {new}")


def neighbour_stage(stages: list[str], current: str, step: int) -> str | None:
    try:
        i = stages.index(current) + step
    except ValueError:
        return stages[0] if stages else None
    return stages[i] if 0 <= i < len(stages) else None


REQUIRED_FIELDS = ("company", "contact_name", "source", "need", "owner")


def missing_required(values: dict) -> list[str]:
    """Required fields of §1 that are empty; also 'contact' when there is no way to reach them."""
    missing = [f for f in REQUIRED_FIELDS if not values.get(f)]
    if not (values.get("phone") or values.get("email") or values.get("other_contact")):
        missing.append("contact")
    if values.get("status") == "won":
        missing += [f for f in ("product", "won_at") if not values.get(f)]
    return missing
