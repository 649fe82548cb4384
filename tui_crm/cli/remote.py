"""A session through a pinned SSH key (`users key`): sshd runs ``tui-crm --db DB --user LOGIN`` whatever
the client asked for, and hands the client's command over in ``SSH_ORIGINAL_COMMAND``.

Such a session is remote: it reads and writes no file of the server for its user. The client's
command runs as the pinned user when it is one of ``ALLOWED`` and names no server file (``export -``
writes to the client, ``import -`` reads from it); ``--db`` and ``--user`` in it are refused, and so
is everything else, with ``not allowed over ssh: …`` and exit 1 (docs/DEPLOY.md lists them).
"""
from __future__ import annotations

import argparse
import shlex
from typing import Mapping

from ..i18n import _
from .common import UserError

LEADS_ACTIONS = {"list", "show", "add", "move", "won", "lost",
                 "edit", "tag", "reassign", "share", "clean-up"}  # the team's commands (PRODUCT §8) too
# The commands of PRODUCT §8 run as the pinned user like any other: the services check each one's access (a rep's
# `teams set` or `rules add` is refused there as it is on the server), and none of them reads or writes a file.
# `users add|list|key`, `stages`, `db`, `demo` and `tick` stay the service account's own.
ALLOWED = {"leads": LEADS_ACTIONS, "log": None, "report": None, "agenda": None, "export": None, "import": None,
           "audit": None, "tasks": {"list", "add", "set"}, "tags": {"list", "auto"}, "teams": {"list", "add", "set"},
           "rules": {"list", "add", "remove", "move", "test"}, "handover": None, "users": {"set", "deactivate"},
           "sources": None, "lost-reasons": None}  # the pick lists: anyone reads them, an admin changes them
STREAM_ONLY = {"export", "import"}  # their FILE must be "-": the client's end of the connection
FILE_OPTIONS = ("errors", "output")  # options naming a file (on the server) to write


def is_pinned(args: argparse.Namespace, env: Mapping[str, str]) -> bool:
    """The forced command's form (no command, ``--user`` given) started by sshd."""
    return args.cmd is None and bool(args.user) and ("SSH_ORIGINAL_COMMAND" in env or "SSH_CONNECTION" in env)


def _shown(command: str) -> str:
    """The client's command as it can be printed: no control characters, at most 200 characters."""
    clean = "".join(c if c.isprintable() else "?" for c in command)
    return clean if len(clean) <= 200 else clean[:199] + "…"


def client_command(parser: argparse.ArgumentParser, pinned: argparse.Namespace,
                   command: str) -> argparse.Namespace:
    """The arguments of the client's ``command``, run as the pinned ``--db``/``--user``; UserError
    (``not allowed over ssh: …``) for anything outside ``ALLOWED``."""
    refused = UserError(_("not allowed over ssh: {command}", command=_shown(command)))
    try:
        words = shlex.split(command)
    except ValueError:
        raise refused from None
    if not words or words[0] not in ALLOWED:
        raise refused
    actions = ALLOWED[words[0]]
    if actions is not None and (len(words) < 2 or words[1] not in actions):
        raise refused
    args = parser.parse_args(words)
    if args.db is not None or args.user is not None:
        raise UserError(_("not allowed over ssh: {command} (--db and --user are fixed by your key)",
                          command=_shown(command)))
    if args.cmd in STREAM_ONLY and getattr(args, "file", None) != "-":
        raise UserError(_("not allowed over ssh: {command} (use `{name} -`: the data goes through your "
                          "connection)", command=_shown(command), name=args.cmd))
    for option in FILE_OPTIONS:
        if getattr(args, option, None) not in (None, "-"):
            raise UserError(_("not allowed over ssh: {command} (--{option} would write a file on the server)",
                              command=_shown(command), option=option))
    args.db, args.user = pinned.db, pinned.user
    args.lang = args.lang or pinned.lang
    return args
