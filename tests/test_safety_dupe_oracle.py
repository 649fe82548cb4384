"""The duplicate check is no directory of other people's customers (issue 13 item 5, PRODUCT §7).

A duplicate outside the user's scope is told without code, company or owner; but "a lead you cannot see
already has this phone" still answers "is this number a customer?". Before: rep2 could import a file of
guessed numbers (or dry-run it, or loop `leads add`) and read which are held, unaudited and unlimited.
Now each such answer is an audited reveal (no lead named, the lead beyond reach), at most
DUPLICATE_ANSWERS_PER_HOUR an hour per user across the import, its dry run, `leads add` and the
new-lead form; past that, anything that could match such a lead is refused the same way whether or not
one does. Both backends; real files, the real command line.
"""
from __future__ import annotations

import json
from datetime import timedelta

import pytest

from cli_helpers import run
from tui_crm import clock
from tui_crm.services import importing, leads
from tui_crm.services.changes import DUPLICATE_ANSWERS_PER_HOUR as N
from tui_crm.services.errors import ValidationError
from tui_crm.services.importing import ImportOptions
from tui_crm.store.models import Change

from conftest import NOW


def _held(world, n):
    """n leads of rep_b1 (team B), phones 1390000000x: what rep_a1 (team A) must not find out."""
    return [world.lead("rep_b1", phone=f"1390000{i:04d}", company=f"Held {i}") for i in range(n)]


def _guesses(tmp_path, held: int, free: int, name="guess.csv"):
    """A file of guessed numbers: the first ``held`` are held by team B's leads, then ``free`` that are not."""
    f = tmp_path / name
    lines = ["company,contact_name,phone,need"]
    lines += [f"Guess {i},X,1390000{i:04d},n" for i in range(held)]
    lines += [f"Free {i},Y,1370000{i:04d},n" for i in range(free)]
    f.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(f)


def _answers(world, login):
    from tui_crm.store.models import User

    uid = User.get(User.login == login).id
    return [json.loads(c.diff) | {"lead_id": c.lead_id} for c in
            Change.select().where((Change.user == uid) & (Change.action == "reveal")).order_by(Change.id)
            if json.loads(c.diff).get("via") == "duplicate"]


def test_a_dry_run_of_guessed_numbers_tells_at_most_the_limit_and_audits_each(world, tmp_path):
    _held(world, N + 5)
    path = _guesses(tmp_path, N + 5, 3)
    rep = world.as_("rep_a1")
    res = importing.run_import(rep, path, ImportOptions(dry_run=True))
    assert res.duplicate == N  # told of N held numbers, no more
    unchecked = [r for r in res.refusals if r.reason.startswith("not checked against leads you cannot see")]
    assert len(unchecked) == 5 + 3  # the 5 held past the limit and the 3 free ones alike: no answer
    assert res.new == 0
    got = _answers(world, "rep_a1")
    assert len(got) == N and all(a["lead_id"] is None and a["match"] == "phone" for a in got)
    assert {a["in"] for a in got} == {"dry run"}
    # the real run an hour later than nothing: still spent, nothing imported, nothing more told
    res = importing.run_import(rep, path)
    assert (res.new, res.duplicate, res.refused) == (0, 0, N + 5 + 3)
    assert len(_answers(world, "rep_a1")) == N


def test_an_import_with_a_few_held_numbers_works_as_before_and_audits_them(world, tmp_path):
    _held(world, 2)
    rep = world.as_("rep_a1")
    res = importing.run_import(rep, _guesses(tmp_path, 2, 3))
    assert (res.new, res.duplicate, res.refused) == (3, 2, 0)
    assert [a["in"] for a in _answers(world, "rep_a1")] == ["import", "import"]
    # an hour on, the answers are there again
    clock.set_now(NOW + timedelta(hours=1, minutes=1))
    assert importing.run_import(rep, _guesses(tmp_path, 2, 0, "again.csv"), ImportOptions(dry_run=True)).duplicate == 2


def test_leads_add_and_the_form_check_share_the_limit_and_then_say_the_same_for_any_number(world):
    held = _held(world, N)
    own = world.lead("rep_a1", phone="13600000001")
    rep = world.as_("rep_a1")
    for v in held[:N - 1]:
        with pytest.raises(ValidationError, match="a lead you cannot see already has this phone"):
            leads.add_lead(rep, {"company": "Try", "contact_name": "T", "phone": v.phone, "source": "expo",
                                 "need": "n"})
    (form,) = leads.find_duplicates(rep, held[N - 1].phone, None, "", "")  # the form's check: the last answer
    assert form.reason == "a lead you cannot see already has this phone" and not form.visible
    assert len(_answers(world, "rep_a1")) == N
    spent = "you have had 20 answers this hour about leads you cannot see; try again later, or ask a supervisor"
    for phone in (held[0].phone, "13700009999"):  # held or not: the same answer
        with pytest.raises(ValidationError) as exc:
            leads.add_lead(rep, {"company": "Try", "contact_name": "T", "phone": phone, "source": "expo",
                                 "need": "n"})
        assert str(exc.value) == spent
        assert [d.reason for d in leads.find_duplicates(rep, phone, None, "", "")] == [spent]
    assert len(_answers(world, "rep_a1")) == N
    # a duplicate the rep sees is told as ever (that tells nothing beyond their scope)
    with pytest.raises(ValidationError, match=f"duplicate of lead {own.code}"):
        leads.add_lead(rep, {"company": "Again", "contact_name": "T", "phone": own.phone, "source": "expo",
                             "need": "n"})
    assert leads.count(world.as_("boss")) == N + 1


