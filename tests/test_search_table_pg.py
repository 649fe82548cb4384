"""PostgreSQL: the search text in a table of its own (store/search_pg.py, schema v21). A lead update that leaves
the searched columns alone (a batch's reassign, move, mark lost) writes nothing there; every change of a searched
column, an insert, a delete and an import keep it exact; `db check` finds it out of step and `--repair` mends it;
a user's own role reads only the text of leads it may see and writes none, while its lead writes keep it."""
from __future__ import annotations

import psycopg2
import pytest

import pg_legacy
from conftest import PG_AVAILABLE, PG_BASE
from pg_team import roles_team
from tui_crm.services import admin, importing, leads
from tui_crm.services.context import open_session
from tui_crm.store import schema

pytestmark = pytest.mark.skipif(not PG_AVAILABLE, reason=f"PostgreSQL not reachable at {PG_BASE}")


@pytest.fixture
def pg_world(request, tmp_path):
    request.getfixturevalue("fixed_clock")
    from conftest import make_url

    url, drop = make_url("postgres", tmp_path)
    ctx = open_session(url)
    admin.add_user(ctx, "boss", "Boss", "admin")
    ctx.act_as("boss")
    admin.add_user(ctx, "rep_a1", "Rep A1", "rep", "A")
    admin.add_user(ctx, "rep_a2", "Rep A2", "rep", "A")
    yield ctx, url
    ctx.close()
    drop()


def found(ctx, text: str) -> set[str]:
    return {v.company for v in leads.list_leads(ctx, search=text)}


def body_row(ctx, code: str):
    """(the row's transaction id, its text) of the lead's search row."""
    return ctx.db.execute_sql("SELECT s.xmin::text, s.body FROM lead_search s JOIN lead l ON l.id = s.lead_id "
                              "WHERE l.code = %s", (code,)).fetchone()


def add(ctx, company: str, **extra):
    values = {"company": company, "contact_name": "Zhang San", "phone": f"139{abs(hash(company)) % 10**8:08d}",
              "source": "expo",
              "need": "servers"}
    values.update(extra)
    return leads.add_lead(ctx, values)


def test_a_change_of_owner_stage_or_status_writes_no_search_row(pg_world):
    ctx, url = pg_world
    v = add(ctx, "Huaxia Steel")
    before = body_row(ctx, v.code)
    leads.reassign(ctx, v.code, "rep_a1")
    leads.move_stage(ctx, v.code, "qualified")
    assert body_row(ctx, v.code) == before
    assert found(ctx, "xia ste") == {"Huaxia Steel"}


def test_every_searched_column_keeps_the_text_in_step(pg_world):
    ctx, url = pg_world
    v = add(ctx, "Huaxia Steel", need="racks", remarks="met at the fair")
    for field, value, text in (("company", "Dongfang Glass", "gfang gl"), ("contact_name", "Wang Wu", "ng wu"),
                               ("need", "forklifts", "forkli"), ("remarks", "call after lunch", "er lun")):
        leads.update_lead(ctx, v.code, {field: value})
        assert v.code in body_row(ctx, v.code)[1]
        assert found(ctx, text) == {"Dongfang Glass"}, field
    assert found(ctx, "xia ste") == set()
    leads.update_lead(ctx, v.code, {"company": "腾飞科技有限公司"})
    assert found(ctx, "tfkj") == {"腾飞科技有限公司"}  # the pinyin, written from the new name
    assert schema.check(ctx.db) == []


def test_deleted_and_imported_leads_leave_and_enter_the_text(pg_world, tmp_path):
    ctx, url = pg_world
    src = tmp_path / "fair.csv"
    src.write_text("公司,联系人,电话,来源\n星河电子有限公司,张三,13912345670,展会\n北辰物流,李四,13912345671,展会\n",
                   encoding="utf-8")
    res = importing.run_import(ctx, str(src), importing.ImportOptions())
    assert res.new == 2, res.refusals
    assert found(ctx, "辰物流") == {"北辰物流"}
    importing.undo(ctx, res.batch_id)
    assert found(ctx, "辰物流") == set()
    (n,) = ctx.db.execute_sql("SELECT count(*) FROM lead_search").fetchone()
    assert n == 0
    assert schema.check(ctx.db) == []


def test_db_check_finds_the_text_out_of_step_and_repair_mends_it(pg_world):
    ctx, url = pg_world
    v = add(ctx, "Huaxia Steel")
    w = add(ctx, "Dongfang Glass")
    ctx.db.execute_sql("UPDATE lead_search SET body = 'nothing' WHERE lead_id = %s", (v.id,))
    ctx.db.execute_sql("DELETE FROM lead_search WHERE lead_id = %s", (w.id,))
    problems = schema.check(ctx.db)
    assert any("2 leads' search text differs" in p for p in problems), problems
    assert found(ctx, "xia ste") == set()
    admin.repair(ctx)
    assert schema.check(ctx.db) == []
    assert found(ctx, "xia ste") == {"Huaxia Steel"} and found(ctx, "gfang") == {"Dongfang Glass"}
    ctx.db.execute_sql("DROP TRIGGER lead_search_au ON lead")
    assert any("lead_search_au" in p for p in schema.check(ctx.db))
    admin.repair(ctx)
    assert schema.check(ctx.db) == []


