"""A remote session (a pinned SSH key) touches no server file, in the services and in the TUI; `export -`
and `import -` carry the data instead; `users key` writes a line sshd and the shell read back exactly."""
from __future__ import annotations

import csv
import io
import os
import shlex
import subprocess
import sys

import pytest

from cli_helpers import NOW_ENV, run, run_json
from tui_helpers import palette_run, settle, wait_for
from tui_crm.services import exporting, importing
from tui_crm.services.admin import keys
from tui_crm.services.errors import AccessDenied, ServiceError, ValidationError

def _blob(kind: bytes, body: bytes) -> str:
    import base64
    import struct

    return base64.b64encode(struct.pack(">I", len(kind)) + kind + struct.pack(">I", len(body)) + body).decode()


KEY = f"ssh-ed25519 {_blob(b'ssh-ed25519', bytes(range(32)))} rep@laptop"
RSA_BLOB = _blob(b"ssh-rsa", b"\x01\x00\x01")


# ------------------------------------------------------------------ users key
def _sshd_reads(line: str) -> list[str]:
    """The forced command as sshd hands it to the shell (it undoes only \\"), split as the shell does."""
    assert line.startswith('restrict,pty,command="')
    rest, out, i = line[len('restrict,pty,command="'):], [], 0
    while rest[i] != '"':
        if rest[i] == "\\" and rest[i + 1] == '"':
            i += 1
        out.append(rest[i])
        i += 1
    assert rest[i + 1:] == " " + KEY
    return shlex.split("".join(out))


@pytest.mark.parametrize("path", ["/srv/crm/team.db", "/srv/my crm/team.db", "/srv/o'brien/\"x\".db",
                                  "/srv/$(id)/`id`;id|x&y\\z.db", "/srv/\\\"/a.db"])
def test_the_forced_command_survives_sshd_and_the_shell_word_for_word(path):
    line = keys.key_line(path, "rep1", KEY)
    assert "\n" not in line
    assert _sshd_reads(line) == [keys.tui_crm_path(), "--db", path, "--user", "rep1"]


def test_users_key_refuses_a_password_in_the_url_and_a_path_with_a_newline(world, tmp_path):
    pub = tmp_path / "id.pub"
    pub.write_text(KEY + "\n")
    auth = tmp_path / "authorized_keys"
    for url in ("postgresql://crm:s3cret@db.example/crm", "postgresql://crm@db.example/crm?password=s3cret"):
        with pytest.raises(ValidationError, match="password"):
            keys.add_key(world.ctx, "rep_a1", str(pub), str(auth), url)
    with pytest.raises(ValidationError):
        keys.add_key(world.ctx, "rep_a1", str(pub), str(auth), str(tmp_path / "a\nb.db"))
    assert not auth.exists()
    line = keys.add_key(world.ctx, "rep_a1", str(pub), str(auth), "postgresql://crm@db.example/crm?sslmode=require")
    assert "s3cret" not in auth.read_text() and auth.read_text() == line + "\n"
    assert os.stat(auth).st_mode & 0o777 == 0o600


@pytest.mark.parametrize("text", ["hello", 'command="sh" ' + KEY, KEY + "\n" + KEY,
                                  f"ssh-ed25519 {RSA_BLOB} x",  # an RSA blob named ed25519
                                  "ssh-ed25519 not/base64!", KEY + " \x1b]0;x\x07"])
def test_users_key_refuses_anything_but_one_public_key(world, tmp_path, text):
    pub = tmp_path / "id.pub"
    pub.write_text(text)
    auth = tmp_path / "authorized_keys"
    with pytest.raises(ServiceError, match="not an SSH public key"):
        keys.add_key(world.ctx, "rep_a1", str(pub), str(auth), world.url)
    assert not auth.exists()


def test_users_key_is_admin_only_and_keeps_existing_lines(world, tmp_path):
    pub = tmp_path / "id.pub"
    pub.write_text(KEY)
    auth = tmp_path / "authorized_keys"
    auth.write_text("ssh-ed25519 AAAA-existing admin@host")  # no final newline
    with pytest.raises(AccessDenied):
        keys.add_key(world.as_("sup_a"), "rep_a1", str(pub), str(auth), world.url)
    keys.add_key(world.ctx, "rep_a1", str(pub), str(auth), world.url)
    lines = auth.read_text().splitlines()
    assert lines[0] == "ssh-ed25519 AAAA-existing admin@host" and lines[1].endswith(KEY) and len(lines) == 2


