"""`leads won/lost` on a lead that sat in its stage too long: `--stay-reason` gives the stay reason."""
from __future__ import annotations

from cli_helpers import run, run_json

LATER = {"TUI_CRM_NOW": "2024-11-10T10:00:00+08:00"}  # nine days in its stage


def _lead(db):
    run("users", "add", "boss", "--name", "B", "--role", "admin", db=db, check=0)
    return run("leads", "add", "--company", "Acme", "--contact", "Ann", "--phone", "13800138000", "--source", "expo",
               "--need", "x", db=db, check=0).stdout.strip()


def test_lost_after_a_long_stay_takes_a_stay_reason(tmp_path):
    db = str(tmp_path / "r.db")
    code = _lead(db)
    proc = run("leads", "lost", code, "--reason", "too expensive", db=db, env=LATER)
    assert proc.returncode == 1
    assert proc.stderr.strip() == (f"tui-crm: {code} stayed more than 7 days in its stage: give a stay reason "
                                   "(--stay-reason)")
    run("leads", "lost", code, "--reason", "too expensive", "--stay-reason", "budget frozen", db=db, env=LATER,
        check=0)
    lead = run_json("leads", "show", code, "--format", "json", db=db, env=LATER)
    assert lead["status"] == "lost" and lead["lost_reason"] == "too expensive"


def test_won_after_a_long_stay_takes_a_stay_reason(tmp_path):
    db = str(tmp_path / "r.db")
    code = _lead(db)
    proc = run("leads", "won", code, "--amount", "8万", "--product", "servers", db=db, env=LATER)
    assert proc.returncode == 1 and "(--stay-reason)" in proc.stderr
    run("leads", "won", code, "--amount", "8万", "--product", "servers", "--stay-reason", "long tender", db=db,
        env=LATER, check=0)
    assert run_json("leads", "show", code, "--format", "json", db=db, env=LATER)["status"] == "won"
    # --reason stays what it was on `won` (the stay reason)
    code2 = run("leads", "add", "--company", "Beta", "--contact", "Bo", "--phone", "13800138001", "--source", "expo",
                "--need", "x", db=db, check=0).stdout.strip()
    run("leads", "won", code2, "--amount", "1", "--product", "p", "--reason", "r", db=db, env=LATER, check=0)


def test_stay_reason_help_in_chinese(tmp_path):
    out = run("leads", "lost", "--help", "--lang", "zh", db=str(tmp_path / "x.db")).stdout
    assert "--stay-reason" in out and "停留" in out


def test_tick_runs_the_rules_once_for_cron(tmp_path):
    """`tui-crm tick`: the lead uncontacted four days is escalated once, however many ticks run."""
    import json

    db = str(tmp_path / "r.db")
    code = _lead(db)
    later = {"TUI_CRM_NOW": "2024-11-05T10:00:00+08:00"}
    out = run("tick", db=db, env=later, check=0).stdout
    assert out.strip() == "escalated 1 · reminded 0 · woken 0 · resumed 0 · complete-record tasks 0"
    assert json.loads(run("tick", "--format", "json", db=db, env=later, check=0).stdout)["escalated"] == 0
    assert run_json("leads", "show", code, "--format", "json", db=db, env=later)["escalated"] is True
    zh = run("tick", "--lang", "zh", db=db, env=later, check=0).stdout
    assert zh.startswith("升级 0")
    assert "tick" in run("--help", db=db).stdout
    assert "运行一次规则" in run("tick", "--help", "--lang", "zh", db=db).stdout


def test_lost_reason_on_the_command_line_is_read_as_the_lost_form_reads_it(tmp_path):
    """The lost form picks from the list by number or words; `leads lost --reason 2` stored "2"."""
    db = str(tmp_path / "r.db")
    code = _lead(db)
    shown = lambda c: run_json("leads", "show", c, "--format", "json", db=db)["lost_reason"]  # noqa: E731
    run("leads", "lost", code, "--reason", "2", db=db, check=0)
    assert shown(code) == "chose a competitor"
    for i, (lang, typed, stored) in enumerate([("zh", "1", "价格太高"), ("en", "No Budget", "no budget"),
                                               ("zh", "客户公司被收购了", "客户公司被收购了")]):
        other = run("leads", "add", "--company", f"Beta {i}", "--contact", "Bo", "--phone", f"1380013810{i}",
                    "--source", "expo", "--need", "x", db=db, check=0).stdout.strip()
        run("--lang", lang, "leads", "lost", other, "--reason", typed, db=db, check=0)
        assert shown(other) == stored
