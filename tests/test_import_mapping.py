"""The import's column mapping: other CRMs' standard headers, decided per file from all its headers and
its values, ``--map`` overrides that never promote another column, and order never mattering."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tui_crm.services.errors import ValidationError
from tui_crm.services.importing.columns import map_headers
from tui_crm.services.importing.headers import vendor_of


def mapped(headers, maps=None, rows=None):
    return dict(zip(headers, map_headers(headers, maps, rows)))


# Salesforce Opportunity, API names (Data Export / Data Loader), as in the object reference
SF_OPPORTUNITY = {"Id": "code", "Name": "need", "AccountId": "ignore", "StageName": "stage", "Amount": "amount",
                  "CloseDate": "expected_close_date", "CreatedDate": "created_at", "IsWon": "is_won",
                  "IsClosed": "is_closed", "LeadSource": "source", "OwnerId": "owner", "Probability": "probability",
                  "NextStep": "next_action", "Type": "ignore", "ForecastCategoryName": "ignore"}
SF_LEAD = {"Id": "code", "FirstName": "first_name", "LastName": "last_name", "Name": "contact_name",
           "Company": "company", "Title": "title", "Email": "email", "Phone": "phone", "Status": "status",
           "LeadSource": "source", "Industry": "industry", "OwnerId": "owner", "CreatedDate": "created_at"}
# HubSpot deals export, labels as the export writes them
HUBSPOT_DEALS = {"Record ID": "code", "Deal Name": "need", "Deal Stage": "stage", "Pipeline": "ignore",
                 "Amount": "amount", "Close Date": "expected_close_date", "Create Date": "created_at",
                 "Deal owner": "owner", "Associated Company": "company", "Associated Contact": "contact_person",
                 "Deal probability": "probability", "Next Activity Date": "next_follow_up_at",
                 "Last Contacted": "last_contact_at", "Closed Lost Reason": "lost_reason"}
HUBSPOT_CONTACTS = {"Record ID": "code", "First Name": "first_name", "Last Name": "last_name", "Email": "email",
                    "Phone Number": "phone", "Company Name": "company", "Contact owner": "owner",
                    "Lead Status": "status", "Lifecycle Stage": "stage", "Job Title": "title",
                    "Last Activity Date": "last_contact_at", "City": "region", "Country/Region": None}
SUITECRM = {"ID": "code", "Opportunity Name": "need", "Account Name": "company", "Sales Stage": "stage",
            "Assigned to": "owner", "Expected Close Date": "expected_close_date", "Date Created": "created_at",
            "Opportunity Amount": "amount", "Currency": "currency", "Lead Source": "source",
            "Probability (%)": "probability", "Next Step": "next_action", "Description": "remarks"}
ZOHO_DEALS = {"Record Id": "code", "Deal Owner": "owner", "Deal Name": "need", "Amount": "amount",
              "Closing Date": "expected_close_date", "Account Name": "company", "Stage": "stage",
              "Probability (%)": "probability", "Contact Name": "contact_name", "Created Time": "created_at",
              "Lead Source": "source", "Next Step": "next_action", "Expected Revenue": "ignore"}
PIPEDRIVE = {"Deal - ID": "code", "Deal - Title": "need", "Deal - Value": "amount", "Deal - Currency": "currency",
             "Deal - Organization": "company", "Deal - Contact person": "contact_person", "Deal - Stage": "stage",
             "Deal - Status": "status", "Deal - Owner": "owner", "Deal - Expected close date": "expected_close_date",
             "Deal - Deal created": "created_at", "Deal - Won time": "won_at", "Deal - Lost time": "lost_at",
             "Deal - Lost reason": "lost_reason", "Person - Email": "email", "Person - Phone": "phone"}
ODOO = {"Opportunity": "need", "Customer": "company", "Contact Name": "contact_name", "Email": "email",
        "Phone": "phone", "Salesperson": "owner", "Sales Team": "ignore", "Stage": "stage",
        "Expected Revenue": "amount", "Probability": "probability", "Expected Closing": "expected_close_date",
        "Created on": "created_at", "Tags": "tags", "Lost Reason": "lost_reason"}
SEED_000 = {"序号": "ignore", "线索编号": "code", "来源渠道": "source", "客户名称/联系人": "company_contact",
            "联系方式": "contact", "所属行业": "industry", "初步需求": "need", "首次接触时间": "first_contact_at",
            "跟进人": "owner", "最近跟进时间": "last_contact_at", "跟进方式": "contact_method",
            "跟进内容摘要": "contact_summary", "客户反馈": "customer_feedback", "下次跟进计划": "next_plan",
            "线索状态": "status", "转化金额/产品": "amount_product", "转化时间": "closed_at",
            "流失原因(若流失)": "lost_reason", "备注": "remarks"}
SEED_001 = {"客户名称": "company", "行业": "industry", "规模(员工数/营收)": "company_size", "联系人": "contact_name",
            "职位": "title", "联系方式(保密)": "contact", "需求痛点": "pain_points", "预算范围": "budget",
            "决策链": "decision_maker", "当前阶段": "stage", "跟进频率": "follow_up_days",
            "下一步目标": "next_action", "截止日期": "next_follow_up_at", "当前状态": "status",
            "成交/预计成交金额": "amount", "关键障碍": "obstacle"}
SEED_002 = {"机会编号": "code", "客户名称": "company", "联系人": "contact_name", "所属行业": "industry",
            "客户规模": "company_size", "需求描述": "need", "需求来源": "source", "当前所处阶段": "stage",
            "预计成交金额": "amount", "预计成交日期": "expected_close_date", "阶段停留原因": "stay_reason",
            "销售负责人": "owner"}
STORE_LIST = {"门店名称": "company", "姓名": "contact_name", "电话": "phone", "地址": "region"}
PIPELINE_2015 = {"Reporting Date": "ignore", "Deal Owner": "owner", "Customer": "company", "Country": "region",
                 "Sales stage": "stage", "Deal size": "amount", "Probability": "probability",
                 "Weighted Forecast": "ignore", "Sales Channel": "source",
                 "Close Date/Expected Close Date": "expected_close_date", "Next Steps": "next_action",
                 "Column1": "ignore"}
KNOWN = {"salesforce opportunity": SF_OPPORTUNITY, "salesforce lead": SF_LEAD, "hubspot deals": HUBSPOT_DEALS,
         "hubspot contacts": HUBSPOT_CONTACTS, "suitecrm": SUITECRM, "zoho deals": ZOHO_DEALS,
         "pipedrive": PIPEDRIVE, "odoo": ODOO, "seed 000": SEED_000, "seed 001": SEED_001, "seed 002": SEED_002,
         "store list": STORE_LIST, "pipeline 2015": PIPELINE_2015}


@pytest.mark.parametrize("name", sorted(KNOWN))
def test_known_header_sets_map_with_no_map(name):
    assert mapped(list(KNOWN[name])) == KNOWN[name]


@pytest.mark.parametrize("name,vendor", [("salesforce opportunity", "salesforce"), ("hubspot deals", "hubspot"),
                                         ("suitecrm", "suitecrm"), ("zoho deals", "zoho"), ("pipedrive", "pipedrive"),
                                         ("odoo", "odoo"), ("seed 000", None), ("pipeline 2015", None)])
def test_whose_export_a_file_looks_like(name, vendor):
    assert vendor_of(list(KNOWN[name])) == vendor


@pytest.mark.parametrize("headers,want", [
    # Name beside an account and a deal's stage or amount: the deal's title, not the contact
    (["Name", "Account", "Stage", "Amount"], ["need", "company", "stage", "amount"]),
    (["Name", "Associated Company", "Amount"], ["need", "company", "amount"]),
    # Name beside a contact column: the company
    (["Name", "Contact", "Phone"], ["company", "contact_name", "phone"]),
    # a list of people
    (["Name", "Phone", "Email"], ["contact_name", "phone", "email"]),
    (["姓名", "电话", "地址"], ["contact_name", "phone", "region"]),
    # 姓名 beside 联系人 is not the contact a second time; 名称 is a company's name
    (["姓名", "联系人", "电话"], ["company", "contact_name", "phone"]),
    (["名称", "联系人", "电话"], ["company", "contact_name", "phone"]),
    (["客户名称", "名称", "阶段", "金额"], ["company", "need", "stage", "amount"]),
    # Title: the deal's title beside an organization and a value (Pipedrive), else the job title
    (["Title", "Organization", "Value"], ["need", "company", "amount"]),
    (["Name", "Title", "Phone"], ["contact_name", "title", "phone"]),
])
def test_ambiguous_headers_decided_by_the_other_columns(headers, want):
    assert map_headers(headers) == want


def test_values_decide_where_the_header_does_not():
    headers = ["Contact", "Info", "Name", "Company"]
    rows = [["a@x.com", "b@y.com", "Ken Brown (kenjr@colonialfences.com)", "Colonial"],
            ["c@x.com", "", "Ann Lee <ann@x.com>", "Other"]]
    got = mapped(headers, rows=rows)
    # the e-mail column is the email, a second one goes to other contact, the people are people
    assert got == {"Contact": "email", "Info": "other_contact", "Name": "contact_person", "Company": "company"}
    # a column of phone numbers under a header that says nothing
    assert mapped(["Firma", "Nummer"], rows=[["ACME", "13812345678"], ["B", "139 0000 1111"]]) == {
        "Firma": None, "Nummer": "phone"}


def test_map_ignore_never_promotes_another_column():
    headers = ["Phone", "Mobile", "Company", "Customer"]
    assert mapped(headers) == {"Phone": "phone", "Mobile": "other_contact", "Company": "company", "Customer": None}
    got = mapped(headers, ["Phone=ignore", "Company=ignore"])
    assert got == {"Phone": "ignore", "Mobile": "other_contact", "Company": "ignore", "Customer": None}
    # mapping a column to a field takes the field from the column that had it
    assert mapped(headers, ["Customer=company"]) == {"Phone": "phone", "Mobile": "other_contact",
                                                     "Company": None, "Customer": "company"}
    with pytest.raises(ValidationError):
        map_headers(headers, ["Nope=company"])
    with pytest.raises(ValidationError):
        map_headers(headers, ["Phone=nothing"])


@settings(max_examples=60, deadline=None)
@given(name=st.sampled_from(sorted(KNOWN)), data=st.data())
def test_any_order_of_a_known_header_set_maps_the_same(name, data):
    headers = list(KNOWN[name]) + ["Mobile", "Last Activity Date", "City", "Country"]
    headers = list(dict.fromkeys(headers))
    rows = [[f"{h}-{r}" for h in headers] for r in range(3)]
    want = dict(zip(headers, map_headers(headers, None, rows)))
    order = data.draw(st.permutations(range(len(headers))))
    shuffled = [headers[i] for i in order]
    got = dict(zip(shuffled, map_headers(shuffled, None, [[row[i] for i in order] for row in rows])))
    assert got == want


@pytest.mark.parametrize("cell", ["、", ";", ",", "；", " 、 "])
def test_a_column_of_separators_alone_is_not_an_email_column(cell):
    """A remarks cell holding only a list separator split into no parts, and 'every part is an
    e-mail' held for no parts: the remarks column became the e-mail column and every row was refused."""
    fields = mapped(["company", "contact", "phone", "need", "remarks"],
                    rows=[["0", "0", "13900000000", "0", cell]])
    assert fields["remarks"] == "remarks"
