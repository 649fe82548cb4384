"""``teams``, ``rules``, ``tags``, ``handover``, ``users deactivate`` and ``leads tag|reassign|share|clean-up``:
running a sales floor from the command line (PRODUCT §8). Every access is checked by the services."""
from __future__ import annotations

from ..i18n import _, label
from .common import UserError, print_json, print_table, session


def _pairs(specs: list[str], what: str) -> dict[str, str]:
    out = {}
    for spec in specs:
        key, sep, value = spec.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise UserError(_("not {what}: {value}", what=what, value=spec))
        out[key.strip()] = value.strip()
    return out


# ------------------------------------------------------------------ teams
def _team_line(t) -> str:
    s = t.settings
    parts = [t.name, _("supervisor {login}", login=t.supervisor or "–"), _("{n} members", n=t.members)]
    if s.get("sla_hours"):
        parts.append(_("first contact {hours}", hours=", ".join(f"{label_prio(k)} {v}h" for k, v in
                                                                 s["sla_hours"].items())))
    if "escalate_after_days" in s:
        parts.append(_("escalation after {n} days", n=s["escalate_after_days"]))
    if "stall_after_days" in s:
        parts.append(_("stalled after {n} days", n=s["stall_after_days"]))
    if s.get("cadence_days"):
        parts.append(_("cadence {days}", days=", ".join(f"{k} {v}d" for k, v in s["cadence_days"].items())))
    return " · ".join(parts)


def label_prio(key: str) -> str:
    from ..domain.vocab import PRIORITIES

    return label(PRIORITIES, key)


def cmd_teams(args) -> int:
    from ..services.admin import teams

    ctx = session(args)
    if args.sub == "add":
        t = teams.add_team(ctx, args.name, args.supervisor)
        print(_team_line(t))
        return 0
    if args.sub == "set":
        from ..services.leads.lookups import resolve_stage

        cadence = {}
        for stage, days in _pairs(args.cadence, _("STAGE=DAYS")).items():
            cadence["won" if stage.lower() in ("won", "成交") else resolve_stage(ctx, stage)] = days
        sla = {p: getattr(args, f"sla_{p}") for p in ("high", "medium", "low") if getattr(args, f"sla_{p}") is not None}
        clear = list(teams.TEAM_FIELDS) if args.reset else None
        t = teams.set_team(ctx, args.name, supervisor=args.supervisor, sla_hours=sla or None,
                           escalate_after_days=args.escalate_days, stall_after_days=args.stall_days,
                           cadence_days=cadence or None, clear=clear)
        print(_team_line(t))
        return 0
    views = teams.list_teams(ctx)
    if args.format == "json":
        print_json([t.to_json() for t in views])
    else:
        for t in views:
            print(_team_line(t))
    return 0


# ------------------------------------------------------------------ handover
def _handover_line(result) -> str:
    to = ", ".join(f"{login} {n}" for login, n in result.to.items()) or "–"
    return _("handed over {n} leads and {t} tasks: {to}", n=result.leads, t=result.tasks, to=to)


def cmd_handover(args) -> int:
    from ..services import leads

    ctx = session(args)
    result = ctx.call(leads.hand_over, ctx, args.from_login, args.to, spread=args.spread)
    print(_handover_line(result))
    return 0


def users_deactivate(args) -> int:
    from ..services import leads

    ctx = session(args)
    result = ctx.call(leads.deactivate, ctx, args.login_new, args.to, spread=args.spread)
    print(_handover_line(result))
    print(_("{login} is deactivated", login=args.login_new))
    return 0


# ------------------------------------------------------------------ rules
def _rule_rows(views) -> None:
    print_table([_("no."), _("matches"), _("to"), _("daily cap")],
                [[r.id, r.condition_text(), r.target_text(), r.cap or "–"] for r in views],
                kinds=["id", "text", "text", "id"])


def _dry_rows(ctx, out, fmt: str) -> None:
    if fmt == "json":
        print_json([{"code": code, "owner": now, "would_go_to": then, "rule": c.rule_id if c else None}
                    for code, now, then, c in out])
        return
    print_table([_("code"), _("owner"), _("by the rules"), _("rule")],
                [[code, now, then or _("the creator"), c.rule_id if c else "–"] for code, now, then, c in out],
                kinds=["id", "id", "id", "id"])


