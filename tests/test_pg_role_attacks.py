"""An attacker's pass over `db roles` (helper review, wave 2): a rep with psql and their own role tried to read or
change what is beyond their reach by writing rows the policies let them write. Each way in that worked is here,
tried as they tried it, and refused now (store/pgguards.py, store/pgpolicies.py)."""
from __future__ import annotations

import psycopg2
import pytest

from conftest import PG_AVAILABLE, PG_BASE
from pg_team import roles_team

pytestmark = pytest.mark.skipif(not PG_AVAILABLE, reason=f"PostgreSQL not reachable at {PG_BASE}")


@pytest.fixture
def team(tmp_path):
    with roles_team(tmp_path) as t:
        yield t


def uid(team, login: str) -> int:
    return team.owner_rows('SELECT id FROM "user" WHERE login = %s', (login,))[0][0]


def lead_id(team, key: str) -> int:
    return team.owner_rows("SELECT id FROM lead WHERE code = %s", (team.codes[key],))[0][0]


def owner_of(team, key: str) -> str:
    return team.owner_rows('SELECT u.login FROM lead l JOIN "user" u ON u.id = l.owner_id WHERE l.code = %s',
                           (team.codes[key],))[0][0]


def refused(cur, sql: str, params=(), match: str | None = None) -> None:
    with pytest.raises(psycopg2.Error, match=match) as err:
        cur.execute(sql, params)
    assert err.value.pgcode == "42501", err.value


def test_a_function_a_session_made_cannot_stand_in_for_a_built_in_one_in_a_server_function(team):
    """crm_give_lead and the trigger functions looked in the schema before pg_catalog: where a rep may create in the
    schema (PostgreSQL 14 and older grant CREATE on public to everyone), their own pg_current_xact_id() ran as the
    owner, a superuser here. `db roles` takes CREATE from PUBLIC, and every server function looks in pg_catalog
    first, so even a CREATE granted by mistake runs nothing as the owner."""
    s = f'"{team.schema}"'
    rep = team.role("rep1")
    conn = psycopg2.connect(PG_BASE)
    conn.autocommit = True
    conn.cursor().execute(f'GRANT CREATE ON SCHEMA {s} TO "{rep}"')  # a DBA's mistake
    conn.close()
    cur = team.connect_as("rep1").cursor()
    cur.execute("CREATE TABLE proof (who text)")
    cur.execute("GRANT INSERT ON proof TO PUBLIC")
    cur.execute(f"CREATE FUNCTION {s}.pg_current_xact_id() RETURNS xid8 LANGUAGE sql AS $$ "
                f"INSERT INTO {s}.proof VALUES (current_user); SELECT pg_catalog.pg_current_xact_id() $$")
    from tui_crm.services.admin import rules
    from tui_crm.services.context import open_session

    rule = rules.add_rule(open_session(team.url, "boss"), region="nowhere", to_user="rep2").id
    mine = lead_id(team, "rep1")
    cur.execute("BEGIN")  # crm_give_lead as an assignment rule's turn would call it, so that it runs to its end
    cur.execute("UPDATE lead SET company = company WHERE id = %s", (mine,))
    cur.execute("INSERT INTO lead_assignment (lead_id, rule, user_id, at) VALUES (%s, %s, %s, 0)",
                (mine, rule, uid(team, "rep2")))
    cur.execute("SELECT crm_give_lead(%s, %s)", (mine, uid(team, "rep2")))
    cur.execute("UPDATE lead SET stage = stage WHERE id = %s", (mine,))  # the lead's own trigger functions
    cur.execute("COMMIT")
    assert team.owner_rows(f"SELECT who FROM {s}.proof") == []
    assert team.owner_rows(f"SELECT has_schema_privilege('public', '{team.schema}', 'CREATE')") == [(False,)]
    paths = team.owner_rows("SELECT p.proname, array_to_string(p.proconfig, ' ') FROM pg_proc p WHERE "
                            "p.pronamespace = current_schema()::regnamespace AND p.prosecdef")
    assert len(paths) > 20 and all("search_path=pg_catalog," in (c or "") for _n, c in paths), paths


