"""Team operations under PostgreSQL row-level security (``db roles``): a rep connected as their own role creates a
lead the rules give to someone beyond their reach, tags, tasks and the rules' own tables."""
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


def test_a_rep_on_their_own_role_creates_a_lead_the_rules_give_to_another_team(team):
    from tui_crm.services import leads
    from tui_crm.services.admin import rules
    from tui_crm.services.context import open_session

    rules.add_rule(team.ctx, region="华南", to_user="rep_b")
    rules.add_auto_tag(team.ctx, "高意向", keywords=["采购"])
    rep = open_session(team.role_url("rep1"), "rep1")
    view = leads.add_lead(rep, {"company": "South Co", "contact_name": "Wang", "phone": "13900007777",
                                "source": "expo", "need": "采购服务器", "region": "华南", "tags": ["展会"]})
    assert view.owner_login == "rep_b" and view.masked
    rep.close()
    rows = team.rows("rep_b", "SELECT l.code, l.owner_id = u.id FROM lead l JOIN \"user\" u ON u.login = 'rep_b'")
    assert (view.code, True) in rows
    assert team.rows("rep1", "SELECT code FROM lead WHERE code = %s", (view.code,)) == []
    tasks = team.rows("rep_b", "SELECT t.kind FROM task t JOIN lead l ON l.id = t.lead_id WHERE l.code = %s",
                      (view.code,))
    assert tasks == [("first_contact",)]
    tags = team.rows("rep_b", "SELECT t.name FROM lead_tag lt JOIN tag t ON t.id = lt.tag_id JOIN lead l "
                              "ON l.id = lt.lead_id WHERE l.code = %s ORDER BY t.name", (view.code,))
    assert tags == [("展会",), ("高意向",)]
    assert team.rows("rep_b", "SELECT count(*) FROM lead_assignment") == [(1,)]
    # nobody gives away a lead of their own by calling the function
    own = team.codes["rep1"]
    uid_b = team.rows("boss", "SELECT id FROM \"user\" WHERE login = 'rep_b'")[0][0]
    lid = team.rows("rep1", "SELECT id FROM lead WHERE code = %s", (own,))[0][0]
    assert team.rows("rep1", "SELECT crm_give_lead(%s, %s)", (lid, uid_b)) == [(False,)]
    assert team.rows("rep1", "SELECT code FROM lead WHERE code = %s", (own,)) == [(own,)]


def test_the_rules_tables_are_read_by_all_and_written_by_admins(team):
    import psycopg2

    from tui_crm.services.admin import rules

    rules.add_rule(team.ctx, region="华东", to_user="rep1")
    assert len(team.rows("rep1", "SELECT id FROM assignment_rule")) == 1
    with pytest.raises(psycopg2.Error, match="permission denied"):
        team.rows("rep1", "DELETE FROM assignment_rule")
    with pytest.raises(psycopg2.Error, match="permission denied"):
        team.rows("rep1", "UPDATE lead_assignment SET user_id = 1")
    with pytest.raises(psycopg2.Error, match="permission denied"):
        team.rows("sup_a", "UPDATE team SET settings = '{}'")


def _south_import(team, tmp_path):
    """A rule gives 华南 to rep_b; rep1, on their own role, imports a row of 华南 and one of 华北. Returns rep1's
    session and the import's result."""
    from tui_crm.services.admin import rules
    from tui_crm.services.context import open_session
    from tui_crm.services.importing.run import ImportOptions, run_import

    rules.add_rule(team.ctx, region="华南", to_user="rep_b")
    path = tmp_path / "south.csv"
    path.write_text("company,contact_name,phone,source,region,need\n"
                    "South A,Wang,13900008881,expo,华南,servers\nNorth A,Li,13900008882,expo,华北,racks\n",
                    encoding="utf-8")
    rep = open_session(team.role_url("rep1"), "rep1")
    return rep, run_import(rep, str(path), ImportOptions())


def test_a_reps_import_on_their_own_role_is_spread_by_the_rules_too(team, tmp_path):
    rep, res = _south_import(team, tmp_path)
    rep.close()
    assert res.new == 2, res.refusals
    owners = dict(team.rows("boss", "SELECT l.company, u.login FROM lead l JOIN \"user\" u ON u.id = l.owner_id "
                                    "WHERE l.company IN ('South A', 'North A')"))
    assert owners == {"South A": "rep_b", "North A": "rep1"}
    assert team.rows("rep_b", "SELECT company FROM lead WHERE company = 'South A'") == [("South A",)]


