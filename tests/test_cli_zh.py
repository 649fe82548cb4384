"""The command line in Chinese: help, usage and argparse's errors, and the language chosen before the
parser is built (--lang, LANG, the user's own setting), through real subprocesses."""
import json
import os
import subprocess
import sys

import pytest

from cli_helpers import NOW_ENV, run, run_json
from tui_crm.domain.text import cell_width

LOCALE_VARS = ("TUI_CRM_LANG", "LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE")


def run_bare(*args, env=None):
    """tui-crm with no locale in the environment at all (a pinned SSH session's forced command)."""
    e = {k: v for k, v in os.environ.items() if k not in LOCALE_VARS and k != "TUI_CRM_DB"}
    e.update({"TUI_CRM_NOW": NOW_ENV, "TZ": "Asia/Shanghai"})
    e.update(env or {})
    return subprocess.run([sys.executable, "-m", "tui_crm", *args], capture_output=True, text=True, env=e,
                          timeout=120)


@pytest.fixture
def db(tmp_path):
    path = str(tmp_path / "crm.db")
    run("users", "add", "boss", "--name", "Boss", "--role", "admin", db=path, check=0)
    run("users", "add", "wang", "--name", "王建林", "--role", "rep", "--team", "华东", db=path, check=0)
    return path


def test_help_in_chinese_has_argparse_s_words_translated():
    proc = run("--lang", "zh", "--help", user=None, check=0)
    out = proc.stdout
    assert out.startswith("用法：tui-crm")
    assert "选项：" in out and "命令：" in out and "显示此帮助并退出" in out
    for english in ("usage:", "options:", "show this help", "positional arguments", "commands:"):
        assert english not in out, english
    assert "用演示数据填充数据库" in out  # a command's help


def test_a_wrong_option_in_chinese_is_one_translated_error_and_exit_2():
    proc = run("--lang", "zh", "leads", "list", "--bogus", user=None)
    assert proc.returncode == 2
    assert "错误：无法识别的参数：--bogus" in proc.stderr
    assert "error" not in proc.stderr and "usage" not in proc.stderr and "Traceback" not in proc.stderr


def test_missing_arguments_and_bad_choices_in_chinese():
    proc = run("--lang", "zh", "leads", "add", "--company", "腾飞", user=None)
    assert proc.returncode == 2 and "缺少必需的参数：--contact, --source, --need" in proc.stderr
    proc = run("leads", "list", "--format", "xml", "--lang", "zh", user=None)  # --lang after the command
    assert proc.returncode == 2 and "参数 --format：无效的选择：'xml'" in proc.stderr
    proc = run("--lang", "zh", "demo", "--leads", "many", user=None)
    assert proc.returncode == 2 and "不是整数：many" in proc.stderr and "invalid int" not in proc.stderr


def test_lang_from_the_environment_when_no_option():
    proc = run("--help", user=None, env={"LANG": "zh_CN.UTF-8"}, check=0)
    assert proc.stdout.startswith("用法：")
    proc = run("--help", user=None, env={"LANG": "en_US.UTF-8"}, check=0)
    assert proc.stdout.startswith("usage:")


def test_help_lines_fit_the_terminal_in_cells():
    for args in (["--help"], ["import", "--help"], ["users", "set", "--help"], ["leads", "add", "--help"]):
        proc = run("--lang", "zh", *args, user=None, env={"COLUMNS": "60"}, check=0)
        wide = [line for line in proc.stdout.splitlines() if cell_width(line) > 60]
        assert not wide, (args, wide)


def test_users_set_stores_language_and_time_zone_and_list_json_carries_them(db):
    run("users", "set", "wang", "--lang", "zh", "--tz", "Asia/Shanghai", db=db, check=0)
    users = {u["login"]: u for u in run_json("users", "list", "--format", "json", db=db)}
    assert (users["wang"]["lang"], users["wang"]["tz"]) == ("zh", "Asia/Shanghai")
    assert (users["boss"]["lang"], users["boss"]["tz"]) == (None, None)
    assert set(users["wang"]) >= {"login", "name", "role", "team", "active", "lang", "tz"}


