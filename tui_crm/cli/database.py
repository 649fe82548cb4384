"""``db upgrade|check|backup|restore`` and ``demo``: the database itself, not its leads."""
from __future__ import annotations

import sys
import time
from contextlib import contextmanager

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
    started = time.monotonic()
    with _steps() as step:
        was = admin.upgrade(ctx, step)
    if was is None:
        print(_("schema is at version {version}", version=schema.LATEST))
    else:
        print(_("schema upgraded from version {old} to {version} in {seconds:.1f} s", old=was,
                version=schema.LATEST, seconds=time.monotonic() - started))
    return 0


@contextmanager
def _steps():
    """What the upgrade is doing, as each step begins: a line on stderr (one
    step may rewrite a million leads for minutes), after the time since the start; on a terminal a spinner too."""
    from rich.console import Console
    from rich.status import Status

    started = [time.monotonic()]
    status = Status("", console=Console(stderr=True)) if sys.stderr.isatty() else None

    def step(version: int | None) -> None:
        text = (_("upgrading the schema to version {version}", version=version) if version is not None
                else _("upgrading the schema: tidying the lead table (VACUUM)"))
        line = f"[{time.monotonic() - started[0]:6.1f} s] {text}"
        if status is not None:
            status.console.print(line)
            status.update(text + "…")
        else:
            print(line, file=sys.stderr, flush=True)
    if status is not None:
        status.start()
    try:
        yield step
    finally:
        if status is not None:
            status.stop()


def db_check(args) -> int:
    """Each problem on a line of stderr and exit code 1; ``ok`` and 0 when there is none."""
    from ..services import admin

    ctx = session(args, need_user=False, create=False, strict=False)
    if getattr(args, "repair", False):
        act_if_users(ctx, args)
        admin.repair(ctx)
        print(_("the report's summary tables, the leads' plans and the search index were rebuilt from the leads"))
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