def test_least_loaded_weighs_the_whole_teams_open_leads_on_a_reps_own_role(team, tmp_path):
    """Issue 15: a rep on their own role saw none of team C's leads, so every member looked idle and the first
    one got the lead. The server counts the loads (``crm_open_loads``: counts per user, no rows)."""
    from tui_crm.services import admin, leads
    from tui_crm.services.admin import rules
    from tui_crm.services.context import open_session
    from tui_crm.services.importing.run import ImportOptions, run_import

    admin.add_user(team.ctx, "rep_c1", "rep_c1", "rep", "C")
    admin.add_user(team.ctx, "rep_c2", "rep_c2", "rep", "C")
    for n in range(3):  # rep_c1 is busy, rep_c2 has one lead
        leads.add_lead(team.ctx, {"company": f"Busy {n}", "contact_name": "Zhao", "phone": f"1390001{n:04d}",
                                  "source": "expo", "need": "servers", "owner": "rep_c1" if n else "rep_c2"})
    rules.add_rule(team.ctx, region="华东", to_team="C", mode="least-loaded")
    rep = open_session(team.role_url("rep1"), "rep1")
    view = leads.add_lead(rep, {"company": "East Co", "contact_name": "Wang", "phone": "13900007778",
                                "source": "expo", "need": "racks", "region": "华东"})
    assert view.owner_login == "rep_c2"  # 1 open lead against rep_c1's 2
    path = tmp_path / "east.csv"
    path.write_text("company,contact_name,phone,source,region,need\n"
                    "East A,Li,13900008883,expo,华东,servers\nEast B,Qian,13900008884,expo,华东,racks\n",
                    encoding="utf-8")
    assert run_import(rep, str(path), ImportOptions()).new == 2
    rep.close()
    owners = dict(team.rows("boss", "SELECT l.company, u.login FROM lead l JOIN \"user\" u ON u.id = l.owner_id "
                                    "WHERE l.company LIKE 'East%%'"))
    assert owners == {"East Co": "rep_c2", "East A": "rep_c1", "East B": "rep_c2"}  # 2:2, then 3:2
    counted = dict(team.rows("rep1", "SELECT * FROM crm_open_loads(ARRAY['pending'])"))  # ids and counts only
    truth = dict(team.owner_rows("SELECT owner_id, count(*) FROM lead WHERE status = 'pending' GROUP BY owner_id"))
    assert counted == truth and len(team.rows("rep1", "SELECT id FROM lead")) < sum(truth.values())


def test_batches_on_own_roles_keep_the_history_copy_and_refuse_other_teams(team):
    """The batch paths this wave changed (v18's statement-level history copy, tags by raw multi-row insert), each
    on a user's own role: a supervisor reassigns and tags her team's leads (tag names an attacker would try), a
    rep of the other team marks everything and changes nothing of team A, and psql on a rep's role cannot
    rewrite the history's copy of another team's owner."""
    from tui_crm.services.context import open_session
    from tui_crm.services.leads import batch_run as batch
    from tui_crm.services.leads.pages import ListQuery
    from tui_crm.store import schema

    sup = open_session(team.role_url("sup_a"), "sup_a")
    res = batch.run(sup, batch.Selection(query=ListQuery()), "reassign", {"login": "rep2"})
    assert res.done >= 1
    tagged = batch.run(sup, batch.Selection(query=ListQuery()), "tag", {"add": ["[/b]", "x') OR ('1'='1", "a;b"]})
    assert tagged.done >= 2
    sup.close()
    follow = team.owner_rows("SELECT count(*) FROM stage_history h JOIN lead l ON l.id = h.lead_id "
                             "WHERE h.lead_owner_id IS DISTINCT FROM l.owner_id")
    assert follow == [(0,)]
    names = team.owner_rows("SELECT name FROM tag WHERE name IN ('[/b]', 'x'') OR (''1''=''1', 'a', 'b', 'a;b') "
                            "ORDER BY name")
    assert names == [("[/b]",), ("a",), ("b",), ("x') OR ('1'='1",)]  # `;` splits tags (§8), quotes stay text
    before = team.owner_rows("SELECT id, owner_id FROM lead ORDER BY id")
    rep_b = open_session(team.role_url("rep_b"), "rep_b")
    moved = batch.run(rep_b, batch.Selection(query=ListQuery()), "reassign", {"login": "rep_b"})
    rep_b.close()
    assert moved.done == 0
    assert team.owner_rows("SELECT id, owner_id FROM lead ORDER BY id") == before
    team_a = team.owner_rows("SELECT h.id FROM stage_history h JOIN lead l ON l.id = h.lead_id "
                             "JOIN \"user\" u ON u.id = l.owner_id WHERE u.login = 'rep2'")
    assert team_a
    try:  # row-level security hides the row (nothing updated) or refuses outright
        reached = team.rows("rep_b", "UPDATE stage_history SET lead_owner_id = lead_owner_id WHERE id = %s "
                                     "RETURNING id", (team_a[0][0],))
    except psycopg2.Error:
        reached = []
    assert reached == []
    assert schema.check(team.ctx.db) == []
    # the notification a batch sends names no lead: a supervisor may send it to her team, a rep to nobody else
    assert _may_notify(team, "sup_a", "rep1") and not _may_notify(team, "rep1", "rep2")
    assert not _may_notify(team, "sup_a", "rep_b")


