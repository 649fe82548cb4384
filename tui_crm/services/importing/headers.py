"""What import headers mean: the lead fields, the generic and template spellings, and the standard
export headers of other CRMs (Salesforce, HubSpot, SuiteCRM, Zoho, Pipedrive, Odoo).

A header maps to one field. A few headers are ambiguous on their own (``Name``, ``Title``, 姓名,
名称, ``Closed``): they map to a *kind* (``NAME``, ``PERSON``, ``TITLE``) that ``columns`` decides
per file from the other headers and the values. ``RANK`` orders columns that compete for one field
(``Last Contacted`` beats ``Last Activity Date``); the rest of the file's order never matters.

Pseudo-fields read combined or split columns: ``company_contact`` (客户名称/联系人),
``amount_product`` (转化金额/产品), ``contact`` (联系方式: phone, email or other by shape),
``contact_person`` (``Ken Brown (ken@x.com)``, ``Ken <ken@x.com>``, lists), ``next_plan``
(下次跟进计划: a date and its text), ``first_name``/``last_name``, ``is_won``/``is_closed`` (booleans).
"""
from __future__ import annotations

import re
import unicodedata

FIELDS = (
    "code", "company", "contact_name", "title", "phone", "email", "other_contact", "source", "industry",
    "company_size", "region", "first_contact_at", "created_at", "need", "pain_points", "budget",
    "decision_maker", "owner", "priority", "tags", "stage", "status", "amount", "probability",
    "expected_close_date", "closed_at", "product", "lost_reason", "next_action", "next_follow_up_at", "remarks",
    "last_contact_at", "contact_method", "contact_summary", "customer_feedback",
    # combined and split columns
    "company_contact", "amount_product", "contact", "contact_person", "next_plan", "first_name", "last_name",
    "is_won", "is_closed",
    # the rest of a lead, so that an export reads back whole
    "won_amount", "won_at", "lost_at", "stage_entered_at", "wake_up_at", "pause_reason", "stay_reason",
    "obstacle", "follow_up_days", "currency", "owner_name", "next_follow_up_task", "next_follow_up_kind",
    "ignore",
)
# ambiguous headers: decided per file (columns.decide)
NAME, PERSON, TITLE, REVENUE = "?name", "?person", "?title", "?revenue"
# fields several columns may fill (joined in header-rank order); every other field takes one column
MULTI = {"remarks", "other_contact", "tags"}

