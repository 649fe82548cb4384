"""Other CRMs' default stage, status and lead source values, and what each becomes in tui-crm.

A vendor stage names a default stage key (acquired, qualified, proposal, negotiation) and its
vendor's default probability; a team whose stages differ gets the stage of nearest probability.
Closed stages are outcomes (won, lost). Status vocabularies (lead statuses) name a status.
Values are compared as ``norm_key`` spellings (case, width, spaces, ``_`` and ``-`` ignored).
"""
from __future__ import annotations

import difflib

from ...domain.vocab import norm_key

# value -> (default stage key or outcome, vendor's default probability %)
_STAGES: dict[str, tuple[str, int]] = {
    # Salesforce and SuiteCRM (SugarCRM's list) defaults
    "Prospecting": ("acquired", 10), "Qualification": ("qualified", 10), "Needs Analysis": ("qualified", 20),
    "Value Proposition": ("proposal", 50), "Id. Decision Makers": ("proposal", 60),
    "Perception Analysis": ("proposal", 70), "Proposal/Price Quote": ("proposal", 75),
    "Negotiation/Review": ("negotiation", 90), "Closed Won": ("won", 100), "Closed Lost": ("lost", 0),
    # Zoho
    "Identify Decision Makers": ("proposal", 60), "Closed-Lost to Competition": ("lost", 0),
    "Closed Lost to Competition": ("lost", 0),
    # HubSpot default pipeline: internal names and labels
    "appointmentscheduled": ("acquired", 20), "Appointment Scheduled": ("acquired", 20),
    "qualifiedtobuy": ("qualified", 40), "Qualified to Buy": ("qualified", 40),
    "presentationscheduled": ("proposal", 60), "Presentation Scheduled": ("proposal", 60),
    "decisionmakerboughtin": ("negotiation", 80), "Decision Maker Bought-In": ("negotiation", 80),
    "contractsent": ("negotiation", 90), "Contract Sent": ("negotiation", 90),
    "closedwon": ("won", 100), "closedlost": ("lost", 0),
    # HubSpot lifecycle stages (contacts)
    "subscriber": ("acquired", 5), "lead": ("acquired", 10), "marketingqualifiedlead": ("acquired", 15),
    "Marketing Qualified Lead": ("acquired", 15), "salesqualifiedlead": ("qualified", 25),
    "Sales Qualified Lead": ("qualified", 25), "opportunity": ("proposal", 50), "customer": ("won", 100),
    "evangelist": ("won", 100),
    # Pipedrive default pipeline (older and newer names)
    "Lead In": ("acquired", 10), "Contact Made": ("qualified", 25), "Needs Defined": ("qualified", 30),
    "Demo Scheduled": ("proposal", 40), "Proposal Made": ("proposal", 60), "Negotiations Started": ("negotiation", 80),
    # Odoo default stages
    "New": ("acquired", 10), "Proposition": ("proposal", 70), "Won": ("won", 100),
    # the templates' funnel words
    "初步接触": ("acquired", 10), "潜在": ("acquired", 10), "意向": ("qualified", 25), "方案提交": ("proposal", 50),
    "谈判签约": ("negotiation", 75), "商务谈判": ("negotiation", 75), "维护": ("won", 100), "成交": ("won", 100),
    "流失": ("lost", 0), "已联系": ("acquired", 10),
}

# lead statuses of other CRMs -> tui-crm status
_STATUSES: dict[str, str] = {
    # Salesforce
    "Open - Not Contacted": "pending", "Working - Contacted": "in_progress", "Closed - Converted": "won",
    "Closed - Not Converted": "lost",
    # HubSpot lead status
    "Open": "in_progress", "In Progress": "in_progress", "Open Deal": "in_progress", "Unqualified": "lost",
    "Attempted to Contact": "in_progress", "Connected": "in_progress", "Bad Timing": "paused",
    # Zoho
    "Not Contacted": "pending", "Contacted": "in_progress", "Contact in Future": "paused", "Pre-Qualified": "in_progress",
    "Not Qualified": "lost", "Junk Lead": "lost", "Lost Lead": "lost",
    # SuiteCRM
    "Assigned": "pending", "In Process": "in_progress", "Converted": "won", "Recycled": "dormant", "Dead": "lost",
    # Pipedrive deal status
    "won": "won", "lost": "lost", "deleted": "lost",
    # the templates
    "推进中": "in_progress", "已联系": "in_progress", "待补充": "pending", "已搁置": "paused",
}

# lead sources of other CRMs (their default pick lists) -> tui-crm's default source keys; a value named
# here whose key the team no longer has, and every other value, is a new source as written
_SOURCES: dict[str, str] = {
    # Salesforce LeadSource
    "Web": "website", "Phone Inquiry": "phone", "Partner Referral": "referral", "Partner": "partner",
    "Employee Referral": "referral", "External Referral": "referral", "Trade Show": "expo",
    "Advertisement": "ads", "Other": "other", "Word of mouth": "referral",
    # SuiteCRM (SugarCRM's lead_source_dom)
    "Cold Call": "phone", "Web Site": "website", "Conference": "expo",
    # HubSpot original source (labels and internal names)
    "Organic Search": "website", "ORGANIC_SEARCH": "website", "Direct Traffic": "website",
    "DIRECT_TRAFFIC": "website", "Paid Search": "ads", "PAID_SEARCH": "ads", "Paid Social": "ads",
    "PAID_SOCIAL": "ads", "Referrals": "referral", "REFERRALS": "referral",
    # Zoho
    "Web Download": "website", "Web Research": "website", "Online Store": "website", "Seminar Partner": "partner",
    # Odoo
    "Search engine": "website",
}

SOURCE_VOCAB = {norm_key(k): v for k, v in _SOURCES.items()}
STAGE_VOCAB = {norm_key(k): v for k, v in _STAGES.items()}
STATUS_VOCAB = {norm_key(k): v for k, v in _STATUSES.items()}


def vendor_stage(text: str, stages: list[tuple[str, int]]) -> tuple[str, str] | None:
    """``("stage", key)`` or ``("status", won|lost)`` for a vendor's stage value, None when unknown.
    ``stages`` is the team's open stages as (key, probability) in order."""
    hit = STAGE_VOCAB.get(norm_key(text))
    if hit is None:
        return None
    key, pct = hit
    if key in ("won", "lost"):
        return ("status", key)
    keys = [k for k, _p in stages]
    if key in keys:
        return ("stage", key)
    if not stages:
        return None
    best = min(range(len(stages)), key=lambda i: (abs(stages[i][1] - pct), i))
    return ("stage", stages[best][0])


def vendor_status(text: str) -> str | None:
    return STATUS_VOCAB.get(norm_key(text))


def vendor_source(text: str, keys) -> str | None:
    """The team's source key for a vendor's default lead source value, None when it names none of ``keys``."""
    key = SOURCE_VOCAB.get(norm_key(text))
    return key if key in keys else None


def closest(text: str, choices: dict[str, list[str]]) -> str | None:
    """The key whose spellings (key, labels) are closest to ``text``, if any is reasonably close."""
    want = norm_key(text)
    best, score = None, 0.0
    for key, names in choices.items():
        for name in names:
            s = difflib.SequenceMatcher(None, want, norm_key(name)).ratio()
            if want and norm_key(name) and (want in norm_key(name) or norm_key(name) in want):
                s = max(s, 0.8)
            if s > score:
                best, score = key, s
    return best if score >= 0.5 else None
