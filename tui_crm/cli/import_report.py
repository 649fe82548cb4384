"""What ``import`` prints: the dry run's mapping (each column and the field it goes to, with two sample
values), each distinct stage, status, source and owner value and what it becomes, and the problems
grouped by distinct problem (how many rows, the first lines) instead of one line per row."""
from __future__ import annotations

import sys

from ..i18n import _

SHOWN_GROUPS = 20


def print_mapping(res, out=sys.stdout) -> None:
    from ..services.importing import explain

    print(explain.mapping_head(res.vendor), file=out)
    for line in explain.mapping_lines(res.mapping, res.samples) + explain.dates_line(res.date_order):
        print(line, file=out)
    for line in explain.file_line(res.encoding, res.delimiter):  # after the mapping: its first line stays
        print(line + "  " + _("(another: --encoding NAME)"), file=out)


def print_values(res, out=sys.stdout) -> None:
    from ..services.importing import explain

    for line in explain.value_lines(res.values, res.dry_run):
        print(line, file=out)


def print_problems(res, errors_file: str | None, err=sys.stderr) -> None:
    """The refused rows and the rest worth a look, one line per distinct problem."""
    from ..services import importing
    from ..services.importing import explain

    groups = importing.grouped(res.accounted())
    titles = {"refused": _("refused"), "duplicate": _("duplicate"), "updated": _("updated"),
              "flagged": _("flagged"), "warning": _("warning")}
    for g in groups[:SHOWN_GROUPS]:
        rows = explain.rows_text(g.count)
        lines = ", ".join(map(str, g.lines)) + (" …" if g.count > len(g.lines) else "")
        value = f" {g.value!r}" if g.value is not None else (f" {g.example!r}" if g.count == 1 else "")
        print(_("{what}: {column}{value}: {reason} — {rows}, line {lines}", what=titles[g.outcome],
                column=g.column or "-", value=value, reason=g.reason, rows=rows, lines=lines), file=err)
    if len(groups) > SHOWN_GROUPS:
        print(_("… and {n} more kinds of problem{errors}", n=len(groups) - SHOWN_GROUPS,
                errors=_(" (all in {file})", file=errors_file) if errors_file else ""), file=err)
    kinds = importing.refusal_kinds(res.refusals)
    if "owner" in kinds:
        print(_("hint: --create-owners adds the missing owners as reps"), file=err)
    if "stage" in kinds:
        print(_("hint: --stage-map VALUE=STAGE maps a stage value of the file to a stage"), file=err)