_GENERIC: dict[str, tuple[str, ...]] = {
    "code": ("lead code", "lead id", "线索编号", "编号", "机会编号", "客户编号", "线索id", "record id", "id"),
    "company": ("company name", "customer", "customer name", "account", "account name", "organization",
                "organisation", "客户名称", "公司", "公司名称", "客户", "企业名称", "单位名称", "门店名称", "店铺名称",
                "门店", "商户名称", "客户全称"),
    "contact_name": ("contact", "contact person", "contact name", "联系人", "联系人姓名", "客户姓名"),
    "title": ("job title", "position", "职位", "职务", "岗位"),
    "phone": ("mobile", "tel", "telephone", "phone number", "mobile phone", "电话", "手机", "手机号", "手机号码",
              "联系电话", "电话号码"),
    "email": ("e-mail", "mail", "email address", "邮箱", "电子邮件", "电子邮箱", "邮件地址"),
    "other_contact": ("wechat", "im", "微信", "微信号", "其他联系方式", "qq"),
    "contact": ("联系方式", "contact info", "contact details"),
    "source": ("lead source", "channel", "sales channel", "来源", "来源渠道", "客户来源", "渠道", "线索来源",
               "需求来源"),
    "industry": ("行业", "所属行业", "客户行业"),
    "company_size": ("size", "employees", "规模", "客户规模", "企业规模", "公司规模"),
    "region": ("country", "city", "area", "province", "territory", "state", "地区", "区域", "城市", "省份", "所在地区",
               "地址", "联系地址", "详细地址", "所在城市", "省市区", "门店地址", "address"),
    "first_contact_at": ("first contact", "first contact time", "first contacted", "首次接触时间", "首次联系时间",
                         "首次跟进时间"),
    "created_at": ("created", "created on", "create date", "date created", "created date", "created time",
                   "创建时间", "录入时间", "创建日期"),
    "need": ("initial need", "requirement", "requirements", "需求", "初步需求", "需求描述", "客户需求", "核心需求",
             "deal name", "opportunity name", "opportunity", "deal title", "deal", "商机名称", "机会名称"),
    "pain_points": ("pain point", "pain", "需求痛点", "痛点"),
    "budget": ("budget range", "预算", "预算范围"),
    "decision_maker": ("decision chain", "key decision maker", "决策链", "关键决策人", "决策人"),
    "owner": ("deal owner", "lead owner", "account owner", "contact owner", "opportunity owner", "sales rep",
              "salesperson", "assigned to", "rep", "owner", "跟进人", "负责人", "销售", "所属销售", "销售人员", "归属人",
              "销售负责人", "负责销售代表", "负责销售"),
    "priority": ("优先级", "意向等级", "线索等级", "意向程度", "rating"),
    "tags": ("tag", "labels", "标签", "初级标签", "label"),
    "stage": ("sales stage", "deal stage", "pipeline stage", "阶段", "当前阶段", "销售阶段", "漏斗阶段", "当前所处阶段",
              "stage name"),
    "status": ("lead status", "线索状态", "状态", "客户状态", "当前状态", "跟进状态", "deal status"),
    "amount": ("deal size", "expected amount", "deal value", "value", "opportunity amount", "金额", "预计金额",
               "预计成交金额", "预算金额", "成交/预计成交金额"),
    "probability": ("win probability", "概率", "成交概率", "赢率", "deal probability"),
    "expected_close_date": ("expected close", "close date", "expected close date", "预计成交时间", "预计成交日期",
                            "预计签约时间", "closing date"),
    "closed_at": ("closed on", "closed date", "转化时间", "成交时间", "成交日期", "签约时间"),
    "product": ("products", "产品", "成交产品"),
    "lost_reason": ("loss reason", "reason lost", "lost reason", "流失原因", "closed lost reason", "reason for loss"),
    "next_action": ("next step", "next steps", "下一步", "下一步行动", "下一步目标"),
    "next_follow_up_at": ("next follow up", "next follow-up", "next follow up at", "下次跟进时间", "next activity date",
                          "截止日期", "截止时间"),
    "next_plan": ("下次跟进计划", "跟进计划", "next plan", "后续跟进计划", "下一步计划"),
    "remarks": ("remark", "notes", "note", "comment", "comments", "备注", "说明", "description"),
    "last_contact_at": ("last contact", "last contacted", "last activity", "最近跟进时间", "最近联系时间", "沟通时间",
                        "跟进时间", "last activity date"),
    "contact_method": ("method", "跟进方式", "沟通方式", "联系方式类型"),
    "contact_summary": ("summary", "跟进内容摘要", "跟进内容", "沟通要点", "跟进记录", "沟通内容", "跟进结果"),
    "customer_feedback": ("feedback", "客户反馈"),
    "company_contact": ("客户名称/联系人", "公司/联系人", "company/contact"),
    "amount_product": ("转化金额/产品", "成交金额/产品", "amount/product"),
    "contact_person": ("associated contact", "associated contacts", "contact person name"),
    "first_name": ("first name", "firstname", "given name", "名"),
    "last_name": ("last name", "lastname", "surname", "family name", "姓"),
    "won_amount": ("won amount", "转化金额", "成交金额"),
    "won_at": ("won on", "won date", "won time"),
    "lost_at": ("lost on", "lost date", "lost time", "流失时间"),
    "stage_entered_at": ("stage entered", "stage since", "进入阶段时间"),
    "wake_up_at": ("wake up", "wake up date", "唤醒时间", "唤醒日期"),
    "pause_reason": ("暂缓原因",),
    "stay_reason": ("阶段停留原因", "停留原因"),
    "obstacle": ("key obstacle", "关键障碍", "主要障碍"),
    "follow_up_days": ("follow up frequency", "follow-up frequency", "cadence days", "跟进频率"),
    "currency": ("currency code", "deal currency code", "币种", "货币"),
    "owner_name": ("owner name",),
    "next_follow_up_task": ("next follow up task", "next task"),
    "next_follow_up_kind": ("next follow up kind",),
    "is_won": ("is won", "iswon"),
    "is_closed": ("is closed", "isclosed"),
    "ignore": ("序号", "#", "no", "no.", "row", "行号", "weighted forecast", "forecast category",
               "pipeline", "modified", "last modified date", "date modified", "modified time", "跟进编号",
               "转化周期", "转化率", "column1", "reporting date", "forecast amount", "协作成员", "客户情绪"),
}

