"""Chinese throughout: every command's --help (through the real command line) and every screen and
form at 80x24 in zh carry no English word that is not a proper noun, a key name, a code or a value
the user types (a key shown beside its translation, `phone（电话）`). Data is Chinese here, so any
English seen is ours (Pilot, real SQLite)."""
from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys

import pytest

from tui_crm import i18n
from tui_crm.app import CrmApp
from tui_crm.cli.parser import build_parser
from tui_crm.services import activity, leads
from tui_crm.services.admin.users import add_user
from tui_crm.services.context import open_session
from tui_helpers import settle, wait_for

# names, formats and codes, never translated
PROPER = {"PostgreSQL", "SQLite", "CSV", "XLSX", "JSON", "SVG", "SSH", "ssh", "iCalendar", "HubSpot", "Salesforce",
          "SuiteCRM", "Zoho", "Pipedrive", "Odoo", "Excel", "WeChat", "UTF", "GB18030", "libpq", "psql", "cron",
          "tui", "crm", "sqlite", "postgresql", "Asia", "Shanghai", "URL", "ISO", "TUI_CRM_DB", "LANG"}
# the audit's action keys, typed after --action
KEYS = {"enter", "esc", "escape", "ctrl", "shift", "tab", "space", "del", "home", "end", "pgup", "pgdn", "alt"}
TYPED = {"reveal", "reassign", "handover", "undo", "update", "create", "move", "outcome", "settings", "user"}
LOGINS = {"wang", "sup1", "rep1"}  # logins are codes
WORD = re.compile(r"(?<![-\w./@:$~%])[A-Za-z][A-Za-z]{2,}(?![\w/:(-])")


def english(text: str, allowed: set[str] = frozenset()) -> set[str]:
    text = re.sub(r"\{[^}]*\}", "", text)            # choices {en,zh}
    text = re.sub(r"\b[a-z_]+\s*（", "", text)        # a key with its translation beside it
    text = re.sub(r"--[a-z-]+|\b[A-Z][A-Z_]{2,}\b", "", text)  # options and metavars
    return {w for w in WORD.findall(text) if w not in PROPER | TYPED | KEYS | allowed}


def _commands():
    def walk(parser, path):
        yield path, parser
        for a in parser._actions:
            if isinstance(a, argparse._SubParsersAction):
                for name, sub in a.choices.items():
                    yield from walk(sub, path + [name])
    return list(walk(build_parser(), []))


COMMANDS = _commands()


@pytest.mark.parametrize("path", [p for p, _ in COMMANDS], ids=lambda p: " ".join(p) or "tui-crm")
def test_every_commands_help_is_chinese(path):
    parser = dict((tuple(p), sp) for p, sp in COMMANDS)[tuple(path)]
    words = set(path)
    for a in parser._actions:
        if a.choices:
            words |= {str(c) for c in a.choices}
    env = {k: v for k, v in os.environ.items() if k not in ("LANG", "LC_ALL", "TUI_CRM_LANG")}
    out = subprocess.run([sys.executable, "-m", "tui_crm", "--lang", "zh", *path, "--help"], capture_output=True,
                         text=True, env=env, timeout=120)
    assert out.returncode == 0, out.stderr
    assert not english(out.stdout, words), (path, english(out.stdout, words))


@pytest.fixture
def zh_app(sqlite_url):
    ctx = open_session(sqlite_url)
    add_user(ctx, "wang", "王总", role="admin")
    ctx.act_as("wang")
    add_user(ctx, "sup1", "李主管", role="supervisor", team="华东")
    add_user(ctx, "rep1", "张伟", role="rep", team="华东")
    for i, (company, contact) in enumerate([("腾飞科技有限公司", "王建林"), ("星河电子有限公司", "赵敏"),
                                            ("华东物流有限公司", "陈静")]):
        v = leads.add_lead(ctx, {"company": company, "contact_name": contact, "phone": f"1391234567{i}",
                                 "source": "展会", "need": "十台服务器", "owner": "rep1"})
    from datetime import timedelta

    activity.log_followup(ctx, v.code, activity.FollowUpInput(method="phone", summary="聊了需求", reading="有意向",
                                                              objection="价格偏高", next_at=ctx.now() + timedelta(days=1)))
    i18n.set_lang("zh")
    yield open_session(sqlite_url, "sup1")
    i18n.set_lang("en")


def screen_text(app) -> str:
    """What the screen shows, line by line (the text of Textual's SVG screenshot, one row per line)."""
    import html

    svg = app.export_screenshot()
    svg = re.sub(r"<style.*?</style>|<defs.*?</defs>", "", svg, flags=re.S)
    rows: dict[str, list[str]] = {}
    for y, body in re.findall(r'<text[^>]*\by="([\d.]+)"[^>]*>(.*?)</text>', svg, flags=re.S):
        rows.setdefault(y, []).append(html.unescape(re.sub(r"<[^>]+>", "", body)))
    return "\n".join("".join(parts) for _y, parts in sorted(rows.items(), key=lambda kv: float(kv[0])))


