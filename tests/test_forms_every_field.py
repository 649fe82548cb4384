"""Every form in screens/, saved with EVERY field filled (English and Chinese values, each text as long as
its column holds), and then the lead opened: in the detail (Pilot) and with `leads show` in en and zh.

A follow-up with "your reading" or "objection" filled made its lead impossible to open (`_() got multiple
values for argument 'text'`): no test had filled every field. A new form is covered here or this fails.
"""
from __future__ import annotations

import importlib
import json
import pkgutil
from datetime import timedelta

import pytest
from textual.widgets import Input

from tui_crm.domain.text import cell_width
from tui_crm import clock, i18n
from tui_crm.domain import limits
from tui_crm.screens.form_base import FormScreen, field_kind

from cli_helpers import run
from conftest import NOW
from rep_fixtures import app_for, seed
from tui_helpers import settle

WORDS = {"en": "Needs ten servers next quarter, asks about price and support; ",
         "zh": "下季度需要十台服务器，关心价格和售后；"}


def all_forms() -> set[str]:
    """Every FormScreen subclass defined in tui_crm.screens."""
    import tui_crm.screens as pkg

    for m in pkgutil.iter_modules(pkg.__path__):
        importlib.import_module(f"tui_crm.screens.{m.name}")
    seen, todo = set(), [FormScreen]
    while todo:
        for sub in todo.pop().__subclasses__():
            if sub.__module__.startswith("tui_crm.screens") and sub.__name__ not in seen:
                seen.add(sub.__name__)
                todo.append(sub)
    return seen


