"""Masked values stay masked everywhere (issue 13 items 4, 5, 11; PRODUCT.md §2.10 and §7 Privacy).

After rep1 edited a phone and email, the admin's detail showed 139****5678 in the header and the full
numbers just below in the timeline; `leads show` too; `other_contact` was never masked; duplicate checks
named leads outside the user's scope.
"""
import json

from cli_helpers import run
from tui_crm.services import activity, exporting, importing, leads
from tui_crm.services.errors import ValidationError
from tui_crm.store.models import Change, Notification

OLD_PHONE, NEW_PHONE = "+8616001894423", "+8613912345678"
NEW_EMAIL = "secret.person@corp.cn"
WECHAT = "微信 13800138001"


def _edited(world):
    v = world.lead("rep_a1", phone=OLD_PHONE, email="old.person@corp.cn")
    leads.update_lead(world.as_("rep_a1"), v.id, {"phone": NEW_PHONE, "email": NEW_EMAIL, "other_contact": WECHAT})
    return v


def _timeline_text(ctx, lead_id, **kw) -> str:
    items = activity.lead_timeline(ctx, lead_id, **kw)
    return "\n".join(i.text for i in items) + json.dumps([i.data for i in items], ensure_ascii=False)


def test_the_timeline_masks_changed_contacts_for_a_reader_who_sees_them_masked(world):
    v = _edited(world)
    boss = world.as_("boss")
    text = _timeline_text(boss, v.id)
    for secret in ("16001894423", "13912345678", "secret.person", "old.person", "13800138001"):
        assert secret not in text, secret
    assert "160****4423 → 139****5678" in text and "s***@corp.cn" in text and "微信 138****8001" in text
    for login in ("rep_a1", "sup_a"):  # the owner and the owner's supervisor see them in full
        full = _timeline_text(world.as_(login), v.id)
        assert "+8616001894423 → +8613912345678" in full and NEW_EMAIL in full and WECHAT in full
    assert NEW_EMAIL in _timeline_text(boss, v.id, reveal=True)  # after an audited reveal
    assert leads.load_detail(boss, v.id).lead.phone == "139****5678"
    assert "13912345678" not in json.dumps([i.data for i in leads.load_detail(boss, v.id).timeline])


def test_leads_show_masks_the_timeline_and_reveal_shows_it_audited(world):
    v = _edited(world)
    shown = run("leads", "show", v.code, db=world.url, user="boss", env={"COLUMNS": "250"}, check=0).stdout
    assert "13912345678" not in shown and "secret.person" not in shown and "13800138001" not in shown
    assert "139****5678" in shown
    data = json.loads(run("leads", "show", v.code, "--format", "json", db=world.url, user="boss", check=0).stdout)
    assert data["phone"] == "139****5678" and data["other_contact"] == "微信 138****8001"
    assert "13912345678" not in json.dumps(data, ensure_ascii=False)
    before = Change.select().where(Change.action == "reveal").count()
    data = json.loads(run("leads", "show", v.code, "--format", "json", "--reveal", db=world.url, user="boss",
                          check=0).stdout)
    assert data["phone"] == NEW_PHONE and data["other_contact"] == WECHAT
    assert NEW_EMAIL in json.dumps(data["timeline"], ensure_ascii=False)
    assert Change.select().where(Change.action == "reveal").count() == before + 1


def test_other_contact_is_masked_like_a_phone_everywhere(world, tmp_path):
    v = world.lead("rep_a1", other_contact=WECHAT)
    boss = world.as_("boss")
    assert leads.get(boss, v.id).other_contact == "微信 138****8001" and leads.get(boss, v.id).masked
    assert leads.get(world.as_("sup_a"), v.id).other_contact == WECHAT
    assert leads.list_leads(boss)[0].other_contact == "微信 138****8001"
    path = str(tmp_path / "x.csv")
    exporting.export(boss, path)
    assert "13800138001" not in open(path, encoding="utf-8-sig").read()
    exporting.export(boss, path, reveal=True)
    assert WECHAT in open(path, encoding="utf-8-sig").read()
    assert Change.select().where((Change.action == "reveal") & (Change.lead_id == v.id)).count() == 1
    assert leads.list_leads(boss, reveal=True)[0].other_contact == WECHAT


def test_a_masked_other_contact_from_an_export_is_not_imported_over_the_real_one(world, tmp_path):
    v = world.lead("rep_a1", other_contact=WECHAT)
    path = str(tmp_path / "x.csv")
    exporting.export(world.as_("boss"), path)
    importing.run_import(world.as_("boss"), path, importing.ImportOptions(on_duplicate="update"))
    assert leads.get(world.as_("rep_a1"), v.id).other_contact == WECHAT


def test_import_update_of_a_contact_is_shown_masked_in_the_timeline(world, tmp_path):
    v = world.lead("rep_a1", phone=OLD_PHONE, email="old.person@corp.cn")
    f = tmp_path / "upd.csv"
    f.write_text(f"code,email\n{v.code},{NEW_EMAIL}\n", encoding="utf-8")
    res = importing.run_import(world.as_("rep_a1"), str(f), importing.ImportOptions(on_duplicate="update"))
    assert res.updated == 1
    text = _timeline_text(world.as_("boss"), v.id)
    assert "secret.person" not in text and "old.person" not in text and "s***@corp.cn" in text
    assert NEW_EMAIL in _timeline_text(world.as_("rep_a1"), v.id)


