"""The argparse definition of the command line: commands and options only, no behaviour.

Global options (``--db``, ``--user``, ``--lang``) are accepted before or after the
subcommand: the subparsers repeat them with SUPPRESS defaults. Every help text,
metavar and description goes through ``_()`` when the parser is built, so the
language must be set before :func:`build_parser` (``cli.language.choose``);
argparse's own words ("usage:", its errors) are translated by ``cli.language``.
"""
from __future__ import annotations

import argparse
import os

from ..i18n import _
from .language import HelpFormatter

FORMATS = {"text": ("text", "json"), "table": ("table", "json", "csv"), "report": ("text", "json", "csv")}


def whole_number(text: str) -> int:
    """An option's whole number (argparse words a bad one as "invalid int value")."""
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(_("not a whole number: {value}", value=text)) from None


def _global_options(p: argparse.ArgumentParser, suppress: bool, lang: bool = True, user: bool = True) -> None:
    d = argparse.SUPPRESS if suppress else None
    p.add_argument("--db", default=d, metavar="PATH_OR_URL",
                   help=_("database file or sqlite:///… / postgresql://… URL (else TUI_CRM_DB)"))
    if user:
        p.add_argument("--user", default=d, metavar="LOGIN", help=_("act as this login (default: the OS login)"))
    if lang:
        p.add_argument("--lang", default=d, choices=["en", "zh"],
                       help=_("language (default: LANG, else the user's own setting, else English)"))
        p.add_argument("--money", default=d, choices=["cn", "plain"],
                       help=_("short amounts on cards and tiles: cn 8.0万 / 1.2亿, plain 80.0k / 1.2M (default: "
                              "TUI_CRM_MONEY, else the user's own setting, else by language)"))


def _format(p: argparse.ArgumentParser, kind: str = "text") -> None:
    choices = FORMATS[kind]
    p.add_argument("--format", choices=choices, default=choices[0], help=_("output format"))


_GLOBAL_CHOICES = {"--db": None, "--user": None, "--lang": ("en", "zh"), "--money": ("cn", "plain")}


