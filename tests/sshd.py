"""A real OpenSSH server on 127.0.0.1, for this test run only: its own config, host key and
authorized_keys in a temporary folder, on a free port, for the account running the tests.

``Sshd.start`` returns None with a reason when no sshd can run here at all (not installed, cannot
bind); callers skip with that reason, so a skip says why.
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

SSHD_PATHS = ("/usr/sbin/sshd", "/usr/local/sbin/sshd", "/usr/bin/sshd")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_until(cond, timeout: float) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if cond():
            return True
        time.sleep(0.05)
    return cond()


class Sshd:
    def __init__(self, folder: Path, sshd: str, port: int, proc: subprocess.Popen):
        self.folder, self.sshd, self.port, self.proc = folder, sshd, port, proc
        self.authorized_keys = folder / "authorized_keys"
        self.client_key = folder / "client_ed25519"
        self.known_hosts = folder / "known_hosts"
        self.log = folder / "sshd.log"
        self.user = _login()

    # ------------------------------------------------------------ start / stop
    @classmethod
    def start(cls, folder: Path) -> "Sshd | str":
        sshd = next((p for p in SSHD_PATHS if os.access(p, os.X_OK)), shutil.which("sshd"))
        keygen = shutil.which("ssh-keygen")
        if not sshd or not keygen or not shutil.which("ssh"):
            return "OpenSSH (sshd, ssh, ssh-keygen) is not installed: .ci/run installs openssh-server"
        folder.mkdir(parents=True, exist_ok=True)
        os.chmod(folder, 0o700)
        for name in ("host_ed25519", "client_ed25519"):
            subprocess.run([keygen, "-q", "-t", "ed25519", "-N", "", "-C", "tui-crm-test", "-f", str(folder / name)],
                           check=True, capture_output=True)
        if os.geteuid() == 0:
            os.makedirs("/run/sshd", mode=0o755, exist_ok=True)  # privilege separation folder sshd needs as root
        last = ""
        for _attempt in range(5):
            port = _free_port()
            config = folder / "sshd_config"
            config.write_text("\n".join([
                f"Port {port}", "ListenAddress 127.0.0.1", f"HostKey {folder / 'host_ed25519'}",
                f"PidFile {folder / 'sshd.pid'}", f"AuthorizedKeysFile {folder / 'authorized_keys'}",
                "PubkeyAuthentication yes", "PasswordAuthentication no", "KbdInteractiveAuthentication no",
                "PermitRootLogin forced-commands-only", "StrictModes no", "UsePAM no", "PrintMotd no",
                "PrintLastLog no", "AcceptEnv LANG LC_*", "LogLevel VERBOSE", "MaxStartups 50",
                "ClientAliveInterval 0", ""]))
            (folder / "authorized_keys").touch(mode=0o600)
            log = folder / "sshd.log"
            proc = subprocess.Popen([sshd, "-D", "-e", "-f", str(config)], stdout=subprocess.DEVNULL,
                                    stderr=open(log, "ab"), stdin=subprocess.DEVNULL)
            if _wait_until(lambda: proc.poll() is not None or _listening(port), 10) and proc.poll() is None:
                return cls(folder, sshd, port, proc)
            proc.kill()
            proc.wait()
            last = log.read_text(errors="replace")[-500:]
        return f"sshd could not start here: {last.strip() or 'no output'}"

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    # ------------------------------------------------------------ the client
    def ssh_args(self, *extra: str) -> list[str]:
        return ["ssh", "-F", "/dev/null", "-p", str(self.port), "-i", str(self.client_key),
                "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no",
                "-o", f"UserKnownHostsFile={self.known_hosts}", "-o", "LogLevel=ERROR",
                "-o", "ConnectTimeout=20", *extra, "--", f"{self.user}@127.0.0.1"]  # a command may start with -

    def run(self, command: str | None, *, tty: bool = False, input: bytes | None = None, timeout: float = 60,
            env: dict | None = None) -> subprocess.CompletedProcess:
        """``ssh [-tt] host COMMAND``: stdout and stderr as bytes (no tty: stdin from ``input`` or /dev/null)."""
        args = self.ssh_args(*(["-tt"] if tty else ["-T"]))
        if command is not None:
            args.append(command)
        e = dict(os.environ)
        e.update(env or {})
        return subprocess.run(args, input=input if input is not None else b"", capture_output=True,
                              timeout=timeout, env=e)


def _listening(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as s:
            return s.recv(4).startswith(b"SSH-")
    except OSError:
        return False


def _login() -> str:
    import pwd

    return pwd.getpwuid(os.geteuid()).pw_name
