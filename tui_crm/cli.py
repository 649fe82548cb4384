"""The command line (PRODUCT.md §4). Never imports Textual unless it opens the TUI.

Exit codes: 0 success; 1 a user error (one line on stderr, no traceback);
2 a usage error (argparse).
"""
from __future__ import annotations

import csv
import json
import sys
from typing import Sequence

from . import config
from .cli_parser import build_parser
from .i18n import _, set_lang

class UserError(Exception):
    pass


# ---------------------------------------------------------------- helpers
def _session(args, *, need_user: bool = True, **kw):
    from .services.context import open_session

    ctx = open_session(args.url, None, **kw)
    if need_user:
        ctx.act_as(args.login)
    return ctx


def _dt(ctx, text: str | None):
    if not text:
        return None
    from .domain.errors import InvalidValue
    from .domain.parse import parse_datetime

    try:
        return parse_datetime(text, ctx.tz, now=ctx.now())
    except InvalidValue as exc:
        raise UserError(_("not a date: {value}", value=text)) from exc


def _amount(text: str | None):
    if text in (None, ""):
        return None
    from .domain.errors import InvalidValue
    from .domain.parse import parse_amount

    try:
        return parse_amount(text)
    except InvalidValue as exc:
        raise UserError(_("not an amount: {value}", value=text)) from exc


def _print_json(data) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2, default=str))


# ---------------------------------------------------------------- commands
def cmd_demo(args) -> int:
    from .services import demo

    ctx = _session(args, need_user=False)
    from rich.progress import Progress

    if sys.stderr.isatty() and args.leads >= 20000:
        with Progress(transient=True) as bar:
            task = bar.add_task(_("demo data"), total=args.leads)
            info = demo.generate(ctx, args.leads, args.reps, args.seed, args.force, args.login,
                                 progress=lambda done, total: bar.update(task, completed=done))
    else:
        info = demo.generate(ctx, args.leads, args.reps, args.seed, args.force, args.login)
    print(_("demo data: {leads} leads, {reps} reps in {teams} teams; you are {admin} (admin)", **info))
    return 0


def cmd_users(args) -> int:
    from .services import admin

    if args.sub == "add":
        ctx = _session(args, need_user=False)
        if not admin.first_user(ctx):
            ctx.act_as(args.login)
        u = admin.add_user(ctx, args.login_new, args.name, args.role, args.team)
        print(_("added {login} ({role})", login=u.login, role=u.role))
        return 0
    ctx = _session(args)
    if args.sub == "list":
        users = admin.list_users(ctx)
        if args.format == "json":
            _print_json([{"login": u.login, "name": u.name, "role": u.role, "team": u.team, "active": u.active}
                         for u in users])
        else:
            from rich.console import Console
            from rich.table import Table

            t = Table(_("login"), _("name"), _("role"), _("team"), _("active"), box=None)
            for u in users:
                t.add_row(u.login, u.name, u.role, u.team or "–", _("yes") if u.active else _("no"))
            Console().print(t)
        return 0
    if args.sub == "key":
        from .services import access_keys

        line = access_keys.add_key(ctx, args.login_new, args.pubkey_file, args.authorized_keys, args.url)
        print(line)
        return 0
    return 2


def cmd_stages(args) -> int:
    from .i18n import get_lang
    from .services import admin

    ctx = _session(args)
    if args.sub == "set":
        admin.set_stages(ctx, args.specs)
    stages = [{"name": s.key, "label": s.label(get_lang()), "probability": s.probability} for s in ctx.stages]
    if getattr(args, "format", "text") == "json":
        _print_json(stages)
    else:
        for s in stages:
            print(f"{s['name']}\t{s['label']}\t{s['probability']}%")
    return 0


def _lead_table(ctx, views) -> None:
    from rich.console import Console
    from rich.table import Table

    from .domain.parse import format_amount
    from .i18n import label
    from .domain.vocab import STATUSES

    t = Table(_("code"), _("company"), _("contact"), _("phone"), _("stage"), _("status"), _("owner"),
              _("next follow-up"), _("amount"), box=None)
    for v in views:
        nxt = v.next_follow_up_at.astimezone(ctx.tz).strftime("%Y-%m-%d %H:%M") if v.next_follow_up_at else "–"
        if v.due_state == "overdue":
            nxt = f"[red]{nxt} {_('overdue')}[/]"
        elif v.due_state == "today":
            nxt = f"[yellow]{nxt} {_('today')}[/]"
        st = ctx.stage(v.stage)
        t.add_row(v.code, v.company, v.contact_name, v.phone or v.email or "–",
                  st.label(_lang()) if st else v.stage, label(STATUSES, v.status), v.owner_login, nxt,
                  format_amount(v.amount_cents) + (" " + _("stalled") if v.stalled else ""))
    Console().print(t)


def _lang():
    from .i18n import get_lang

    return get_lang()


