"""``import``, ``export`` and ``agenda``: leads in and out of files, with a progress bar on a terminal."""
from __future__ import annotations

import os
import sys
import time

from ..i18n import _
from . import import_report
from .common import UserError, session


def _progress_bar(total_label: str):
    """A rich progress bar with rows/s on a terminal (shown after a second); nothing when piped."""
    if not sys.stderr.isatty():
        return None, None
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    progress = Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.percentage:>3.0f}%"),
                        TextColumn("{task.fields[rows]} " + _("rows") + " · {task.fields[rate]}/s"),
                        TimeRemainingColumn(), console=Console(stderr=True), transient=True)
    state = {"task": None, "start": time.monotonic()}

    def update(rows: int, position: int, size: int) -> None:
        elapsed = time.monotonic() - state["start"]
        if state["task"] is None:
            if elapsed < 1.0:
                return
            progress.start()
            state["task"] = progress.add_task(total_label, total=max(size, 1), rows=0, rate=0)
        progress.update(state["task"], completed=position, rows=f"{rows:,}", rate=f"{rows / max(elapsed, 1e-6):,.0f}")

    return progress, update


def cmd_import(args) -> int:
    from ..services import importing

    ctx = session(args)
    if args.undo:
        removed: dict = {}
        n = importing.undo(ctx, args.undo, removed)
        print(_("import batch {batch} undone: {n} leads removed", batch=args.undo, n=n))
        for what, title in (("owners", _("owners removed")), ("stages", _("stages removed")),
                            ("sources", _("sources removed"))):
            if removed.get(what):
                print(f"{title}: {', '.join(removed[what])}")
        if removed.get("kept"):  # on a user's own role: an admin's to remove
            print(_("left for an admin to remove (no longer used): {names}", names=", ".join(removed["kept"])))
        return 0
    if not args.file:
        raise UserError(_("import needs a FILE (or --undo BATCH)"))
    opts = importing.ImportOptions(fmt=args.format, sheet=args.sheet, maps=args.map, stage_maps=args.stage_map,
                                  create_owners=args.create_owners, keep_unmapped=args.keep_unmapped,
                                  dry_run=args.dry_run, on_duplicate=args.on_duplicate, header_row=args.header_row,
                                  decimal_comma=args.decimal_comma, region=args.region,
                                  create_stages=args.create_stages, encoding=args.encoding)
    if args.errors:  # refuse an unwritable errors file before importing anything, not after
        folder = os.path.dirname(os.path.abspath(args.errors))
        if not os.path.isdir(folder) or not os.access(folder, os.W_OK) or (
                os.path.exists(args.errors) and not os.access(args.errors, os.W_OK)):
            raise UserError(_("cannot write {file}: {error}", file=args.errors,
                              error=_("no such folder") if not os.path.isdir(folder) else _("permission denied")))
    source = sys.stdin.buffer if args.file == "-" else args.file
    bar, update = _progress_bar(_("importing"))
    try:
        res = importing.run_import(ctx, source, opts, progress=update)
    except importing.UnreadableFile as exc:
        raise UserError(str(exc)) from None
    finally:
        if bar is not None:
            bar.stop()
    if res.dry_run:
        import_report.print_mapping(res)
        import_report.print_values(res)
    sys.stdout.flush()  # the mapping before the problems, also when both go to one terminal or file
    import_report.print_problems(res, args.errors)
    if args.errors:
        importing.write_refusals(res.accounted(), args.errors)  # writable: checked before the import ran
    head = _("dry run, nothing written") if res.dry_run else _("imported as batch {batch}", batch=res.batch_id)
    print(_("{head}: {new} new, {updated} updated, {duplicate} duplicate, {refused} refused, "
            "{incomplete} incomplete", head=head, new=res.new, updated=res.updated, duplicate=res.duplicate,
            refused=res.refused, incomplete=res.incomplete))
    if res.owners_created:
        print(_("owners {verb}: {names}", verb=_("to create") if res.dry_run else _("created"),
                names=", ".join(n if res.owner_logins.get(n, n) == n else f"{n} ({res.owner_logins[n]})"
                                for n in res.owners_created)))
    if res.sources_created:
        print(_("new sources: {names}", names=", ".join(res.sources_created)))
    if res.stages_created:
        print(_("stages {verb}: {names}", verb=_("to create") if res.dry_run else _("created"),
                names=", ".join(res.stages_created)))
    if res.flagged:
        print(_("{n} leads flagged: same contact as another lead of their own code", n=res.flagged))
    if res.refused:
        errors = _(" and {file}", file=args.errors) if args.errors else ""
        print(_("{n} rows refused (see above{errors})", n=res.refused, errors=errors), file=sys.stderr)
    return 0


def cmd_export(args) -> int:
    from ..services import exporting

    ctx = session(args)
    to_stdout = args.file == "-"
    bar, update = _progress_bar(_("exporting"))
    try:
        counts = exporting.export(ctx, sys.stdout.buffer if to_stdout else args.file, fmt=args.format,
                                  reveal=args.reveal, activity=args.with_activity,
                                  progress=(lambda done, total: update(done, done, total)) if update else None)
    except OSError as exc:
        raise UserError(_("cannot write {file}: {error}", file=args.file, error=exc.strerror or exc)) from None
    finally:
        if bar is not None:
            bar.stop()
    say = sys.stderr if to_stdout else sys.stdout  # standard output carries the data
    print(_("{n} leads exported to {file}", n=counts["leads"], file=_("standard output") if to_stdout else args.file),
          file=say)
    if args.with_activity:
        print(_("with {f} follow-ups and {t} tasks", f=counts["follow_ups"], t=counts["tasks"]), file=say)
    return 0


def cmd_agenda(args) -> int:
    from ..services.activity import agenda

    from ..files import open_private

    ctx = session(args)
    text = agenda.ics(ctx)
    if args.output and args.output != "-":
        with open_private(ctx.host_file(args.output), "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
        print(_("agenda written to {file}", file=args.output))
    else:
        sys.stdout.write(text)
    return 0
