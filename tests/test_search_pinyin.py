"""Pinyin search: the full pinyin and the initials of Chinese company and contact names find their
lead (`tfkj` and `tengfei` find 腾飞科技有限公司, `wjl` finds 王建林), through the search index, in
scope only; edits, imports and the demo keep the spelling in step; a v8 database is upgraded."""
from __future__ import annotations

import sqlite3

import pg_legacy
from tui_crm.domain.spell import spelling
from tui_crm.services import importing, leads
from tui_crm.services.context import open_session
from tui_crm.services.leads import pages
from tui_crm.store import schema
from tui_crm.store.models import Lead


def codes(ctx, text):
    return {v.company for v in leads.list_leads(ctx, search=text)}


def test_spellings_read_words_in_context():
    assert spelling("腾飞科技有限公司", "王建林") == "tengfeikejiyouxiangongsi tfkjyxgs wangjianlin wjl"
    assert spelling("重庆银行") == "chongqingyinhang cqyh"  # 重 of 重庆 and 行 of 银行, not zhong / xing
    assert spelling("北京ABC科技", "Li Lei") == "beijingabckeji bjabckj"
    assert spelling("Acme Ltd", "Zhang San") is None


def test_full_pinyin_and_initials_find_the_lead_in_scope(world):
    world.lead("rep_a1", company="腾飞科技有限公司", contact_name="王建林")
    world.lead("rep_a1", company="北京华为科技有限公司", contact_name="李四")
    world.lead("rep_b1", company="腾飞贸易有限公司", contact_name="赵六")
    world.lead("rep_a1", company="Tfkj Trading", contact_name="Alice")  # the same letters, typed in Latin
    boss = world.as_("boss")
    assert codes(boss, "tfkj") == {"腾飞科技有限公司", "Tfkj Trading"}
    assert codes(boss, "tengfei") == {"腾飞科技有限公司", "腾飞贸易有限公司"}
    assert codes(boss, "TengFei") == {"腾飞科技有限公司", "腾飞贸易有限公司"}
    assert codes(boss, "wjl") == {"腾飞科技有限公司"}
    assert codes(boss, "wangjianlin") == {"腾飞科技有限公司"}
    assert codes(boss, "bjhw") == {"北京华为科技有限公司"}
    assert codes(world.as_("rep_b1"), "tengfei") == {"腾飞贸易有限公司"}  # another rep's lead stays unseen
    assert codes(world.as_("sup_a"), "tfkj") == {"腾飞科技有限公司", "Tfkj Trading"}
    # the list's pages search the same way
    rep = world.as_("rep_a1")
    assert [v.company for v in pages.after(rep, pages.ListQuery(search="wjl"), None, 20)] == ["腾飞科技有限公司"]
    assert pages.count(rep, pages.ListQuery(search="tfkj")) == 2


def test_an_edit_moves_the_spelling_with_the_name(world):
    v = world.lead("rep_a1", company="腾飞科技有限公司", contact_name="王建林")
    rep = world.as_("rep_a1")
    leads.update_lead(rep, v.code, {"company": "星河电子有限公司"})
    assert codes(rep, "tfkj") == set()
    assert codes(rep, "xhdz") == {"星河电子有限公司"}
    assert codes(rep, "wjl") == {"星河电子有限公司"}  # the contact kept his
    leads.update_lead(rep, v.code, {"contact_name": "Li Lei"})
    assert codes(rep, "wjl") == set()
    assert Lead.get_by_id(v.id).pinyin == "xinghedianziyouxiangongsi xhdzyxgs"


def test_imported_leads_are_found_by_pinyin(world, tmp_path):
    src = tmp_path / "team.csv"
    src.write_text("公司,联系人,电话,来源,需求\n腾飞科技有限公司,王建林,13912345678,展会,服务器\n"
                   "星河电子有限公司,张三,13912345679,展会,路由器\n", encoding="utf-8")
    res = importing.run_import(world.as_("boss"), str(src), importing.ImportOptions())
    assert res.new == 2, res.refusals
    assert codes(world.as_("boss"), "tfkj") == {"腾飞科技有限公司"}
    assert codes(world.as_("boss"), "zhangsan") == {"星河电子有限公司"}