def test_linking_a_task_to_ones_own_lead_does_not_read_it(team):
    """task_lead's policy asked only of the lead: a rep linked every task id to their own lead and read them all."""
    from tui_crm.services.activity import tasks
    from tui_crm.services.context import open_session
    from conftest import NOW

    other = tasks.add_task(open_session(team.url, "rep_b"), team.codes["rep_b"], "call", "secret plan", NOW)
    cur = team.connect_as("rep1").cursor()
    refused(cur, "INSERT INTO task_lead (task_id, lead_id) VALUES (%s, %s)", (other, lead_id(team, "rep1")),
            "row-level security")
    cur.execute("SELECT count(*) FROM task WHERE id = %s", (other,))
    assert cur.fetchone()[0] == 0
    # the rep's own task may be linked to their other lead (what the app does for one task on several leads)
    own = tasks.add_task(open_session(team.url, "rep1"), team.codes["rep1"], "call", "mine", NOW)
    cur.execute("INSERT INTO task_lead (task_id, lead_id) VALUES (%s, %s)", (own, lead_id(team, "shared")))


def test_a_collaborator_cannot_take_a_lead_nor_a_rep_give_one_out_of_reach_by_sharing_it_with_themselves(team):
    cur = team.connect_as("rep1").cursor()
    me, rep2, rep_b = uid(team, "rep1"), uid(team, "rep2"), uid(team, "rep_b")
    shared, mine = lead_id(team, "shared"), lead_id(team, "rep1")
    # rep2's lead, shared with rep1: a collaborator sees and logs on it, but does not take it, nor share it on
    refused(cur, "UPDATE lead SET owner_id = %s WHERE id = %s", (me, shared), "only the owner of a lead")
    refused(cur, "INSERT INTO lead_share (lead_id, user_id) VALUES (%s, %s)", (shared, rep_b), "row-level security")
    cur.execute("DELETE FROM lead_share WHERE lead_id = %s", (shared,))
    assert cur.rowcount == 0
    # their own lead: shared with themselves, then given to rep2, it stayed in their reach
    refused(cur, "INSERT INTO lead_share (lead_id, user_id) VALUES (%s, %s)", (mine, me), "row-level security")
    refused(cur, "UPDATE lead SET owner_id = %s WHERE id = %s", (rep2, mine), "row-level security|cannot assign")
    assert owner_of(team, "shared") == "rep2" and owner_of(team, "rep1") == "rep1"
    # what the app lets them do, they still may: the owner shares; the supervisor reassigns within the team
    team.connect_as("rep2").cursor().execute("INSERT INTO lead_share (lead_id, user_id) VALUES (%s, %s)",
                                             (shared, rep_b))
    team.connect_as("sup_a").cursor().execute("UPDATE lead SET owner_id = %s WHERE id = %s", (rep2, mine))
    assert owner_of(team, "rep1") == "rep2"


def test_a_forged_assignment_gives_no_lead_away(team):
    """crm_give_lead gives a lead its creator just made to the user an assignment rule chose: a lead_assignment row
    the session wrote itself, naming no rule that gives leads to that user, gives nothing; nor may the creator be
    rewritten to pass its other test."""
    cur = team.connect_as("rep1").cursor()
    mine = lead_id(team, "rep1")
    cur.execute("BEGIN")
    cur.execute("UPDATE lead SET company = company WHERE id = %s", (mine,))
    cur.execute("INSERT INTO lead_assignment (lead_id, rule, user_id, at) VALUES (%s, 0, %s, 0)",
                (mine, uid(team, "rep_b")))
    cur.execute("SELECT crm_give_lead(%s, %s)", (mine, uid(team, "rep_b")))
    assert cur.fetchone()[0] is False
    cur.execute("ROLLBACK")
    refused(cur, "UPDATE lead SET created_by = %s WHERE id = %s", (uid(team, "rep1"), lead_id(team, "shared")),
            "set when it is made")
    assert owner_of(team, "rep1") == "rep1"


def test_a_lead_cannot_be_pointed_at_an_import_to_hide_or_delete_it(team):
    """A rep pointed a lead they could see (a colleague's, shared with them) at an import batch of their own: staging,
    it vanished for everyone; undone, the server deleted it. Deleting the batch deleted its leads by the cascade."""
    cur = team.connect_as("rep1").cursor()
    me, shared = uid(team, "rep1"), lead_id(team, "shared")
    refused(cur, "INSERT INTO import_batch (user_id, file, state, started_at, summary) VALUES "
                 "(%s, 'x', 'committed', 0, '{}')", (me,), "row-level security")
    cur.execute("INSERT INTO import_batch (user_id, file, state, started_at, summary) VALUES "
                "(%s, 'x', 'staging', 0, '{}') RETURNING id", (me,))
    bid = cur.fetchone()[0]
    refused(cur, "UPDATE lead SET batch_id = %s WHERE id = %s", (bid, shared), "set when it is made")
    cur.execute("UPDATE import_batch SET state = 'committed' WHERE id = %s", (bid,))
    cur.execute("UPDATE import_batch SET state = 'undone' WHERE id = %s", (bid,))
    refused(cur, "UPDATE import_batch SET state = 'committed' WHERE id = %s", (bid,), "undone cannot become committed")
    refused(cur, "DELETE FROM import_batch WHERE id = %s", (bid,))
    cur.execute("SELECT crm_drop_batch_leads(%s, 100)", (bid,))
    assert cur.fetchone()[0] == 0
    for login in ("rep2", "boss"):
        assert team.rows(login, "SELECT count(*) FROM lead WHERE id = %s", (shared,)) == [(1,)], login


