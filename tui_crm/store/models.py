"""peewee models: every table of the product.

Conventions:
- times are UTC epoch seconds in BIGINT columns named ``*_at`` (one
  representation on SQLite and PostgreSQL, cheap to index and compare);
  dates without a time are ``YYYY-MM-DD`` text;
- money is integer cents (``*_cents``);
- stages, statuses, sources, methods and kinds are stored by their stable key.
"""
from __future__ import annotations

import peewee as pw

database_proxy = pw.DatabaseProxy()


class BaseModel(pw.Model):
    class Meta:
        database = database_proxy
        only_save_dirty = True
        legacy_table_names = False


Ts = pw.BigIntegerField  # UTC epoch seconds


class Meta(BaseModel):
    """Key/value facts about the database: schema_version, settings JSON."""
    key = pw.CharField(primary_key=True, max_length=64)
    value = pw.TextField()


class Team(BaseModel):
    name = pw.CharField(unique=True, max_length=100)
    supervisor_id = pw.IntegerField(null=True)  # a user with role supervisor in this team
    # v12: JSON of the rule numbers this team sets itself (domain.rules.Settings fields: sla_hours,
    # escalate_after_days, stall_after_days, cadence_days), over the global ones for its members' leads
    settings = pw.TextField(null=True)


class User(BaseModel):
    login = pw.CharField(unique=True, max_length=64)
    name = pw.CharField(max_length=100)
    role = pw.CharField(max_length=16, default="rep")  # rep | supervisor | admin
    team = pw.ForeignKeyField(Team, null=True, backref="members", on_delete="SET NULL")
    active = pw.BooleanField(default=True)
    tz = pw.CharField(null=True, max_length=64)  # None: the machine's zone
    lang = pw.CharField(null=True, max_length=8)
    money = pw.CharField(null=True, max_length=8)  # short amounts: cn (8.0万) | plain (80.0k); None: by language
    last_method = pw.CharField(null=True, max_length=16)
    created_at = Ts()


class Stage(BaseModel):
    key = pw.CharField(unique=True, max_length=64)
    label_en = pw.CharField(max_length=100)
    label_zh = pw.CharField(max_length=100)
    position = pw.IntegerField()
    probability = pw.IntegerField()  # percent
    active = pw.BooleanField(default=True)


class Source(BaseModel):
    key = pw.CharField(unique=True, max_length=64)
    label_en = pw.CharField(max_length=100)
    label_zh = pw.CharField(max_length=100)
    active = pw.BooleanField(default=True)


class LostReason(BaseModel):
    label = pw.CharField(unique=True, max_length=200)


class ImportBatch(BaseModel):
    """An import: its leads are invisible until ``state`` is committed."""
    user = pw.ForeignKeyField(User, backref="imports")
    file = pw.TextField()
    state = pw.CharField(max_length=16, default="staging")  # staging | committed | undone | failed
    started_at = Ts()
    finished_at = Ts(null=True)
    summary = pw.TextField(default="{}")