# Other CRMs' standard export headers (API names and export labels), from their public field lists.
_VENDORS: dict[str, dict[str, tuple[str, ...]]] = {
    "salesforce": {
        "code": ("Id", "Opportunity ID", "Lead ID"),
        "company": ("Account.Name", "AccountName", "Company"),
        "stage": ("StageName", "Stage"),
        "amount": ("Amount",),
        "expected_close_date": ("CloseDate",),
        "created_at": ("CreatedDate",),
        "is_won": ("IsWon",),
        "is_closed": ("IsClosed",),
        "source": ("LeadSource",),
        "owner": ("OwnerId", "Owner.Name", "Owner Name", "Owner Full Name"),
        "probability": ("Probability", "Probability (%)"),
        "next_action": ("NextStep",),
        "remarks": ("Description",),
        "last_contact_at": ("LastActivityDate",),
        "currency": ("CurrencyIsoCode", "Opportunity Currency"),
        "first_name": ("FirstName",),
        "last_name": ("LastName",),
        "phone": ("Phone", "MobilePhone"),
        "email": ("Email",),
        "status": ("Status",),
        "industry": ("Industry",),
        "company_size": ("NumberOfEmployees",),
        "region": ("City", "State", "Country"),
        "ignore": ("AccountId", "ContactId", "CampaignId", "ForecastCategoryName", "ForecastCategory", "Type",
                   "IsDeleted", "Fiscal", "FiscalQuarter", "FiscalYear", "LastModifiedDate",
                   "LastModifiedById", "CreatedById", "SystemModstamp", "Pricebook2Id", "HasOpportunityLineItem",
                   "Opportunity Type", "Fiscal Period"),
    },
    "hubspot": {
        "code": ("Record ID", "Deal ID", "Contact ID"),
        "need": ("Deal Name",),
        "stage": ("Deal Stage", "Lifecycle Stage"),
        "status": ("Lead Status",),
        "company": ("Associated Company", "Company Name"),
        "contact_person": ("Associated Contact",),
        "owner": ("Deal owner", "Contact owner", "HubSpot Owner"),
        "probability": ("Deal probability",),
        "next_follow_up_at": ("Next Activity Date",),
        "last_contact_at": ("Last Contacted", "Last Activity Date"),
        "lost_reason": ("Closed Lost Reason",),
        "remarks": ("Closed Won Reason", "Deal Description"),
        "created_at": ("Create Date",),
        "expected_close_date": ("Close Date",),
        "phone": ("Phone Number", "Mobile Phone Number"),
        "title": ("Job Title",),
        "region": ("City", "State/Region", "Country/Region"),
        "source": ("Original Source", "Original Traffic Source"),
        "company_size": ("Number of Employees",),
        "currency": ("Currency",),
        "ignore": ("Pipeline", "Deal Type", "Amount in company currency", "Forecast category", "Forecast amount",
                   "Associated Company IDs", "Associated Contact IDs", "Associated Deals", "Number of Sales Activities",
                   "Last Modified Date", "Deal Stage Probability", "Original Source Drill-Down 1",
                   "Original Source Drill-Down 2", "Annual Revenue", "Associated Company (Primary)"),
    },
    "suitecrm": {
        "code": ("ID",),
        "need": ("Opportunity Name",),
        "company": ("Account Name", "account_name"),
        "stage": ("Sales Stage", "sales_stage"),
        "owner": ("Assigned to", "Assigned User Name", "assigned_user_name", "Assigned User"),
        "expected_close_date": ("Expected Close Date", "date_closed"),
        "created_at": ("Date Created", "date_entered"),
        "amount": ("Opportunity Amount", "amount"),
        "source": ("Lead Source", "lead_source"),
        "next_action": ("Next Step", "next_step"),
        "probability": ("Probability (%)", "probability"),
        "currency": ("Currency", "currency_id", "Currency Name"),
        "remarks": ("Description",),
        "phone": ("Office Phone", "Mobile", "phone_work", "phone_mobile"),
        "email": ("Email Address", "email1"),
        "region": ("Primary Address City", "Primary Address Country"),
        "ignore": ("Date Modified", "Modified By", "Created By", "Deleted", "Assigned User Id", "assigned_user_id",
                   "Opportunity Type", "opportunity_type", "Campaign ID", "campaign_id", "amount_usdollar",
                   "Modified User Id", "created_by", "modified_user_id", "date_modified", "deleted"),
    },
    "zoho": {
        "code": ("Record Id",),
        "owner": ("Deal Owner", "Lead Owner"),
        "need": ("Deal Name",),
        "amount": ("Amount",),
        "expected_close_date": ("Closing Date",),
        "company": ("Account Name", "Company"),
        "stage": ("Stage",),
        "status": ("Lead Status",),
        "probability": ("Probability (%)",),
        "next_action": ("Next Step",),
        "source": ("Lead Source",),
        "contact_name": ("Contact Name",),
        "created_at": ("Created Time",),
        "lost_reason": ("Reason For Loss", "Reason For Loss__s"),
        "remarks": ("Description",),
        "title": ("Designation",),
        "company_size": ("No. of Employees",),
        "last_contact_at": ("Last Activity Time",),
        "ignore": ("Type", "Campaign Source", "Modified Time", "Modified By", "Created By",
                   "Exchange Rate", "Annual Revenue", "Layout", "Tag", "Lead Conversion Time", "Overall Sales Duration",
                   "Sales Cycle Duration"),
    },
    "pipedrive": {
        "code": ("Deal - ID", "ID"),
        "need": ("Deal - Title",),
        "amount": ("Deal - Value", "Value"),
        "currency": ("Deal - Currency", "Currency"),
        "company": ("Deal - Organization", "Organization - Name", "Organization"),
        "contact_person": ("Deal - Contact person", "Contact person"),
        "contact_name": ("Person - Name",),
        "email": ("Person - Email",),
        "phone": ("Person - Phone",),
        "stage": ("Deal - Stage",),
        "status": ("Deal - Status",),
        "owner": ("Deal - Owner",),
        "expected_close_date": ("Deal - Expected close date", "Expected close date"),
        "created_at": ("Deal - Deal created", "Deal created"),
        "won_at": ("Deal - Won time", "Won time"),
        "lost_at": ("Deal - Lost time", "Lost time"),
        "lost_reason": ("Deal - Lost reason", "Lost reason"),
        "probability": ("Deal - Probability",),
        "next_follow_up_at": ("Deal - Next activity date", "Next activity date"),
        "last_contact_at": ("Deal - Last activity date", "Last activity date"),
        "tags": ("Deal - Label",),
        "region": ("Organization - Address",),
        "ignore": ("Deal - Pipeline", "Deal - Update time", "Deal - Weighted value", "Deal - Activities",
                   "Deal - Done activities", "Deal - Activities to do", "Deal - Email messages count",
                   "Deal - Products", "Deal - Visible to", "Deal - Stage change time", "Update time",
                   "Weighted value", "Person - ID", "Organization - ID"),
    },
    "odoo": {
        "need": ("Opportunity",),
        "company": ("Customer", "Company Name", "partner_id", "partner_name"),
        "contact_name": ("Contact Name", "contact_name"),
        "email": ("Email", "email_from"),
        "phone": ("Phone", "Mobile", "mobile"),
        "owner": ("Salesperson", "user_id"),
        "stage": ("Stage", "stage_id"),
        "amount": ("expected_revenue", "planned_revenue"),
        "probability": ("Probability",),
        "expected_close_date": ("Expected Closing", "date_deadline"),
        "created_at": ("Created on", "create_date"),
        "closed_at": ("Closed Date", "date_closed"),
        "tags": ("Tags", "tag_ids"),
        "lost_reason": ("Lost Reason", "lost_reason_id"),
        "priority": ("Priority",),
        "remarks": ("Internal Notes", "Notes", "description"),
        "title": ("Job Position", "function"),
        "region": ("City", "Country", "country_id"),
        "source": ("Source", "source_id"),
        "ignore": ("Sales Team", "team_id", "Medium", "medium_id", "Campaign", "campaign_id", "Active", "active",
                   "Last Stage Update", "date_last_stage_update", "Company", "company_id", "Prorated Revenue",
                   "Recurring Revenue"),
    },
}