def test_a_reps_history_rows_count_in_no_colleagues_report(team):
    """stage_history's copy of its lead's owner (the owners' stay figures) kept what an INSERT gave and was not made
    again on an UPDATE: a rep put 10 years in a stage into rep2's report."""
    cur = team.connect_as("rep1").cursor()
    me, rep2, mine = uid(team, "rep1"), uid(team, "rep2"), lead_id(team, "rep1")
    cur.execute("INSERT INTO stage_history (lead_id, stage, entered_at, left_at, user_id, lead_owner_id, "
                "lead_created_at) VALUES (%s, 'proposal', 0, 315360000, %s, %s, 0) RETURNING id", (mine, me, rep2))
    hid = cur.fetchone()[0]
    cur.execute("UPDATE stage_history SET lead_owner_id = %s, lead_created_at = 0 WHERE lead_id = %s", (rep2, mine))
    created = team.owner_rows("SELECT created_at FROM lead WHERE id = %s", (mine,))[0][0]
    assert team.owner_rows("SELECT DISTINCT lead_owner_id, lead_created_at FROM stage_history WHERE lead_id = %s",
                           (mine,)) == [(me, created)], hid
    assert team.rows("sup_a", "SELECT count(*) FROM report_stays WHERE owner_id = %s", (rep2,)) == \
        team.owner_rows("SELECT count(*) FROM report_stays WHERE owner_id = %s", (rep2,))


def test_the_duplicate_checks_audit_entry_does_not_tell_the_asker_whose_lead_it_is(team):
    """crm_lead_matches audited each answer as an entry of no lead naming the lead's id, which every member reads."""
    phone = team.owner_rows("SELECT phone FROM lead WHERE code = %s", (team.codes["rep_b"],))[0][0]
    assert team.rows("rep1", "SELECT val FROM crm_lead_matches('phone', %s)", ([phone],)) == [(phone,)]
    theirs = lead_id(team, "rep_b")
    assert team.rows("rep1", "SELECT count(*) FROM \"change\" WHERE action = 'reveal' AND (entity_id = %s OR "
                             "lead_id = %s)", (theirs, theirs)) == [(0,)]
    assert team.owner_rows("SELECT count(*) FROM \"change\" WHERE action = 'reveal' AND lead_id = %s "
                           "AND diff LIKE '%%match%%'", (theirs,)) == [(1,)]


def test_the_open_loads_count_tells_no_ones_results(team):
    """crm_open_loads counts each user's open leads for least-loaded assignment; asked for won leads, it told every
    rep's wins across the company."""
    from tui_crm.services import leads
    from tui_crm.services.context import open_session

    leads.set_outcome(open_session(team.url, "rep_b"), team.codes["rep_b"], "won",
                      {"won_amount_cents": 100, "product": "x"})
    assert team.rows("rep1", "SELECT * FROM crm_open_loads(%s)", (["won", "lost"],)) == []
    assert dict(team.rows("rep1", "SELECT * FROM crm_open_loads(%s)", (["pending", "in_progress"],)))


def test_no_role_wipes_the_leads_it_works(team):
    """`DELETE FROM lead` in a rep's psql deleted every lead they and their collaborators work (an admin's: all);
    the app deletes none but an import's own, before it commits or once undone."""
    before = team.owner_rows("SELECT count(*) FROM lead")[0][0]
    for login in ("rep1", "sup_a", "boss"):
        cur = team.connect_as(login).cursor()
        cur.execute("DELETE FROM lead")
        assert cur.rowcount == 0, login
    cur = team.connect_as("boss").cursor()  # and through the admins' masked view, which counted rows it kept
    cur.execute(f'DELETE FROM "{team.schema}_masked".lead')
    assert cur.rowcount == 0
    assert team.owner_rows("SELECT count(*) FROM lead")[0][0] == before


