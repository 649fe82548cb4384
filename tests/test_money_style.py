"""Money in the user's style: cn (8.0万 / 1.2亿) or plain (80.0k / 1.2M) on cards and tiles, chosen by
--money, TUI_CRM_MONEY, the user's own setting (`users set LOGIN --money cn`) or, by default, the
language; full figures stay in tables and exports. Real SQLite/PostgreSQL, the real command line, Pilot."""
from __future__ import annotations

import sqlite3

import pytest

from cli_helpers import run, run_json
from tui_crm import i18n
from tui_crm.app import CrmApp
from tui_crm.cli import language
from tui_crm.domain.parse import format_amount_short
from tui_crm.services import admin, leads
from tui_crm.services.context import open_session
from tui_crm.services.errors import ValidationError
from tui_crm.store import schema
from tui_helpers import settle, wait_for


@pytest.fixture(autouse=True)
def no_style():
    yield
    i18n.set_money(None)


def test_the_two_styles():
    assert format_amount_short(8_000_000, "cn") == "8.0万"
    assert format_amount_short(8_000_000, "plain") == "80.0k"
    assert format_amount_short(12_000_000_000, "cn") == "1.2亿"
    assert format_amount_short(12_000_000_000, "plain") == "120.0M"
    i18n.set_lang("zh")
    assert i18n.money_style() == "cn"  # by the language when none is chosen
    i18n.set_money("plain")
    assert i18n.money_style() == "plain"
    i18n.set_lang("en")
    i18n.set_money("cn")
    assert i18n.money_style() == "cn"


def test_users_set_money_is_the_users_own_and_checked(world):
    rep = world.as_("rep_a1")
    assert admin.set_user(rep, "rep_a1", money="cn").money == "cn"  # a user sets their own
    with pytest.raises(ValidationError):
        admin.set_user(world.as_("boss"), "rep_a1", money="roman")
    assert admin.get_user(rep.actor.id).money == "cn"
    assert admin.set_user(world.as_("boss"), "rep_a1", money="").money is None  # back to the language's
    from tui_crm.services.errors import AccessDenied

    with pytest.raises(AccessDenied):
        admin.set_user(rep, "rep_a2", money="cn")


def test_the_command_line_chooses_the_style(tmp_path, monkeypatch):
    db = str(tmp_path / "crm.db")
    run("users", "add", "boss", "--name", "Boss", "--role", "admin", db=db, check=0)
    run("users", "add", "wang", "--name", "王建林", "--role", "rep", db=db, check=0)
    out = run("users", "set", "wang", "--money", "cn", db=db, check=0).stdout
    assert "cn" in out
    assert [u["money"] for u in run_json("users", "list", "--format", "json", db=db) if u["login"] == "wang"] == ["cn"]
    assert run("users", "set", "wang", "--money", "roman", db=db).returncode == 2
    monkeypatch.delenv("TUI_CRM_MONEY", raising=False)
    assert language.choose_money(["--db", db, "--user", "wang"]) == "cn"  # the user's own
    assert language.choose_money(["--db", db, "--user", "boss"]) is None  # by the language
    assert language.choose_money(["--db", db, "--user", "wang", "--money", "plain"]) == "plain"
    monkeypatch.setenv("TUI_CRM_MONEY", "plain")
    assert language.choose_money(["--db", db, "--user", "wang"]) == "plain"


async def _board_header(ctx) -> str:
    app = CrmApp(ctx, tick_seconds=0)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(app)
        await pilot.press("3")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "BoardScreen", what="the board")
        await settle(app)
        return "\n".join(str(c.render()) for c in app.screen.query("KanbanColumn"))


async def test_the_board_shows_the_chosen_style_in_either_language(world):
    world.lead("rep_a1", amount_cents=8_000_000)
    ctx = world.as_("boss")
    i18n.set_money("cn")
    assert "8.0万" in await _board_header(ctx)  # an English user who reads 万
    i18n.set_lang("zh")
    i18n.set_money("plain")
    try:
        text = await _board_header(world.as_("boss"))
    finally:
        i18n.set_lang("en")
    assert "80.0k" in text and "万" not in text


def test_a_v9_database_gets_the_column_and_keeps_its_language(tmp_path):
    db = str(tmp_path / "crm.db")
    ctx = open_session(db)
    admin.add_user(ctx, "boss", "Boss", "admin")
    ctx.act_as("boss")
    admin.set_user(ctx, "boss", lang="zh")
    leads.add_lead(ctx, {"company": "腾飞科技有限公司", "contact_name": "王建林", "phone": "13912345678",
                         "source": "expo", "need": "servers"})
    ctx.close()
    conn = sqlite3.connect(db)
    conn.execute('ALTER TABLE "user" DROP COLUMN money')
    conn.execute("UPDATE meta SET value = '9' WHERE key = 'schema_version'")
    conn.commit()
    conn.close()
    assert admin.saved_language(db, "boss") == "zh" and admin.saved_money(db, "boss") is None
    ctx = open_session(db, "boss", upgrade=True)
    assert schema.current_version(ctx.db) == schema.LATEST >= 10 and schema.check(ctx.db) == []
    assert admin.set_user(ctx, "boss", money="cn").money == "cn"
