"""``leads list|add|show|move|won|lost`` and ``log``: the leads in the acting user's scope."""
from __future__ import annotations

import csv
import sys

from ..domain.vocab import pick_lost_reason
from ..i18n import _, get_lang, pgettext
from .common import UserError, parse_amount, parse_dt, print_json, print_table, session


def lead_table(ctx, views) -> None:
    """The leads as a table on stdout, due follow-ups coloured."""
    from ..domain.parse import format_amount
    from ..domain.vocab import STATUSES
    from ..i18n import label

    rows, styles = [], {}
    tagged = any(v.tags for v in views)  # a column of tags once any lead has one
    for r, v in enumerate(views):
        nxt = v.next_follow_up_at.astimezone(ctx.tz).strftime("%Y-%m-%d %H:%M") if v.next_follow_up_at else "–"
        if v.due_state in ("overdue", "today"):
            nxt = f"{nxt} {_('overdue') if v.due_state == 'overdue' else _('today')}"
            styles[(r, 7)] = "red" if v.due_state == "overdue" else "yellow"
        rows.append([v.code, v.company, v.contact_name, v.phone or v.email or "–",
                     ctx.stage_label(v.stage), label(STATUSES, v.status) + (" · " + _("stalled") if v.stalled else ""),
                     v.owner_login, nxt, format_amount(v.amount_cents)]
                    + ([" ".join("#" + t for t in v.tags)] if tagged else []))
    # the code and the phone are typed back, the amount is counted on, the due state is read: never cut; on a
    # narrow terminal the owner, the stage and the contact give way first (the tags, when any lead has one, first)
    print_table([_("code"), _("company"), _("contact"), _("phone"), _("stage"), _("status"), _("owner"),
                 _("next follow-up"), _("amount")] + ([_("tags")] if tagged else []), rows, styles,
                kinds=["id", "text", "text", "id", "text", "text", "id", "id", "money"] + (["text"] if tagged else []),
                ranks=[0, 2, 6, 3, 7, 5, 8, 1, 4] + ([9] if tagged else []))


def leads_list(ctx, args) -> int:
    from ..domain.text import sheet_cell
    from ..services import leads
    from ..services.activity.sweep import sweep_escalations
    from ..services.records import lead_json

    ctx.call(sweep_escalations, ctx)
    stage = leads.resolve_stage(ctx, args.stage) if args.stage else None
    views = leads.list_leads(ctx, filter=args.filter, search=args.search, limit=args.limit, reveal=args.reveal,
                             tag=args.tag, owner=args.owner, team=args.team, stage=stage)
    for notice in dict.fromkeys(ctx.notices):  # what the search had to leave out
        print(f"tui-crm: {notice}", file=sys.stderr)
    if args.format == "json":
        print_json([lead_json(ctx, v) for v in views])
    elif args.format == "csv":
        rows = [lead_json(ctx, v) for v in views]
        w = csv.writer(sys.stdout)
        keys = list(rows[0]) if rows else ["code"]
        w.writerow(keys)
        for r in rows:
            w.writerow([sheet_cell("" if r[k] is None else (";".join(r[k]) if isinstance(r[k], list) else r[k]))
                        for k in keys])
    else:
        lead_table(ctx, views)
    return 0


def leads_add(ctx, args) -> int:
    from ..services import leads
    from ..services.records import lead_json

    values = {"company": args.company, "contact_name": args.contact, "phone": args.phone, "email": args.email,
              "source": args.source, "need": args.need, "owner": args.owner, "priority": args.priority,
              "amount_cents": parse_amount(args.amount), "region": args.region, "industry": args.industry,
              "remarks": args.remarks, "tags": args.tag or None}
    if not (args.phone or args.email):
        raise UserError(_("give --phone or --email"))
    v = ctx.call(leads.add_lead, ctx, values)
    if args.format == "json":
        print_json(lead_json(ctx, v))
    else:
        print(v.code)
    return 0