def longest(form, name: str, lang: str, mark: str) -> str:
    """A text as long as field ``name`` of ``form`` may be (its limit in domain.limits), in ``lang``."""
    limit = limits.limit_of(name, form.LIMITS)
    text = mark + " " + WORDS[lang] * (limit // len(WORDS[lang]) + 1)
    return text[:limit].rstrip()


def typed(form, name: str, lang: str, mark: str, extra: dict) -> str:
    """What a rep types in field ``name`` of ``form``: a choice's label in the language, a date or an
    amount as reps write them, else the longest text the field holds."""
    zh = lang == "zh"
    field = next(f for f in form.fields if f.name == name)
    if name in extra:  # a value the form needs as it is (a new login, a zone, a number)
        return extra[name]
    special = {
        "reached": "否" if zh else "no",
        "at": "2024年11月1日 9:30" if zh else "2024-11-01 09:30",
        "next_at": "下周一上午10点" if zh else "next monday 10am",
        "phone": extra.get("phone", ""), "email": extra.get("email", ""),
        "follow_up_days": "5", "amount": "八万" if zh else "¥80,000", "won_amount": "八万" if zh else "8万",
        "expected_close_date": "2024年12月31日" if zh else "2024-12-31",
        "won_at": "2024-11-01 09:00", "lost_at": "2024-11-01 09:00", "wake_up_at": "12月5日" if zh else "dec 5 10am",
        "resume_at": "+20d", "due": "下午3点" if zh else "3pm", "remind": "三十分钟" if zh else "45 min", "login": "rep_a1", "owner": "sup_a", "file": extra.get("file", ""),
    }
    if name == "due" and type(form).__name__ == "SnoozeForm":
        return "半小时后" if zh else "+10m"
    if name in special:
        return special[name]
    if field.choices:
        key = list(field.choices)[-1] if name != "source" else "referral"
        return field.choices[key][1 if zh else 0]
    return longest(form, name, lang, mark)


class Run:
    def __init__(self, app, pilot, lang, tmp_path):
        self.app, self.pilot, self.lang, self.tmp = app, pilot, lang, tmp_path
        self.filled: set[str] = set()
        self.n = 0

    async def fill_and_save(self, **extra) -> None:
        form = self.app.screen
        assert isinstance(form, FormScreen), type(form)
        self.n += 1
        mark = f"#{self.n}{self.lang}"
        for f in form.fields:
            form.query_one(f"#f-{f.name}", Input).value = typed(form, f.name, self.lang, mark, extra)
            # a label is 20 cells wide (styles/forms.tcss): a longer one was cut ("to (a user or a")
            assert cell_width(f.label) <= 20, (type(form).__name__, f.label)
        self.filled.add(type(form).__name__)
        await self.pilot.pause()
        for f in form.fields:  # each date and amount field says what it read before saving
            if field_kind(f):
                said = str(form.query_one(f"#preview-{f.name}").render())
                assert said.startswith("→ ") and said != "→ ?", (f.name, said)
        await self.pilot.press("ctrl+s")
        await settle(self.app)
        if self.app.screen is form and "ctrl+s" in str(form.query_one("#form-error").render()):
            await self.pilot.press("ctrl+s")  # a possible duplicate was shown: save anyway
            await settle(self.app)
        if self.app.screen is form:
            errors = [f"{f.name}: {form.query_one(f'#err-{f.name}').render()}" for f in form.fields]
            raise AssertionError((type(form).__name__, str(form.query_one("#form-error").render()),
                                  [e for e in errors if not e.endswith(": ")]))
        self.no_error_toast()

    def no_error_toast(self) -> None:
        bad = [n.message for n in self.app._notifications if n.severity == "error"]
        assert not bad, bad

    async def press(self, *keys) -> None:
        await self.pilot.press(*keys)
        await settle(self.app)

    def detail(self):
        screen = self.app.screen
        assert type(screen).__name__ == "LeadDetailScreen" and screen.data is not None, type(screen)
        return screen

    def timeline(self) -> str:
        return str(self.detail().query_one("#timeline").render())


async def every_form(url: str, lang: str, tmp_path) -> tuple[list[str], set[str]]:
    """Open and save each form with every field filled; return the codes touched and the forms filled."""
    app = app_for(url, "sup_a")
    async with app.run_test(size=(140, 40)) as pilot:
        r = Run(app, pilot, lang, tmp_path)
        await settle(app)
        await r.press("n")
        await r.fill_and_save(phone="13912345678", email="li.na@example.com")
        new = r.detail().data.lead
        await r.press("f")
        await r.fill_and_save()
        text = r.timeline()
        assert f"#2{lang}" in text  # the summary, the reading, the objection … are on the timeline
        await r.press("e")
        await r.fill_and_save(phone="13912345679", email="li.na2@example.com")
        await r.press("plus")
        await r.fill_and_save()
        await r.press("2")  # the queue: snooze one of the supervisor's tasks
        assert app.screen.current_task() is not None
        await r.press("z")
        await r.fill_and_save()
        await r.press("c")  # and mark one done: its result and the lead's next step
        await r.fill_and_save()
        app.post_message(_open(new.id))
        await settle(app)
        await r.press("a")
        await r.fill_and_save()
        await r.press("t")  # its tags
        await r.fill_and_save()
        await r.press("s")  # shared with a colleague (rep_a1 owns it since `a`)
        await r.fill_and_save(login="rep_b1")  # another team's, as a pre-sales colleague
        for key in ("p", "u", "z", "u"):  # pause, reopen, dormant, reopen
            await r.press(key)
            await r.fill_and_save()
        await r.press("w")
        await r.fill_and_save()
        assert r.detail().data.lead.status == "won"
        await r.press("escape")
        clock.set_now(NOW + timedelta(days=9))  # the seeded leads sat long in their stage: each asks why
        ids = [_lead_id(url, company) for company in ("Acme Robotics", "北京华为科技有限公司", "上海星辰咨询有限公司")]
        for lead_id, key in zip(ids, ("w", "x", "greater_than_sign")):
            app.post_message(_open(lead_id))
            await settle(app)
            await r.press(key)
            if key != "greater_than_sign":
                assert "reason" in [f.name for f in app.screen.fields]
            await r.fill_and_save()
            if key == "greater_than_sign":  # the stay reason given, the step is made: then lost, every field
                assert r.detail().data.lead.stage == "qualified"
            await r.press("escape")
        from tui_crm.screens.export_form import ExportForm

        app.push_screen(ExportForm(app.ctx))
        await settle(app)
        await r.fill_and_save(file=str(tmp_path / f"out-{lang}.xlsx"))
        await r.press("1")  # batch work's forms, on the lead under the cursor (`a` marks it when nothing is)
        for key in ("t", "g", "s", "o", "x"):
            await r.press("a", key)
            await r.fill_and_save()
        await r.press("k", "m")  # the tasks screen, the team's: a task's status, result and sentiment change
        await r.press("enter")
        await r.fill_and_save(sentiment="中性→积极" if lang == "zh" else "neutral->positive")
        codes = [new.code] + [_code(url, i) for i in ids]
        for lead_id in [new.id] + ids:  # each lead opens in the detail with its whole timeline
            app.post_message(_open(lead_id))
            await settle(app)
            r.detail()
            r.no_error_toast()
            await r.press("escape")
        return codes, r.filled


async def admin_forms(url: str, lang: str, tmp_path) -> set[str]:
    """The administration screen's forms, as an admin, every field filled."""
    app = app_for(url, "boss")
    async with app.run_test(size=(140, 40)) as pilot:
        r = Run(app, pilot, lang, tmp_path)
        await settle(app)
        await r.press("6")
        screen = app.screen
        login = f"new.user.{lang}"
        await r.press("n")
        await r.fill_and_save(login=login)
        screen.query_one("#admin-table").move_cursor(row=[u.login for u in screen.items].index(login))
        await r.press("e")
        await r.fill_and_save(tz="Asia/Shanghai")
        await r.press("right_square_bracket")  # teams
        await r.press("n")
        await r.fill_and_save(name=f"Team {lang}", supervisor=login)
        screen.query_one("#admin-table").move_cursor(row=[t.name for t in screen.items].index(f"Team {lang}"))
        await r.press("e")
        await r.fill_and_save(supervisor=login, sla_high="2", sla_medium="8", sla_low="24", escalate="3", stall="10",
                              cadence="qualified=3 won=30")
        await r.press("right_square_bracket")  # stages
        await r.press("enter")
        current = app.screen.query_one("#f-stages", Input).value
        await r.fill_and_save(stages=current + ("  试点:5" if lang == "zh" else "  Pilot:5"))
        await r.press("right_square_bracket")  # assignment rules
        await r.press("n")
        await r.fill_and_save(source="referral", to=f"Team {lang}", cap="5")
        await r.press("right_square_bracket")  # auto tags
        await r.press("n")
        await r.fill_and_save(sources="referral")
        await r.press("right_square_bracket")  # sources: a new one, then new names for it
        await r.press("n")
        await r.fill_and_save(name=f"Roadshow {lang}")
        screen.query_one("#admin-table").move_cursor(row=len(screen.items) - 1)
        await r.press("e")
        await r.fill_and_save()
        await r.press("right_square_bracket")  # lost reasons: a new one first in the list, then new words
        await r.press("n")
        await r.fill_and_save(position="1")
        screen.query_one("#admin-table").move_cursor(row=0)
        await r.press("e")
        await r.fill_and_save()
        await r.press("right_square_bracket")  # users again: the new user leaves, to boss
        screen.query_one("#admin-table").move_cursor(row=[u.login for u in screen.items].index(login))
        await r.press("h")  # their work handed over first (the login stays active)
        await r.fill_and_save(to="boss")
        await r.press("d")
        await r.fill_and_save(to="boss")
        return r.filled


def _open(lead_id):
    from tui_crm.screens.messages import OpenLead

    return OpenLead(lead_id)


def _lead_id(url, company) -> int:
    from tui_crm.services import leads
    from tui_crm.services.context import open_session

    return next(v.id for v in leads.list_leads(open_session(url, "sup_a"), search=company))


def _code(url, lead_id) -> str:
    from tui_crm.services import leads
    from tui_crm.services.context import open_session

    return leads.get(open_session(url, "sup_a"), lead_id).code


@pytest.mark.parametrize("lang", ["en", "zh"])
async def test_every_form_saved_with_every_field_then_the_lead_opens(db_url, lang, tmp_path):
    seed(db_url)
    i18n.set_lang(lang)
    try:
        codes, filled = await every_form(db_url, lang, tmp_path)
        filled |= await admin_forms(db_url, lang, tmp_path)
    finally:
        i18n.set_lang("en")
    assert filled == all_forms(), f"forms not filled here: {all_forms() - filled}"
    now = (NOW + timedelta(days=9)).isoformat()
    for shown_in in ("en", "zh"):
        for code in codes:  # what the TUI saved, the command line shows (once as JSON: the same timeline)
            proc = run("--lang", shown_in, "leads", "show", code, *(("--format", "json") if code == codes[0] else ()),
                       user="sup_a", db=db_url, env={"TUI_CRM_NOW": now})
            assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr
            if code == codes[0]:
                shown = json.loads(proc.stdout)
                assert shown["code"] == code and shown["timeline"]
                assert all(item["text"] for item in shown["timeline"])
