"""`users key`: an SSH key whose forced command opens the app as one user."""
from __future__ import annotations

import os
import shutil
import sys

from ...i18n import _
from .. import scope
from ..context import Session
from ..errors import ServiceError
from ..scope import resolve_user


def tui_crm_path() -> str:
    found = shutil.which("tui-crm")
    if found:
        return os.path.abspath(found)
    return os.path.abspath(os.path.join(os.path.dirname(sys.executable), "tui-crm"))


def add_key(ctx: Session, login: str, pubkey_file: str, authorized_keys: str, db_url: str) -> str:
    scope.require_admin(ctx.actor)
    user = resolve_user(login)
    try:
        key = open(pubkey_file, encoding="utf-8").read().strip()
    except OSError as exc:
        raise ServiceError(_("cannot read {file}: {error}", file=pubkey_file, error=exc.strerror)) from exc
    if not key.startswith(("ssh-", "ecdsa-", "sk-")) or len(key.split()) < 2:
        raise ServiceError(_("not an SSH public key: {file}", file=pubkey_file))
    db = db_url if "://" in db_url else os.path.abspath(db_url)
    line = f'restrict,pty,command="{tui_crm_path()} --db {db} --user {user.login}" {key}'
    os.makedirs(os.path.dirname(os.path.abspath(authorized_keys)), mode=0o700, exist_ok=True)
    with open(authorized_keys, "a", encoding="utf-8") as fh:
        fh.write(line + "\n")
    os.chmod(authorized_keys, 0o600)
    return line
