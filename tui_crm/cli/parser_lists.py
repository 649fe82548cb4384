"""The argparse definition of the pick-list commands: ``sources`` (PRODUCT §1's configurable list) and
``lost-reasons`` (the lost reasons' pick list). Called by :func:`cli.parser.build_parser` with its helpers."""
from __future__ import annotations

from ..i18n import _


def add_list_commands(add, actions, fmt, whole_number) -> None:
    sources = actions(add("sources", _("the list of lead sources: add, rename, retire, remove, order (admins)")))
    p = add("list", _("list the sources in order, retired ones too, with how many leads carry each"), sources)
    fmt(p, "text")
    p = add("add", _("add a source (last in the list); a retired one's name restores it"), sources)
    p.add_argument("name", metavar="NAME", help=_("its name; its key, in the leads' codes, is the name in lower case"))
    p.add_argument("--en", metavar="NAME", help=_("its English name (default: NAME)"))
    p.add_argument("--zh", metavar="NAME", help=_("its Chinese name (default: NAME)"))
    p = add("rename", _("give a source new names (its key and its leads' codes stay)"), sources)
    p.add_argument("source", metavar="SOURCE", help=_("the source: its key, a name or its number"))
    p.add_argument("--en", metavar="NAME", help=_("its new English name"))
    p.add_argument("--zh", metavar="NAME", help=_("its new Chinese name"))
    for name, what in (("retire", _("no new leads from a source; the leads that have it keep it")),
                       ("restore", _("offer a retired source again")),
                       ("remove", _("remove a source no lead and no rule uses (else retire it)")),
                       ("move", _("put a source at another place in the list"))):
        p = add(name, what, sources)
        p.add_argument("source", metavar="SOURCE", help=_("the source: its key, a name or its number"))
    p.add_argument("position", type=whole_number, metavar="POSITION", help=_("its new place (1: first)"))

    reasons = actions(add("lost-reasons", _("the lost reasons' pick list: add, rename, remove, order (admins)")))
    p = add("list", _("list the lost reasons in order, with how many leads were lost with each"), reasons)
    fmt(p, "text")
    p = add("add", _("add a lost reason (last in the list)"), reasons)
    p.add_argument("reason", metavar="REASON", help=_("its words"))
    p.add_argument("--position", type=whole_number, metavar="N", help=_("put it at place N (1: first)"))
    p = add("rename", _("new words for a lost reason (leads lost with the old words keep them)"), reasons)
    p.add_argument("reason", metavar="REASON", help=_("the reason: its words or its number"))
    p.add_argument("words", metavar="NEW", help=_("its new words"))
    for name, what in (("remove", _("take a lost reason off the list (leads lost with it keep it)")),
                       ("move", _("put a lost reason at another place in the list"))):
        p = add(name, what, reasons)
        p.add_argument("reason", metavar="REASON", help=_("the reason: its words or its number"))
    p.add_argument("position", type=whole_number, metavar="POSITION", help=_("its new place (1: first)"))
