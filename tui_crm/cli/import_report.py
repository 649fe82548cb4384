"""What ``import`` prints: the dry run's mapping (each column and the field it goes to, with two sample
values), each distinct stage, status, source and owner value and what it becomes, and the problems
grouped by distinct problem (how many rows, the first lines) instead of one line per row."""
from __future__ import annotations

import sys

from ..domain.text import cell_width, fit
from ..i18n import _

VENDORS = {"salesforce": "Salesforce", "hubspot": "HubSpot", "suitecrm": "SuiteCRM", "zoho": "Zoho CRM",
           "pipedrive": "Pipedrive", "odoo": "Odoo"}
SHOWN_GROUPS = 20


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - cell_width(text))


def print_mapping(res, out=sys.stdout) -> None:
    head = _("columns")
    if res.vendor:
        head = _("columns (the headers of a {vendor} export)", vendor=VENDORS.get(res.vendor, res.vendor))
    print(head + ":", file=out)
    names = [h or f"#{i + 1}" for i, (h, _f) in enumerate(res.mapping)]
    width = min(32, max((cell_width(x) for x in names), default=0))
    targets = [f if f and f != "ignore" else _("ignored") for _h, f in res.mapping]
    twidth = max((cell_width(x) for x in targets), default=0)
    for i, (name, target) in enumerate(zip(names, targets)):
        sample = ", ".join(fit(v, 24).rstrip() for v in (res.samples[i] if i < len(res.samples) else []))
        print(f"  {_pad(fit(name, width).rstrip(), width)} → {_pad(target, twidth)}  {sample}".rstrip(), file=out)


def _becomes(seen, dry_run: bool) -> str:
    if seen.outcome == "unknown":
        return seen.result
    if seen.outcome == "new":
        what = {"stage": _("a new stage"), "source": _("a new source"), "owner": _("a new owner")}[seen.kind]
        verb = _("to create") if dry_run else _("created")
        return f"{seen.result} ({what}, {verb})"
    if seen.outcome == "status" and seen.kind == "stage":
        return _("outcome {key}", key=seen.result)
    if seen.outcome == "stage" and seen.kind == "status":
        return _("stage {key}", key=seen.result)
    return seen.result


def print_values(res, out=sys.stdout) -> None:
    if not res.values:
        return
    print(_("values:"), file=out)
    kinds = {"stage": _("stage"), "status": _("status"), "source": _("source"), "owner": _("owner")}
    left = [f"{kinds[s.kind]} {s.value!r}" for s in res.values]
    width = min(40, max(cell_width(x) for x in left))
    for text, seen in zip(left, res.values):
        rows = _("{n} rows", n=seen.count) if seen.count != 1 else _("1 row")
        if seen.outcome == "unknown":
            rows += " (" + _("lines {lines}", lines=", ".join(map(str, seen.lines))) + ")"
        print(f"  {_pad(fit(text, width).rstrip(), width)} → {_becomes(seen, res.dry_run)}  · {rows}", file=out)


def print_problems(res, errors_file: str | None, err=sys.stderr) -> None:
    """The refused rows and the rest worth a look, one line per distinct problem."""
    from ..services import importing

    groups = importing.grouped(res.accounted())
    titles = {"refused": _("refused"), "duplicate": _("duplicate"), "updated": _("updated"),
              "flagged": _("flagged"), "warning": _("warning")}
    for g in groups[:SHOWN_GROUPS]:
        rows = _("{n} rows", n=g.count) if g.count != 1 else _("1 row")
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