# headers only one CRM's exports use (for saying whose export a file looks like)
_SIGNATURES = {
    "salesforce": ("StageName", "CloseDate", "IsWon", "IsClosed", "AccountId", "OwnerId", "LeadSource", "NextStep",
                   "CreatedDate", "ForecastCategoryName", "CurrencyIsoCode", "FirstName", "LastName", "Account.Name"),
    "hubspot": ("Deal Stage", "Associated Company", "Associated Contact", "Deal probability", "Next Activity Date",
                "Last Contacted", "Closed Lost Reason", "Contact owner", "Lifecycle Stage", "Create Date",
                "Phone Number", "Pipeline"),
    "suitecrm": ("Opportunity Name", "Sales Stage", "Assigned to", "Expected Close Date", "Date Created",
                 "Opportunity Amount", "Assigned User Name", "sales_stage", "date_entered", "assigned_user_name"),
    "zoho": ("Closing Date", "Created Time", "Modified Time", "Reason For Loss", "Lead Owner", "Expected Revenue",
             "Campaign Source", "Probability (%)"),
    "pipedrive": ("Deal - Title", "Deal - Value", "Deal - Stage", "Deal - Status", "Deal - Organization",
                  "Deal - Contact person", "Deal - Owner", "Person - Name", "Organization - Name", "Deal created",
                  "Won time", "Lost time", "Contact person", "Next activity date"),
    "odoo": ("Opportunity", "Salesperson", "Expected Revenue", "Expected Closing", "Created on", "Sales Team",
             "stage_id", "partner_id", "email_from", "user_id", "date_deadline"),
}
# headers that read differently per file: decided by columns.decide
_AMBIGUOUS = {"name": NAME, "full name": NAME, "名称": NAME, "lead name": NAME, "姓名": PERSON, "title": TITLE,
              "expected revenue": REVENUE, "expectedrevenue": REVENUE}
