"""The argparse definition of the team commands (PRODUCT §8): teams, rules, tags, handover, tasks, and the
options they add to ``users`` and ``leads``. Called by :func:`cli.parser.build_parser` with its helpers."""
from __future__ import annotations

from ..i18n import N_, _


def add_team_commands(add, actions, fmt, whole_number, users, leads) -> None:
    """``add(name, help, parent=...)`` makes a subcommand, ``actions(p)`` its action subparsers, ``fmt(p, kind)``
    its --format; ``users`` and ``leads`` are those commands' action subparsers."""
    p = add("deactivate", _("deactivate a user, handing over their open leads and tasks in one step"), users)
    p.add_argument("login", metavar="LOGIN", help=_("the user to deactivate"))
    _targets(p)

    p = add("edit", _("change a lead's fields"), leads)
    p.add_argument("code", metavar="CODE", help=_("the lead's code"))
    for option, metavar, text in EDIT_OPTIONS:
        p.add_argument(option, metavar=metavar, help=_(text))

    p = add("tag", _("add tags to a lead (or remove them)"), leads)
    p.add_argument("code", metavar="CODE", help=_("the lead's code"))
    p.add_argument("tags", nargs="+", metavar="TAG", help=_("tags; one value may hold several, split by , ; 、"))
    p.add_argument("--remove", action="store_true", help=_("remove these tags instead"))
    p = add("reassign", _("give leads to another user (the owner, their supervisor or an admin)"), leads)
    p.add_argument("codes", nargs="+", metavar="CODE", help=_("the leads' codes"))
    p.add_argument("--to", required=True, metavar="LOGIN", help=_("the new owner"))
    p = add("share", _("share a lead with a colleague, who then sees it, logs on it and sees its contacts"), leads)
    p.add_argument("code", metavar="CODE", help=_("the lead's code"))
    p.add_argument("--with", dest="with_login", required=True, metavar="LOGIN", help=_("the colleague"))
    p.add_argument("--remove", action="store_true", help=_("stop sharing it with them"))
    p = add("clean-up", _("the monthly clean-up: mark the invalid leads you see lost as invalid"), leads)
    p.add_argument("--dry-run", action="store_true", help=_("write nothing, list the leads it would mark"))
    fmt(p, "text")

    teams = actions(add("teams", _("teams and their own rule numbers")))
    p = add("list", _("list teams"), teams)
    fmt(p, "text")
    p = add("add", _("add a team"), teams)
    p.add_argument("name", metavar="NAME", help=_("the team's name"))
    p.add_argument("--supervisor", metavar="LOGIN", help=_("the team's supervisor"))
    p = add("set", _("change a team's supervisor, first-contact hours, escalation, stall and cadence days"), teams)
    p.add_argument("name", metavar="NAME", help=_("the team's name"))
    p.add_argument("--supervisor", metavar="LOGIN", help=_("the team's supervisor"))
    for prio, text in (("high", _("hours to the first contact of a high-priority lead")),
                       ("medium", _("hours to the first contact of a medium-priority lead")),
                       ("low", _("hours to the first contact of a low-priority lead"))):
        p.add_argument(f"--sla-{prio}", type=whole_number, metavar="H", help=text)
    p.add_argument("--escalate-days", type=whole_number, metavar="D",
                   help=_("days without contact before the supervisor is told"))
    p.add_argument("--stall-days", type=whole_number, metavar="D", help=_("days in one stage before a lead stalls"))
    p.add_argument("--cadence", action="append", default=[], metavar="STAGE=DAYS",
                   help=_("days between follow-ups in a stage (repeatable; won for customers)"))
    p.add_argument("--reset", action="store_true", help=_("back to the global numbers first"))

    p = add("handover", _("hand a user's open leads and tasks over in one step"))
    p.add_argument("from_login", metavar="FROM", help=_("whose leads and tasks"))
    _targets(p)

    rules = actions(add("rules", _("assignment rules: who gets a lead created without an owner")))
    p = add("list", _("list the rules in the order they are tried"), rules)
    fmt(p, "text")
    p = add("add", _("add a rule (tried after the others)"), rules)
    p.add_argument("--region", metavar="R", help=_("the lead's region contains R"))
    p.add_argument("--industry", metavar="I", help=_("the lead's industry contains I"))
    p.add_argument("--source", metavar="S", help=_("the lead's source is S"))
    p.add_argument("--keyword", action="append", default=[], metavar="K",
                   help=_("the need or the remarks hold K (repeatable: any of them)"))
    p.add_argument("--to", metavar="LOGIN", help=_("give the leads to this user"))
    p.add_argument("--team", metavar="T", help=_("give the leads to this team's active members"))
    p.add_argument("--mode", choices=["round-robin", "least-loaded"], default="round-robin",
                   help=_("within the team: in turn, or to whoever has the fewest open leads"))
    p.add_argument("--cap", type=whole_number, metavar="N", help=_("at most N leads a day to each user"))
    p.add_argument("--position", type=whole_number, metavar="N", help=_("try it at place N (1: first)"))
    p.add_argument("--dry-run", action="store_true",
                   help=_("save nothing: show who the last 50 leads would have gone to with it"))
    p = add("remove", _("remove a rule"), rules)
    p.add_argument("id", type=whole_number, metavar="ID", help=_("the rule's number"))
    p = add("move", _("try a rule at another place"), rules)
    p.add_argument("id", type=whole_number, metavar="ID", help=_("the rule's number"))
    p.add_argument("position", type=whole_number, metavar="POSITION", help=_("its new place (1: first)"))
    p = add("test", _("show who the last leads would go to by the rules as they are (writes nothing)"), rules)
    p.add_argument("--limit", type=whole_number, default=50, metavar="N", help=_("how many leads (default 50)"))
    fmt(p, "text")

    tags = actions(add("tags", _("tags: those in use, and the auto-tag rules")))
    p = add("list", _("the tags on the leads you see, with how many carry each"), tags)
    fmt(p, "text")
    auto = add("auto", _("auto-tag rules: tags a new lead gets from its source and need"), tags).add_subparsers(
        dest="auto", metavar="ACTION", title=_("actions"), required=True)
    p = add("add", _("add an auto-tag rule"), auto)
    p.add_argument("tag", metavar="TAG", help=_("the tag"))
    p.add_argument("--source", action="append", default=[], metavar="S",
                   help=_("only leads from this source (repeatable)"))
    p.add_argument("--keyword", action="append", default=[], metavar="K",
                   help=_("only leads whose need or remarks hold K (repeatable: any of them)"))
    p = add("list", _("list the auto-tag rules"), auto)
    fmt(p, "text")
    p = add("remove", _("remove an auto-tag rule"), auto)
    p.add_argument("id", type=whole_number, metavar="ID", help=_("the rule's number"))

    tasks = actions(add("tasks", _("tasks: list, add one for several leads, change their status")))
    p = add("list", _("list the tasks you see"), tasks)
    p.add_argument("--filter", choices=["open", "overdue", "today", "done", "shelved", "all"], default="open",
                   help=_("which tasks (default open)"))
    p.add_argument("--owner", metavar="LOGIN", help=_("only this owner's tasks"))
    p.add_argument("--team", metavar="NAME", help=_("only this team's tasks"))
    p.add_argument("--limit", type=whole_number, metavar="N", help=_("at most N tasks"))
    fmt(p, "table")
    p = add("add", _("add one task for one lead or several"), tasks)
    p.add_argument("codes", nargs="+", metavar="CODE", help=_("the leads' codes"))
    p.add_argument("--title", required=True, metavar="TEXT", help=_("what to do"))
    p.add_argument("--due", required=True, metavar="DATETIME", help=_("when, e.g. 2024-12-05 10:00, tomorrow 9am, +3d"))
    p.add_argument("--owner", metavar="LOGIN", help=_("who does it (default: you)"))
    p.add_argument("--priority", metavar="PRIORITY", help=_("high, medium or low"))
    p.add_argument("--remind", type=whole_number, metavar="MINUTES", help=_("a reminder this many minutes before due"))
    p.add_argument("--kind", metavar="KIND", help=_("the task's kind (default follow-up)"))
    fmt(p, "text")
    p = add("set", _("change a task's status, result and the customer's sentiment"), tasks)
    p.add_argument("id", type=whole_number, metavar="ID", help=_("the task's number"))
    p.add_argument("--status", required=True, metavar="STATUS",
                   help=_("open, in_progress, done or shelved (or 未开始, 进行中, 已完成, 已搁置)"))
    p.add_argument("--result", metavar="TEXT", help=_("what came of it"))
    p.add_argument("--sentiment", metavar="BEFORE→AFTER", help=_("the customer's sentiment change, e.g. 中性→积极"))


