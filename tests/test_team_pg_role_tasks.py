"""Tasks on several leads under PostgreSQL row-level security (``db roles``): a session on a user's own role sees a
task where it sees any of its leads, asks the server what it cannot see (is the task shared, the plans of its other
leads), and writes a task only where it sees the task's own lead: a link to one's lead is no way to rewrite,
delete or plant a task on a lead beyond reach (an attacker's pass found that, tests below)."""
from __future__ import annotations

from datetime import datetime

import psycopg2
import pytest

from conftest import PG_AVAILABLE, PG_BASE
from pg_team import roles_team

pytestmark = pytest.mark.skipif(not PG_AVAILABLE, reason=f"PostgreSQL not reachable at {PG_BASE}")


@pytest.fixture
def team(tmp_path):
    with roles_team(tmp_path) as t:
        yield t


def _lead_id(team, key):
    return team.owner_rows("SELECT id FROM lead WHERE code = %s", (team.codes[key],))[0][0]


def _uid(team, login):
    return team.owner_rows("SELECT id FROM \"user\" WHERE login = %s", (login,))[0][0]


def test_a_task_shared_with_a_lead_beyond_sight_stays_with_its_owner_and_open_on_own_roles(team):
    """Row security hides a task's links to leads the session cannot see: an admin's one task for rep1's lead
    and team B's looked like rep1's lead's alone to sup_a's and rep1's own roles, so reassigning or losing
    rep1's lead took it along or shelved it for team B too. The server tells (``crm_task_shared``), and only
    of a task whose own lead one sees."""
    from tui_crm.services import leads
    from tui_crm.services.activity import task_list
    from tui_crm.services.context import open_session
    from tui_crm.services.leads import batch_run as batch

    due = datetime(2030, 1, 7, 10, 0)
    boss = open_session(team.url, "boss")
    fair = {n: task_list.add_task_for(boss, [team.codes[n], team.codes["rep_b"]], f"fair {n}", due, owner=n)
            for n in ("rep1", "rep2")}
    own = task_list.add_task_for(boss, [team.codes["rep1"]], "call back", due, owner="rep1")
    boss.close()

    def task(tid):
        return team.owner_rows("SELECT u.login, t.status FROM task t JOIN \"user\" u ON u.id = t.owner_id "
                               "WHERE t.id = %s", (tid,))[0]

    sup = open_session(team.role_url("sup_a"), "sup_a")
    assert team.rows("sup_a", "SELECT tl.lead_id FROM task_lead tl WHERE tl.task_id = %s", (fair["rep1"],)) == []
    leads.reassign(sup, team.codes["rep1"], "rep2")
    assert task(own) == ("rep2", "open") and task(fair["rep1"]) == ("rep1", "open")
    lead2 = team.rows("sup_a", "SELECT id FROM lead WHERE code = %s", (team.codes["rep2"],))[0][0]
    assert batch.run(sup, batch.Selection(ids=(lead2,)), "reassign", {"login": "rep1"}).done == 1
    assert task(fair["rep2"]) == ("rep2", "open")
    sup.close()
    rep2 = open_session(team.role_url("rep2"), "rep2")
    leads.set_outcome(rep2, team.codes["rep1"], "lost", {"lost_reason": "price"})
    rep2.close()
    assert task(own)[1] == "shelved" and task(fair["rep1"]) == ("rep1", "open")
    rep1 = open_session(team.role_url("rep1"), "rep1")
    assert batch.run(rep1, batch.Selection(ids=(lead2,)), "lost", {"lost_reason": "price"}).done == 1
    rep1.close()
    assert task(fair["rep2"]) == ("rep2", "open")
    # told only of a task whose own lead one sees; a plain task is no shared one
    probe = "SELECT crm_task_shared(%s)"
    assert team.rows("rep1", probe, (fair["rep2"],)) == [(True,)]
    assert team.rows("rep_b", probe, (fair["rep1"],)) == [(False,)]  # its own lead is rep1's former
    assert team.rows("sup_a", probe, (own,)) == [(False,)]


def test_a_task_on_several_reps_leads_is_seen_from_each_and_plans_them_all_on_own_roles(team):
    """An admin's one task for rep_b's lead and rep1's: its row was visible only with its first lead (rep1's role
    did not see a task on their own lead), and a rep doing their task on their lead and rep_b's left rep_b's
    lead planned for it (its UPDATE reached only the leads one sees). The plans of every lead of a task changed
    are now recomputed by the server (``crm_refresh_plans``: derived columns only, made true)."""
    from tui_crm.services.activity import task_list, tasks
    from tui_crm.services.context import open_session

    later, sooner = datetime(2030, 1, 9, 10, 0), datetime(2030, 1, 8, 10, 0)
    boss = open_session(team.url, "boss")
    theirs = task_list.add_task_for(boss, [team.codes["rep_b"], team.codes["rep1"]], "fair b", sooner, owner="rep_b")
    mine = task_list.add_task_for(boss, [team.codes["rep1"], team.codes["rep_b"]], "fair 1", later, owner="rep1")
    boss.close()
    assert team.rows("rep1", "SELECT id FROM task WHERE id = %s", (theirs,)) == [(theirs,)]

    def planned(login):  # the latest due of the lead's open tasks
        return team.owner_rows("SELECT plan_until FROM lead WHERE code = %s", (team.codes[login],))[0][0]

    assert planned("rep_b") == planned("rep1")  # the later one, on both
    rep1 = open_session(team.role_url("rep1"), "rep1")
    tasks.complete_task(rep1, mine, "done at the fair")
    rep1.close()
    assert planned("rep_b") == planned("rep1")
    after = team.owner_rows("SELECT plan_until FROM lead l WHERE code = %s", (team.codes["rep_b"],))
    recomputed = team.owner_rows("SELECT MAX(t.due_at) FROM task t WHERE t.status = 'open' AND t.id IN "
                                 "(SELECT task_id FROM task_lead tl JOIN lead l ON l.id = tl.lead_id WHERE l.code = %s "
                                 "UNION SELECT t2.id FROM task t2 JOIN lead l ON l.id = t2.lead_id WHERE l.code = %s)",
                                 (team.codes["rep_b"], team.codes["rep_b"]))
    assert after == recomputed
    # nobody learns or changes anything else by calling it: a stranger's call on someone's task is a no-op
    before = team.owner_rows("SELECT id, next_follow_up_at, plan_until, version FROM lead ORDER BY id")
    team.rows("rep_b", "SELECT crm_refresh_plans(ARRAY[%s, %s]::bigint[])", (theirs, mine))
    assert team.owner_rows("SELECT id, next_follow_up_at, plan_until, version FROM lead ORDER BY id") == before


