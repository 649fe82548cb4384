"""The audit trail holds (issue 13 item 11) and can be read (`tui-crm audit`, PRODUCT.md §7 Audit).

Reassign recorded `owner: 6` with no old owner; handover sent no notifications and logged no task moves;
undo of an update batch wrote no change entries; `import --dry-run` missed duplicates of existing leads;
`demo --force` erased the audit log; the log could not be read anywhere.
"""
import dataclasses
import json
from datetime import timedelta

import pytest

from cli_helpers import run, run_json
from tui_crm import clock
from tui_crm.services import admin, importing, leads
from tui_crm.services.activity import tasks
from tui_crm.services.admin import audit, demo
from tui_crm.services.errors import AccessDenied, ServiceError
from tui_crm.store.models import Change, Lead, Notification, Task

from conftest import NOW


def _entries(action, **where):
    q = Change.select().where(Change.action == action)
    for k, v in where.items():
        q = q.where(getattr(Change, k) == v)
    return [json.loads(c.diff) for c in q.order_by(Change.id)]


def test_reassign_records_the_old_and_the_new_owner_by_login_and_the_tasks_moved(world):
    v = world.lead("rep_a1")
    (task,) = [t.id for t in Task.select().where(Task.lead == v.id)]
    leads.reassign(world.as_("sup_a"), v.id, "rep_a2")
    assert _entries("reassign", lead_id=v.id) == [{"owner": ["rep_a1", "rep_a2"], "tasks": str(task)}]


def test_handover_notifies_the_new_owner_and_logs_each_lead_and_task(world):
    a = world.lead("rep_a1")
    b = world.lead("rep_a1")
    closed = world.lead("rep_a1")
    leads.set_outcome(world.as_("rep_a1"), closed.id, "lost", {"lost_reason": "price"})
    loose = tasks.add_task(world.as_("rep_a1"), None, "follow_up", "call the office", NOW + timedelta(days=1))
    n = leads.handover(world.as_("sup_a"), "rep_a1", "rep_a2")
    assert n == 2
    entries = {c.lead_id: json.loads(c.diff) for c in Change.select().where(Change.action == "handover")}
    assert set(entries) == {a.id, b.id}  # one entry per lead handed over; the lost one stays
    for lid, diff in entries.items():
        moved = [str(t.id) for t in Task.select().where(Task.lead == lid).order_by(Task.id)]
        assert diff == {"owner": ["rep_a1", "rep_a2"], "tasks": ", ".join(moved)}
    assert Task.get_by_id(loose).owner.login == "rep_a2"
    assert _entries("reassign", entity="task", entity_id=loose) == [{"owner": ["rep_a1", "rep_a2"]}]
    (note,) = [x for x in Notification.select() if x.user.login == "rep_a2"]
    # their first contacts and the loose one; by the supervisor who did it (it named the departing rep)
    assert note.text == "Sup A handed over 2 leads and 3 tasks of Rep A1 to you"
    assert {x.owner_id for x in Lead.select().where(Lead.id.in_([a.id, b.id]))} == {world.as_("rep_a2").actor.id}


def test_undo_of_an_update_batch_writes_a_change_entry_for_each_lead_put_back(world, tmp_path):
    v = world.lead("rep_a1", phone="13911112222", need="old need")
    f = tmp_path / "upd.csv"
    f.write_text(f"code,phone,need\n{v.code},13933334444,new need\n", encoding="utf-8")
    rep = world.as_("rep_a1")
    res = importing.run_import(rep, str(f), importing.ImportOptions(on_duplicate="update"))
    assert leads.get(rep, v.id).need == "new need"
    importing.undo(rep, res.batch_id)
    back = leads.get(rep, v.id)
    assert back.need == "old need" and back.phone == "+8613911112222"
    (entry,) = [d for d in _entries("update", lead_id=v.id) if "undo_of" in d]
    assert entry == {"phone": ["+8613933334444", "+8613911112222"], "need": ["new need", "old need"],
                     "undo_of": res.batch_id}
    assert [x.id for x in leads.list_leads(rep, search="2222")] == [v.id]  # the last digits follow the phone back
    assert leads.list_leads(rep, search="4444") == []


def test_dry_run_finds_the_duplicates_of_existing_leads_the_real_run_finds(world, tmp_path):
    world.lead("rep_a1", phone="13955556666")
    f = tmp_path / "in.csv"
    f.write_text("company,contact_name,phone,need\nAgain,Wang,13955556666,servers\nNew Co,Li,13977778888,x\n",
                 encoding="utf-8")
    rep = world.as_("rep_a1")
    dry = importing.run_import(rep, str(f), importing.ImportOptions(dry_run=True))
    real = importing.run_import(rep, str(f))
    assert (dry.new, dry.duplicate) == (real.new, real.duplicate) == (1, 1)