def leads_show(ctx, args) -> int:
    from ..domain.text import cell_width, printable
    from ..services import activity, leads
    from ..services.activity.timeline_text import kind_label
    from ..services.records import lead_json

    v = leads.reveal(ctx, args.code) if args.reveal else leads.get(ctx, args.code)
    items = activity.lead_timeline(ctx, v.id, reveal=args.reveal)  # the reveal above is audited
    if args.format == "json":
        data = lead_json(ctx, v)
        data["timeline"] = [{"at": i.at.astimezone(ctx.tz).isoformat(), "kind": i.kind, "user": i.user,
                             "text": i.text} for i in items]
        print_json(data)
    else:
        lead_table(ctx, [v])
        width = max([cell_width(kind_label(i.kind)) for i in items] or [0])
        for i in items:  # the kind in words, padded by terminal cells (CJK is two)
            kind = kind_label(i.kind)
            print(printable(f"{i.at.astimezone(ctx.tz):%Y-%m-%d %H:%M}  {kind}{' ' * (width - cell_width(kind))}  "
                            + pgettext("timeline", "{user}: {text}", user=i.user, text=i.text)))
    return 0


def leads_move(ctx, args) -> int:
    from ..services import leads
    from ..services.errors import ValidationError

    try:
        v = ctx.call(leads.move_stage, ctx, args.code, args.stage, reason=args.reason)
    except ValidationError as exc:
        if "reason" in exc.fields:  # the stay reason: say which option gives it
            raise UserError(f"{exc} (--reason)") from None
        raise
    print(_("{code} is now in {stage}", code=v.code, stage=v.stage))
    return 0


def _outcome(ctx, code: str, status: str, values: dict):
    """won / lost; a refused stay says which option gives the stay reason."""
    from ..services import leads
    from ..services.errors import ValidationError

    try:
        return ctx.call(leads.set_outcome, ctx, code, status, values)
    except ValidationError as exc:
        if "reason" in exc.fields:
            raise UserError(f"{exc} (--stay-reason)") from None
        raise


def leads_won(ctx, args) -> int:
    v = _outcome(ctx, args.code, "won", {"won_amount_cents": parse_amount(args.amount), "product": args.product,
                                         "won_at": parse_dt(ctx, args.at), "reason": args.reason})
    print(_("{code} won", code=v.code))
    return 0


def leads_lost(ctx, args) -> int:
    reason = pick_lost_reason(args.reason, ctx.lost_reasons, get_lang() == "zh")  # as the lost form reads it
    v = _outcome(ctx, args.code, "lost", {"lost_reason": reason, "lost_at": parse_dt(ctx, args.at),
                                          "reason": args.stay_reason})
    print(_("{code} lost", code=v.code))
    return 0


def _team_action(name: str):
    def run(ctx, args) -> int:
        from . import team

        return getattr(team, name)(ctx, args)
    return run


LEADS_ACTIONS = {"list": leads_list, "add": leads_add, "show": leads_show, "move": leads_move,
                 "won": leads_won, "lost": leads_lost, "tag": _team_action("leads_tag"),
                 "reassign": _team_action("leads_reassign"), "share": _team_action("leads_share"),
                 "clean-up": _team_action("leads_clean_up"), "edit": _team_action("leads_edit")}


def cmd_leads(args) -> int:
    ctx = session(args)
    return LEADS_ACTIONS[args.sub](ctx, args)


def cmd_log(args) -> int:
    """``log CODE``: a follow-up on a lead with every field of the form (``--words``, ``--reading``,
    ``--objection``, ``--handling``, ``--next-action``, ``--at``), and the next one if ``--next`` is given."""
    from ..services import activity

    ctx = session(args)
    data = activity.FollowUpInput(method=args.method, summary=args.summary, reached=args.reached == "yes",
                                  at=parse_dt(ctx, args.at), sentiment=args.sentiment,
                                  customer_words=args.words or None, reading=args.reading or None,
                                  objection=args.objection or None, handling=args.handling or None,
                                  next_action=args.next_action or None, next_at=parse_dt(ctx, args.next))
    ctx.call(activity.log_followup, ctx, args.code, data)  # once: run again only if the connection broke before it saved
    print(_("logged"))
    return 0