class Lead(BaseModel):
    code = pw.CharField(unique=True, max_length=64)
    company = pw.CharField(max_length=200)
    contact_name = pw.CharField(max_length=100, default="")
    title = pw.CharField(max_length=100, null=True)
    phone = pw.CharField(max_length=32, null=True, index=True)  # E.164
    phone_rev = pw.CharField(max_length=32, null=True, index=True)  # digits reversed: suffix search
    pinyin = pw.TextField(null=True)  # pinyin and initials of company and contact (domain.spell): searched
    email = pw.CharField(max_length=200, null=True, index=True)  # lower-cased
    other_contact = pw.CharField(max_length=200, null=True)
    source = pw.CharField(max_length=64, default="other")
    industry = pw.CharField(max_length=100, null=True)
    company_size = pw.CharField(max_length=50, null=True)
    region = pw.CharField(max_length=100, null=True)
    first_contact_at = Ts(null=True)
    need = pw.TextField(default="")
    pain_points = pw.TextField(null=True)
    budget = pw.CharField(max_length=100, null=True)
    decision_maker = pw.CharField(max_length=200, null=True)
    obstacle = pw.TextField(null=True)
    owner = pw.ForeignKeyField(User, backref="leads", index=False)  # (owner, status, …) below leads with it
    priority = pw.CharField(max_length=8, default="medium")
    follow_up_days = pw.IntegerField(null=True)
    amount_cents = pw.BigIntegerField(null=True)
    probability = pw.IntegerField(null=True)  # percent; None: the stage's
    expected_close_date = pw.CharField(max_length=10, null=True)
    stage = pw.CharField(max_length=64)
    status = pw.CharField(max_length=16, default="pending")
    stage_entered_at = Ts()
    last_activity_at = Ts(null=True)
    next_follow_up_at = Ts(null=True)  # earliest due of the open tasks, kept by the services
    plan_until = Ts(null=True)  # latest due of the open tasks (v19: the stall rule's index), kept beside it
    stay_reason = pw.TextField(null=True)
    incomplete = pw.CharField(max_length=200, default="")  # comma-separated missing fields
    escalated = pw.BooleanField(default=False)
    escalation_note = pw.TextField(null=True)
    dup_suspected = pw.BooleanField(default=False)
    remarks = pw.TextField(null=True)
    next_action = pw.TextField(null=True)
    won_amount_cents = pw.BigIntegerField(null=True)
    currency = pw.CharField(max_length=3, null=True)  # ISO 4217 of the lead's amounts when its file named one
    product = pw.CharField(max_length=200, null=True)
    won_at = Ts(null=True)
    lost_reason = pw.CharField(max_length=200, null=True)
    lost_at = Ts(null=True)
    wake_up_at = Ts(null=True)
    pause_reason = pw.TextField(null=True)
    missed_calls = pw.IntegerField(default=0)  # consecutive unreached follow-ups (rule 7)
    created_at = Ts()
    updated_at = Ts()
    assigned_at = Ts()
    created_by = pw.IntegerField(null=True)
    batch = pw.ForeignKeyField(ImportBatch, null=True, backref="leads", on_delete="CASCADE")
    version = pw.IntegerField(default=1)
    # bit (1 << stage.id) of every stage the lead was ever in, kept by a trigger on stage_history
    # (schema v3, store/schema.py report_support): the funnel's "reached" without reading the history
    stages_seen = pw.BigIntegerField(default=0, constraints=[pw.SQL("DEFAULT 0")])

    class Meta:
        indexes = (
            (("owner", "status", "next_follow_up_at", "batch"), False),  # covering the scoped counts (v14)
            (("status", "next_follow_up_at", "batch"), False),  # (v14: the batch added)
            (("created_at",), False),
            (("batch",), False),
        )


class LeadShare(BaseModel):
    """Collaborators: users a lead is shared with."""
    lead = pw.ForeignKeyField(Lead, backref="shares", on_delete="CASCADE")
    user = pw.ForeignKeyField(User, backref="shared_leads", on_delete="CASCADE")

    class Meta:
        indexes = ((("user", "lead"), True),)


class Tag(BaseModel):
    name = pw.CharField(unique=True, max_length=64)


class LeadTag(BaseModel):
    lead = pw.ForeignKeyField(Lead, backref="tag_links", on_delete="CASCADE")
    tag = pw.ForeignKeyField(Tag, backref="lead_links", on_delete="CASCADE")

    class Meta:
        indexes = ((("lead", "tag"), True),)


class FollowUp(BaseModel):
    lead = pw.ForeignKeyField(Lead, backref="followups", on_delete="CASCADE", index=False)  # (lead, at) below
    user = pw.ForeignKeyField(User)
    at = Ts()
    method = pw.CharField(max_length=16, default="phone")
    reached = pw.BooleanField(default=True)
    summary = pw.TextField(default="")
    customer_words = pw.TextField(null=True)
    reading = pw.TextField(null=True)
    sentiment = pw.CharField(max_length=16, null=True)
    objection = pw.TextField(null=True)
    handling = pw.TextField(null=True)
    next_action = pw.TextField(null=True)
    next_at = Ts(null=True)

    class Meta:
        indexes = ((("lead", "at"), False),)


class Task(BaseModel):
    lead = pw.ForeignKeyField(Lead, null=True, backref="tasks", on_delete="CASCADE", index=False)  # (lead, status, …)
    owner = pw.ForeignKeyField(User, backref="tasks", index=False)  # (owner, status, due_at) below
    kind = pw.CharField(max_length=16, default="follow_up")
    title = pw.CharField(max_length=200, default="")
    priority = pw.CharField(max_length=8, default="medium")
    due_at = Ts()
    remind_minutes = pw.IntegerField(default=15)
    status = pw.CharField(max_length=16, default="open")
    result = pw.TextField(null=True)
    created_at = Ts()
    done_at = Ts(null=True)
    reminded_at = Ts(null=True)  # v9: when the reminder (remind_minutes before due) was sent; the sweep's claim
    # v12: the customer's sentiment before and after the task (seed 004: 中性→积极), sentiment keys
    sentiment_before = pw.CharField(max_length=16, null=True)
    sentiment_after = pw.CharField(max_length=16, null=True)

    class Meta:
        indexes = (
            (("lead", "status", "due_at"), False),
            (("owner", "status", "due_at"), False),
        )


