"""`db roles`: a session connected as crm_<login> (psql, psycopg2 or the app) reads and writes exactly
what that user may; the change log is append-only for every role but the schema owner."""
from __future__ import annotations

import os
import shutil
import subprocess

import psycopg2
import pytest

from cli_helpers import run
from conftest import PG_AVAILABLE, PG_BASE
from pg_team import roles_team
from tui_crm.store import models, pgroles

pytestmark = pytest.mark.skipif(not PG_AVAILABLE, reason=f"PostgreSQL not reachable at {PG_BASE}")


@pytest.fixture
def team(tmp_path):
    with roles_team(tmp_path) as t:
        yield t


def test_db_roles_says_each_role_it_made(tmp_path):
    from pg_team import PgTeam

    t = PgTeam(tmp_path)
    try:
        assert f"created role {t.role('rep1')}" in t.grant_roles().stdout
    finally:
        t.close()


def codes(team, login: str) -> set[str]:
    return {r[0] for r in team.rows(login, "SELECT code FROM lead")}


def test_every_table_is_placed(team):
    placed = set(pgroles.LEAD_DATA + pgroles.APPEND_ONLY + pgroles.ADMIN_ONLY) | set(pgroles.MEMBER_WRITES)
    tables = {m._meta.table_name for m in models.ALL_MODELS}
    assert tables - placed == set(), "decide what the users' roles may do with these tables (store/pgroles.py)"
    # and every table the schema holds beyond the models (summaries, search text) is under row security
    held = {r[0] for r in team.owner_rows("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")}
    assert "lead_search" in held
    assert held - placed - set(pgroles.ROW_SECURED) == set()
    secured = {r[0] for r in team.owner_rows("SELECT relname FROM pg_class WHERE relnamespace = "
                                             "current_schema()::regnamespace AND relrowsecurity")}
    assert set(pgroles.ROW_SECURED) <= secured


def test_a_rep_sees_own_and_shared_leads_only(team):
    c = team.codes
    assert codes(team, "rep1") == {c["rep1"], c["shared"]}
    assert codes(team, "rep2") == {c["rep2"], c["shared"]}
    assert codes(team, "rep_b") == {c["rep_b"]}
    # and only their leads' history, tasks and change entries
    for table in ("stage_history", "task", "follow_up"):
        lead_ids = {r[0] for r in team.rows("rep1", f"SELECT DISTINCT lead_id FROM {table}")}
        mine = {r[0] for r in team.rows("rep1", "SELECT id FROM lead")}
        assert lead_ids <= mine, table
    seen = {r[0] for r in team.rows("rep1", 'SELECT DISTINCT lead_id FROM "change" WHERE lead_id IS NOT NULL')}
    assert seen == {r[0] for r in team.rows("rep1", "SELECT id FROM lead")}


def test_supervisors_see_their_team_and_admins_all(team):
    c = team.codes
    assert codes(team, "sup_a") == {c["rep1"], c["rep2"], c["shared"]}
    assert codes(team, "sup_b") == {c["rep_b"]}
    assert codes(team, "boss") == set(c.values())


def test_a_rep_cannot_change_another_reps_lead(team):
    conn = team.connect_as("rep1")
    cur = conn.cursor()
    cur.execute("UPDATE lead SET company = 'pwned' WHERE code = %s", (team.codes["rep_b"],))
    assert cur.rowcount == 0
    cur.execute("DELETE FROM lead WHERE code = %s", (team.codes["rep2"],))
    assert cur.rowcount == 0
    with pytest.raises(psycopg2.Error, match="row-level security|cannot assign"):  # nor give theirs out of reach
        cur.execute("UPDATE lead SET owner_id = (SELECT id FROM \"user\" WHERE login = 'rep_b') WHERE code = %s",
                    (team.codes["rep1"],))
    conn.close()
    assert team.rows("boss", "SELECT company FROM lead WHERE code = %s", (team.codes["rep_b"],)) == [("rep_b Co",)]


def test_a_rep_cannot_make_themselves_admin_or_shadow_the_user_table(team):
    conn = team.connect_as("rep1")
    cur = conn.cursor()
    with pytest.raises(psycopg2.errors.InsufficientPrivilege):
        cur.execute("UPDATE \"user\" SET role = 'admin' WHERE login = 'rep1'")
    cur.execute("CREATE TEMP TABLE \"user\" (id bigint, login text, role text, team_id bigint, active boolean)")
    cur.execute(f"INSERT INTO pg_temp.\"user\" SELECT id, login, 'admin', team_id, true "
                f"FROM \"{team.schema}\".\"user\"")
    cur.execute(f"SET search_path = pg_temp, \"{team.schema}\", public")
    cur.execute("SELECT code FROM lead")
    assert {r[0] for r in cur.fetchall()} == {team.codes["rep1"], team.codes["shared"]}
    conn.close()