# lower rank wins when several columns want the same field
RANK = {"last contacted": -1, "lastactivitydate": 1, "last activity date": 1, "last activity time": 1,
        "city": -2, "primary address city": -2, "state": -1, "state/region": -1, "country": 1, "country/region": 1,
        "primary address country": 1, "country_id": 1, "company name": -1, "partner_name": -1, "customer": 1,
        "mobile": 1, "mobilephone": 1, "mobile phone number": 1, "phone_mobile": 1, "手机": -1}


def norm_header(text: object) -> str:
    """Case-, width- and space-insensitive; a trailing parenthetical is dropped: 流失原因(若流失) -> 流失原因."""
    s = unicodedata.normalize("NFKC", str(text or "")).strip().lower()
    s = re.sub(r"[\s_\-]+", "", s)
    stripped = re.sub(r"\([^()]*\)$", "", s)
    return stripped or s


HEADER_INDEX: dict[str, str] = {}
for _field, _names in _GENERIC.items():
    for _n in (_field, _field.replace("_", " "), *_names):
        HEADER_INDEX.setdefault(norm_header(_n), _field)
for _n, _kind in _AMBIGUOUS.items():
    HEADER_INDEX[norm_header(_n)] = _kind
for _vendor in _VENDORS.values():
    for _field, _names in _vendor.items():
        for _n in _names:
            HEADER_INDEX.setdefault(norm_header(_n), _field)
for _field in FIELDS:
    HEADER_INDEX.setdefault(norm_header(_field), _field)
RANK = {norm_header(k): v for k, v in RANK.items()}
VENDOR_HEADERS = {v: {norm_header(n) for n in names} for v, names in _SIGNATURES.items()}


def field_for(header: object) -> str | None:
    """The field (or ambiguous kind) a header names, None when unknown. ``A/B`` headers whose parts all
    name one field take it (``Close Date/Expected Close Date``)."""
    key = norm_header(header)
    if not key:
        return None
    hit = HEADER_INDEX.get(key) or HEADER_INDEX.get(norm_header(re.sub(r"\([^()]*\)", "", str(header))))
    if hit or "/" not in key:
        return hit
    parts = {HEADER_INDEX.get(p) for p in key.split("/") if p}
    return parts.pop() if len(parts) == 1 else None


def vendor_of(headers: list[str]) -> str | None:
    """The CRM whose signature export headers the file shares most (at least two of them), else None."""
    keys = {norm_header(h) for h in headers if h}
    best, hits = None, 1
    for vendor, names in VENDOR_HEADERS.items():
        n = len(keys & names)
        if n > hits:
            best, hits = vendor, n
    return best