# ------------------------------------------------------------------ the second pass (helper review of the guards)
def test_a_temporary_lead_table_does_not_stand_in_for_the_schemas_in_the_history_copy(team):
    """stage_history_lead_copy ran with the session's path: a rep's temporary `lead` table, searched first, gave
    their history rows a colleague as owner (300 days in a stage in rep_b's report), and it fired after the guard."""
    cur = team.connect_as("rep1").cursor()
    me, theirs, mine = uid(team, "rep1"), uid(team, "rep_b"), lead_id(team, "rep1")
    cur.execute("CREATE TEMP TABLE lead (id int, owner_id bigint, created_at bigint, batch_id bigint)")
    cur.execute("INSERT INTO pg_temp.lead VALUES (%s, %s, 1730426400, NULL)", (mine, theirs))
    cur.execute("UPDATE stage_history SET lead_id = lead_id, left_at = entered_at + 86400 * 300 WHERE lead_id = %s",
                (mine,))
    assert {r[0] for r in team.owner_rows("SELECT lead_owner_id FROM stage_history WHERE lead_id = %s", (mine,))} \
        == {me}
    assert team.owner_rows("SELECT count(*) FROM report_stays WHERE owner_id = %s", (theirs,)) == [(0,)]


def test_an_admins_own_role_reassigns_and_hands_over(team):
    """The masked views' write trigger runs with no schema on its path, and lead_history_copy named stage_history
    without one: every owner change an admin's role made failed (relation "stage_history" does not exist)."""
    from tui_crm.services import leads
    from tui_crm.services.context import open_session
    from tui_crm.services.identity import role_acting_login

    boss = open_session(team.role_url("boss"))
    boss.act_as(role_acting_login(boss, None))
    leads.reassign(boss, team.codes["rep_b"], "rep1")
    assert owner_of(team, "rep_b") == "rep1"
    assert leads.hand_over(boss, "rep1", to_login="rep2").leads >= 1
    assert owner_of(team, "rep1") == "rep2"


def test_a_lead_given_to_its_collaborator_is_not_theirs_to_give_on(team):
    """sup_a gave rep2's lead, shared with rep1, to rep1: the share stayed, and rep1's psql gave the lead to the other
    team while keeping it in reach. The share goes with the reassign, and a role gives leads only where the app
    would (oneself; a supervisor's team)."""
    from tui_crm.services import leads
    from tui_crm.services.context import open_session

    leads.reassign(open_session(team.url, "sup_a"), team.codes["shared"], "rep1")
    assert team.owner_rows("SELECT count(*) FROM lead_share WHERE lead_id = %s", (lead_id(team, "shared"),)) == [(0,)]
    cur = team.connect_as("rep1").cursor()
    refused(cur, "UPDATE lead SET owner_id = %s WHERE id = %s", (uid(team, "rep_b"), lead_id(team, "shared")),
            "you cannot assign leads to that user")
    team.connect_as("sup_a").cursor().execute("UPDATE lead SET owner_id = %s WHERE id = %s",
                                              (uid(team, "rep2"), lead_id(team, "shared")))  # within the team
    refused(team.connect_as("sup_a").cursor(), "UPDATE lead SET owner_id = %s WHERE id = %s",
            (uid(team, "rep_b"), lead_id(team, "rep2")), "you cannot assign leads to that user")


def test_a_user_with_a_history_is_not_deleted_by_an_admins_role(team):
    """An admin's role deleted a user: their change entries lost who made them, their assignments went."""
    cur = team.connect_as("boss").cursor()
    refused(cur, 'DELETE FROM "user" WHERE login = %s', ("rep2",), "deactivated, not deleted")
    assert team.owner_rows('SELECT count(*) FROM "user" WHERE login = %s', ("rep2",)) == [(1,)]


def test_a_supervisors_undo_of_an_import_that_made_owners_finishes_and_says_what_is_left(team, tmp_path):
    """A supervisor's own role may not delete users or sources: the undo of an import with --create-owners failed
    halfway ("permission denied for table user"). It finishes now and names what an admin may remove."""
    from cli_helpers import run

    path = tmp_path / "owners.csv"
    path.write_text("company,contact,phone,owner,source\nNew Owner Co,Li,13955556666,zhang.yu,tradeshowx\n",
                    encoding="utf-8")
    env = {"TUI_CRM_DB": team.role_url("sup_a")}
    proc = run("import", str(path), "--create-owners", user=None, env=env)
    assert proc.returncode == 0, proc.stderr
    bid = team.owner_rows("SELECT max(id) FROM import_batch")[0][0]
    proc = run("import", "--undo", str(bid), user=None, env=env)
    assert proc.returncode == 0, proc.stderr
    assert "left for an admin to remove" in proc.stdout and "zhang.yu" in proc.stdout
    assert team.owner_rows("SELECT count(*) FROM lead WHERE company = 'New Owner Co'") == [(0,)]
