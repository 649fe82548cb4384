"""``db upgrade|check|backup|restore`` and ``demo``: the database itself, not its leads."""
from __future__ import annotations

import sys

from ..i18n import _
from .common import act_if_users, session


def cmd_demo(args) -> int:
    """Demo data; a progress bar on a terminal when the run is large."""
    from rich.progress import Progress

    from ..services.admin import demo

    ctx = session(args, need_user=False, create=True)
    act_if_users(ctx, args)
    if sys.stderr.isatty() and args.leads >= 20000:
        with Progress(transient=True) as bar:
            task = bar.add_task(_("demo data"), total=args.leads)
            info = demo.generate(ctx, args.leads, args.reps, args.seed, args.force, args.login,
                                 progress=lambda done, total: bar.update(task, completed=done))
    else:
        info = demo.generate(ctx, args.leads, args.reps, args.seed, args.force, args.login)
    print(_("demo data: {leads} leads, {reps} reps in {teams} teams; you are {admin} (admin)", **info))
    return 0


def db_upgrade(args) -> int:
    from ..services import admin
    from ..store import schema

    ctx = session(args, need_user=False, strict=False)
    act_if_users(ctx, args)
    admin.upgrade(ctx)
    print(_("schema is at version {version}", version=schema.LATEST))
    return 0


def db_check(args) -> int:
    """Each problem on a line of stderr and exit code 1; ``ok`` and 0 when there is none."""
    from ..services import admin

    ctx = session(args, need_user=False, create=False, strict=False)
    if getattr(args, "repair", False):
        act_if_users(ctx, args)
        admin.repair(ctx)
        print(_("the report's summary tables were rebuilt from the leads"))
    problems = admin.check(ctx)
    for p in problems:
        print(p, file=sys.stderr)
    if not problems:
        print(_("ok"))
    return 1 if problems else 0


def db_backup(args) -> int:
    from ..services import admin

    ctx = session(args, need_user=False, strict=False)
    act_if_users(ctx, args)
    admin.backup(ctx, args.file)
    print(_("backed up to {file}", file=args.file))
    return 0


def db_restore(args) -> int:
    from ..services import admin

    ctx = session(args, need_user=False, strict=False)
    act_if_users(ctx, args)
    kept = admin.restore(ctx, args.file)
    print(_("restored from {file}", file=args.file))
    print(_("the audit log kept {n} entries the backup did not hold, and records this restore", n=kept))
    return 0


def db_roles(args) -> int:
    """A line per role made or changed; a role left alone on stderr (and exit code 1)."""
    from ..services import admin

    done = admin.sync_roles(session(args), args.prefix)
    for name in done.created:
        print(_("created role {role}", role=name))
    for name in done.enabled:
        print(_("updated role {role}", role=name))
    for name in done.disabled:
        print(_("role {role} cannot log in", role=name))
    for name, why in done.skipped:
        print(_("left role {role} alone: {reason}", role=name, reason=why), file=sys.stderr)
    print(_("{n} roles: {created} created, {changed} updated, {off} cannot log in, {same} unchanged",
            n=len(done.created) + len(done.enabled) + len(done.disabled) + len(done.unchanged),
            created=len(done.created), changed=len(done.enabled), off=len(done.disabled), same=len(done.unchanged)))
    return 1 if done.skipped else 0


DB_ACTIONS = {"upgrade": db_upgrade, "check": db_check, "backup": db_backup, "restore": db_restore,
              "roles": db_roles}


def cmd_db(args) -> int:
    return DB_ACTIONS[args.sub](args)