async def test_every_screen_at_80x24_is_chinese(zh_app):
    app = CrmApp(zh_app, tick_seconds=0)
    seen = {}
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app)
        for key in ("question_mark", "1", "2", "3", "4", "i", "5"):
            await pilot.press(key)
            await settle(app)
            text = screen_text(app)
            seen[key] = english(text, LOGINS)
            if os.environ.get("SHOW_ZH"):
                print(key, screen_text(app))
            if key == "question_mark":
                await pilot.press("escape")
                await settle(app)
        await pilot.press("1")
        await settle(app)
        await pilot.press("enter")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "LeadDetailScreen", what="the detail")
        await settle(app)
        seen["detail"] = english(screen_text(app), LOGINS)
        for key in ("f", "e", "plus", "w", "x", "a", "t", "s"):
            await pilot.press(key)
            await settle(app)
            seen[f"detail {key}"] = english(screen_text(app), LOGINS)
            if os.environ.get("SHOW_ZH"):
                print(key, screen_text(app))
            await pilot.press("escape")
            await settle(app)
        await pilot.press("escape", "1", "space", "a")  # batch work: the menu, then each action's form
        await settle(app)
        assert type(app.screen).__name__ == "BatchMenu", type(app.screen)
        seen["batch menu"] = english(screen_text(app), LOGINS)
        await pilot.press("escape")
        for key in ("t", "o", "s", "x", "g"):
            await pilot.press("a", key)
            await settle(app)
            assert type(app.screen).__name__.startswith("Batch"), type(app.screen)
            seen[f"batch {key}"] = english(screen_text(app), LOGINS)
            await pilot.press("escape")
            await settle(app)
    bad = {k: v for k, v in seen.items() if v}
    assert not bad, "\n".join(f"{k}: {sorted(v)}" for k, v in bad.items())


def cut(words: set[str], section: str, codes: set[str]) -> set[str]:
    """The sources section shows each source's key and English name (a column cut at 80 wide: a word's start)."""
    return {w for w in words if not any(c.startswith(w) for c in codes)} if section == "sources" else words


async def test_the_tasks_and_administration_screens_and_their_forms_are_chinese(zh_app, sqlite_url):
    """`k` (as the supervisor: their team's tasks, a task's status form), `6` as the supervisor (their team's
    users, numbers and rules; the edit and handover forms) and as the admin (every section and every form)
    at 80x24 in zh."""
    seen = {}
    app = CrmApp(zh_app, tick_seconds=0)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app)
        await pilot.press("k")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "TasksScreen", what="the tasks screen")
        await pilot.press("m")  # my team's
        await settle(app)
        seen["tasks"] = english(screen_text(app), LOGINS)
        await pilot.press("enter")
        await settle(app)
        assert type(app.screen).__name__ == "TaskStatusForm", type(app.screen)
        seen["task status"] = english(screen_text(app), LOGINS)
        await pilot.press("escape")
        await settle(app)
        await pilot.press("6")  # the supervisor's administration: their team only
        await wait_for(pilot, lambda: type(app.screen).__name__ == "AdminScreen", what="the admin screen")
        for section, keys in (("users", ("e", "h")), ("teams", ("e",)), ("rules", ())):
            await settle(app)
            seen[f"sup {section}"] = english(screen_text(app).replace("Asia/Shanghai", ""), LOGINS)
            for key in keys:
                await pilot.press(key)
                await settle(app)
                assert type(app.screen).__name__ != "AdminScreen", (section, key)
                seen[f"sup {section} {key}"] = english(screen_text(app), LOGINS)
                await pilot.press("escape")
                await settle(app)
            await pilot.press("right_square_bracket")
    admin_app = CrmApp(open_session(sqlite_url, "wang"), tick_seconds=0)
    async with admin_app.run_test(size=(80, 24)) as pilot:
        app = admin_app
        await settle(app)
        await pilot.press("6")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "AdminScreen", what="the admin screen")
        from tui_crm.domain.vocab import SOURCES

        codes = LOGINS | {w for key, (en, _zh) in SOURCES.items() for w in (key, *en.split())}  # a source's key
        for section in ("users", "teams", "stages", "rules", "auto_tags", "sources", "lost_reasons"):  # and English name
            await settle(app)
            seen[section] = cut(english(screen_text(app).replace("Asia/Shanghai", ""), LOGINS), section, codes)
            keys = {"users": ("n", "e", "d", "h"), "teams": ("n", "e"), "stages": ("enter",), "rules": ("n", "y"),
                    "auto_tags": ("n",), "sources": ("n", "e"), "lost_reasons": ("n", "e")}[section]
            for key in keys:
                await pilot.press(key)
                await settle(app)
                assert app.screen is not None and type(app.screen).__name__ != "AdminScreen", (section, key)
                seen[f"{section} {key}"] = cut(english(screen_text(app), LOGINS), section, codes)
                await pilot.press("escape")
                await settle(app)
            await pilot.press("right_square_bracket")
    bad = {k: v for k, v in seen.items() if v}
    assert not bad, "\n".join(f"{k}: {sorted(v)}" for k, v in bad.items())
