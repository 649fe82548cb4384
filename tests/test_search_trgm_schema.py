"""PostgreSQL: teams in schemas of one database share its one pg_trgm (store/search.trigram_ops). A bare
CREATE EXTENSION made it in the first team's schema: the next team's schema could not be created ("operator
class gin_trgm_ops does not exist"), and dropping the first schema took every other team's search index with
it. Run in a database of its own, where the extension is not yet made (the suite's database has it)."""
from __future__ import annotations

import uuid

import psycopg2
import pytest
from conftest import PG_AVAILABLE, PG_BASE

from tui_crm.services import admin, leads
from tui_crm.services.context import open_session

pytestmark = pytest.mark.skipif(not PG_AVAILABLE, reason="needs PostgreSQL")


@pytest.fixture
def fresh_database():
    name = "crm_trgm_" + uuid.uuid4().hex[:10]
    root = psycopg2.connect(PG_BASE)
    root.autocommit = True
    root.cursor().execute(f'CREATE DATABASE "{name}"')
    base = PG_BASE.rsplit("/", 1)[0] + "/" + name
    yield base
    root.cursor().execute(f'DROP DATABASE "{name}" WITH (FORCE)')
    root.close()


def _team(url: str, company: str):
    ctx = open_session(url)
    admin.add_user(ctx, "boss", "Boss", "admin")
    ctx.act_as("boss")
    leads.add_lead(ctx, {"company": company, "contact_name": "Li", "phone": "13900000001", "source": "expo"})
    return ctx


def _found(ctx, text: str) -> list[str]:
    return [v.company for v in leads.list_leads(ctx, search=text)]


def _extension_schema(url: str) -> str:
    conn = psycopg2.connect(url.split("?")[0])
    cur = conn.cursor()
    cur.execute("SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'pg_trgm'")
    (where,) = cur.fetchone()
    conn.close()
    return where


def test_two_teams_in_one_database_share_its_trigram_extension(fresh_database):
    _team(f"{fresh_database}?schema=team_one", "Huaxia Steel").close()  # (one session of a process at a time)
    assert _extension_schema(fresh_database) == "public"
    _team(f"{fresh_database}?schema=team_two", "Dongfang Glass").close()
    conn = psycopg2.connect(fresh_database)
    conn.autocommit = True
    conn.cursor().execute("DROP SCHEMA team_one CASCADE")  # the first team leaves
    cur = conn.cursor()
    cur.execute("SELECT count(*) FROM pg_indexes WHERE schemaname = 'team_two' AND indexname = 'lead_search_body_trgm'")
    assert cur.fetchone() == (1,)
    conn.close()
    two = open_session(f"{fresh_database}?schema=team_two", "boss")
    assert _found(two, "gfang gl") == ["Dongfang Glass"]
    two.close()


def test_a_trigram_extension_made_in_another_schema_is_used_where_it_is(fresh_database):
    conn = psycopg2.connect(fresh_database)
    conn.autocommit = True
    conn.cursor().execute("CREATE SCHEMA extensions; CREATE EXTENSION pg_trgm SCHEMA extensions")
    conn.close()
    ctx = _team(f"{fresh_database}?schema=team_three", "Nanshan Paper")
    assert _extension_schema(fresh_database) == "extensions"
    (definition,) = ctx.db.execute_sql("SELECT indexdef FROM pg_indexes WHERE schemaname = 'team_three' "
                                       "AND indexname = 'lead_search_body_trgm'").fetchone()
    assert "extensions.gin_trgm_ops" in definition
    assert _found(ctx, "shan pa") == ["Nanshan Paper"]
    ctx.close()


def test_a_team_schema_that_does_not_exist_yet_is_made_not_passed_over(fresh_database):
    """``?schema=NAME`` of a schema not yet made: the search path (NAME, public) passed over it, so a new
    team's tables went into ``public``, or a team opened the tables another team keeps there as its own."""
    _team(f"{fresh_database}?schema=public", "Old Public Co").close()  # someone's tables in public
    ctx = _team(f"{fresh_database}?schema=New_Team", "Fresh Co")
    assert ctx.db.execute_sql("SELECT current_schema()").fetchone() == ("new_team",)
    assert [v.company for v in leads.list_leads(ctx)] == ["Fresh Co"]
    ctx.close()


def test_a_missing_schema_is_refused_where_nothing_may_be_created(fresh_database, tmp_path):
    from cli_helpers import run  # the CLI as a user runs it

    url = f"{fresh_database}?schema=nobody_here"
    proc = run("db", "check", db=url)
    assert proc.returncode != 0
    assert proc.stderr.strip().splitlines()[-1] == (
        f"tui-crm: schema nobody_here does not exist in this database: {url}")
    conn = psycopg2.connect(fresh_database)
    cur = conn.cursor()
    cur.execute("SELECT count(*) FROM pg_namespace WHERE nspname = 'nobody_here'")
    assert cur.fetchone() == (0,)
    conn.close()


def test_a_schema_the_role_may_not_use_is_refused_not_passed_over(fresh_database):
    """The schema exists but the role has no USAGE on it: the search path skips it as if it were missing, and
    CREATE SCHEMA IF NOT EXISTS only notes that it is there. Refused, nothing made in public."""
    from tui_crm.store.db import StoreError, connect

    role = "crm_noschema_" + uuid.uuid4().hex[:8]
    root = psycopg2.connect(fresh_database)
    root.autocommit = True
    cur = root.cursor()
    cur.execute("CREATE SCHEMA closed_team")
    cur.execute(f'CREATE ROLE "{role}" LOGIN')
    cur.execute(f'GRANT CREATE ON DATABASE {fresh_database.rsplit("/", 1)[1]} TO "{role}"')
    cur.execute(f'GRANT CREATE ON SCHEMA public TO "{role}"')  # (PostgreSQL 13's default, closed since 15)
    try:
        url = fresh_database.replace("postgres@", f"{role}@", 1) + "?schema=closed_team"
        with pytest.raises(StoreError, match="schema closed_team: this database role may not use it"):
            connect(url)
        cur.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
        assert cur.fetchone() == (0,)
    finally:
        cur.execute(f'REVOKE ALL ON SCHEMA public FROM "{role}"')
        cur.execute(f'REVOKE ALL ON DATABASE {fresh_database.rsplit("/", 1)[1]} FROM "{role}"')
        cur.execute(f'DROP ROLE "{role}"')
        root.close()