def cmd_leads(args) -> int:
    from .services import lead_writes, leads
    from .services.errors import ValidationError
    from .services.views import lead_json

    ctx = _session(args)
    if args.sub == "list":
        from .services.activity import sweep_escalations

        sweep_escalations(ctx)
        views = leads.list_leads(ctx, filter=args.filter, search=args.search, limit=args.limit, reveal=args.reveal)
        if args.format == "json":
            _print_json([lead_json(ctx, v) for v in views])
        elif args.format == "csv":
            rows = [lead_json(ctx, v) for v in views]
            w = csv.writer(sys.stdout)
            keys = list(rows[0]) if rows else ["code"]
            w.writerow(keys)
            for r in rows:
                w.writerow(["" if r[k] is None else (";".join(r[k]) if isinstance(r[k], list) else r[k]) for k in keys])
        else:
            _lead_table(ctx, views)
        return 0
    if args.sub == "add":
        values = {"company": args.company, "contact_name": args.contact, "phone": args.phone, "email": args.email,
                  "source": args.source, "need": args.need, "owner": args.owner, "priority": args.priority,
                  "amount_cents": _amount(args.amount)}
        if not (args.phone or args.email):
            raise UserError(_("give --phone or --email"))
        v = lead_writes.add_lead(ctx, values)
        if args.format == "json":
            _print_json(lead_json(ctx, v))
        else:
            print(v.code)
        return 0
    if args.sub == "show":
        from .services import activity

        v = lead_writes.reveal(ctx, args.code) if args.reveal else leads.get(ctx, args.code)
        items = activity.timeline(ctx, v.id)
        if args.format == "json":
            data = lead_json(ctx, v)
            data["timeline"] = [{"at": i.at.astimezone(ctx.tz).isoformat(), "kind": i.kind, "user": i.user,
                                 "text": i.text} for i in items]
            _print_json(data)
        else:
            _lead_table(ctx, [v])
            for i in items:
                print(f"{i.at.astimezone(ctx.tz):%Y-%m-%d %H:%M}  {i.kind:<9} {i.user}: {i.text}")
        return 0
    if args.sub == "move":
        try:
            v = lead_writes.move_stage(ctx, args.code, args.stage, reason=args.reason)
        except ValidationError as exc:
            if "reason" in exc.fields:  # the stay reason: say which option gives it
                raise UserError(f"{exc} (--reason)") from None
            raise
        print(_("{code} is now in {stage}", code=v.code, stage=v.stage))
        return 0
    if args.sub == "won":
        v = lead_writes.set_outcome(ctx, args.code, "won", {"won_amount_cents": _amount(args.amount),
                                                            "product": args.product, "won_at": _dt(ctx, args.at),
                                                            "reason": args.reason})
        print(_("{code} won", code=v.code))
        return 0
    if args.sub == "lost":
        v = lead_writes.set_outcome(ctx, args.code, "lost", {"lost_reason": args.reason, "lost_at": _dt(ctx, args.at),
                                                             "reason": None})
        print(_("{code} lost", code=v.code))
        return 0
    return 2


def cmd_log(args) -> int:
    from .services import activity

    ctx = _session(args)
    data = activity.FollowUpInput(method=args.method, summary=args.summary, reached=args.reached == "yes",
                                  sentiment=args.sentiment, next_at=_dt(ctx, args.next))
    activity.log_followup(ctx, args.code, data)
    print(_("logged"))
    return 0


def cmd_db(args) -> int:
    from .services import admin
    from .store import schema

    if args.sub == "upgrade":
        ctx = _session(args, need_user=False, upgrade=True)
        print(_("schema is at version {version}", version=schema.LATEST))
        return 0
    if args.sub == "check":
        ctx = _session(args, need_user=False, create=False, strict=False)
        problems = admin.check(ctx)
        for p in problems:
            print(p, file=sys.stderr)
        if not problems:
            print(_("ok"))
        return 1 if problems else 0
    ctx = _session(args, need_user=False, strict=False)
    if args.sub == "backup":
        admin.backup(ctx, args.file)
        print(_("backed up to {file}", file=args.file))
    else:
        admin.restore(ctx, args.file)
        print(_("restored from {file}", file=args.file))
    return 0


def cmd_report(args) -> int:
    from .services import report as rep
    from .services.report_output import render

    ctx = _session(args)
    period = rep.Period(_date(ctx, args.since), _date(ctx, args.until))
    data = rep.report(ctx, owner=args.owner, team=args.team, period=period)
    render(ctx, data, args.format, sys.stdout)
    return 0


def _date(ctx, text):
    value = _dt(ctx, text)
    return value.astimezone(ctx.tz).date() if value else None


def cmd_io(args) -> int:
    from . import cli_io

    return getattr(cli_io, f"cmd_{args.cmd}")(args, _session)


def cmd_tui(args) -> int:
    from .services.context import open_session

    ctx = open_session(args.url, args.login)
    from .app import CrmApp  # Textual is loaded only here; it sweeps escalations after the first paint

    CrmApp(ctx, sweep_seconds=1.0).run()
    return 0


COMMANDS = {"demo": cmd_demo, "users": cmd_users, "stages": cmd_stages, "leads": cmd_leads, "log": cmd_log,
            "db": cmd_db, "report": cmd_report, "import": cmd_io, "export": cmd_io, "agenda": cmd_io, None: cmd_tui}


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    set_lang(args.lang or config.default_lang())
    args.url = config.db_url(args.db)
    args.login_new = getattr(args, "login", None)  # positional LOGIN of users add/key
    args.login = args.user or config.os_login()
    from .domain.errors import InvalidValue
    from .services.errors import ServiceError
    from .store.db import StoreError

    try:
        return COMMANDS[args.cmd](args)
    except (UserError, ServiceError, StoreError, InvalidValue) as exc:
        print(f"tui-crm: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(_("interrupted"), file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
