"""`users key`: an SSH key whose forced command opens the app as one user.

The line written is ``restrict,pty,command="<tui-crm> --db <db> --user LOGIN" KEY``.
sshd hands the command to the account's shell, so every word is shell-quoted
(``shlex``), and within the option's double quotes a ``"`` is written ``\\"`` (the
only escape sshd reads there; a shell-quoted word never puts a backslash right
before a double quote). A URL holding a password is refused: it would sit in
the file and in ``ps`` (use ``~/.pgpass`` or a libpq service file).
"""
from __future__ import annotations

import base64
import binascii
import os
import re
import shlex
import shutil
import struct
import sys

from ...domain.logins import is_valid_login
from ...i18n import _
from ...store import pgurl
from .. import scope
from ..context import Session
from ..errors import ServiceError, ValidationError
from ..scope import resolve_user

KEY_TYPES = re.compile(r"(ssh-(ed25519|rsa|dss)|ecdsa-sha2-nistp(256|384|521)|"
                       r"sk-(ssh-ed25519|ecdsa-sha2-nistp256)@openssh\.com)")
_PRINTABLE_COMMENT = re.compile(r"[^\x00-\x1f\x7f]*")


def tui_crm_path() -> str:
    """The `tui-crm` of this installation (beside the running interpreter), else the one on PATH."""
    beside = os.path.join(os.path.dirname(os.path.abspath(sys.executable)), "tui-crm")
    if os.access(beside, os.X_OK):
        return beside
    found = shutil.which("tui-crm")
    return os.path.abspath(found) if found else beside


def read_public_key(path: str) -> str:
    """The one public key in ``path`` as ``TYPE BASE64 [COMMENT]``; ServiceError when it is anything else
    (options before the key, several lines, a blob that is not of its type)."""
    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read(64 * 1024)
    except (OSError, UnicodeDecodeError) as exc:
        raise ServiceError(_("cannot read {file}: {error}", file=path,
                             error=getattr(exc, "strerror", None) or exc)) from exc
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    words = lines[0].split(None, 2) if len(lines) == 1 else []
    if len(words) < 2 or not KEY_TYPES.fullmatch(words[0]):
        raise ServiceError(_("not an SSH public key: {file}", file=path))
    try:
        blob = base64.b64decode(words[1], validate=True)
        (n,) = struct.unpack(">I", blob[:4])
        ok = blob[4:4 + n].decode("ascii") == words[0]
    except (binascii.Error, struct.error, UnicodeDecodeError):
        ok = False
    if not ok or (len(words) == 3 and not _PRINTABLE_COMMENT.fullmatch(words[2])):
        raise ServiceError(_("not an SSH public key: {file}", file=path))
    return " ".join(words)


def forced_command(db_url: str, login: str) -> str:
    """The shell command line the key is pinned to, every word quoted."""
    db = db_url if "://" in db_url else os.path.abspath(db_url)
    if any(ord(c) < 32 or ord(c) == 127 for c in db):
        raise ValidationError(_("a database path for an SSH key cannot hold control characters"))
    return shlex.join([tui_crm_path(), "--db", db, "--user", login])


def key_line(db_url: str, login: str, key: str) -> str:
    command = forced_command(db_url, login).replace('"', '\\"')
    return f'restrict,pty,command="{command}" {key}'


def add_key(ctx: Session, login: str, pubkey_file: str, authorized_keys: str, db_url: str) -> str:
    """Append the pinned line for ``login`` to ``authorized_keys`` (admin only); returns the line."""
    scope.require_admin(ctx.actor)
    if pgurl.has_password(db_url):
        raise ValidationError(_("the database URL holds a password, which would be written into "
                                "authorized_keys: use ~/.pgpass or a libpq service file instead"))
    user = resolve_user(login)
    if not is_valid_login(user.login):
        raise ValidationError(_("not a valid login: {login} (1-32 characters of a-z 0-9 . _ -)", login=user.login))
    if not user.active:
        raise ValidationError(_("user {login} is deactivated", login=user.login))
    line = key_line(db_url, user.login, read_public_key(pubkey_file))
    folder = os.path.dirname(os.path.abspath(authorized_keys))
    os.makedirs(folder, mode=0o700, exist_ok=True)
    fd = os.open(authorized_keys, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
    with os.fdopen(fd, "r+b") as fh:
        os.fchmod(fh.fileno(), 0o600)
        size = os.fstat(fh.fileno()).st_size
        ends_open = size > 0 and os.pread(fh.fileno(), 1, size - 1) != b"\n"
        fh.write((("\n" if ends_open else "") + line + "\n").encode("utf-8"))
    return line