def test_demo_force_refuses_to_erase_the_audit_log(world):
    v = world.lead("rep_a1")
    leads.reveal(world.as_("boss"), v.id)
    before = Change.select().count()
    with pytest.raises(ServiceError, match=r"audit log of \d+ entries"):
        demo.generate(world.as_("boss"), leads=10, reps=2, force=True, admin_login="boss")
    assert Change.select().count() == before and Lead.select().count() == 1


def test_a_setting_change_names_what_changed(world):
    boss = world.as_("boss")
    admin.save_settings(boss, dataclasses.replace(boss.settings, stall_after_days=10))
    assert _entries("update", entity="settings") == [{"stall_after_days": [7, 10]}]


# ------------------------------------------------------------------ reading the log
def test_reps_may_not_read_the_audit_log(world):
    with pytest.raises(AccessDenied):
        list(audit.entries(world.as_("rep_a1")))
    proc = run("audit", db=world.url, user="rep_a1")
    assert proc.returncode == 1
    assert proc.stderr.strip().splitlines() == ["tui-crm: only a supervisor or an admin may read the audit log"]


def test_a_supervisor_reads_the_team_and_an_admin_everything(world):
    a = world.lead("rep_a1")
    b = world.lead("rep_b1")
    leads.reveal(world.as_("boss"), a.id)
    leads.reveal(world.as_("boss"), b.id)
    sup = {(e.user, e.action, e.lead) for e in audit.entries(world.as_("sup_a"))}
    assert ("boss", "reveal", a.code) in sup and ("rep_a1", "create", a.code) in sup
    assert not [e for e in sup if e[2] == b.code or e[0] == "rep_b1"]
    every = {(e.user, e.action, e.lead) for e in audit.entries(world.as_("boss"))}
    assert {("boss", "reveal", a.code), ("boss", "reveal", b.code), ("rep_b1", "create", b.code)} <= every
    assert ("boss", "create", None) in every  # users added


def test_contacts_in_the_audit_are_masked_as_the_reader_sees_them(world):
    v = world.lead("rep_a1", phone="16001894423")
    leads.update_lead(world.as_("rep_a1"), v.id, {"phone": "13912345678", "email": "secret.person@corp.cn"})
    f = audit.AuditFilter(lead=v.code, action="update")
    (boss,) = list(audit.entries(world.as_("boss"), f))
    assert boss.changes == {"phone": ["160****4423", "139****5678"], "email": [None, "s***@corp.cn"]}
    (sup,) = list(audit.entries(world.as_("sup_a"), f))
    assert sup.changes == {"phone": ["+8616001894423", "+8613912345678"], "email": [None, "secret.person@corp.cn"]}


def test_filters_by_period_user_lead_and_action(world):
    clock.set_now(NOW - timedelta(days=3))
    old = world.lead("rep_a1")
    clock.set_now(NOW)
    new = world.lead("rep_a2")
    boss = world.as_("boss")
    leads.reveal(boss, new.id)
    today = NOW.astimezone(boss.tz).date()

    def codes(**kw):
        return {(e.action, e.lead) for e in audit.entries(boss, audit.AuditFilter(**kw)) if e.entity == "lead"}

    assert codes(since=today) == {("create", new.code), ("reveal", new.code)}
    assert codes(until=today - timedelta(days=1)) == {("create", old.code)}
    assert codes(user="rep_a1") == {("create", old.code)}
    assert codes(lead=new.code) == {("create", new.code), ("reveal", new.code)}
    assert codes(action="reveal") == {("reveal", new.code)}
    assert {e.entity for e in audit.entries(boss, audit.AuditFilter(action="user"))} == {"user"}


def test_cli_audit_in_three_formats(world, tmp_path):
    v = world.lead("rep_a1", phone="13912345678")
    run("leads", "show", v.code, "--reveal", db=world.url, user="boss", check=0)
    run("export", str(tmp_path / "x.csv"), "--reveal", db=world.url, user="boss", check=0)
    rows = run_json("audit", "--action", "reveal", "--format", "json", db=world.url, user="boss")
    assert [(r["user"], r["lead"], r["details"]["via"]) for r in rows] == [("boss", v.code, "export"),
                                                                          ("boss", v.code, "detail")]
    assert rows[0]["at"].endswith("+08:00")
    text = run("audit", "--user", "boss", "--lead", v.code, db=world.url, user="boss", check=0).stdout
    assert text.count("reveal") == 2 and v.code in text
    out = run("audit", "--format", "csv", "--lead", v.code, db=world.url, user="sup_a", check=0).stdout
    assert out.splitlines()[0] == "id,at,user,action,entity,entity_id,lead,changes"
    assert f",rep_a1,create,lead,{v.id},{v.code}," in out
    proc = run("audit", "--lead", "NOPE-1", db=world.url, user="boss")
    assert proc.returncode == 1 and proc.stderr.strip() == "tui-crm: no lead NOPE-1 that you can see"