def tui_args(argv: list[str]) -> argparse.Namespace | None:
    """The arguments of a run without a command (the app: ``tui-crm --db DB --user LOGIN``), read without building
    every command's parser, a tenth of the app's start (issue 17); the same Namespace as ``build_parser()`` gives
    (tests/test_cli_layout.py). None for anything else (a command, --help, an abbreviated option, a value that is not
    a choice or looks like an option): the full parser reads those and words their errors."""
    values = dict.fromkeys(("db", "user", "lang", "money"))
    i = 0
    while i < len(argv):
        name, eq, value = argv[i].partition("=")
        if name not in _GLOBAL_CHOICES:
            return None
        if not eq:
            if i + 1 >= len(argv) or argv[i + 1].startswith("-"):
                return None
            value = argv[i + 1]
        i += 1 if eq else 2
        choices = _GLOBAL_CHOICES[name]
        if choices is not None and value not in choices:
            return None
        values[name[2:]] = value
    return argparse.Namespace(**values, cmd=None)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tui-crm", description=_("A keyboard-driven sales CRM for the terminal."),
                                     epilog=_("Without a command it opens the app."), formatter_class=HelpFormatter)
    _global_options(parser, suppress=False)
    sub = parser.add_subparsers(dest="cmd", metavar="COMMAND", title=_("commands"))

    def add(name, help_, parent=sub, lang=True, user=True):
        p = parent.add_parser(name, help=help_, description=help_, formatter_class=HelpFormatter)
        _global_options(p, suppress=True, lang=lang, user=user)
        return p

    def actions(p):
        return p.add_subparsers(dest="sub", metavar="ACTION", title=_("actions"), required=True)

    p = add("demo", _("fill the database with demo data"))
    p.add_argument("--leads", type=whole_number, default=1000, metavar="N", help=_("how many leads (default 1000)"))
    p.add_argument("--reps", type=whole_number, default=8, metavar="N", help=_("how many reps (default 8)"))
    p.add_argument("--seed", type=whole_number, default=1, metavar="N", help=_("random seed: the same seed, the same data"))
    p.add_argument("--force", action="store_true", help=_("replace existing data"))

    p = add("import", _("import leads from CSV or XLSX"))
    p.add_argument("file", nargs="?", metavar="FILE", help=_("the CSV or XLSX file, or - for standard input"))
    p.add_argument("--format", choices=["csv", "xlsx"], help=_("file format (default: from the file name)"))
    p.add_argument("--sheet", metavar="NAME", help=_("the XLSX sheet to read (default: the first)"))
    p.add_argument("--map", action="append", default=[], metavar="COL=FIELD",
                   help=_("read column COL as field FIELD (repeatable)"))
    p.add_argument("--stage-map", action="append", default=[], metavar="VALUE=STAGE",
                   help=_("read the stage value VALUE as STAGE (repeatable)"))
    p.add_argument("--create-owners", action="store_true", help=_("add unknown owners as reps"))
    p.add_argument("--keep-unmapped", action="store_true", help=_("keep unmapped columns in the remarks"))
    p.add_argument("--dry-run", action="store_true", help=_("write nothing, print what would happen"))
    p.add_argument("--on-duplicate", choices=["skip", "update", "create"], default="skip",
                   help=_("what to do with a duplicate (default skip)"))
    p.add_argument("--errors", metavar="FILE", help=_("write the refused rows to FILE as CSV"))
    p.add_argument("--undo", metavar="BATCH", help=_("remove the leads of import batch BATCH"))
    p.add_argument("--header-row", type=whole_number, metavar="N",
                   help=_("the header's row (default: found, skipping titles)"))
    p.add_argument("--decimal-comma", action="store_true", help=_("amounts written 1.234,56"))
    p.add_argument("--region", metavar="CC", help=_("default phone region (default: the team's, CN)"))
    p.add_argument("--create-stages", action="store_true", help=_("add unknown stage values as open stages"))
    p.add_argument("--encoding", metavar="NAME",
                   help=_("the CSV file's encoding, e.g. gb18030, big5, cp1252 (default: detected; the dry run "
                          "says which)"))

    p = add("export", _("export the leads in your scope"))
    p.add_argument("file", metavar="FILE", help=_("the CSV or XLSX file to write, or - for standard output"))
    p.add_argument("--format", choices=["csv", "xlsx"], help=_("file format (default: from the file name)"))
    p.add_argument("--reveal", action="store_true", help=_("write phones and emails in full (audited)"))
    p.add_argument("--with-activity", action="store_true",
                   help=_("also the follow-ups and tasks: extra sheets of an XLSX, or NAME.follow_ups.csv and "
                          "NAME.tasks.csv beside a CSV"))

    p = add("agenda", _("your open follow-up tasks as an iCalendar file"))
    p.add_argument("--format", choices=["ics"], default="ics", help=_("output format"))
    p.add_argument("--output", metavar="FILE", help=_("write to FILE (default: standard output)"))

    p = add("tick", _("run the rules once (for cron): escalations, reminders, wake-ups, complete-record tasks"))
    p.add_argument("--format", choices=["text", "json"], default="text", help=_("output format"))

    p = add("report", _("the numbers: funnel, conversion, forecast"))
    _format(p, "report")
    p.add_argument("--since", metavar="DATE", help=_("leads created on or after DATE"))
    p.add_argument("--until", metavar="DATE", help=_("leads created on or before DATE"))
    p.add_argument("--owner", metavar="LOGIN", help=_("only this owner's leads"))
    p.add_argument("--team", metavar="NAME", help=_("only this team's leads"))

    users = actions(add("users", _("manage users")))
    p = add("add", _("add a user"), users)
    p.add_argument("login", metavar="LOGIN", help=_("the new user's login"))
    p.add_argument("--name", required=True, metavar="NAME", help=_("the user's full name"))
    p.add_argument("--role", required=True, choices=["rep", "supervisor", "admin"], help=_("the user's role"))
    p.add_argument("--team", metavar="NAME", help=_("the user's team"))
    p = add("list", _("list users"), users)
    _format(p)
    # here --lang is the user's language (set it before the command for the language of this run)
    p = add("set", _("change a user's name, role, team, language or time zone"), users, lang=False)
    p.add_argument("login", metavar="LOGIN", help=_("the user to change"))
    p.add_argument("--name", metavar="NAME", help=_("the user's full name"))
    p.add_argument("--role", choices=["rep", "supervisor", "admin"], help=_("the user's role"))
    p.add_argument("--team", metavar="NAME", help=_("the user's team"))
    p.add_argument("--lang", dest="user_lang", choices=["en", "zh"],
                   help=_("the user's language, used when neither --lang nor LANG is given"))
    p.add_argument("--tz", metavar="ZONE", help=_("the user's time zone, e.g. Asia/Shanghai"))
    p.add_argument("--money", dest="user_money", choices=["cn", "plain"],
                   help=_("the user's short amounts: cn 8.0万 / 1.2亿, plain 80.0k / 1.2M"))
    p = add("key", _("let an SSH key open the app as a user"), users)
    p.add_argument("login", metavar="LOGIN", help=_("the user the key opens the app as"))
    p.add_argument("pubkey_file", metavar="PUBKEY_FILE", help=_("the public key file"))
    p.add_argument("--authorized-keys", default=os.path.expanduser("~/.ssh/authorized_keys"), metavar="PATH",
                   help=_("the authorized_keys file to append to (default ~/.ssh/authorized_keys)"))

    stages = actions(add("stages", _("list or set the funnel stages")))
    p = add("list", _("list stages"), stages)
    _format(p)
    p = add("set", _("replace the open stages (NAME:PERCENT ...)"), stages)
    p.add_argument("specs", nargs="+", metavar="NAME:PERCENT",
                   help=_("a stage and its probability in percent, in funnel order; OLD=NEW:PERCENT renames "
                          "a stage (its leads stay in it)"))

    leads = actions(add("leads", _("list, add, show and move leads")))
    p = add("list", _("list leads"), leads)
    _format(p, "table")
    p.add_argument("--filter", choices=["all", "mine", "overdue", "today", "stalled", "team", "invalid"], default="all",
                   help=_("which leads (default all; invalid: the monthly clean-up's)"))
    p.add_argument("--tag", metavar="TAG", help=_("only leads with this tag (several: with all of them)"))
    p.add_argument("--owner", metavar="LOGIN", help=_("only this owner's leads"))
    p.add_argument("--team", metavar="NAME", help=_("only this team's leads"))
    p.add_argument("--stage", metavar="STAGE", help=_("only leads in this stage"))
    p.add_argument("--search", metavar="TEXT",
                   help=_("code, company, contact, need or remarks containing TEXT, or a phone's last digits"))
    p.add_argument("--limit", type=whole_number, metavar="N", help=_("at most N leads"))
    p.add_argument("--reveal", action="store_true", help=_("show phones and emails in full (audited)"))
    p = add("add", _("add a lead"), leads)
    p.add_argument("--company", required=True, metavar="NAME", help=_("the customer's company"))
    p.add_argument("--contact", required=True, metavar="NAME", help=_("the contact's name"))
    p.add_argument("--phone", metavar="PHONE", help=_("the contact's phone"))
    p.add_argument("--email", metavar="EMAIL", help=_("the contact's email"))
    p.add_argument("--source", required=True, metavar="SOURCE", help=_("where the lead came from (key or label)"))
    p.add_argument("--need", required=True, metavar="TEXT", help=_("the customer's initial need"))
    p.add_argument("--owner", metavar="LOGIN", help=_("the owner (default: the rules, else you)"))
    p.add_argument("--priority", metavar="PRIORITY", help=_("high, medium or low"))
    p.add_argument("--amount", metavar="AMOUNT", help=_("expected amount, e.g. 80000, ¥80,000, 8万, 八万"))
    p.add_argument("--region", metavar="TEXT", help=_("the region"))
    p.add_argument("--industry", metavar="TEXT", help=_("the industry"))
    p.add_argument("--remarks", metavar="TEXT", help=_("remarks"))
    p.add_argument("--tag", action="append", default=[], metavar="TAG", help=_("a tag (repeatable)"))
    _format(p)
    p = add("show", _("show one lead with its timeline"), leads)
    p.add_argument("code", metavar="CODE", help=_("the lead's code"))
    _format(p)
    p.add_argument("--reveal", action="store_true", help=_("show phones and emails in full (audited)"))
    p = add("move", _("move a lead to a stage"), leads)
    p.add_argument("code", metavar="CODE", help=_("the lead's code"))
    p.add_argument("stage", metavar="STAGE", help=_("the stage (key or label)"))
    p.add_argument("--reason", metavar="TEXT", help=_("stay reason if the lead sat in its stage over 7 days"))
    p = add("won", _("mark a lead won"), leads)
    p.add_argument("code", metavar="CODE", help=_("the lead's code"))
    p.add_argument("--amount", required=True, metavar="AMOUNT", help=_("the amount won, e.g. 80000, 8万, 两千"))
    p.add_argument("--product", required=True, metavar="TEXT", help=_("what was sold"))
    p.add_argument("--at", metavar="DATETIME", help=_("when (default now)"))
    p.add_argument("--reason", "--stay-reason", dest="reason", metavar="TEXT",
                   help=_("stay reason if the lead sat in its stage over 7 days"))
    p = add("lost", _("mark a lead lost"), leads)
    p.add_argument("code", metavar="CODE", help=_("the lead's code"))
    p.add_argument("--reason", required=True, metavar="TEXT",
                   help=_("why it was lost: a number or the words of the lost form's list, or any other reason"))
    p.add_argument("--at", metavar="DATETIME", help=_("when (default now)"))
    p.add_argument("--stay-reason", metavar="TEXT", help=_("stay reason if the lead sat in its stage over 7 days"))

    p = add("log", _("log a follow-up"))
    p.add_argument("code", metavar="CODE", help=_("the lead's code"))
    p.add_argument("--method", required=True, metavar="METHOD", help=_("phone, visit, email, wechat or meeting"))
    p.add_argument("--summary", required=True, metavar="TEXT", help=_("what was said"))
    p.add_argument("--reached", choices=["yes", "no"], default="yes", help=_("did the call connect (default yes)"))
    p.add_argument("--sentiment", metavar="SENTIMENT", help=_("positive, neutral, hesitant or resistant"))
    p.add_argument("--next", metavar="DATETIME",
                   help=_("the next follow-up, e.g. 2024-12-05 10:00, tomorrow 9am, +3d, 三天后, 半小时后 (default: the cadence)"))
    p.add_argument("--at", metavar="DATETIME", help=_("when the contact was (default now)"))
    p.add_argument("--words", metavar="TEXT", help=_("the customer's own words"))
    p.add_argument("--reading", metavar="TEXT", help=_("your reading of them"))
    p.add_argument("--objection", metavar="TEXT", help=_("the customer's objection"))
    p.add_argument("--handling", metavar="TEXT", help=_("how the objection was handled"))
    p.add_argument("--next-action", metavar="TEXT", help=_("the next action (the next task's title)"))

    from .parser_team import add_team_commands

    add_team_commands(add, actions, _format, whole_number, users, leads)
    from .parser_lists import add_list_commands

    add_list_commands(add, actions, _format, whole_number)

    # after `audit`, --user names whose entries to show; the acting user's --user goes before it
    p = add("audit", _("who did what and when: reveals, reassigns, handovers, undos, settings and users"), user=False)
    _format(p, "report")
    p.add_argument("--since", metavar="DATE", help=_("entries on or after DATE"))
    p.add_argument("--until", metavar="DATE", help=_("entries on or before DATE"))
    p.add_argument("--user", dest="filter_user", metavar="LOGIN", help=_("only this user's entries"))
    p.add_argument("--lead", metavar="CODE", help=_("only this lead's entries"))
    p.add_argument("--action", metavar="ACTION",
                   help=_("an action (reveal, reassign, handover, undo, update, …) or what it acted on (user, "
                          "settings)"))

    dbs = actions(add("db", _("database maintenance")))
    add("upgrade", _("migrate the schema in place"), dbs)
    p = add("backup", _("copy the database to FILE"), dbs)
    p.add_argument("file", metavar="FILE", help=_("the backup file to write"))
    p = add("restore", _("replace the database by FILE"), dbs)
    p.add_argument("file", metavar="FILE", help=_("the backup file to read"))
    p = add("check", _("check integrity, keys, search index, schema, the report's summaries"), dbs)
    p.add_argument("--repair", action="store_true",
                   help=_("rebuild the report's summary tables from the leads first (admin)"))
    p = add("roles", _("PostgreSQL: one database role per user, row-level security (admin; run as the tables' owner)"),
            dbs)
    p.add_argument("--prefix", metavar="PREFIX",
                   help=_("role names are PREFIX + login (default crm_; chosen once per database)"))
    return parser
