"""The argparse definition of the command line: commands and options only, no behaviour.

Global options (``--db``, ``--user``, ``--lang``) are accepted before or after the
subcommand: the subparsers repeat them with SUPPRESS defaults.
"""
from __future__ import annotations

import argparse
import os


def _global_options(p: argparse.ArgumentParser, suppress: bool) -> None:
    d = argparse.SUPPRESS if suppress else None
    p.add_argument("--db", default=d, help="database file or sqlite:///… / postgresql://… URL (else TUI_CRM_DB)")
    p.add_argument("--user", default=d, help="act as this login (default: the OS login)")
    p.add_argument("--lang", default=d, choices=["en", "zh"], help="language (default from LANG)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tui-crm", description="A keyboard-driven sales CRM for the terminal.")
    _global_options(parser, suppress=False)
    sub = parser.add_subparsers(dest="cmd", metavar="COMMAND")

    def add(name, help_, parent=sub):
        p = parent.add_parser(name, help=help_)
        _global_options(p, suppress=True)
        return p

    p = add("demo", "fill the database with demo data")
    p.add_argument("--leads", type=int, default=1000)
    p.add_argument("--reps", type=int, default=8)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--force", action="store_true", help="replace existing data")

    p = add("import", "import leads from CSV or XLSX")
    p.add_argument("file", nargs="?")
    p.add_argument("--format", choices=["csv", "xlsx"])
    p.add_argument("--sheet")
    p.add_argument("--map", action="append", default=[], metavar="COL=FIELD")
    p.add_argument("--stage-map", action="append", default=[], metavar="VALUE=STAGE")
    p.add_argument("--create-owners", action="store_true")
    p.add_argument("--keep-unmapped", action="store_true")
    p.add_argument("--dry-run", action="store_true")
    p.add_argument("--on-duplicate", choices=["skip", "update", "create"], default="skip")
    p.add_argument("--errors", metavar="FILE")
    p.add_argument("--undo", metavar="BATCH")
    p.add_argument("--header-row", type=int, metavar="N", help="the header's row (default: found, skipping titles)")
    p.add_argument("--decimal-comma", action="store_true", help="amounts written 1.234,56")
    p.add_argument("--region", metavar="CC", help="default phone region (default: the team's, CN)")
    p.add_argument("--create-stages", action="store_true", help="add unknown stage values as open stages")

    p = add("export", "export the leads in your scope")
    p.add_argument("file")
    p.add_argument("--format", choices=["csv", "xlsx"])
    p.add_argument("--reveal", action="store_true")
    p.add_argument("--with-activity", action="store_true",
                   help="also the follow-ups and tasks: extra sheets of an XLSX, or NAME.follow_ups.csv and "
                        "NAME.tasks.csv beside a CSV")

    p = add("agenda", "your open follow-up tasks as an iCalendar file")
    p.add_argument("--format", choices=["ics"], default="ics")
    p.add_argument("--output", metavar="FILE")

    p = add("report", "the numbers: funnel, conversion, forecast")
    p.add_argument("--format", choices=["text", "json", "csv"], default="text")
    p.add_argument("--since")
    p.add_argument("--until")
    p.add_argument("--owner")
    p.add_argument("--team")

    users = add("users", "manage users")
    us = users.add_subparsers(dest="sub", metavar="ACTION", required=True)
    p = add("add", "add a user", us)
    p.add_argument("login")
    p.add_argument("--name", required=True)
    p.add_argument("--role", required=True, choices=["rep", "supervisor", "admin"])
    p.add_argument("--team")
    p = add("list", "list users", us)
    p.add_argument("--format", choices=["text", "json"], default="text")
    p = add("key", "let an SSH key open the app as a user", us)
    p.add_argument("login")
    p.add_argument("pubkey_file")
    p.add_argument("--authorized-keys", default=os.path.expanduser("~/.ssh/authorized_keys"))

    stages = add("stages", "list or set the funnel stages")
    ss = stages.add_subparsers(dest="sub", metavar="ACTION", required=True)
    p = add("list", "list stages", ss)
    p.add_argument("--format", choices=["text", "json"], default="text")
    p = add("set", "replace the open stages (NAME:PERCENT ...)", ss)
    p.add_argument("specs", nargs="+", metavar="NAME:PERCENT")

    leads = add("leads", "list, add, show and move leads")
    ls = leads.add_subparsers(dest="sub", metavar="ACTION", required=True)
    p = add("list", "list leads", ls)
    p.add_argument("--format", choices=["table", "json", "csv"], default="table")
    p.add_argument("--filter", choices=["all", "mine", "overdue", "today", "stalled", "team"], default="all")
    p.add_argument("--search")
    p.add_argument("--limit", type=int)
    p.add_argument("--reveal", action="store_true")
    p = add("add", "add a lead", ls)
    p.add_argument("--company", required=True)
    p.add_argument("--contact", required=True)
    p.add_argument("--phone")
    p.add_argument("--email")
    p.add_argument("--source", required=True)
    p.add_argument("--need", required=True)
    p.add_argument("--owner")
    p.add_argument("--priority")
    p.add_argument("--amount")
    p.add_argument("--format", choices=["text", "json"], default="text")
    p = add("show", "show one lead with its timeline", ls)
    p.add_argument("code")
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.add_argument("--reveal", action="store_true")
    p = add("move", "move a lead to a stage", ls)
    p.add_argument("code")
    p.add_argument("stage")
    p.add_argument("--reason")
    p = add("won", "mark a lead won", ls)
    p.add_argument("code")
    p.add_argument("--amount", required=True)
    p.add_argument("--product", required=True)
    p.add_argument("--at")
    p.add_argument("--reason", help="stay reason if the lead sat in its stage over 7 days")
    p = add("lost", "mark a lead lost", ls)
    p.add_argument("code")
    p.add_argument("--reason", required=True)
    p.add_argument("--at")

    p = add("log", "log a follow-up")
    p.add_argument("code")
    p.add_argument("--method", required=True)
    p.add_argument("--summary", required=True)
    p.add_argument("--reached", choices=["yes", "no"], default="yes")
    p.add_argument("--sentiment")
    p.add_argument("--next", metavar="DATETIME")

    dbp = add("db", "database maintenance")
    ds = dbp.add_subparsers(dest="sub", metavar="ACTION", required=True)
    add("upgrade", "migrate the schema in place", ds)
    p = add("backup", "copy the database to FILE", ds)
    p.add_argument("file")
    p = add("restore", "replace the database by FILE", ds)
    p.add_argument("file")
    add("check", "check integrity, keys, search index, schema", ds)
    p = add("roles", "PostgreSQL: one database role per user, row-level security (admin; run as the tables' owner)",
            ds)
    p.add_argument("--prefix", help="role names are PREFIX + login (default crm_; chosen once per database)")
    return parser