def test_a_v20_database_gets_the_table_on_upgrade(pg_world):
    ctx, url = pg_world
    add(ctx, "Huaxia Steel")
    add(ctx, "Dongfang Glass", remarks="a glass works")
    ctx.close()
    base, schema_name = url.split("?schema=")
    conn = psycopg2.connect(base, options=f"-csearch_path={schema_name},public")
    conn.autocommit = True
    cur = conn.cursor()
    pg_legacy.old_search(cur)
    cur.execute("UPDATE meta SET value = '20' WHERE key = 'schema_version'")
    conn.close()
    ctx = open_session(url, "boss", upgrade=True)
    assert schema.current_version(ctx.db) == schema.LATEST
    assert schema.check(ctx.db) == []
    (old,) = ctx.db.execute_sql("SELECT count(*) FROM pg_indexes WHERE schemaname = %s AND indexname = "
                                "'lead_search_trgm'", (schema_name,)).fetchone()
    assert old == 0
    assert found(ctx, "glass wo") == {"Dongfang Glass"} and found(ctx, "xia ste") == {"Huaxia Steel"}
    ctx.close()


def test_a_role_reads_the_text_of_its_leads_only_and_writes_none(tmp_path):
    with roles_team(tmp_path) as team:
        mine = {r[0] for r in team.rows("rep1", "SELECT id FROM lead")}
        seen = {r[0] for r in team.rows("rep1", "SELECT lead_id FROM lead_search")}
        assert seen == mine and len(mine) == 2  # own and shared
        assert not any("rep_b Co" in r[0] for r in team.rows("rep1", "SELECT body FROM lead_search"))
        conn = team.connect_as("rep1")
        cur = conn.cursor()
        lead_id = min(mine)
        for sql in ("INSERT INTO lead_search VALUES (999999, 'x')", "UPDATE lead_search SET body = 'x'",
                    "DELETE FROM lead_search", "TRUNCATE lead_search"):
            with pytest.raises(psycopg2.errors.InsufficientPrivilege):
                cur.execute(sql)
        with pytest.raises(psycopg2.errors.InsufficientPrivilege):
            cur.execute("SELECT crm_search_add()")
        cur.execute("UPDATE lead SET remarks = 'wants a demo on friday' WHERE id = %s", (lead_id,))
        conn.close()
        assert team.rows("rep1", "SELECT count(*) FROM lead_search WHERE body LIKE %s", ("%demo on friday%",)) == [(1,)]
        assert schema.check(team.ctx.db) == []


def test_a_walk_in_page_order_tests_each_row_and_reads_no_other_match(pg_world):
    """A text common in the whole table is matched on each row the page's walk reads (its own text, by key): as
    ``IN``/``EXISTS`` the planner read and hashed every match in the table first (70,002 at 100k: 2x the page)."""
    import json

    from tui_crm.services.leads import queries
    from tui_crm.store.models import Lead

    ctx, url = pg_world
    for name in ("Huaxia Steel Ltd", "Dongfang Glass Ltd", "Nanshan Paper"):
        add(ctx, name)
    walk = Lead.select(Lead.id).where(queries.substring_expr(ctx, "ltd", rows=True)).order_by(Lead.id).limit(2)
    sql, params = walk.sql()
    with ctx.db.atomic():  # a table of three rows is read whole; as at scale, by index where one serves
        ctx.db.execute_sql("SET LOCAL enable_seqscan = off")
        (plan,) = ctx.db.execute_sql("EXPLAIN (FORMAT JSON) " + sql, params).fetchone()
    text = json.dumps(plan)
    assert "SubPlan" in text and "lead_search_pkey" in text and "Bitmap" not in text, text
    assert [i for (i,) in walk.tuples()] == sorted(i for (i,) in Lead.select(Lead.id).where(
        Lead.company.contains("ltd")).tuples())


def test_db_check_through_an_admins_own_role_finds_the_search_text_in_step(tmp_path):
    """An admin's role reads ``lead`` as a masking view (store/pgmasks.py): the check names the schema's tables."""
    from cli_helpers import run

    with roles_team(tmp_path) as team:
        proc = run("db", "check", user="boss", db=team.role_url("boss"))
        assert "search index" not in proc.stdout + proc.stderr, proc.stdout + proc.stderr
        team.ctx.db.execute_sql("ALTER TABLE lead DISABLE TRIGGER lead_search_au")
        assert any("lead_search_au" in p for p in schema.check(team.ctx.db))
        team.ctx.db.execute_sql("ALTER TABLE lead ENABLE TRIGGER lead_search_au")
        assert schema.check(team.ctx.db) == []


def test_the_app_on_a_users_own_role_searches_its_leads_by_their_own_columns(tmp_path):
    """Under row security the trigram index serves no ILIKE and each lead_search row would cost its lead's policy:
    a role's session matches lead's own columns (same leads found), and never another rep's lead."""
    from tui_crm.services.identity import role_acting_login
    from tui_crm.services.leads import pages, queries

    with roles_team(tmp_path) as team:
        ctx = open_session(team.role_url("rep1"))
        ctx.act_as(role_acting_login(ctx, None))
        sql = ctx.db.get_sql_context().sql(queries.substring_expr(ctx, "rep1", rows=True)).query()[0]
        assert "lead_search" not in sql and "ILIKE" in sql
        for text, want in (("rep1 c", {"rep1 Co"}), ("shared", {"Shared Co"}), ("co", {"rep1 Co", "Shared Co"}),
                           ("rep_b", set()), ("racks", {"Shared Co"})):
            assert {v.company for v in pages.after(ctx, pages.ListQuery(search=text), None, 50)} == want, text
            assert {v.company for v in leads.list_leads(ctx, search=text)} == want, text
        ctx.close()
