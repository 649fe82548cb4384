"""``users add|list|set|key`` and ``stages list|set``: the administration of people and the funnel."""
from __future__ import annotations

from ..i18n import _
from .common import act_if_users, print_json, print_table, session


def users_add(args) -> int:
    """The first user of an empty database may be added by anyone; later ones by an admin."""
    from ..services import admin

    ctx = session(args, need_user=False, create=True)
    act_if_users(ctx, args)
    u = admin.add_user(ctx, args.login_new, args.name, args.role, args.team)
    print(_("added {login} ({role})", login=u.login, role=u.role))
    return 0


def users_list(args) -> int:
    from ..services import admin

    ctx = session(args)
    users = admin.list_users(ctx)
    if args.format == "json":
        print_json([{"login": u.login, "name": u.name, "role": u.role, "team": u.team, "active": u.active,
                     "lang": u.lang, "tz": u.tz, "money": u.money} for u in users])
    else:
        from ..domain.vocab import ROLES
        from ..i18n import label

        print_table([_("login"), _("name"), _("role"), _("team"), _("active"), _("language"), _("time zone")],
                    [[u.login, u.name, label(ROLES, u.role), u.team or "–", _("yes") if u.active else _("no"),
                      u.lang or "–", u.tz or "–"] for u in users], kinds=["id"] + ["text"] * 5 + ["id"])
    return 0


def users_set(args) -> int:
    """Prints the user as ``users list`` shows it."""
    from ..services import admin

    ctx = session(args)
    u = admin.set_user(ctx, args.login_new, name=args.name, role=args.role, team=args.team, lang=args.user_lang,
                       tz=args.tz, money=args.user_money)
    print(_("{login}: {name}, {role}, team {team}, language {lang}, time zone {tz}, money {money}", login=u.login,
            name=u.name, role=u.role, team=u.team or "–", lang=u.lang or "–", tz=u.tz or "–", money=u.money or "–"))
    return 0


def users_key(args) -> int:
    """Adds the key to ``--authorized-keys`` and prints the line written there."""
    from ..services.admin import keys as access_keys

    ctx = session(args)
    line = access_keys.add_key(ctx, args.login_new, args.pubkey_file, args.authorized_keys, args.url)
    print(line)
    return 0


def users_deactivate(args) -> int:
    from .team import users_deactivate as deactivate

    return deactivate(args)


USERS_ACTIONS = {"add": users_add, "list": users_list, "set": users_set, "key": users_key,
                 "deactivate": users_deactivate}


def cmd_users(args) -> int:
    return USERS_ACTIONS[args.sub](args)


def cmd_stages(args) -> int:
    """``stages set`` replaces the open stages, then both actions print the stages."""
    from ..domain.text import printable
    from ..i18n import get_lang
    from ..services import admin

    ctx = session(args)
    if args.sub == "set":
        admin.set_stages(ctx, args.specs)
    stages = [{"name": s.key, "label": s.label(get_lang()), "probability": s.probability} for s in ctx.stages]
    if getattr(args, "format", "text") == "json":
        print_json(stages)
    else:
        for s in stages:
            print(printable(f"{s['name']}\t{s['label']}\t{s['probability']}%"))
    return 0