class TaskLead(BaseModel):
    """Extra leads of a task that concerns several leads."""
    task = pw.ForeignKeyField(Task, backref="extra_leads", on_delete="CASCADE")
    lead = pw.ForeignKeyField(Lead, on_delete="CASCADE")


class StageHistory(BaseModel):
    """One row per stay: a lead entered ``stage`` at ``entered_at`` and left at ``left_at``."""
    lead = pw.ForeignKeyField(Lead, backref="stage_history", on_delete="CASCADE", index=False)  # (lead, entered_at)
    stage = pw.CharField(max_length=64)  # a stage key, or won/lost for the outcome
    entered_at = Ts()
    left_at = Ts(null=True)
    user = pw.ForeignKeyField(User, null=True)
    reason = pw.TextField(null=True)  # stay reason given when it left

    class Meta:
        indexes = ((("lead", "entered_at"), False),)  # (stage, left_at, …): stage_history_stays, schema.py


class Notification(BaseModel):
    user = pw.ForeignKeyField(User, backref="notifications", on_delete="CASCADE")
    lead = pw.ForeignKeyField(Lead, null=True, on_delete="CASCADE")
    kind = pw.CharField(max_length=32)  # escalation | assignment | reminder | wake_up | import
    text = pw.TextField()  # in English (rows before v9: in the writer's language)
    message = pw.TextField(null=True)  # v9: i18n.message() JSON, shown in the reader's language
    at = Ts()
    read = pw.BooleanField(default=False)

    class Meta:
        indexes = ((("user", "read", "at"), False),)


class Change(BaseModel):
    """Append-only: the audit trail and the change feed open screens poll."""
    id = pw.BigAutoField()
    at = Ts()
    user = pw.ForeignKeyField(User, null=True, on_delete="SET NULL", index=False)  # (user, action, at) below
    entity = pw.CharField(max_length=32)  # lead | task | followup | user | stage | import ...
    entity_id = pw.BigIntegerField(null=True)
    lead_id = pw.BigIntegerField(null=True)
    action = pw.CharField(max_length=32)  # create | update | move | won | lost | reveal ...
    diff = pw.TextField(default="{}")  # JSON {field: [old, new]} or details

    class Meta:
        indexes = ((("lead_id", "id"), False), (("entity", "entity_id"), False),
                   (("user", "action", "at"), False), (("at",), False))  # the audit's questions (schema v8)


class AssignmentRule(BaseModel):
    """v12: who a lead created without an owner goes to (tried by ``position``, the first that matches
    wins). Empty conditions match anything; ``keywords`` (separated by ", ") are looked for in the need
    and the remarks. To one user, or to a team: round-robin or least-loaded, ``daily_cap`` leads a day
    per user at most (None: no cap)."""
    position = pw.IntegerField()
    region = pw.CharField(max_length=100, null=True)
    industry = pw.CharField(max_length=100, null=True)
    source = pw.CharField(max_length=64, null=True)
    keywords = pw.TextField(null=True)
    to_user = pw.ForeignKeyField(User, null=True, on_delete="CASCADE")
    to_team = pw.ForeignKeyField(Team, null=True, on_delete="CASCADE")
    mode = pw.CharField(max_length=16, default="round-robin")  # round-robin | least-loaded
    daily_cap = pw.IntegerField(null=True)
    created_at = Ts()


class AutoTagRule(BaseModel):
    """v12: a new lead whose source is one of ``sources`` (if any) and whose need or remarks hold one of
    ``keywords`` (if any; both separated by ", ") gets ``tag``."""
    tag = pw.CharField(max_length=64)
    sources = pw.TextField(null=True)
    keywords = pw.TextField(null=True)
    created_at = Ts()


class LeadAssignment(BaseModel):
    """v12: each lead an assignment rule gave to a user (append-only): whose turn it is in a round-robin,
    how many a user had today against a daily cap, and the timeline's "assigned by rule N". ``rule`` is
    the rule's id as it was (the rule may be removed since)."""
    lead = pw.ForeignKeyField(Lead, on_delete="CASCADE")
    rule = pw.IntegerField()
    user = pw.ForeignKeyField(User, on_delete="CASCADE", index=False)  # (user, at) below
    at = Ts()

    class Meta:
        indexes = ((("rule", "id"), False), (("user", "at"), False))


class CodeCounter(BaseModel):
    """Per-prefix sequence for generated lead codes (source + day)."""
    prefix = pw.CharField(primary_key=True, max_length=64)
    last = pw.IntegerField(default=0)


ALL_MODELS = [Meta, Team, User, Stage, Source, LostReason, ImportBatch, Lead, LeadShare, Tag,
              LeadTag, FollowUp, Task, TaskLead, StageHistory, Notification, Change, CodeCounter, AssignmentRule,
              AutoTagRule, LeadAssignment]