# ------------------------------------------------------------------ services: no server files when remote
def test_a_remote_session_reads_and_writes_no_server_file(world, tmp_path):
    world.lead("rep_a1", company="Remote Co")
    ctx = world.as_("rep_a1")
    ctx.remote = True
    src = tmp_path / "in.csv"
    src.write_text("company,phone,need\nFile Co,13900000077,servers\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    with pytest.raises(AccessDenied, match="import -"):
        exporting.export(ctx, str(out))
    with pytest.raises(AccessDenied):
        importing.run_import(ctx, str(src))
    with pytest.raises(AccessDenied):
        importing.preview(ctx, str(src))
    assert not out.exists()
    buf = io.BytesIO()
    assert exporting.export(ctx, buf)["leads"] == 1
    assert "Remote Co" in buf.getvalue().decode("utf-8-sig")
    res = importing.run_import(ctx, io.BytesIO(src.read_bytes()))
    assert res.new == 1


# ------------------------------------------------------------------ export - / import - on the command line
def _cli(args, db, stdin=b""):
    env = dict(os.environ, TUI_CRM_NOW=NOW_ENV, TZ="Asia/Shanghai", LANG="en_US.UTF-8")
    env.pop("TUI_CRM_DB", None)
    return subprocess.run([sys.executable, "-m", "tui_crm", "--db", db, "--user", "boss", *args], input=stdin,
                          capture_output=True, env=env, timeout=300)


def test_export_to_stdout_and_import_from_stdin(tmp_path):
    db, copy = str(tmp_path / "a.db"), str(tmp_path / "b.db")
    run("demo", "--leads", "25", "--reps", "2", db=db, check=0)
    out = _cli(["export", "-"], db)
    assert out.returncode == 0 and out.stdout.startswith("\ufeffcode,".encode("utf-8"))
    assert b"25 leads exported to standard output" in out.stderr
    assert not (tmp_path / "-").exists()
    run("users", "add", "boss", "--name", "B", "--role", "admin", db=copy, check=0)
    back = _cli(["import", "-", "--create-owners"], copy, stdin=out.stdout)
    assert back.returncode == 0 and b"25 new" in back.stdout, back.stderr
    assert sorted(r["code"] for r in run_json("leads", "list", "--format", "json", db=copy)) == \
        sorted(r["code"] for r in run_json("leads", "list", "--format", "json", db=db))
    xlsx = _cli(["export", "-", "--format", "xlsx"], db)
    assert xlsx.returncode == 0 and xlsx.stdout.startswith(b"PK")
    again = _cli(["import", "-", "--dry-run"], copy, stdin=xlsx.stdout)
    assert again.returncode == 0 and b"25 duplicate" in again.stdout, again.stdout
    refused = _cli(["export", "-", "--with-activity"], db)
    assert refused.returncode == 1 and b"give a file name" in refused.stderr
    rows = list(csv.reader(io.StringIO(_cli(["export", "-"], db).stdout.decode("utf-8-sig"))))
    assert len(rows) == 26


def test_the_tui_needs_a_terminal(tmp_path):
    db = str(tmp_path / "t.db")
    run("users", "add", "boss", "--name", "B", "--role", "admin", db=db, check=0)
    proc = _cli([], db)
    assert proc.returncode == 1
    assert proc.stderr.decode().strip() == "tui-crm: tui-crm needs a terminal (ssh -t), or give a command"


# ------------------------------------------------------------------ the TUI of a remote session
@pytest.mark.parametrize("command", ["Import leads", "Export leads", "Screenshot"])
async def test_a_remote_tui_offers_no_server_files(sqlite_url, tmp_path, monkeypatch, command):
    from tui_crm.app import CrmApp
    from tui_crm.screens.export_form import ExportForm
    from tui_crm.screens.import_screen import ImportScreen
    from tui_crm.services.admin.users import add_user
    from tui_crm.services.context import open_session

    monkeypatch.chdir(tmp_path)
    ctx = open_session(sqlite_url)
    add_user(ctx, "boss", "Boss", role="admin")
    ctx.act_as("boss")
    ctx.remote = True
    app = CrmApp(ctx, tick_seconds=0)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app)
        await palette_run(app, pilot, command)
        await wait_for(pilot, lambda: app._notifications, what="the refusal's toast")
        assert not isinstance(app.screen, (ImportScreen, ExportForm))
        texts = [n.message for n in app._notifications]
        assert any("export - > leads.csv" in t and "import - < leads.csv" in t for t in texts), texts
        assert app.save_screenshot() is None
    assert not [f for f in os.listdir(tmp_path) if f.endswith(".svg")]


def test_a_session_is_pinned_only_in_the_forced_commands_form_under_sshd():
    import argparse

    from tui_crm.cli.remote import is_pinned

    def ns(cmd=None, user="rep1"):
        return argparse.Namespace(cmd=cmd, user=user)

    ssh = {"SSH_CONNECTION": "127.0.0.1 5000 127.0.0.1 22"}
    assert is_pinned(ns(), ssh) and is_pinned(ns(), {"SSH_ORIGINAL_COMMAND": "leads list"})
    assert not is_pinned(ns(), {})  # at the host's own terminal
    assert not is_pinned(ns(user=None), ssh)  # a shell user over ssh running `tui-crm`
    assert not is_pinned(ns(cmd="leads"), ssh)  # a command typed in a shell: not a forced command