def _may_notify(team, sender: str, to: str) -> bool:
    """Whether ``sender``'s role may insert a notification of no lead for ``to`` (rolled back either way)."""
    conn = team.connect_as(sender)
    try:
        conn.cursor().execute("INSERT INTO notification (user_id, kind, text, at, read) SELECT id, 'assignment', "
                              "'probe', 0, false FROM \"user\" WHERE login = %s", (to,))
        return True
    except psycopg2.Error:
        return False
    finally:
        conn.rollback()
        conn.close()


def test_a_reps_undo_on_their_own_role_removes_the_leads_the_rules_gave_away(team, tmp_path):
    """rep1 imported two rows and the rules gave one to rep_b; undone on rep1's own role, the lead rep1 could not see
    stayed behind (hidden, its batch undone) and the undo said one lead was removed. The server deletes the batch's
    leads now (``crm_drop_batch_leads``), and a task on one of them that a lead beyond rep1's sight shares stays
    with that lead; nobody else may call it on the batch, nor on a committed one."""
    from datetime import datetime

    from tui_crm.services.activity import task_list
    from tui_crm.services.context import open_session
    from tui_crm.services.importing import undo

    rep, res = _south_import(team, tmp_path)
    assert res.new == 2
    (bid,) = team.owner_rows("SELECT max(id) FROM import_batch")[0]
    (south,) = team.owner_rows("SELECT code FROM lead WHERE company = 'South A'")[0]
    boss = open_session(team.url, "boss")
    kept = task_list.add_task_for(boss, [south, team.codes["rep_b"]], "fair", datetime(2030, 1, 7, 10), owner="rep_b")
    boss.close()
    probe = "SELECT crm_drop_batch_leads(%s, 10)"
    assert team.rows("rep1", probe, (bid,)) == [(0,)]  # committed: not for anyone
    owner = psycopg2.connect(PG_BASE, options=f"-csearch_path={team.schema},public")
    owner.autocommit = True
    try:
        owner.cursor().execute("UPDATE import_batch SET state = 'undone' WHERE id = %s", (bid,))
        assert team.rows("rep_b", probe, (bid,)) == [(0,)]  # undone, but not rep_b's
        assert team.owner_rows("SELECT count(*) FROM lead WHERE batch_id = %s", (bid,)) == [(2,)]
        owner.cursor().execute("UPDATE import_batch SET state = 'committed' WHERE id = %s", (bid,))
    finally:
        owner.close()
    assert undo(rep, bid) == 2
    rep.close()
    assert team.owner_rows("SELECT company FROM lead WHERE company IN ('South A', 'North A')") == []
    assert team.owner_rows("SELECT l.code FROM task t JOIN lead l ON l.id = t.lead_id WHERE t.id = %s",
                           (kept,)) == [(team.codes["rep_b"],)]
    assert team.owner_rows("SELECT count(*) FROM task_lead WHERE task_id = %s", (kept,)) == [(0,)]