def test_a_v8_database_gets_the_spellings_on_upgrade(world):
    world.lead("rep_a1", company="腾飞科技有限公司", contact_name="王建林")
    world.lead("rep_a1", company="Acme Ltd", contact_name="Zhang San")
    url = world.url
    world.ctx.close()
    if "://" in url:  # PostgreSQL: v8 had no pinyin column and an index without it
        import psycopg2

        base, schema_name = url.split("?schema=")
        conn = psycopg2.connect(base)
        conn.autocommit = True
        cur = conn.cursor()
        cur.execute(f'SET search_path TO "{schema_name}"')
        pg_legacy.old_search(cur, pg_legacy.OLD_COLUMNS[:-1])  # its index had no pinyin
        cur.execute("ALTER TABLE lead DROP COLUMN pinyin")
        cur.execute("UPDATE meta SET value = '8' WHERE key = 'schema_version'")
        conn.close()
    else:
        conn = sqlite3.connect(url)
        for name in ("lead_fts_ai", "lead_fts_ad", "lead_fts_au"):
            conn.execute(f"DROP TRIGGER {name}")
        conn.execute("DROP TABLE lead_fts")
        conn.execute("ALTER TABLE lead DROP COLUMN pinyin")
        conn.execute("CREATE VIRTUAL TABLE lead_fts USING fts5(code, company, contact_name, need, remarks, "
                     "content='lead', content_rowid='id', tokenize='trigram')")
        conn.execute("INSERT INTO lead_fts(lead_fts) VALUES ('rebuild')")
        conn.execute("UPDATE meta SET value = '8' WHERE key = 'schema_version'")
        conn.commit()
        conn.close()
    ctx = open_session(url, "boss", upgrade=True)
    assert schema.current_version(ctx.db) == schema.LATEST >= 9
    assert schema.check(ctx.db) == []
    assert codes(ctx, "tfkj") == {"腾飞科技有限公司"}
    assert codes(ctx, "wjl") == {"腾飞科技有限公司"}
    assert codes(ctx, "acme") == {"Acme Ltd"}  # the rebuilt index still has the rest
    v = world.lead("rep_a1", company="星河电子有限公司", contact_name="张三")
    assert codes(ctx, "xhdz") == {v.company}


def test_pinyin_only_matches_come_after_the_leads_whose_own_words_hold_the_text(world):
    """`teng` finds 腾飞 by its pinyin and Tengda by its name: Tengda first, whatever the sort, and pages
    read forwards, backwards and by offset across the two groups without losing or repeating a row."""
    for name in ("腾飞科技有限公司", "腾达贸易有限公司", "腾讯云代理"):  # created first: first by the created sort
        world.lead("rep_a1", company=name, contact_name="王五")
    for name in ("Tengda Ltd", "Zeng Tengyu Trading"):
        world.lead("rep_a1", company=name, contact_name="Bob")
    world.lead("rep_a1", company="Other Co", contact_name="Carol", need="tengine servers")  # its need holds it
    rep = world.as_("rep_a1")
    written = {"Tengda Ltd", "Zeng Tengyu Trading", "Other Co"}
    for sort, desc in (("created", False), ("created", True), ("company", False), ("next", False), ("amount", True)):
        q = pages.ListQuery(search="teng", sort=sort, desc=desc)
        shown = [v.company for v in pages.after(rep, q, None, 20)]
        assert len(shown) == 6 and set(shown[:3]) == written, (sort, desc, shown)
        walked, key = [], None
        while True:
            page = pages.after(rep, q, key, 1)
            if not page:
                break
            walked.append(page[0].company)
            key = pages.key_of(q, page[0])
        assert walked == shown, (sort, desc, walked)
        back, key = [], None
        while True:
            page = pages.before(rep, q, key, 2)
            if not page:
                break
            back = [v.company for v in page] + back
            key = pages.key_of(q, page[0])
        assert back == shown, (sort, desc, back)
        assert [v.company for v in pages.at_offset(rep, q, 2, 2)] == shown[2:4], (sort, desc)
    # a search that is no pinyin keeps one group, in the sort's order
    assert [v.company for v in pages.after(rep, pages.ListQuery(search="腾", sort="created"), None, 9)] == \
        ["腾飞科技有限公司", "腾达贸易有限公司", "腾讯云代理"]


def test_the_command_line_lists_pinyin_only_matches_last(world):
    world.lead("rep_a1", company="腾飞科技有限公司", contact_name="王五")
    world.lead("rep_a1", company="Tengda Ltd", contact_name="Bob")
    assert [v.company for v in leads.list_leads(world.as_("rep_a1"), search="teng")] == ["Tengda Ltd", "腾飞科技有限公司"]
