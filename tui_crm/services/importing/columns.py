"""Import column mapping: header names (English and the templates' Chinese) to lead fields.

The fields are the lead's import names (``FIELDS``); a few pseudo-fields read combined columns of
the seed templates: ``company_contact`` (客户名称/联系人), ``amount_product``
(转化金额/产品), ``contact`` (联系方式, sorted by shape into phone, email or
other contact) and ``next_plan`` (下次跟进计划: a date and its text).
"""
from __future__ import annotations

import re
import unicodedata

from ...i18n import _
from ..context import Session
from ..errors import ValidationError
from .read import open_table

FIELDS = (
    "code", "company", "contact_name", "title", "phone", "email", "other_contact", "source", "industry",
    "company_size", "region", "first_contact_at", "created_at", "need", "pain_points", "budget",
    "decision_maker", "owner", "priority", "tags", "stage", "status", "amount", "probability",
    "expected_close_date", "closed_at", "product", "lost_reason", "next_action", "next_follow_up_at", "remarks",
    "last_contact_at", "contact_method", "contact_summary", "customer_feedback",
    # combined columns of the templates
    "company_contact", "amount_product", "contact", "next_plan",
    # the rest of a lead, so that an export reads back whole
    "won_amount", "won_at", "lost_at", "stage_entered_at", "wake_up_at", "pause_reason", "stay_reason",
    "obstacle", "follow_up_days",
    "ignore",
)

_ALIASES: dict[str, tuple[str, ...]] = {
    "code": ("lead code", "lead id", "线索编号", "编号", "机会编号", "客户编号", "线索id"),
    "company": ("company name", "customer", "customer name", "account", "account name", "organization",
                "organisation", "客户名称", "公司", "公司名称", "客户", "企业名称", "单位名称"),
    "contact_name": ("contact", "contact person", "name", "full name", "联系人", "联系人姓名", "姓名"),
    "title": ("job title", "position", "职位", "职务"),
    "phone": ("mobile", "tel", "telephone", "phone number", "mobile phone", "电话", "手机", "手机号", "手机号码",
              "联系电话"),
    "email": ("e-mail", "mail", "email address", "邮箱", "电子邮件", "电子邮箱"),
    "other_contact": ("wechat", "im", "微信", "其他联系方式"),
    "contact": ("联系方式", "contact info", "contact details"),
    "source": ("lead source", "channel", "sales channel", "来源", "来源渠道", "客户来源", "渠道", "线索来源"),
    "industry": ("行业", "所属行业", "客户行业"),
    "company_size": ("size", "employees", "规模", "客户规模", "企业规模", "公司规模"),
    "region": ("country", "city", "area", "province", "territory", "地区", "区域", "城市", "省份", "所在地区"),
    "first_contact_at": ("first contact", "first contact time", "first contacted", "首次接触时间", "首次联系时间",
                         "首次跟进时间"),
    "created_at": ("created", "created on", "create date", "date created", "创建时间", "录入时间", "创建日期"),
    "need": ("initial need", "requirement", "requirements", "需求", "初步需求", "需求描述", "客户需求"),
    "pain_points": ("pain point", "pain", "需求痛点", "痛点"),
    "budget": ("budget range", "预算", "预算范围"),
    "decision_maker": ("decision chain", "key decision maker", "决策链", "关键决策人", "决策人"),
    "owner": ("deal owner", "lead owner", "account owner", "sales rep", "salesperson", "assigned to", "rep",
              "跟进人", "负责人", "销售", "所属销售", "销售人员", "归属人"),
    "priority": ("优先级", "意向等级", "线索等级", "意向程度"),
    "tags": ("tag", "labels", "标签"),
    "stage": ("sales stage", "deal stage", "pipeline stage", "阶段", "当前阶段", "销售阶段", "漏斗阶段"),
    "status": ("lead status", "线索状态", "状态", "客户状态"),
    "amount": ("deal size", "expected amount", "deal value", "value", "opportunity amount", "金额", "预计金额",
               "预计成交金额", "预算金额"),
    "probability": ("win probability", "概率", "成交概率", "赢率"),
    "expected_close_date": ("expected close", "close date", "预计成交时间", "预计成交日期", "预计签约时间"),
    "closed_at": ("closed", "closed on", "转化时间", "成交时间", "成交日期", "签约时间"),
    "product": ("products", "产品", "成交产品"),
    "lost_reason": ("loss reason", "reason lost", "流失原因"),
    "next_action": ("next step", "next steps", "下一步", "下一步行动", "下一步目标"),
    "next_follow_up_at": ("next follow up", "next follow-up", "next follow up at", "下次跟进时间"),
    "next_plan": ("下次跟进计划", "跟进计划", "next plan"),
    "remarks": ("remark", "notes", "note", "comment", "comments", "备注", "说明"),
    "last_contact_at": ("last contact", "last contacted", "last activity", "最近跟进时间", "最近联系时间", "沟通时间",
                        "跟进时间"),
    "contact_method": ("method", "跟进方式", "沟通方式", "联系方式类型"),
    "contact_summary": ("summary", "跟进内容摘要", "跟进内容", "沟通要点", "跟进记录"),
    "customer_feedback": ("feedback", "客户反馈"),
    "company_contact": ("客户名称/联系人", "公司/联系人", "company/contact"),
    "amount_product": ("转化金额/产品", "成交金额/产品", "amount/product"),
    "won_amount": ("won amount", "转化金额", "成交金额"),
    "won_at": ("won on", "won date"),
    "lost_at": ("lost on", "lost date", "流失时间"),
    "stage_entered_at": ("stage entered", "stage since", "进入阶段时间"),
    "wake_up_at": ("wake up", "wake up date", "唤醒时间", "唤醒日期"),
    "pause_reason": ("暂缓原因",),
    "stay_reason": ("阶段停留原因", "停留原因"),
    "obstacle": ("key obstacle", "关键障碍", "主要障碍"),
    "follow_up_days": ("follow up frequency", "follow-up frequency", "cadence days", "跟进频率"),
    "ignore": ("序号", "#", "no", "no.", "row", "行号"),
}


