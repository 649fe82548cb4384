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


def run_tty(*args, columns: int, db: str, user: str = "rep", lang: str = "en") -> str:
    """tui-crm on a real terminal (a pty) of ``columns`` columns: what a rep sees."""
    import os
    import pty
    import subprocess
    import sys

    from cli_helpers import NOW_ENV

    master, slave = pty.openpty()
    env = {**os.environ, "TUI_CRM_NOW": NOW_ENV, "TZ": "Asia/Shanghai", "LANG": "en_US.UTF-8",
           "COLUMNS": str(columns), "LINES": "24", "TERM": "dumb", "NO_COLOR": "1"}
    env.pop("TUI_CRM_DB", None)
    proc = subprocess.Popen([sys.executable, "-m", "tui_crm", "--db", db, "--user", user, "--lang", lang, *args],
                            stdout=slave, stderr=subprocess.PIPE, env=env)
    os.close(slave)
    out = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    os.close(master)
    assert proc.wait(timeout=120) == 0, proc.stderr.read()
    return out.decode("utf-8").replace("\r\n", "\n")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_tables_never_cut_codes_phones_or_money_at_80_columns_and_piped(cli_db, lang):
    from tui_crm.domain.text import cell_width

    long_company = "深圳市前海蓝海云计算与大数据科技服务有限公司" * 3
    codes = [add_lead(cli_db, company=long_company, phone="13800138000", amount="378000"),
             run("leads", "add", "--company", "Acme", "--contact", "Bob", "--email", "bob.smith@example.com",
                 "--source", "referral", "--need", "x", "--amount", "12345678.9", user="rep", db=cli_db,
                 check=0).stdout.strip()]
    assert codes[1] == "REFERRAL-20241101-001"
    for columns in (80, 140):
        out = run_tty("leads", "list", columns=columns, db=cli_db, lang=lang)
        lines = [line for line in out.splitlines() if line.strip()]
        assert lines and all(cell_width(line) <= columns for line in lines), out
        for code in codes:
            assert code in out, (columns, out)
        assert "+8613800138000" in out and "bob.smith@example.com" in out, out
        money_shown = ("amount" if lang == "en" else "金额") in lines[0]
        assert money_shown == ("378,000.00" in out) == ("12,345,678.90" in out), out  # whole or not at all
        assert money_shown or columns == 80
    piped = run("--lang", lang, "leads", "list", user="rep", db=cli_db, check=0).stdout
    assert long_company in piped and all(code in piped for code in codes)
    assert "…" not in piped and len(piped.strip().splitlines()) == 3  # a header and one line per lead


def test_columns_give_way_by_rank_and_text_is_cut_last():
    from tui_crm.cli.tables import layout

    heads = ["code", "company", "owner", "amount"]
    rows = [["REFERRAL-20241101-001", "A very long company name indeed", "rep", "12,345,678.90"]]
    kinds, ranks = ["id", "text", "id", "money"], [0, 1, 3, 2]
    assert [i for i, _w in layout(heads, rows, kinds, ranks, None)] == [0, 1, 2, 3]  # piped: all, whole
    assert layout(heads, rows, kinds, ranks, None)[1][1] == len(rows[0][1])
    narrow = dict(layout(heads, rows, kinds, ranks, 50))
    assert 2 not in narrow and narrow[0] == 21 and narrow[3] == 13  # the owner went first; code and money whole
    assert narrow[1] == 50 - 21 - 13 - 4
