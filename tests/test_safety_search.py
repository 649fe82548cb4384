"""Search as an oracle and as a way to exhaust the host (issue 13 items 5 and 10).

"A full number finds its lead" let an admin recover a masked 139****5678 in 1,235 searches, unaudited; a
100,000-character search took 108 s and 20 GB; the full-text match ran over every lead before the scope.
"""
import json
from datetime import timedelta

import pytest

from cli_helpers import run
from tui_crm import clock
from tui_crm.services import leads
from tui_crm.services.errors import ValidationError
from tui_crm.services.leads import pages
from tui_crm.store.models import Change

from conftest import NOW


def _search_reveals(login_id: int) -> list[int]:
    return [c.lead_id for c in Change.select().where((Change.user == login_id) & (Change.action == "reveal"))
            if json.loads(c.diff).get("via") == "search"]


def test_the_oracle_attack_finds_the_number_only_with_an_audited_reveal(world):
    target = world.lead("rep_a1", phone="13912345678")
    boss = world.as_("boss")
    assert leads.get(boss, target.id).phone == "139****5678"
    found = []
    for guess in range(12340000, 12340000 + 6000, 1):  # the attacker walks the hidden middle digits
        number = f"139{guess:08d}"
        if number.endswith("5678") and leads.list_leads(boss, search=number):
            found.append(number)
    assert found == ["13912345678"]
    assert _search_reveals(boss.actor.id) == [target.id]
    shown = leads.list_leads(boss, search="+86 139 1234 5678")  # found again: no second entry this hour
    assert [v.id for v in shown] == [target.id] and shown[0].phone == "139****5678"
    assert _search_reveals(boss.actor.id) == [target.id]


def test_at_most_twenty_leads_an_hour_are_found_by_a_number_the_user_sees_masked(world):
    numbers = [f"1391234{n:04d}" for n in range(21)]
    ids = [world.lead("rep_a1", phone=p).id for p in numbers]
    boss = world.as_("boss")
    for lead_id, number in zip(ids[:20], numbers):
        assert [v.id for v in leads.list_leads(boss, search=number)] == [lead_id]
    assert boss.notices  # the twentieth reached the limit: said before the next search is cut
    boss.notices.clear()
    assert leads.list_leads(boss, search=numbers[20]) == []
    assert "at most 20 leads an hour" in boss.notices[0]
    boss.notices.clear()
    assert leads.list_leads(boss, search="13900000000") == [] and boss.notices  # said whether or not it matched
    assert sorted(_search_reveals(boss.actor.id)) == sorted(ids[:20])
    assert [v.id for v in leads.list_leads(boss, search=numbers[0])] == [ids[0]]  # seen this hour: still found
    sup = world.as_("sup_a")  # sees rep_a1's contacts in full: no reveal, no limit
    assert [v.id for v in leads.list_leads(sup, search=numbers[20])] == [ids[20]]
    assert _search_reveals(sup.actor.id) == [] and not sup.notices
    clock.set_now(NOW + timedelta(hours=1, seconds=1))
    later = world.as_("boss")
    assert [v.id for v in leads.list_leads(later, search=numbers[20])] == [ids[20]]
    assert ids[20] in _search_reveals(boss.actor.id)


def test_a_full_email_that_finds_a_masked_lead_is_a_reveal_too(world):
    v = world.lead("rep_a1", email="secret.person@corp.cn")
    boss = world.as_("boss")
    assert [x.id for x in leads.list_leads(boss, search="Secret.Person@corp.cn")] == [v.id]
    assert _search_reveals(boss.actor.id) == [v.id]
    assert leads.list_leads(boss, search="secret.person@") == []  # a prefix of a masked email finds nothing


def test_the_list_and_its_counts_go_through_the_same_limit(world):
    v = world.lead("rep_a1", phone="13912345678")
    boss = world.as_("boss")
    q = pages.ListQuery((), "13912345678")
    assert pages.count(boss, q) == 1
    assert [x.id for x in pages.after(boss, q, None, 50)] == [v.id]
    assert _search_reveals(boss.actor.id) == [v.id]


def test_a_search_longer_than_200_characters_is_refused_in_words(world):
    world.lead("rep_a1")
    rep = world.as_("rep_a1")
    with pytest.raises(ValidationError, match=r"a search is at most 200 characters \(this one has 100000\)"):
        leads.list_leads(rep, search="1" * 100_000)
    with pytest.raises(ValidationError):
        pages.count(rep, pages.ListQuery((), "科技" * 3000))
    assert leads.list_leads(rep, search="x" * 200) == []


def test_cli_refuses_the_100000_character_search_with_one_line(sqlite_url):
    run("users", "add", "boss", "--name", "Boss", "--role", "admin", db=sqlite_url, check=0)
    proc = run("leads", "list", "--search", "1" * 100_000, db=sqlite_url)
    assert proc.returncode == 1
    assert proc.stderr.strip().splitlines() == ["tui-crm: a search is at most 200 characters (this one has 100000)"]


def test_a_small_scope_is_searched_row_by_row_and_finds_what_the_index_finds(world):
    mine = [world.lead("rep_a1", company=f"星辰科技 {n}", need="servers").id for n in range(3)]
    world.lead("rep_a1", company="Other Co", need="星辰 plans")
    theirs = world.lead("rep_b1", company="星辰科技 B")
    rep, boss = world.as_("rep_a1"), world.as_("boss")
    sql, _params = leads.base_query(rep, search="星辰科").sql()
    assert "lead_fts" not in sql  # the scope first: the rep's leads, not the whole index
    assert leads.scoped_scan(rep) == (not rep.is_postgres)  # PostgreSQL's planner weighs the scope itself
    assert not leads.scoped_scan(boss)
    found = sorted(v.id for v in leads.list_leads(rep, search="星辰科"))
    assert found == sorted(mine)
    if not boss.is_postgres:
        assert "lead_fts" in leads.base_query(boss, search="星辰科").sql()[0]
    by_index = sorted(v.id for v in leads.list_leads(boss, search="星辰科"))
    assert by_index == sorted(mine + [theirs.id])
    assert [v.id for v in pages.after(rep, pages.ListQuery((), "星辰科"), None, 50)] != []
    assert sorted(v.id for v in pages.after(rep, pages.ListQuery((), "星辰科"), None, 50)) == sorted(mine)


def test_a_big_scope_still_uses_the_index(world, monkeypatch):
    from tui_crm.services.leads import queries

    world.lead("rep_a1", company="星辰科技")
    monkeypatch.setattr(queries, "SCOPED_SCAN_MAX", 0)
    rep = world.as_("rep_a1")
    assert not leads.scoped_scan(rep)
    if not rep.is_postgres:
        assert "lead_fts" in leads.base_query(rep, search="星辰科").sql()[0]
    assert len(leads.list_leads(rep, search="星辰科")) == 1

