"""The command line for a rep's day: `log` with every field of the follow-up form, through real subprocesses
on SQLite and PostgreSQL."""
from __future__ import annotations

from datetime import datetime

import pytest

from cli_helpers import run, run_json


@pytest.fixture
def cli_db(db_url):
    run("users", "add", "boss", "--name", "B", "--role", "admin", db=db_url, check=0)
    run("users", "add", "rep", "--name", "Rep 一", "--role", "rep", "--team", "A", db=db_url, check=0)
    return db_url


def add_lead(db, company="深圳蓝海科技有限公司", phone="138-0013-8000", amount="378000"):
    return run("leads", "add", "--company", company, "--contact", "王五", "--phone", phone, "--source", "展会",
               "--need", "10台服务器", "--amount", amount, user="rep", db=db, check=0).stdout.strip()


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_log_takes_every_field_of_the_form(cli_db, lang):
    from tui_crm.services import leads
    from tui_crm.services.context import open_session
    from tui_crm.store.models import FollowUp

    code = add_lead(cli_db)
    zh = lang == "zh"
    fields = {"--words": "价格太贵了" if zh else "too expensive for us",
              "--reading": "其实预算够，想压价" if zh else "the budget is there, they want a discount",
              "--objection": "价格" if zh else "price",
              "--handling": "给了年付九折" if zh else "offered 10% off for a year paid upfront",
              "--next-action": "发正式报价" if zh else "send the formal quote"}
    args = [a for pair in fields.items() for a in pair]
    run("--lang", lang, "log", code, "--method", "微信" if zh else "wechat", "--summary", "谈了价格" if zh else
        "talked price", "--reached", "yes", "--sentiment", "犹豫" if zh else "hesitant", "--at", "2024-11-01 09:15",
        "--next", "2024-11-04 10:00", *args, user="rep", db=cli_db, check=0)
    ctx = open_session(cli_db, "rep")
    lead_id = leads.get(ctx, code).id
    f = FollowUp.get(FollowUp.lead == lead_id)
    assert (f.method, f.sentiment, f.customer_words, f.reading, f.objection, f.handling, f.next_action) == (
        "wechat", "hesitant", *fields.values())
    assert f.at == int(datetime.fromisoformat("2024-11-01T09:15:00+08:00").timestamp())
    ctx.close()
    for shown_in in ("en", "zh"):
        lead = run_json("--lang", shown_in, "leads", "show", code, "--format", "json", user="rep", db=cli_db)
        text = next(i["text"] for i in lead["timeline"] if i["kind"] == "followup")
        for value in fields.values():
            assert value in text, (value, text)


def test_log_help_names_every_option_in_chinese():
    out = run("--lang", "zh", "log", "--help", user=None, check=0).stdout
    for option, words in (("--words", "客户的原话"), ("--reading", "解读"), ("--objection", "异议"),
                          ("--handling", "处理"), ("--next-action", "下一步行动"), ("--at", "联系的时间")):
        assert option in out and words in out, option
