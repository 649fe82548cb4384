"""One English word, one sense: a short msgid used in several modules is either reviewed as meaning
the same everywhere (ONE_SENSE) or given a context per sense (``pgettext``).

"reached" was both the follow-up form's "the call connected" (接通) and the funnel's "reached the
stage" (到达) under one catalog entry, so the report's funnel read 接通. This test lists every such
msgid so that a new use of a short word in another module is a decision, not an accident.
"""
from collections import defaultdict

from test_i18n import msgid_uses

# Reviewed: every use of these without a context means the same thing (other senses have contexts:
# the key label "Won" is bare, since the footer translates labels when shown, the stats tile's count is
# pgettext("count", "Won")). A msgid is "short" when it has at most three words and no placeholder:
# longer sentences carry their own sense.
ONE_SENSE = {
    # screen names and key labels (app bindings, screen titles, the same action on several screens)
    "Back", "Board", "Cancel", "Clear filters", "Due today", "Log", "New", "Next stage", "Open", "Overdue",
    "Pause", "Prev stage", "Reopen", "Search", "Inbox", "Leads", "Stats", "Today", "Won", "Lost",
    # the stats panel and the report name the same sections and figures
    "By industry", "By owner", "By source", "By team", "Funnel", "Lost reasons", "Won per month", "all time",
    "avg cycle (days)", "conversion", "pipeline", "win rate", "won amount", "leads", "this month",
    # the board's and stats' pickers (a person or a team to narrow to)
    "Owner", "Team",
    # the app's quit key and the palette's Quit; the help screen's title and the palette's Keys
    "Quit", "Keys",
    # titles the rules give their tasks
    "Complete the record", "First contact", "Follow up", "Wake up",
    # column headings and field titles of a lead (list, queue, CLI table, report, forms)
    "amount", "code", "company", "contact", "due", "industry", "next follow-up", "owner", "phone",
    "priority", "source", "stage", "status", "team", "tags",
    # due and state marks
    "due today", "overdue", "stalled", "today",
    # the lead's status paused (暂缓): a board card's mark, the timeline's entry
    "paused",
    # answers and the form's mark of a missing value
    "no", "yes", "required",
    # what an import did or would do (its report and its summary lines)
    "created", "to create",
    # the same key's longer wording on every screen that has it; the follow-up's and a done task's field
    "new lead", "next action",
    # the separator between the parts of one line (the timeline's field changes, the audit's details)
    "; ",
    # team operations (cli/team.py, cli/tasks.py): the subcommands' title, a numbered row, a task and its result,
    # the CODE argument
    "actions", "no.", "result", "task", "the lead's code",
    # a lead's fields as `leads add` and `leads edit` describe them
    "remarks", "the contact's email", "the contact's name", "the contact's phone", "the customer's company",
    "the industry", "the region",
    # batch work: the same undo on the marking screens and the audit; a task's kind and an outcome's reasons in
    # the batch forms as in the lead's own; "changed since" of a lead a batch's undo leaves; the tag keys
    "Undo batch", "changed since", "kind", "lost reason", "nothing to undo", "stay reason", "Tag filter", "Tags", "tag",
    # the tasks and administration screens (issue 15): a screen's name in the app's keys, the palette and its title;
    # a user's, a team's and a rule's fields and columns as the command line names them; the rules' dry run writes
    # nothing, as the import's does; a lead's "edit" key; "optional" of a form field; "too long" of a field
    "Administration", "Dry run", "Edit", "Mine/team/all", "on leads", "Stages", "Tasks", "active", "daily cap", "keywords",
    "language", "lead", "login", "matches", "name", "no task selected", "optional", "order", "role", "sources",
    "time zone",
    # the pick lists (sources, lost reasons) on the administration screen and on the command line: their columns,
    # a source's state, a default reason's mark; "too long" of a field
    " (default)", "Chinese", "English", "in use", "retired", "state", "too long",
}


def _short(msgid: str) -> bool:
    return "{" not in msgid and len(msgid.split()) <= 3


def test_a_short_msgid_in_several_modules_is_one_sense_or_has_contexts():
    modules: dict[str, set[str]] = defaultdict(set)
    for msgid, ctx, where in msgid_uses():
        if ctx is None and _short(msgid):
            modules[msgid].add(where.split(":")[0])
    undecided = {m: sorted(mods) for m, mods in modules.items() if len(mods) > 1 and m not in ONE_SENSE}
    assert not undecided, ("a short msgid is used in several modules: check its senses, and either give each "
                           "sense a context with pgettext() or add it to ONE_SENSE:\n"
                           + "\n".join(f"  {m!r}: {', '.join(v)}" for m, v in sorted(undecided.items())))


def test_one_sense_lists_only_msgids_in_use():
    used = {m for m, _ctx, _w in msgid_uses()}
    assert ONE_SENSE <= used, f"not used any more, drop from ONE_SENSE: {sorted(ONE_SENSE - used)}"


def test_the_funnel_reads_reached_the_stage_in_chinese():
    from tui_crm.i18n import set_lang
    from tui_crm.services.reports.render import headings

    set_lang("zh")
    try:
        assert headings()["reached"] == "到达"
    finally:
        set_lang("en")
