"""A pinned SSH key against a real sshd on 127.0.0.1 (issue 13, items 1–3): the forced command is quoted,
the client's command runs only when allowed, data goes through the connection, and no process outlives
its session."""
from __future__ import annotations

import csv
import io
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cli_helpers import run, run_json
from sshd import Sshd

TUI_CRM = str(Path(sys.executable).parent / "tui-crm")


@pytest.fixture(scope="module")
def sshd(tmp_path_factory):
    server = Sshd.start(tmp_path_factory.mktemp("sshd"))
    if isinstance(server, str):
        pytest.skip(f"no real sshd here: {server}")
    if not os.access(TUI_CRM, os.X_OK):
        server.stop()
        pytest.skip(f"{TUI_CRM} is not installed (pip install -e .)")
    yield server
    server.stop()


def _team(folder: Path, name: str = "crm.db") -> str:
    folder.mkdir(parents=True, exist_ok=True)
    db = str(folder / name)
    run("demo", "--leads", "40", "--reps", "2", "--seed", "5", db=db, check=0)
    return db


def _pin(sshd: Sshd, db: str, login: str) -> str:
    """authorized_keys holds exactly one line: the client's key pinned to ``login`` on ``db``."""
    sshd.authorized_keys.write_text("")
    proc = run("users", "key", login, f"{sshd.client_key}.pub", "--authorized-keys", str(sshd.authorized_keys),
               db=db, env={"PATH": f"{Path(TUI_CRM).parent}:{os.environ.get('PATH', '')}"})
    assert proc.returncode == 0, proc.stderr
    return sshd.authorized_keys.read_text()