def test_only_masked_leads_are_audited_when_a_list_is_revealed(world):
    mine = world.lead("boss")
    theirs = world.lead("rep_a1")
    views = leads.list_leads(world.as_("boss"), reveal=True)
    assert {v.id for v in views} == {mine.id, theirs.id}
    assert [c.lead_id for c in Change.select().where(Change.action == "reveal")] == [theirs.id]


def test_export_reveal_audits_a_page_before_handing_on_its_first_value(world):
    v = world.lead("rep_a1", phone=NEW_PHONE)
    rows = exporting.rows(world.as_("boss"), reveal=True)
    first = next(rows)  # a reader that stops here (a closed pipe) has seen one full number
    assert NEW_PHONE in first
    assert [c.lead_id for c in Change.select().where(Change.action == "reveal")] == [v.id]
    rows.close()


# ------------------------------------------------------------------ duplicates outside the scope
def test_a_duplicate_outside_the_scope_is_told_without_its_code_company_or_owner(world):
    theirs = world.lead("rep_a1", company="Hidden Corp", phone="13912345678", email="x@hidden.cn")
    rep2 = world.as_("rep_b1")
    for values, field, words in (({"phone": "139 1234 5678"}, "phone", "this phone"),
                                 ({"email": "X@hidden.cn"}, "email", "this email")):
        try:
            leads.add_lead(rep2, {"company": "Mine", "contact_name": "me", "source": "expo", "need": "n", **values})
        except ValidationError as exc:
            assert str(exc) == f"a lead you cannot see already has {words}"
            assert field in exc.fields
            for secret in (theirs.code, "Hidden", "rep_a1", "Rep A1"):
                assert secret not in str(exc) + json.dumps(exc.fields)
        else:
            raise AssertionError("the duplicate was not refused")
    dups = leads.find_duplicates(rep2, "+8613912345678", None, "Hidden Corp", "Zhang San")
    assert [(d.id, d.code, d.company, d.reason) for d in dups] == [
        (None, "", "", "a lead you cannot see already has this phone")]
    mine = leads.find_duplicates(world.as_("sup_a"), "+8613912345678", None, "Hidden Corp", "Zhang San")
    assert [(d.id, d.code) for d in mine] == [(theirs.id, theirs.code)]


def test_cli_leads_add_says_a_lead_you_cannot_see_has_this_phone(world):
    theirs = world.lead("rep_a1", company="Hidden Corp", phone="13912345678")
    proc = run("leads", "add", "--company", "Mine", "--contact", "me", "--phone", "13912345678", "--source",
               "expo", "--need", "n", db=world.url, user="rep_b1")
    assert proc.returncode == 1
    assert proc.stderr.strip().splitlines() == ["tui-crm: a lead you cannot see already has this phone"]
    assert theirs.code not in proc.stderr and "Hidden" not in proc.stderr


def test_import_says_nothing_of_a_duplicate_outside_the_scope(world, tmp_path):
    theirs = world.lead("rep_a1", company="Hidden Corp", phone="13912345678", email="x@hidden.cn")
    f = tmp_path / "in.csv"
    f.write_text("code,company,contact_name,phone,need\n,Mine,me,13912345678,servers\n"
                 "MY-OWN-1,Other,you,13912345678,servers\n", encoding="utf-8")  # the second: a code of its own
    rep2 = world.as_("rep_b1")
    for mode in ("skip", "update", "create"):
        for dry in (True, False):
            res = importing.run_import(rep2, str(f), importing.ImportOptions(on_duplicate=mode, dry_run=dry))
            said = json.dumps([(r.value, r.reason) for r in res.refusals + res.notes], ensure_ascii=False)
            assert "a lead you cannot see" in said, (mode, said)
            for secret in (theirs.code, "Hidden", "x@hidden.cn", "rep_a1", "Rep A1"):
                assert secret not in said, (mode, dry, said)
    errors = tmp_path / "errors.csv"
    proc = run("import", str(f), "--on-duplicate", "update", "--errors", str(errors), "--dry-run", db=world.url,
               user="rep_b1", check=0)
    out = proc.stdout + proc.stderr + errors.read_text(encoding="utf-8")
    assert "duplicate of a lead you cannot see" in out
    for secret in (theirs.code, "Hidden", "x@hidden.cn", "rep_a1"):
        assert secret not in out


def test_notifications_carry_no_contact(world):
    v = world.lead("sup_a", owner="rep_a1", phone=NEW_PHONE, email=NEW_EMAIL, other_contact=WECHAT)
    leads.reassign(world.as_("sup_a"), v.id, "rep_a2")
    texts = [n.text for n in Notification.select()]
    assert len(texts) == 2
    for t in texts:
        assert "13912345678" not in t and "secret" not in t and "13800138001" not in t
