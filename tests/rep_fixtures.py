"""Seeded data for the rep's-day tests (list, detail, forms, queue, live): hand-chosen values.

At NOW (2024-11-01 10:00 Shanghai) rep_a1 owns:
- OVERDUE  北京华为科技有限公司 / 王伟, +8613812345678, high: first contact was due 2024-10-30 10:00 (overdue 2d)
- TODAY    Acme Robotics / Bob Smith, +8613900001111: a call task due today 13:00
- PLANNED  上海星辰咨询有限公司 / 李娜, +8613700002222, low: first contact due 2024-11-04 09:00
rep_b1 owns Globex Trading (team B), which rep_a1 never sees.
"""
from __future__ import annotations

from datetime import timedelta

from tui_crm import clock
from tui_crm.services import admin, leads
from tui_crm.services.activity import tasks
from tui_crm.services.context import open_session

from conftest import NOW


def seed(url: str) -> dict:
    ctx = open_session(url)
    admin.add_user(ctx, "boss", "Boss", "admin")
    ctx.act_as("boss")
    admin.add_user(ctx, "sup_a", "Sup A", "supervisor", "A")
    admin.add_user(ctx, "rep_a1", "Rep A1", "rep", "A")
    admin.add_user(ctx, "rep_b1", "Rep B1", "rep", "B")
    rep = open_session(url, "rep_a1")
    other = open_session(url, "rep_b1")
    base = {"source": "expo", "need": "10 servers"}
    clock.set_now(NOW - timedelta(days=3))
    overdue = leads.add_lead(rep, {**base, "company": "北京华为科技有限公司", "contact_name": "王伟",
                                         "phone": "138 1234 5678", "priority": "high"})
    clock.set_now(NOW - timedelta(hours=1))
    today = leads.add_lead(rep, {**base, "company": "Acme Robotics", "contact_name": "Bob Smith",
                                       "phone": "13900001111", "priority": "medium"})
    tasks.add_task(rep, today.id, "follow_up", "Call back", NOW + timedelta(hours=3), "medium")
    planned = leads.add_lead(rep, {**base, "company": "上海星辰咨询有限公司", "contact_name": "李娜",
                                         "phone": "13700002222", "priority": "low"})
    globex = leads.add_lead(other, {**base, "company": "Globex Trading", "contact_name": "Hank",
                                          "phone": "13600003333"})
    clock.set_now(NOW)
    for s in (ctx, other):
        pass
    return {"overdue": overdue.code, "today": today.code, "planned": planned.code, "globex": globex.code,
            "ids": {"overdue": overdue.id, "today": today.id, "planned": planned.id, "globex": globex.id}}


def app_for(url: str, login: str = "rep_a1", **kwargs):
    from tui_crm.app import CrmApp

    return CrmApp(open_session(url, login), **kwargs)


def row_texts(table) -> list[dict]:
    return [table.cells(v) for v in table.rows]
