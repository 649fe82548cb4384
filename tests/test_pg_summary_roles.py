"""The report's summary tables under `db roles`, tried as an attacker would with a user's own role in raw
SQL (psql): a rep reads only their own aggregates, a supervisor their team's, nobody writes them, and
every write a role may make keeps them exact (their triggers run as the tables' owner)."""
from __future__ import annotations

import psycopg2
import pytest

from conftest import PG_AVAILABLE, PG_BASE
from pg_team import roles_team
from tui_crm.services.context import open_session
from tui_crm.services.identity import role_acting_login
from tui_crm.services.reports import figures as rep
from tui_crm.store import summaries

pytestmark = pytest.mark.skipif(not PG_AVAILABLE, reason=f"PostgreSQL not reachable at {PG_BASE}")


@pytest.fixture
def team(tmp_path):
    with roles_team(tmp_path) as t:
        yield t


def ids(team, *logins) -> set[int]:
    return {r[0] for r in team.owner_rows('SELECT id FROM "user" WHERE login = ANY(%s)', (list(logins),))}


def test_a_role_reads_only_the_aggregates_of_owners_it_may_see(team):
    every = {r[0] for r in team.owner_rows("SELECT DISTINCT owner_id FROM report_people")}
    assert len(every) == 4  # rep1, rep2, rep_b, boss
    for login, allowed in (("rep1", ids(team, "rep1")), ("rep_b", ids(team, "rep_b")),
                           ("sup_a", ids(team, "sup_a", "rep1", "rep2")), ("boss", every)):
        for table in summaries.TABLES:
            seen = {r[0] for r in team.rows(login, f"SELECT DISTINCT owner_id FROM {table}")}
            assert seen <= allowed, (login, table)
        assert {r[0] for r in team.rows(login, "SELECT DISTINCT owner_id FROM report_dims")} == allowed & every
    # rep2's lead shared with rep1 is counted from its row by the app, never from rep2's aggregates
    assert team.rows("rep1", "SELECT count(*) FROM report_people WHERE owner_id = %s", (min(ids(team, "rep2")),)) \
        == [(0,)]


def test_no_role_writes_a_summary_or_runs_its_trigger(team):
    conn = team.connect_as("rep1")
    cur = conn.cursor()
    me = min(ids(team, "rep1"))
    for sql in (f"INSERT INTO report_people (grain, owner_id, day, stage, status, stages_seen, leads) "
                f"VALUES (0, {me}, 1, 'x', 'won', 0, 1000)",
                "UPDATE report_people SET leads = leads + 1000",
                "DELETE FROM report_won",
                "TRUNCATE report_dims"):
        with pytest.raises(psycopg2.errors.InsufficientPrivilege):
            cur.execute(sql)
    with pytest.raises(psycopg2.errors.InsufficientPrivilege):
        cur.execute("SELECT crm_sum_lead_insert()")
    conn.close()


def test_raw_writes_as_a_rep_keep_the_summaries_exact(team):
    conn = team.connect_as("rep1")
    cur = conn.cursor()
    cur.execute("UPDATE lead SET amount_cents = 777, industry = ' 制造 ', probability = 40 WHERE code = %s",
                (team.codes["rep1"],))
    cur.execute("UPDATE lead SET status = 'lost', lost_reason = 'price' WHERE code = %s", (team.codes["shared"],))
    cur.execute("UPDATE lead SET amount_cents = 1 WHERE code = %s", (team.codes["rep_b"],))  # not theirs: no row
    assert cur.rowcount == 0
    conn.close()
    db = team.ctx.db
    assert summaries.check(db) == []
    # the app on the rep's own role reads the same figures as from the lead rows
    ctx = open_session(team.role_url("rep1"))
    ctx.act_as(role_acting_login(ctx, None))
    assert ctx.actor.login == "rep1"
    fast = rep.report(ctx)
    assert fast == rep.report(ctx, summaries=False)
    assert fast["totals"]["leads"] == 2 and fast["lost_reasons"][0]["reason"] == "price"
    assert {r["key"] for r in fast["by_owner"]} == {"rep1", "rep2"}  # the shared lead, from its row
    ctx.close()