def test_an_admin_sees_every_lead_and_is_not_limited(world, tmp_path):
    _held(world, N + 2)
    res = importing.run_import(world.as_("boss"), _guesses(tmp_path, N + 2, 1), ImportOptions(dry_run=True))
    assert (res.duplicate, res.new, res.refused) == (N + 2, 1, 0)


def test_the_cli_import_of_guessed_numbers_stops_telling(world, tmp_path):
    _held(world, N + 1)
    path = _guesses(tmp_path, N + 1, 0)
    proc = run("import", path, "--dry-run", user="rep_a1", db=world.url)
    assert f"{N} duplicate" in proc.stdout or f"{N} duplicates" in proc.stdout, proc.stdout
    audit = run("audit", "--action", "reveal", "--format", "json", user="sup_a", db=world.url, check=0)
    entries = json.loads(audit.stdout)
    assert len(entries) == N and all(e["lead"] is None and e["user"] == "rep_a1" for e in entries)
    assert all(e["details"] == {"via": "duplicate", "match": "phone", "in": "dry run"} for e in entries)


@pytest.mark.skipif(not __import__("conftest").PG_AVAILABLE, reason="PostgreSQL not reachable")
def test_through_a_reps_own_role_the_answers_are_limited_and_audited_too(tmp_path):
    """A session as crm_<rep> finds duplicates beyond its row security through crm_lead_matches (no id): the
    same limit holds; the app's entries are written under the role's row security (no lead named), the server's
    name the lead matched (read by those who see it, not by the one asking)."""
    from pg_team import PgTeam
    from tui_crm.services.context import open_session

    clock.set_now(NOW)
    team = PgTeam(tmp_path)
    try:
        team.grant_roles()
        b = open_session(team.url, "rep_b")
        for i in range(N + 1):
            leads.add_lead(b, {"company": f"B {i}", "contact_name": "Z", "phone": f"1380000{i:04d}",
                               "source": "expo", "need": "n"})
        path = tmp_path / "g.csv"
        path.write_text("company,contact,phone,need\n" + "".join(f"G {i},X,1380000{i:04d},n\n" for i in range(N + 1)),
                        encoding="utf-8")
        proc = run("import", str(path), "--dry-run", user=None, env={"TUI_CRM_DB": team.role_url("rep1")})
        assert proc.returncode == 0, proc.stderr
        assert f"{N} duplicate" in proc.stdout, proc.stdout
        assert "not checked against leads you cannot see" in proc.stderr + proc.stdout
        rows = team.owner_rows("SELECT c.lead_id, c.diff FROM change c JOIN \"user\" u ON u.id = c.user_id "
                                 "WHERE u.login = 'rep1' AND c.action = 'reveal'")
        told = [d for lid, d in rows if lid is None and '"via": "duplicate"' in d]
        answered = [d for lid, d in rows if lid is not None and '"via": "match"' in d]  # crm_lead_matches' own
        assert len(told) == N and len(answered) == N and len(rows) == 2 * N, rows
    finally:
        team.close()
        clock.set_now(None)


@pytest.mark.skipif(not __import__("conftest").PG_AVAILABLE, reason="PostgreSQL not reachable")
def test_a_roles_matches_are_answered_in_the_order_asked(tmp_path):
    """crm_lead_matches answers its 20 an hour in the order of the values asked (the importer's file order, in
    which it spends its own allowance): asked in reverse, the last 20 of 25 numbers are the ones answered."""
    from pg_team import roles_team
    from tui_crm.services.context import open_session

    with roles_team(tmp_path) as team:
        b = open_session(team.url, "rep_b")
        phones = [f"1360000{i:04d}" for i in range(N + 5)]
        for i, phone in enumerate(phones):
            leads.add_lead(b, {"company": f"B {i}", "contact_name": "Z", "phone": phone, "source": "expo",
                               "need": "n"})
        stored = dict(team.owner_rows("SELECT company, phone FROM lead WHERE company LIKE %s", ("B %",)))
        asked = [stored[f"B {i}"] for i in reversed(range(len(phones)))]
        got = [r[0] for r in team.rows("rep1", "SELECT val FROM crm_lead_matches('phone', %s)", (asked,))]
        assert got == asked[:N]
        assert team.rows("rep1", "SELECT val FROM crm_lead_matches('phone', %s)", (asked,)) == []  # spent