def _fair(team, first: str, other: str, owner: str) -> int:
    from tui_crm.services.activity import task_list
    from tui_crm.services.context import open_session

    boss = open_session(team.url, "boss")
    try:
        return task_list.add_task_for(boss, [team.codes[first], team.codes[other]], "fair b",
                                      datetime(2030, 1, 7, 10, 0), owner=owner)
    finally:
        boss.close()


def test_a_link_to_ones_lead_rewrites_or_deletes_no_task_of_a_lead_beyond_reach(team):
    tid = _fair(team, "rep_b", "rep1", "rep_b")  # rep_b's lead first; rep1 sees it through the link
    assert team.rows("rep1", "SELECT id FROM task WHERE id = %s", (tid,)) == [(tid,)]
    rewritten = team.rows("rep1", "UPDATE task SET title = 'cancelled', due_at = 1 WHERE id = %s RETURNING id", (tid,))
    deleted = team.rows("rep1", "DELETE FROM task WHERE id = %s RETURNING id", (tid,))
    assert rewritten == [] and deleted == []
    assert team.owner_rows("SELECT title, due_at > 1 FROM task WHERE id = %s", (tid,)) == [("fair b", True)]
    assert team.owner_rows("SELECT count(*) FROM task_lead WHERE task_id = %s", (tid,)) == [(1,)]


def test_no_task_is_planted_on_a_lead_beyond_reach_through_a_link(team):
    boss_lead, own, shared = _lead_id(team, "boss"), _lead_id(team, "rep1"), _lead_id(team, "shared")
    before = team.owner_rows("SELECT next_follow_up_at FROM lead WHERE id = %s", (boss_lead,))
    conn = team.connect_as("rep1")
    try:
        cur = conn.cursor()
        cur.execute("INSERT INTO task (lead_id, owner_id, kind, title, priority, due_at, remind_minutes, status, "
                    "created_at) VALUES (%s, %s, 'follow_up', 'Wire the deposit to acct 123', 'high', 1, 0, 'open', 1) "
                    "RETURNING id", (own, _uid(team, "boss")))
        (tid,) = cur.fetchone()
        cur.execute("INSERT INTO task_lead (task_id, lead_id) VALUES (%s, %s)", (tid, shared))
        with pytest.raises(psycopg2.Error, match="row-level security"):
            cur.execute("UPDATE task SET lead_id = %s WHERE id = %s", (boss_lead, tid))
    finally:
        conn.close()
    assert team.owner_rows("SELECT lead_id FROM task WHERE title LIKE 'Wire%%'") == [(own,)]
    assert team.owner_rows("SELECT next_follow_up_at FROM lead WHERE id = %s", (boss_lead,)) == before


def test_the_app_changes_a_task_seen_only_through_a_link_nowhere(team):
    """The app let any status change of a task seen through one of its leads (SQLite wrote it; on a role's session
    the change entry, about the task's own lead beyond reach, was refused by the server with a traceback). A
    task is changed by whoever sees its own lead, as completing and snoozing always asked: one line, nothing
    written, on either kind of session."""
    from tui_crm.services.activity import task_list
    from tui_crm.services.context import open_session
    from tui_crm.services.errors import AccessDenied

    tid = _fair(team, "rep_b", "rep1", "rep_b")
    for url in (team.role_url("rep1"), team.url):
        rep1 = open_session(url, "rep1")
        try:
            assert task_list.get_task(rep1, tid).title == "fair b"  # seen through rep1's lead
            with pytest.raises(AccessDenied, match="cannot see"):
                task_list.set_task_status(rep1, tid, "done", "met them")
        finally:
            rep1.close()
    assert team.owner_rows("SELECT status FROM task WHERE id = %s", (tid,)) == [("open",)]


def test_a_task_seen_through_a_link_is_listed_on_a_role_as_on_the_owners_session(team):
    """The task list kept only tasks whose own lead it could read back (to leave out leads of an import still
    staging): on a role's session row security hides a colleague's lead, so rep_b's task on rep1's lead too was
    listed on the owner's session and not on rep1's own role."""
    from tui_crm.services.activity import task_list
    from tui_crm.services.context import open_session

    tid = _fair(team, "rep_b", "rep1", "rep_b")
    for url in (team.url, team.role_url("rep1")):
        rep1 = open_session(url, "rep1")
        try:
            assert tid in [t.id for t in task_list.list_tasks(rep1, "open")], url
        finally:
            rep1.close()