def test_users_set_changes_name_role_and_team_audited(db):
    run("users", "set", "wang", "--name", "王建林 (华东)", "--role", "supervisor", "--team", "华北", db=db, check=0)
    u = {u["login"]: u for u in run_json("users", "list", "--format", "json", db=db)}["wang"]
    assert (u["name"], u["role"], u["team"]) == ("王建林 (华东)", "supervisor", "华北")
    from tui_crm.services.context import open_session
    from tui_crm.store.models import Change

    ctx = open_session(db)
    diff = json.loads(Change.select().where(Change.entity == "user", Change.action == "update").get().diff)
    assert diff["team"] == ["华东", "华北"] and diff["role"] == ["rep", "supervisor"]
    ctx.close()


def test_a_user_sets_their_own_language_but_nothing_else(db):
    run("users", "set", "wang", "--lang", "zh", user="wang", db=db, check=0)
    proc = run("users", "set", "wang", "--role", "admin", user="wang", db=db)
    assert proc.returncode == 1 and "only an admin" in proc.stderr
    proc = run("users", "set", "boss", "--lang", "zh", user="wang", db=db)
    assert proc.returncode == 1 and "only an admin" in proc.stderr


def test_a_bad_time_zone_is_one_line_and_changes_nothing(db):
    proc = run("users", "set", "wang", "--tz", "Mars/Olympus", "--lang", "zh", db=db)
    assert proc.returncode == 1 and proc.stderr.count("\n") == 1 and "Mars/Olympus" in proc.stderr
    u = {u["login"]: u for u in run_json("users", "list", "--format", "json", db=db)}["wang"]
    assert (u["lang"], u["tz"]) == (None, None)


def test_with_no_lang_anywhere_the_user_s_own_language_is_used(db):
    """A session pinned by an SSH key runs ``tui-crm --db DB --user LOGIN …`` with no LANG."""
    run("users", "set", "wang", "--lang", "zh", db=db, check=0)
    proc = run_bare("--db", db, "--user", "wang", "leads", "list", "--bogus")
    assert proc.returncode == 2 and "无法识别的参数" in proc.stderr
    proc = run_bare("--db", db, "--user", "wang", "leads", "show", "NOPE-1")
    assert proc.returncode == 1 and "NOPE-1" in proc.stderr and "no lead" not in proc.stderr
    proc = run_bare("--db", db, "--user", "boss", "leads", "list", "--bogus")  # boss chose nothing: English
    assert proc.returncode == 2 and "unrecognized arguments" in proc.stderr
    proc = run_bare("--db", db, "--user", "wang", "leads", "list", "--bogus", env={"LANG": "en_US.UTF-8"})
    assert "unrecognized arguments" in proc.stderr  # LANG given: it wins over the saved setting
    proc = run_bare("--db", db, "--user", "wang", "--lang", "en", "leads", "list", "--bogus")
    assert "unrecognized arguments" in proc.stderr


def test_looking_up_the_user_s_language_never_creates_a_database(tmp_path):
    missing = tmp_path / "typo.db"
    proc = run_bare("--db", str(missing), "--user", "wang", "--help")
    assert proc.returncode == 0 and proc.stdout.startswith("usage:")
    assert not missing.exists()


def test_the_config_file_s_lang_comes_after_lang_option_and_before_the_locale(tmp_path):
    cfg = tmp_path / "config.toml"
    cfg.write_text('lang = "zh"\n', "utf-8")
    proc = run("--help", user=None, env={"TUI_CRM_CONFIG": str(cfg), "LANG": "en_US.UTF-8"}, check=0)
    assert proc.stdout.startswith("用法：")
    proc = run("--lang", "en", "--help", user=None, env={"TUI_CRM_CONFIG": str(cfg)}, check=0)
    assert proc.stdout.startswith("usage:")


def test_amounts_and_offsets_in_chinese_words_on_the_command_line(db):
    code = run("leads", "add", "--company", "腾飞科技有限公司", "--contact", "王建林", "--phone", "13800138000",
               "--source", "展会", "--need", "十台服务器", "--amount", "八万", user="wang", db=db, check=0).stdout.strip()
    run("log", code, "--method", "电话", "--summary", "约了下次", "--next", "三天后", user="wang", db=db, check=0)
    lead = run_json("leads", "show", code, "--format", "json", user="wang", db=db)
    assert lead["amount"] == 80000
    assert lead["next_follow_up_at"] == "2024-11-04T10:00:00+08:00"  # NOW_ENV + 3 days, same time of day
    run("leads", "won", code, "--amount", "1.5万", "--product", "服务器", "--at", "半小时后", "--reason", "x",
        user="wang", db=db, check=0)
    lead = run_json("leads", "show", code, "--format", "json", user="wang", db=db)
    assert lead["status"] == "won"