def _server_processes(marker: str) -> list[int]:
    """Pids whose command line holds ``marker`` (the test's own database path): the app sshd started."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            cmdline = Path(f"/proc/{entry}/cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
            state = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if marker in cmdline and "tui-crm" in cmdline and state != "Z" and int(entry) != os.getpid():
            found.append(int(entry))
    return found


def _wait(cond, timeout: float = 30.0) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if cond():
            return True
        time.sleep(0.05)
    return cond()


@pytest.fixture(scope="module")
def refusal_team(tmp_path_factory):
    """One team for the refusals: none of them may change it."""
    return _team(tmp_path_factory.mktemp("refusals"))


# ------------------------------------------------------------------ commands through a pinned key
def test_a_rep_scripts_leads_list_as_json_over_ssh_and_sees_only_their_leads(sshd, tmp_path):
    db = _team(tmp_path)
    _pin(sshd, db, "rep1")
    proc = sshd.run("leads list --format json")
    assert proc.returncode == 0, proc.stderr
    rows = json.loads(proc.stdout)
    mine = run_json("leads", "list", "--format", "json", user="rep1", db=db)
    assert rows and {r["owner"] for r in rows} == {"rep1"} and [r["code"] for r in rows] == [r["code"] for r in mine]
    report = json.loads(sshd.run("report --format json").stdout)
    assert report["totals"]["leads"] == len(mine)
    code = rows[0]["code"]
    assert sshd.run(f"leads show {code} --format json").returncode == 0
    moved = sshd.run(f"log {code} --method phone --summary 'called over ssh'")
    assert moved.returncode == 0, moved.stderr
    timeline = run_json("leads", "show", code, "--format", "json", user="rep1", db=db)["timeline"]
    assert any("called over ssh" in e["text"] and e["kind"] == "followup" for e in timeline)


def test_a_rep_runs_the_team_commands_over_ssh_and_the_services_check_each(sshd, tmp_path):
    """Issue 15 (PRODUCT §8): tasks, tags, edit, share, reassign and the clean-up reach a pinned key; what the
    rep may not do (a team's numbers, the rules) is refused by the services, as on the server."""
    db = _team(tmp_path)
    _pin(sshd, db, "rep1")

    def ok(command: str) -> str:
        proc = sshd.run(command)
        assert proc.returncode == 0, (command, proc.stderr.decode())
        return proc.stdout.decode()

    code, other = [r["code"] for r in json.loads(ok("leads list --format json"))[:2]]
    ok(f"leads tag {code} 高意向，展会")
    ok(f"leads edit {code} --need 'racks over ssh'")
    ok(f"leads share {code} --with rep2")
    added = json.loads(ok(f"tasks add {code} {other} --title 'call both' --due '2024-11-05 10:00' --format json"))
    ok(f"tasks set {added['id']} --status done --result 'both called'")
    tasks = json.loads(ok("tasks list --filter done --format json"))
    assert [(t["title"], sorted(t["leads"]), t["result"]) for t in tasks if t["id"] == added["id"]] == [
        ("call both", sorted([code, other]), "both called")]
    ok("leads clean-up --dry-run")
    assert "展会" in ok("sources list") and ok("lost-reasons list --format json").startswith("[")  # the pick lists
    assert "高意向" in ok("tags list")
    shown = run_json("leads", "show", code, "--format", "json", user="rep1", db=db)
    assert shown["need"] == "racks over ssh" and sorted(shown["tags"]) == ["展会", "高意向"]
    for command in (f"leads reassign {other} --to rep2", "teams set 华东 --escalate-days 5", "rules add --region 华南 --to rep1", "tags auto add x",
                    "users set rep2 --role admin", "handover rep2 --to rep1", "sources add 抖音",
                    "lost-reasons add 太贵"):
        proc = sshd.run(command)
        err = proc.stderr.decode()
        assert proc.returncode == 1 and err.count("\n") == 1, (command, err)
        assert "not allowed over ssh" not in err, (command, err)  # refused by the services, not by the key
    for command in ("users list", "users key rep1 /tmp/k.pub", "tasks list --db /etc/passwd", "stages list", "tick"):
        assert sshd.run(command).stderr.decode().startswith("tui-crm: not allowed over ssh: "), command
    ok("users set rep1 --lang zh --tz Asia/Shanghai")  # one's own language and zone, used from then on
    assert sshd.run("users list").stderr.decode() == "tui-crm: 通过 ssh 不允许：users list\n"
    _pin(sshd, db, "sup1")  # the supervisor may reassign within the team
    ok(f"leads reassign {other} --to rep2")
    assert run_json("leads", "show", other, "--format", "json", user="boss", db=db)["owner"] == "rep2"


@pytest.mark.parametrize("command", [
    "id", "sh -c id", "db backup {tmp}/stolen.db", "users list", "users add eve --name E --role admin",
    "demo --force", "stages set a:10", "db restore x.db", "leads list; id", "leads list --user boss",
    "leads list --db /etc/passwd", "--user boss leads list", "--db=/etc/passwd leads list", "leads list --us boss",
    "export {tmp}/mine.csv", "import /etc/passwd", "import - --errors {tmp}/e.csv", "agenda --output {tmp}/a.ics",
    "leads delete X", "'leads list", "$(id)", "`id`", "tui-crm leads list", "leads\x1b]0;PWNED\x07 list",
])
def test_anything_else_is_not_allowed_over_ssh(sshd, refusal_team, command):
    db = refusal_team
    tmp_path = Path(db).parent
    _pin(sshd, db, "rep1")
    before = sorted(os.listdir(tmp_path)), Path(db).stat().st_mtime_ns
    proc = sshd.run(command.replace("{tmp}", str(tmp_path)))
    err = proc.stderr.decode()
    assert proc.returncode == 1, (command, proc.returncode, err)
    assert err.startswith("tui-crm: not allowed over ssh: ") and err.count("\n") == 1 and "\x1b" not in err
    assert b"uid=" not in proc.stdout + proc.stderr
    assert (sorted(os.listdir(tmp_path)), Path(db).stat().st_mtime_ns) == before  # nothing written, not even there


def test_a_login_with_a_semicolon_never_reaches_a_shell(sshd, tmp_path):
    """Issue 13.1: an owner `new rep;id` imported with --create-owners used to get the login `newrep;id`,
    and its key's session ran `id`. Now the login is `newrepid`, and a legacy login is refused by `users key`."""
    db = _team(tmp_path)
    src = tmp_path / "owners.csv"
    src.write_text("company,phone,need,owner\nAcme,13900000001,servers,new rep;id\n", encoding="utf-8")
    run("import", str(src), "--create-owners", db=db, check=0)
    _pin(sshd, db, "newrepid")
    proc = sshd.run("leads list --format json")
    assert proc.returncode == 0, proc.stderr
    assert [r["company"] for r in json.loads(proc.stdout)] == ["Acme"] and b"uid=" not in proc.stdout
    con = sqlite3.connect(db)
    con.execute("insert into user (login, name, role, active, created_at) values ('old;id', 'Old', 'rep', 1, 0)")
    con.commit()
    con.close()
    sshd.authorized_keys.write_text("")
    refused = run("users", "key", "old;id", f"{sshd.client_key}.pub", "--authorized-keys", str(sshd.authorized_keys),
                  db=db)
    assert refused.returncode == 1 and "not a valid login" in refused.stderr
    assert sshd.authorized_keys.read_text() == ""


def test_a_database_path_with_a_space_a_quote_and_shell_words(sshd, tmp_path):
    folder = tmp_path / "team's \"crm\" $(id) `id`; x"
    db = _team(folder)
    line = _pin(sshd, db, "rep2")
    assert line.startswith('restrict,pty,command="') and line.count("\n") == 1
    proc = sshd.run("leads list --format json")
    assert proc.returncode == 0, proc.stderr
    rows = json.loads(proc.stdout)
    assert rows and {r["owner"] for r in rows} == {"rep2"} and b"uid=" not in proc.stdout + proc.stderr


def test_no_terminal_and_no_command_is_refused_at_once(sshd, tmp_path):
    db = _team(tmp_path)
    _pin(sshd, db, "rep1")
    proc = sshd.run(None)
    assert proc.returncode == 1
    assert proc.stderr.decode().strip() == "tui-crm: tui-crm needs a terminal (ssh -t), or give a command"
    assert _wait(lambda: not _server_processes(db), 10)


def test_export_and_import_go_through_the_connection(sshd, tmp_path):
    db = _team(tmp_path)
    _pin(sshd, db, "rep1")
    out = sshd.run("export -")
    assert out.returncode == 0, out.stderr
    rows = list(csv.DictReader(io.StringIO(out.stdout.decode("utf-8-sig"))))
    mine = run_json("leads", "list", "--format", "json", user="rep1", db=db)
    assert sorted(r["code"] for r in rows) == sorted(r["code"] for r in mine) and {r["owner"] for r in rows} == {"rep1"}
    assert b"leads exported" in out.stderr
    xlsx = sshd.run("export - --format xlsx")
    assert xlsx.returncode == 0 and xlsx.stdout.startswith(b"PK")
    new = "company,contact_name,phone,need,source\nSsh Co,Ann,13911112222,servers,expo\n".encode("utf-8")
    proc = sshd.run("import -", input=new)
    assert proc.returncode == 0, proc.stderr
    assert b"1 new" in proc.stdout
    added = [r for r in run_json("leads", "list", "--format", "json", user="rep1", db=db) if r["company"] == "Ssh Co"]
    assert len(added) == 1 and added[0]["owner"] == "rep1"


def test_a_hang_up_ends_the_app_on_the_server(sshd, tmp_path):
    """Issue 13.2: a dropped connection left the app spinning on the server. The client is killed while
    the TUI runs on its pty; the server-side process is gone soon after."""
    db = _team(tmp_path)
    _pin(sshd, db, "rep1")
    client = subprocess.Popen(sshd.ssh_args("-tt"), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL)
    try:
        seen = b""
        os.set_blocking(client.stdout.fileno(), False)

        def drawn() -> bool:
            nonlocal seen
            try:
                seen += client.stdout.read() or b""
            except (BlockingIOError, TypeError):
                pass
            return b"\x1b[?1049h" in seen and bool(_server_processes(db))

        assert _wait(drawn, 60), seen[-500:]
        pids = _server_processes(db)
        client.kill()
        client.wait()
        assert _wait(lambda: not any(p in _server_processes(db) for p in pids), 30), pids
    finally:
        if client.poll() is None:
            client.kill()
            client.wait()


# ------------------------------------------------------------------ the same app on a local pty
def test_a_hang_up_ends_the_app_even_when_sighup_is_ignored(tmp_path):
    """`nohup`-like: SIGHUP ignored. The terminal's other end closes; the app notices and exits instead of
    spinning on a dead input."""
    import fcntl
    import struct
    import termios

    db = _team(tmp_path)
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    env = dict(os.environ, TERM="xterm-256color", TUI_CRM_NOW="2024-11-01T10:00:00+08:00")
    env.pop("TUI_CRM_DB", None)
    proc = subprocess.Popen(["sh", "-c", 'trap "" HUP; exec "$0" "$@"', TUI_CRM, "--db", db, "--user", "rep1"],
                            stdin=slave, stdout=slave, stderr=slave, start_new_session=True, env=env)
    os.close(slave)
    try:
        seen = b""

        def drawn() -> bool:
            nonlocal seen
            import select

            while select.select([master], [], [], 0)[0]:
                try:
                    chunk = os.read(master, 65536)
                except OSError:
                    return False
                if not chunk:
                    break
                seen += chunk
            return b"\x1b[?1049h" in seen

        assert _wait(drawn, 60), seen[-500:]
        os.close(master)
        master = None
        proc.wait(30)
        assert proc.returncode is not None
    finally:
        if master is not None:
            os.close(master)
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
