"""What an import understood, as lines of text for the command line's dry run and the import screen
alike (§9): each column → its field (or "ignored") with two sample values, then each distinct stage,
status, source and owner value → what it becomes."""
from __future__ import annotations

from ...domain.text import cell_width, fit
from ...i18n import _

VENDORS = {"salesforce": "Salesforce", "hubspot": "HubSpot", "suitecrm": "SuiteCRM", "zoho": "Zoho CRM",
           "pipedrive": "Pipedrive", "odoo": "Odoo"}


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - cell_width(text))


def mapping_head(vendor: str | None) -> str:
    if vendor:
        return _("columns (headers as {vendor} exports them)", vendor=VENDORS.get(vendor, vendor)) + ":"
    return _("columns") + ":"


def mapping_lines(mapping: list[tuple[str, str | None]], samples: list[list[str]]) -> list[str]:
    """One line per column: its name, → the field it goes to (or "ignored"), two sample values."""
    names = [h or f"#{i + 1}" for i, (h, _f) in enumerate(mapping)]
    width = min(32, max((cell_width(x) for x in names), default=0))
    targets = [f if f and f != "ignore" else _("ignored") for _h, f in mapping]
    twidth = max((cell_width(x) for x in targets), default=0)
    out = []
    for i, (name, target) in enumerate(zip(names, targets)):
        sample = sample_text(samples[i] if i < len(samples) else [])
        out.append(f"  {_pad(fit(name, width).rstrip(), width)} → {_pad(target, twidth)}  {sample}".rstrip())
    return out


def file_line(encoding: str | None, delimiter: str | None) -> list[str]:
    """How a CSV file was read: its encoding and what separates its cells (an XLSX file: nothing to say)."""
    if not encoding:
        return []
    cells = {",": _("commas"), ";": _("semicolons"), "\t": _("tabs"), "|": _("vertical bars")}.get(
        delimiter or ",", repr(delimiter))
    return [_("read as {encoding}, cells separated by {cells}", encoding=encoding.upper().replace("_", "-"),
              cells=cells)]


def dates_line(order: str | None) -> list[str]:
    """How dates like 5/1/2024 were read, when the file's dates tell (day first or month first)."""
    if order == "dmy":
        return [_("dates: day/month/year (5/1/2024 is 5 January)")]
    if order == "mdy":
        return [_("dates: month/day/year (5/1/2024 is May 1)")]
    return []


def rows_text(n: int) -> str:
    """How many rows: "1 row", "12 rows"."""
    return _("{n} rows", n=n) if n != 1 else _("1 row")


def sample_text(values: list[str]) -> str:
    return ", ".join(fit(v, 24).rstrip() for v in values)


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


def value_lines(values: list, dry_run: bool) -> list[str]:
    """Each distinct stage, status, source and owner value → what it becomes, on how many rows (and the
    first lines of a value the import cannot read)."""
    if not values:
        return []
    kinds = {"stage": _("stage"), "status": _("status"), "source": _("source"), "owner": _("owner")}
    left = [f"{kinds[s.kind]} {s.value!r}" for s in values]
    width = min(40, max(cell_width(x) for x in left))
    out = [_("values:")]
    for text, seen in zip(left, values):
        rows = rows_text(seen.count)
        if seen.outcome == "unknown":
            rows += " (" + _("lines {lines}", lines=", ".join(map(str, seen.lines))) + ")"
        out.append(f"  {_pad(fit(text, width).rstrip(), width)} → {_becomes(seen, dry_run)}  · {rows}")
    return out
