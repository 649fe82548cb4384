"""The app connected as a user's role: it acts as that user and works as usual; `--user` naming
someone else is refused unless that user is an admin."""
from __future__ import annotations

import json
import os

import pytest

from cli_helpers import run, run_json
from conftest import NOW, PG_AVAILABLE, PG_BASE
from tui_helpers import settle

pytestmark = pytest.mark.skipif(not PG_AVAILABLE, reason=f"PostgreSQL not reachable at {PG_BASE}")


@pytest.fixture(scope="module")
def team(tmp_path_factory):
    """One team for the module; made before the per-test clock fixture runs, so it sets what that sets
    (the zone is read once per process: a worker that first read it here would keep UTC)."""
    from pg_team import PgTeam
    from tui_crm import clock

    os.environ.setdefault("TZ", "Asia/Shanghai")
    clock.set_now(NOW)
    try:
        t = PgTeam(tmp_path_factory.mktemp("pg_team"))
    finally:
        clock.set_now(None)
    try:
        t.grant_roles()
        yield t
    finally:
        t.close()


def as_role(login, *args, user=None, **kw):
    """The real command line with the person's own URL (TUI_CRM_DB, as DEPLOY.md says) and no --user."""
    return run(*args, user=user, env={"TUI_CRM_DB": kw.pop("team").role_url(login)}, **kw)


def test_the_cli_as_a_reps_role_lists_logs_and_moves_their_lead(team):
    proc = as_role("rep1", "leads", "list", "--format", "json", team=team)
    assert proc.returncode == 0, proc.stderr
    assert {row["code"] for row in json.loads(proc.stdout)} == {team.codes["rep1"], team.codes["shared"]}
    code = team.codes["rep1"]
    proc = as_role("rep1", "log", code, "--method", "phone", "--summary", "asked for a quote", team=team)
    assert proc.returncode == 0, proc.stderr
    proc = as_role("rep1", "leads", "move", code, "qualified", team=team)
    assert proc.returncode == 0, proc.stderr
    shown = json.loads(as_role("rep1", "leads", "show", code, "--format", "json", team=team).stdout)
    assert shown["stage"] == "qualified"
    # written as rep1, by rep1's role, in the change log
    rows = team.rows("boss", 'SELECT u.login, c.action FROM "change" c JOIN "user" u ON u.id = c.user_id '
                             "WHERE c.lead_id = (SELECT id FROM lead WHERE code = %s) ORDER BY c.id", (code,))
    assert ("rep1", "move") in rows and rows[-1][0] == "rep1"


def test_a_shared_lead_is_worked_by_its_collaborator(team):
    code = team.codes["shared"]
    proc = as_role("rep1", "log", code, "--method", "wechat", "--summary", "sent the brochure", team=team)
    assert proc.returncode == 0, proc.stderr
    assert team.rows("rep2", "SELECT count(*) FROM follow_up WHERE lead_id = (SELECT id FROM lead WHERE code = %s)",
                     (code,)) == [(1,)]


def test_another_reps_lead_stays_out_of_reach(team):
    proc = as_role("rep1", "leads", "show", team.codes["rep_b"], team=team)
    assert proc.returncode == 1 and len(proc.stderr.strip().splitlines()) == 1


def test_user_naming_someone_else_is_refused_for_a_rep(team):
    before = team.rows("boss", 'SELECT count(*) FROM "change" WHERE action = \'reveal\'')
    proc = as_role("rep1", "leads", "show", team.codes["boss"], "--reveal", user="boss", team=team)
    assert proc.returncode == 1
    assert proc.stderr.strip().splitlines() == [proc.stderr.strip()]
    assert team.role("rep1") in proc.stderr and "--user boss" in proc.stderr
    proc = as_role("rep1", "leads", "list", user="rep2", team=team)
    assert proc.returncode == 1
    assert team.rows("boss", 'SELECT count(*) FROM "change" WHERE action = \'reveal\'') == before


def test_an_admins_role_may_act_as_another_user(team):
    rows = run_json("leads", "list", "--format", "json", user="rep_b", env={"TUI_CRM_DB": team.role_url("boss")})
    assert {r["code"] for r in rows} == {team.codes["rep_b"]}


def test_every_connection_is_named_after_the_user(team):
    from tui_crm.services.context import open_session
    from tui_crm.services.identity import role_acting_login

    ctx = open_session(team.role_url("sup_a"))
    ctx.act_as(role_acting_login(ctx, None))
    assert ctx.actor.login == "sup_a"
    name = ctx.db.execute_sql("SELECT application_name, usename FROM pg_stat_activity "
                              "WHERE pid = pg_backend_pid()").fetchone()
    assert name == ("tui-crm:sup_a", team.role("sup_a"))
    ctx.close()


async def test_the_tui_as_a_reps_role_shows_their_leads(team):
    from tui_crm.app import CrmApp
    from tui_crm.services.context import open_session
    from tui_crm.services.identity import role_acting_login

    ctx = open_session(team.role_url("rep2"))
    ctx.act_as(role_acting_login(ctx, None))
    app = CrmApp(ctx, poll_seconds=3600)
    async with app.run_test(size=(120, 30)):
        await settle(app)
        codes = {v.code for v in app.screen.table.rows}
    ctx.close()
    assert codes == {team.codes["rep2"], team.codes["shared"]}


def test_a_rep_adds_and_imports_leads_through_their_role(team, tmp_path):
    proc = as_role("rep2", "leads", "add", "--company", "Role Co", "--contact", "Wang Wu", "--phone", "13811112222",
                   "--source", "expo", "--need", "servers", team=team)
    assert proc.returncode == 0, proc.stderr
    added = proc.stdout.split()[0]
    csv = tmp_path / "team.csv"
    csv.write_text("company,contact,phone,source,need\nImport A Co,Zhao Liu,13822223333,expo,racks\n"
                   "Import B Co,Qian Qi,13822224444,expo,cables\n", "utf-8")
    proc = as_role("rep2", "import", str(csv), team=team)
    assert proc.returncode == 0, proc.stderr
    mine = {r[0] for r in team.rows("rep2", "SELECT company FROM lead")}
    assert {"Role Co", "Import A Co", "Import B Co"} <= mine
    assert not {"Role Co", "Import A Co"} & {r[0] for r in team.rows("rep1", "SELECT company FROM lead")}
    assert team.rows("boss", "SELECT u.login FROM lead l JOIN \"user\" u ON u.id = l.owner_id WHERE l.code = %s",
                     (added,)) == [("rep2",)]


def test_a_duplicate_beyond_the_reps_reach_is_still_found_and_not_named(team, tmp_path):
    csv = tmp_path / "dup.csv"
    csv.write_text("company,contact,phone,source,need\nCopy Co,Zhao Liu,13900000002,expo,racks\n", "utf-8")
    proc = as_role("rep1", "import", str(csv), team=team)  # rep_b's lead's phone: skipped as a duplicate
    assert proc.returncode == 0, proc.stderr
    assert "0 new" in proc.stdout and "1 duplicate" in proc.stdout, proc.stdout
    assert team.codes["rep_b"] not in proc.stdout + proc.stderr
    proc = as_role("rep1", "import", str(csv), "--on-duplicate", "update", team=team)
    assert "0 new" in proc.stdout and "duplicate of a lead you cannot see" in proc.stderr, proc.stdout + proc.stderr
    assert team.codes["rep_b"] not in proc.stdout + proc.stderr
    assert team.owner_rows("SELECT count(*) FROM lead WHERE phone = '+8613900000002'") == [(1,)]
