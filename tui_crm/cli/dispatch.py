"""``main``: set the language, parse the arguments, and run the command found in COMMANDS.

A UserError, a service or store error, a bad value, any database failure (a lost connection,
a full disk, a read-only file: store/faults.py says which) or a file that cannot be read or
written ends with one line on stderr, never the password, and exit code 1; Ctrl-C with 130;
a closed pipe (``| head``) quietly with 0.
"""
from __future__ import annotations

import os
import sys
from typing import Sequence

import peewee as pw

from .. import config
from ..i18n import _, set_lang, set_money
from . import language
from .audit import cmd_audit
from .common import UserError, session
from .database import cmd_db, cmd_demo
from .leads import cmd_leads, cmd_log
from .lists import cmd_lost_reasons, cmd_sources
from .parser import build_parser, tui_args
from . import remote
from .report import cmd_report
from .tasks import cmd_tasks
from .team import cmd_handover, cmd_rules, cmd_tags, cmd_teams
from .tick import cmd_tick
from .transfer import cmd_agenda, cmd_export, cmd_import
from .users import cmd_stages, cmd_users


def cmd_tui(args) -> int:
    """No command: the TUI, as the acting user, on a terminal (refused at once on pipes: nobody could
    use it and it would outlive the caller). Textual is imported here and nowhere else in the CLI."""
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise UserError(_("tui-crm needs a terminal (ssh -t), or give a command"))
    ctx = session(args)
    from ..app import CrmApp  # it sweeps escalations after the first paint

    app = CrmApp(ctx, sweep_seconds=1.0)
    app.run()
    return app.return_code or 0  # 1 when it ended on its own (its user deactivated meanwhile, a crash)


COMMANDS = {"audit": cmd_audit, "demo": cmd_demo, "users": cmd_users, "stages": cmd_stages, "leads": cmd_leads,
            "log": cmd_log,
            "db": cmd_db, "report": cmd_report, "import": cmd_import, "export": cmd_export, "agenda": cmd_agenda,
            "tick": cmd_tick, "teams": cmd_teams, "rules": cmd_rules, "tags": cmd_tags, "handover": cmd_handover,
            "tasks": cmd_tasks, "sources": cmd_sources, "lost-reasons": cmd_lost_reasons, None: cmd_tui}


def main(argv: Sequence[str] | None = None) -> int:
    os.umask(0o077)  # whatever this process creates (databases, exports, backups, error files) is private
    argv = list(sys.argv[1:] if argv is None else argv)
    lang, money = language.choose_both(argv)  # the user's own settings read once, for both
    set_lang(lang)  # before the parser and anything else builds a label
    set_money(money)
    language.translate_argparse()
    args = tui_args(argv)  # the app's start needs no command's parser
    parser = None
    if args is None:
        parser = build_parser()
        args = parser.parse_args(argv)
    from ..domain.errors import InvalidValue
    from ..domain.text import printable
    from ..services.errors import ServiceError
    from ..store import pgurl
    from ..store.db import StoreError

    if args.db and pgurl.has_password(args.db):
        print(_("tui-crm: warning: a password in --db is visible to every user of this host (ps); "
                "keep it in ~/.pgpass or a libpq service file, or in TUI_CRM_DB"), file=sys.stderr)
    try:
        args.remote = remote.is_pinned(args, os.environ)
        command = os.environ.get("SSH_ORIGINAL_COMMAND", "").strip() if args.remote else ""
        if command:
            args = remote.client_command(parser or build_parser(), args, command)
            args.remote = True
            if args.lang:
                set_lang(args.lang)
            if getattr(args, "money", None):
                set_money(args.money)
        args.url = config.db_url(args.db)
        args.login_new = getattr(args, "login", None)  # positional LOGIN of users add/key
        args.login = args.user or config.os_login()
        return COMMANDS[args.cmd](args)
    except (UserError, ServiceError, StoreError, InvalidValue) as exc:
        print(f"tui-crm: {printable(pgurl.scrub(str(exc), getattr(args, 'url', None) or args.db))}",
              file=sys.stderr)  # it may quote stored text
        return 1
    except pw.DatabaseError as exc:
        from ..store import faults
        from ..store.pgroles import refusal

        why = refusal(exc) or faults.describe(exc)
        print(f"tui-crm: {pgurl.scrub(why, getattr(args, 'url', None) or args.db)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(_("interrupted"), file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except OSError as exc:  # a file the command reads or writes: no space left, no permission
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"tui-crm: {where}{exc.strerror or exc}", file=sys.stderr)
        return 1
    except Exception as exc:  # a driver error peewee did not wrap (sqlite3, psycopg2)
        from ..store import faults

        if faults.kind(exc) is None:
            raise  # not a database failure: a bug, with its traceback
        print(f"tui-crm: {printable(faults.describe(exc, getattr(args, 'url', None) or args.db))}",
              file=sys.stderr)
        return 1