def test_the_change_log_is_append_only_for_every_role(team):
    for login in ("rep1", "boss"):
        conn = team.connect_as(login)
        cur = conn.cursor()
        for sql in ('DELETE FROM "change"', 'UPDATE "change" SET diff = \'{}\'', 'TRUNCATE "change"'):
            with pytest.raises(psycopg2.errors.InsufficientPrivilege):
                cur.execute(sql)
        conn.close()
    assert team.rows("boss", 'SELECT count(*) FROM "change" WHERE action = \'create\'')[0][0] >= 5


def test_psql_as_the_rep_sees_what_the_app_would(team):
    if not shutil.which("psql"):
        pytest.skip("psql is not installed")
    env = dict(os.environ, PGOPTIONS=f"-csearch_path={team.schema},public")
    out = subprocess.run(["psql", "-h", "127.0.0.1", "-U", team.role("rep1"), "-d", "test", "-Atc",
                          "SELECT code FROM lead ORDER BY code"], capture_output=True, text=True, env=env,
                         timeout=60)
    assert out.returncode == 0, out.stderr
    assert set(out.stdout.split()) == {team.codes["rep1"], team.codes["shared"]}


def test_a_deactivated_user_sees_nothing_and_then_cannot_log_in(team):
    team.ctx.db.execute_sql('UPDATE "user" SET active = false WHERE login = %s', ("rep2",))
    assert codes(team, "rep2") == set()  # before db roles has run again
    proc = run("db", "roles", user="boss", db=team.url)
    assert proc.returncode == 0, proc.stderr
    assert f"role {team.role('rep2')} cannot log in" in proc.stdout
    with pytest.raises(psycopg2.OperationalError, match="not permitted to log in"):
        team.connect_as("rep2")


def test_uncommitted_imports_are_hidden_from_everyone_else(team):
    db = team.ctx.db
    db.execute_sql("INSERT INTO import_batch (user_id, file, state, started_at, summary) SELECT id, 'x.csv', "
                   "'staging', 0, '{}' FROM \"user\" WHERE login = 'rep2'")
    db.execute_sql("UPDATE lead SET batch_id = (SELECT max(id) FROM import_batch) WHERE code = %s",
                   (team.codes["shared"],))
    assert team.codes["shared"] not in codes(team, "rep1")
    assert team.codes["shared"] not in codes(team, "boss")
    assert team.codes["shared"] in codes(team, "rep2")  # the one importing: their rows in progress


def test_db_roles_needs_an_admin_and_postgres(team, tmp_path):
    proc = run("db", "roles", user="rep1", db=team.url)
    assert proc.returncode == 1 and "admin" in proc.stderr
    proc = run("db", "roles", user="boss", db=team.role_url("boss"))  # an admin's role is not the owner
    assert proc.returncode == 1 and "owns the tables" in proc.stderr
    proc = run("db", "roles", "--prefix", "other_", user="boss", db=team.url)
    assert proc.returncode == 1 and team.prefix in proc.stderr


def test_a_refusal_by_the_server_reads_as_one_line(team):
    import peewee as pw

    from tui_crm.services.context import open_session

    ctx = open_session(team.role_url("rep1"))
    with pytest.raises(pw.DatabaseError) as caught:
        ctx.db.execute_sql('DELETE FROM "change"')
    ctx.db.rollback()
    assert pgroles.refusal(caught.value) == 'the database refused: permission denied for table change'
    assert pgroles.refusal(pw.IntegrityError("duplicate key")) is None
    ctx.close()


def test_a_promoted_user_changes_group_at_the_next_db_roles(team):
    team.ctx.db.execute_sql('UPDATE "user" SET role = \'admin\' WHERE login = %s', ("rep2",))
    proc = run("db", "roles", user="boss", db=team.url)
    assert proc.returncode == 0, proc.stderr
    assert f"updated role {team.role('rep2')}" in proc.stdout
    assert codes(team, "rep2") == set(team.codes.values())
    groups = team.rows("boss", "SELECT pg_has_role(%s, %s, 'MEMBER'), pg_has_role(%s, %s, 'MEMBER')",
                       (team.role("rep2"), team.prefix[:-1] + "admin", team.role("rep2"), team.prefix[:-1]))
    assert groups == [(True, False)]


def test_the_policies_and_the_apps_scope_agree_for_everyone(team):
    """The server's rule (store/pgpolicies.py) and the app's (services/scope.py) are one rule written twice."""
    from tui_crm.services import scope
    from tui_crm.services.context import open_session
    from tui_crm.store.models import Lead

    logins = [r[0] for r in team.rows("boss", 'SELECT login FROM "user"')]
    for login in logins:
        ctx = open_session(team.url, login)  # the owner's connection: only the app's scope applies
        by_app = {lead.id for lead in Lead.select(Lead.id).where(scope.scope_expr(ctx.actor))}
        by_server = {r[0] for r in team.rows(login, "SELECT id FROM lead")}
        assert by_server == by_app, login