def cmd_rules(args) -> int:
    from ..services.admin import rules
    from ..services.leads import assign

    ctx = session(args)
    if args.sub == "add":
        kw = dict(region=args.region, industry=args.industry, source=args.source, keywords=args.keyword,
                  to_user=args.to, to_team=args.team, mode=args.mode, cap=args.cap, position=args.position)
        if args.dry_run:
            with ctx.db.atomic() as txn:
                rules.add_rule(ctx, **kw)
                out = assign.dry_run(ctx)
                txn.rollback()
            _dry_rows(ctx, out, "text")
            return 0
        r = rules.add_rule(ctx, **kw)
        print(_("rule {id}: {matches} → {to}", id=r.id, matches=r.condition_text(), to=r.target_text()))
        return 0
    if args.sub == "remove":
        rules.remove_rule(ctx, args.id)
        print(_("rule {id} removed", id=args.id))
        return 0
    if args.sub == "move":
        _rule_rows(rules.move_rule(ctx, args.id, args.position))
        return 0
    if args.sub == "test":
        _dry_rows(ctx, assign.dry_run(ctx, args.limit), args.format)
        return 0
    views = rules.list_rules(ctx)
    if args.format == "json":
        print_json([r.to_json() for r in views])
    else:
        _rule_rows(views)
    return 0


# ------------------------------------------------------------------ tags
def cmd_tags(args) -> int:
    from ..services.admin import rules
    from ..services.leads import tags

    ctx = session(args)
    if args.sub == "list":
        found = tags.all_tags(ctx)
        if args.format == "json":
            print_json([{"tag": t, "leads": n} for t, n in found])
        else:
            print_table([_("tag"), _("leads")], [[t, n] for t, n in found], kinds=["text", "id"])
        return 0
    if args.auto == "add":
        r = rules.add_auto_tag(ctx, args.tag, sources=args.source, keywords=args.keyword)
        print(_("auto-tag rule {id}: {tag}", id=r.id, tag=r.tag))
    elif args.auto == "remove":
        rules.remove_auto_tag(ctx, args.id)
        print(_("auto-tag rule {id} removed", id=args.id))
    else:
        views = rules.list_auto_tags(ctx)
        if args.format == "json":
            print_json([r.to_json() for r in views])
        else:
            print_table([_("no."), _("tag"), _("sources"), _("keywords")],
                        [[r.id, r.tag, r.sources_text(), ", ".join(r.keywords) or "*"] for r in views],
                        kinds=["id", "text", "text", "text"])
    return 0


# ------------------------------------------------------------------ leads
def leads_tag(ctx, args) -> int:
    from ..services.leads import tags

    kw = {"remove": args.tags} if args.remove else {"add": args.tags}
    ctx.call(tags.tag_leads, ctx, [args.code], **kw)
    print(f"{args.code}: {', '.join(tags.lead_tags(ctx, args.code)) or '–'}")
    return 0


def leads_reassign(ctx, args) -> int:
    from ..services import leads

    for code in dict.fromkeys(args.codes):  # each its own step: one refused names its lead, the rest stand
        v = ctx.call(leads.reassign, ctx, code, args.to)
        print(_("{code} is now {login}'s", code=v.code, login=v.owner_login))
    return 0


def leads_share(ctx, args) -> int:
    from ..services import leads

    ctx.call(leads.share, ctx, args.code, args.with_login, remove=args.remove)
    who = ", ".join(login for login, _n in leads.collaborators(ctx, args.code)) or "–"
    print(_("{code} is shared with: {who}", code=args.code, who=who))
    return 0


def leads_clean_up(ctx, args) -> int:
    from ..services import leads
    from ..services.leads import cleanup

    if args.dry_run:
        views = leads.list_leads(ctx, filter="invalid")
        if args.format == "json":
            print_json([{"code": v.code, "company": v.company, "owner": v.owner_login,
                         "why": cleanup.why_invalid(ctx, v)} for v in views])
        else:
            print_table([_("code"), _("company"), _("owner"), _("why")],
                        [[v.code, v.company, v.owner_login, "; ".join(cleanup.why_invalid(ctx, v))] for v in views],
                        kinds=["id", "text", "id", "text"])
        return 0
    done = ctx.call(cleanup.clean_up, ctx)
    if args.format == "json":
        print_json(done)
    else:
        print(_("{n} invalid leads marked lost", n=len(done)))
    return 0


def leads_edit(ctx, args) -> int:
    """``leads edit CODE --field value ...``: the fields given, as the edit form saves them; prints the lead."""
    from ..services import leads
    from ..services.records import lead_json
    from .common import parse_amount, parse_dt
    from .parser_team import EDIT_OPTIONS

    values = {}
    for option, _m, _h in EDIT_OPTIONS:
        name = option[2:].replace("-", "_")
        value = getattr(args, name)
        if value is None:
            continue
        field = {"contact": "contact_name", "amount": "amount_cents"}.get(name, name)
        if field == "amount_cents":
            value = parse_amount(value)
        elif field == "first_contact_at":
            value = parse_dt(ctx, value)
        elif field in ("probability", "follow_up_days"):
            try:
                value = int(value)
            except ValueError:
                raise UserError(_("not a whole number: {value}", value=value)) from None
        values[field] = value
    if not values:
        raise UserError(_("nothing to change: give a field, e.g. --region"))
    v = ctx.call(leads.update_lead, ctx, args.code, values)
    if getattr(args, "format", "text") == "json":
        print_json(lead_json(ctx, v))
    else:
        print(_("{code} saved", code=v.code))
    return 0
