"""Stable keys of the lead's fields (stages, statuses, sources, priorities, methods, …) with their English and Chinese labels.

The database and JSON use the key; screens show the label; the command line
and import accept the key or any label (see :func:`resolve`).
"""
from __future__ import annotations

import unicodedata

Labels = dict[str, tuple[str, str]]

DEFAULT_STAGES: list[tuple[str, str, str, int]] = [
    ("acquired", "lead acquired", "线索获取", 10),
    ("qualified", "needs confirmed", "需求确认", 25),
    ("proposal", "proposal & quote", "方案报价", 50),
    ("negotiation", "negotiation", "谈判推进", 75),
]
STAGE_LABELS: Labels = {k: (en, zh) for k, en, zh, _ in DEFAULT_STAGES}

OUTCOMES: Labels = {"won": ("won", "成交"), "lost": ("lost", "已流失")}

STATUSES: Labels = {
    "pending": ("not yet contacted", "待跟进"),
    "in_progress": ("in progress", "跟进中"),
    "won": ("won", "成交"),
    "lost": ("lost", "已流失"),
    "dormant": ("dormant", "休眠"),
    "paused": ("paused", "暂缓"),
}
OPEN_STATUSES = ("pending", "in_progress", "paused")
WORKING_STATUSES = ("pending", "in_progress")  # the ones that can be overdue
CLOSED_STATUSES = ("won", "lost")

SOURCES: Labels = {
    "expo": ("expo", "展会"),
    "website": ("website", "官网"),
    "referral": ("referral", "转介绍"),
    "ads": ("online ads", "线上广告"),
    "phone": ("phone", "电话"),
    "partner": ("partner", "合作伙伴"),
    "other": ("other", "其他"),
}

METHODS: Labels = {
    "phone": ("phone", "电话"),
    "visit": ("visit", "拜访"),
    "email": ("email", "邮件"),
    "wechat": ("WeChat", "微信"),
    "meeting": ("meeting", "会议"),
}

SENTIMENTS: Labels = {
    "positive": ("positive", "积极"),
    "neutral": ("neutral", "中性"),
    "hesitant": ("hesitant", "犹豫"),
    "resistant": ("resistant", "抵触"),
}

TASK_KINDS: Labels = {
    "first_contact": ("first contact", "首次联系"),
    "follow_up": ("follow-up", "跟进"),
    "revisit": ("revisit", "回访"),
    "complete_record": ("complete record", "补充信息"),
    "wake_up": ("wake up", "唤醒"),
    "other": ("other", "其他"),
}

TASK_STATUSES: Labels = {
    "open": ("open", "未开始"),
    "in_progress": ("in progress", "进行中"),
    "done": ("done", "已完成"),
    "shelved": ("shelved", "已搁置"),
}
OPEN_TASK_STATUSES = ("open", "in_progress")

# the lost reasons offered while a team has not set its own (the lost_reason table)
LOST_REASONS: Labels = {
    "price": ("price too high", "价格太高"),
    "competitor": ("chose a competitor", "选择了竞争对手"),
    "budget": ("no budget", "没有预算"),
    "no_need": ("no need now", "暂无需求"),
    "unreachable": ("cannot be reached", "联系不上"),
    "timing": ("bad timing", "时机不对"),
}



def lost_reason_choices(own: list[str] | None) -> Labels:
    """The team's lost reasons (``lost_reason`` rows, as written, for both languages), else the defaults."""
    return {text: (text, text) for text in own} if own else dict(LOST_REASONS)


def pick_lost_reason(text: str, own: list[str] | None, zh: bool) -> str:
    """A lost reason as typed in a form or given on the command line: a number of the list is its reason, a
    reason of the list (its key or words in either language) reads as the list shows it, any other text is
    kept as typed."""
    choices = lost_reason_choices(own)
    labels = [pair[1] if zh else pair[0] for pair in choices.values()]
    text = (text or "").strip()
    if text.isdigit() and 1 <= int(text) <= len(labels):
        return labels[int(text) - 1]
    key = resolve("lost_reason", text, choices)
    return (choices[key][1] if zh else choices[key][0]) if key else text


PRIORITIES: Labels = {"high": ("high", "高"), "medium": ("medium", "中"), "low": ("low", "低")}
PRIORITY_RANK = {"high": 0, "medium": 1, "low": 2}

ROLES: Labels = {"rep": ("rep", "销售"), "supervisor": ("supervisor", "主管"), "admin": ("admin", "管理员")}

# Extra spellings seen in the templates and other CRMs' exports.
ALIASES: dict[str, dict[str, str]] = {
    "status": {
        "已转化": "won", "成交": "won", "已成交": "won", "赢单": "won", "closed won": "won",
        "流失": "lost", "已流失": "lost", "输单": "lost", "closed lost": "lost",
        "未联系": "pending", "待联系": "pending", "new": "pending", "open": "in_progress",
        "跟进中": "in_progress", "进行中": "in_progress", "active": "in_progress",
        "暂停": "paused", "暂缓": "paused", "on hold": "paused",
        "休眠": "dormant", "沉睡": "dormant",
    },
    "priority": {"高意向": "high", "中意向": "medium", "低意向": "low", "h": "high", "m": "medium", "l": "low"},
    "source": {"展会": "expo", "官网": "website", "网站": "website", "转介绍": "referral", "推荐": "referral",
               "线上广告": "ads", "广告": "ads", "电话": "phone", "电话营销": "phone", "电销": "phone",
               "cold call": "phone", "telemarketing": "phone", "合作伙伴": "partner", "其他": "other"},
}


def norm_key(text: str) -> str:
    """Case-, width- and space-insensitive form used to compare spellings."""
    text = unicodedata.normalize("NFKC", str(text)).strip().lower()
    return " ".join(text.replace("_", " ").replace("-", " ").split())


def resolve(kind: str, text: str, labels: Labels) -> str | None:
    """Key for a key or label (English or Chinese) or alias; None if unknown."""
    want = norm_key(text)
    if not want:
        return None
    for key, (en, zh) in labels.items():
        if want in (norm_key(key), norm_key(en), norm_key(zh)):
            return key
    alias = {norm_key(k): v for k, v in ALIASES.get(kind, {}).items()}.get(want)
    if alias in labels:
        return alias
    return None


# what a lead's field is called on screen (msgids: translated where shown); the form's order is §1's
LEAD_FIELDS = [
    ("company", "company"), ("contact_name", "contact"), ("title", "title"), ("phone", "phone"),
    ("email", "email"), ("other_contact", "other contact"), ("source", "source"), ("industry", "industry"),
    ("company_size", "company size"), ("region", "region"), ("need", "need"), ("pain_points", "pain points"),
    ("budget", "budget"), ("decision_maker", "decision maker"), ("obstacle", "key obstacle"),
    ("priority", "priority"), ("follow_up_days", "cadence (days)"), ("amount", "expected amount"),
    ("expected_close_date", "expected close date"), ("remarks", "remarks"), ("next_action", "next action"),
]
# the stored columns' titles, for the timeline's field changes and the "incomplete" warning
FIELD_TITLES = {**dict(LEAD_FIELDS), "amount_cents": "expected amount", "won_amount_cents": "amount won",
                "product": "product", "won_at": "won at", "lost_reason": "lost reason", "lost_at": "lost at",
                "stay_reason": "stay reason", "owner_id": "owner", "stage": "stage", "status": "status",
                "probability": "probability",
                "contact": "phone, e-mail or other contact"}  # a lead's "incomplete" mark: no way to reach them