# leads edit: option, metavar, help (the field is the option's name with _; --contact is contact_name)
EDIT_OPTIONS = (
    ("--company", "NAME", N_("the customer's company")), ("--contact", "NAME", N_("the contact's name")),
    ("--title", "TEXT", N_("the contact's job title")), ("--phone", "PHONE", N_("the contact's phone")),
    ("--email", "EMAIL", N_("the contact's email")), ("--other-contact", "TEXT", N_("another way to reach them")),
    ("--source", "SOURCE", N_("where the lead came from (key or label)")), ("--industry", "TEXT", N_("the industry")),
    ("--company-size", "TEXT", N_("the company's size")), ("--region", "TEXT", N_("the region")),
    ("--first-contact-at", "DATETIME", N_("when they were first contacted")),
    ("--need", "TEXT", N_("the customer's initial need")), ("--pain-points", "TEXT", N_("their pain points")),
    ("--budget", "TEXT", N_("their budget range")), ("--decision-maker", "TEXT", N_("the decision chain")),
    ("--obstacle", "TEXT", N_("the key obstacle")), ("--priority", "PRIORITY", N_("high, medium or low")),
    ("--follow-up-days", "DAYS", N_("days between follow-ups for this lead")),
    ("--amount", "AMOUNT", N_("expected amount, e.g. 80000, ¥80,000, 8万, 八万")),
    ("--probability", "PERCENT", N_("probability in percent")),
    ("--expected-close-date", "DATE", N_("the expected close date")),
    ("--stay-reason", "TEXT", N_("why it stays in its stage")), ("--remarks", "TEXT", N_("remarks")),
    ("--next-action", "TEXT", N_("the next action")),
)


def _targets(p) -> None:
    group = p.add_mutually_exclusive_group(required=True)
    group.add_argument("--to", metavar="LOGIN", help=_("hand everything to this user"))
    group.add_argument("--spread", metavar="TEAM", help=_("spread it in turn over this team's active members"))