def norm_header(text: object) -> str:
    """Case-, width- and space-insensitive; a trailing parenthetical is dropped: 流失原因(若流失) -> 流失原因."""
    s = unicodedata.normalize("NFKC", str(text or "")).strip().lower()
    s = re.sub(r"[\s_\-]+", "", s)
    stripped = re.sub(r"\([^()]*\)$", "", s)
    return stripped or s


HEADER_INDEX: dict[str, str] = {}
for _field, _names in _ALIASES.items():
    for _n in (_field, _field.replace("_", " "), *_names):
        HEADER_INDEX.setdefault(norm_header(_n), _field)
for _field in FIELDS:
    HEADER_INDEX.setdefault(norm_header(_field), _field)


def field_for(header: str) -> str | None:
    key = norm_header(header)
    if not key:
        return None
    return HEADER_INDEX.get(key) or HEADER_INDEX.get(norm_header(re.sub(r"\([^()]*\)", "", str(header))))


def parse_pairs(items: list[str], what: str) -> list[tuple[str, str]]:
    out = []
    for item in items or []:
        left, sep, right = item.rpartition("=")
        if not sep or not left.strip():
            raise ValidationError(_("{what} needs COL=VALUE, got: {item}", what=what, item=item))
        out.append((left.strip(), right.strip()))
    return out


def map_headers(headers: list[str], overrides: list[str] | None = None) -> list[str | None]:
    """The field of each column (None: unmapped). ``--map COL=FIELD`` wins; FIELD ``ignore`` drops a column."""
    fields = [field_for(h) for h in headers]
    by_norm = {}
    for i, h in enumerate(headers):
        by_norm.setdefault(norm_header(h), i)
        by_norm.setdefault(str(h).strip(), i)
    forced: set[int] = set()
    for col, target in parse_pairs(overrides or [], "--map"):
        idx = by_norm.get(col.strip(), by_norm.get(norm_header(col)))
        if idx is None and col.isdigit() and 1 <= int(col) <= len(headers):
            idx = int(col) - 1
        if idx is None:
            raise ValidationError(_("--map: no column {col} in the file (columns: {cols})", col=col,
                                    cols=", ".join(h for h in headers if h)))
        f = target.strip().lower().replace(" ", "_").replace("-", "_") or "ignore"
        f = f if f in FIELDS else HEADER_INDEX.get(norm_header(target))
        if f is None:
            raise ValidationError(_("--map: unknown field {field} (fields: {fields})", field=target,
                                    fields=", ".join(FIELDS)))
        fields[idx] = f
        forced.add(idx)
    # a field mapped twice: the column --map chose keeps it, else the first one
    seen: set[str] = {fields[i] for i in forced}
    for i, f in enumerate(fields):
        if f and f != "ignore" and i not in forced:
            if f in seen:
                fields[i] = None
            seen.add(f)
    return fields


def describe(headers: list[str], fields: list[str | None]) -> list[tuple[str, str | None]]:
    return [(h, f) for h, f in zip(headers, fields)]


def preview(ctx: Session, path: str, fmt: str | None = None, sheet: str | None = None,
            maps: list[str] | None = None, sample: int = 5) -> tuple[list[str], list[str | None], list[list]]:
    """Headers, the detected field of each column, and the first rows (for the import screen)."""
    table = open_table(path, fmt, sheet)
    try:
        fields = map_headers(table.headers, maps)
        rows = []
        for _line, cells in table.rows:
            rows.append(cells)
            if len(rows) >= sample:
                break
    finally:
        table.close()
    return table.headers, fields, rows
