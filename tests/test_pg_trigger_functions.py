"""PostgreSQL under `db roles`, as an attacker with a rep's own role in psql: the schema's SECURITY DEFINER trigger
functions (the summaries', the search text's) run as the owner. With PostgreSQL's default EXECUTE for PUBLIC a rep
could attach one to a trigger of its own on a temporary table and have it write another rep's search text, or
delete an import batch's leads, as the owner. Every trigger function of the schema is closed to the roles; the
schema's own triggers still fire for them."""
from __future__ import annotations

import psycopg2
import pytest

from conftest import PG_AVAILABLE, PG_BASE
from pg_team import roles_team
from tui_crm.store import schema

pytestmark = pytest.mark.skipif(not PG_AVAILABLE, reason=f"PostgreSQL not reachable at {PG_BASE}")

COLS = "id bigint, code text, company text, contact_name text, need text, remarks text, pinyin text"


@pytest.fixture(scope="module")
def team(tmp_path_factory):
    with roles_team(tmp_path_factory.mktemp("trigfn")) as t:
        yield t


def test_no_role_may_attach_a_trigger_function_of_the_schema(team):
    functions = [r[0] for r in team.owner_rows(
        "SELECT p.proname FROM pg_proc p WHERE p.pronamespace = current_schema()::regnamespace "
        "AND p.prorettype = 'trigger'::regtype ORDER BY 1")]
    assert {"crm_search_add", "crm_search_set", "crm_search_drop", "crm_sum_batch_del"} <= set(functions)
    for login in ("rep1", "boss"):
        conn = team.connect_as(login)
        cur = conn.cursor()
        cur.execute(f"CREATE TEMP TABLE t ({COLS})")
        for name in functions:
            with pytest.raises(psycopg2.errors.InsufficientPrivilege):
                cur.execute(f"CREATE TRIGGER x AFTER INSERT ON t FOR EACH ROW EXECUTE FUNCTION {team.schema}.{name}()")
        conn.close()


@pytest.mark.parametrize("trigger, writes", [
    ("AFTER INSERT ON t REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION {s}.crm_search_add()",
     ["INSERT INTO t (id, company) VALUES (%s, 'POISONED')"]),
    ("AFTER UPDATE ON t FOR EACH ROW EXECUTE FUNCTION {s}.crm_search_set()",
     ["INSERT INTO t (id, company) VALUES (%s, 'x')", "UPDATE t SET company = 'POISONED'"]),
    ("AFTER DELETE ON t REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION {s}.crm_search_drop()",
     ["INSERT INTO t (id) VALUES (%s)", "DELETE FROM t"])])
def test_a_rep_cannot_write_another_reps_search_text(team, trigger, writes):
    (other,) = team.owner_rows("SELECT id FROM lead WHERE code = %s", (team.codes["rep_b"],))[0]
    conn = team.connect_as("rep1")
    cur = conn.cursor()
    cur.execute(f"CREATE TEMP TABLE t ({COLS})")
    with pytest.raises(psycopg2.errors.InsufficientPrivilege):
        cur.execute("CREATE TRIGGER x " + trigger.format(s=team.schema))
        for sql in writes:
            cur.execute(sql, (other,))
    conn.close()
    body = dict(team.owner_rows("SELECT lead_id, body FROM lead_search"))
    assert other in body and "POISONED" not in body[other] and "rep_b Co" in body[other]


def test_the_schemas_own_triggers_still_fire_for_a_role(team):
    conn = team.connect_as("rep1")
    cur = conn.cursor()
    cur.execute("UPDATE lead SET company = 'Renamed By Rep One' WHERE code = %s", (team.codes["rep1"],))
    assert cur.rowcount == 1
    conn.close()
    assert team.rows("rep1", "SELECT count(*) FROM lead_search WHERE body LIKE %s", ("%Renamed By Rep One%",)) == [(1,)]
    assert schema.check(team.ctx.db) == []
