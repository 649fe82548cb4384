"""``sources`` and ``lost-reasons``: the pick lists from the command line (admins change them; the
services check the actor and write the audit entries)."""
from __future__ import annotations

from ..i18n import _
from .common import print_json, print_table, session


def _sources_table(views) -> None:
    print_table([_("no."), _("source"), _("English"), _("Chinese"), _("state"), _("leads")],
                [[v.position, v.key, v.en, v.zh, _("in use") if v.active else _("retired"),
                  "–" if v.leads is None else v.leads] for v in views],
                kinds=["id", "id", "text", "text", "text", "id"])


def cmd_sources(args) -> int:
    from ..services.admin import sources

    ctx = session(args)
    if args.sub == "add":
        v = sources.add_source(ctx, args.name, args.en, args.zh)
        print(_("source {key}: {en} / {zh}, place {n}", key=v.key, en=v.en, zh=v.zh, n=v.position))
    elif args.sub == "rename":
        v = sources.rename_source(ctx, args.source, args.en, args.zh)
        print(_("source {key}: {en} / {zh}, place {n}", key=v.key, en=v.en, zh=v.zh, n=v.position))
    elif args.sub in ("retire", "restore"):
        v = sources.set_active(ctx, args.source, args.sub == "restore")
        print(_("source {key} is retired: its {n} leads keep it", key=v.key, n=v.leads) if not v.active
              else _("source {key} is offered again", key=v.key))
    elif args.sub == "remove":
        print(_("source {key} removed", key=sources.remove_source(ctx, args.source)))
    elif args.sub == "move":
        _sources_table(sources.move_source(ctx, args.source, args.position))
    else:
        views = sources.list_sources(ctx)
        if args.format == "json":
            print_json([v.to_json() for v in views])
        else:
            _sources_table(views)
    return 0


def _reasons_table(views) -> None:
    print_table([_("no."), _("lost reason"), _("leads")],
                [[v.position, v.reason + (_(" (default)") if v.default else ""), "–" if v.leads is None else v.leads]
                 for v in views], kinds=["id", "text", "id"])


def cmd_lost_reasons(args) -> int:
    from ..services.admin import lost_reasons

    ctx = session(args)
    if args.sub == "add":
        _reasons_table(lost_reasons.add_reason(ctx, args.reason, args.position))
    elif args.sub == "rename":
        _reasons_table(lost_reasons.rename_reason(ctx, args.reason, args.words))
    elif args.sub == "remove":
        gone, kept = lost_reasons.remove_reason(ctx, args.reason)
        print(_("lost reason {reason} removed: {n} leads lost with it keep it", reason=gone, n=kept))
    elif args.sub == "move":
        _reasons_table(lost_reasons.move_reason(ctx, args.reason, args.position))
    else:
        views = lost_reasons.list_reasons(ctx)
        if args.format == "json":
            print_json([v.to_json() for v in views])
        else:
            _reasons_table(views)
    return 0
