"""What the import says about rows that did not simply become new leads: refused rows (every problem
of the row, one entry each), duplicates, updates, rows flagged "same contact as CODE", and warnings
about rows that went in (a phone that does not look like the region's). The errors file lists them
all with their lines; the summary groups them by distinct problem."""
from __future__ import annotations

import csv
from dataclasses import dataclass

from ...domain.text import sheet_cell
from ...files import open_private

# kinds whose value is part of the problem (an unknown stage 'Pending' is not an unknown stage 'Lost?')
VALUE_KINDS = {"owner", "stage", "status", "priority", "method", "currency", "record_id"}


@dataclass
class Refusal:
    line: int
    column: str
    value: str
    reason: str
    kind: str = ""  # "owner", "stage", … when an import option fixes it (create owners, a stage map)
    outcome: str = "refused"  # refused | duplicate | updated | flagged | warning


def write_refusals(refusals: list[Refusal], path: str) -> None:
    """The entries as CSV ``line,column,value,reason``, in file order (a row's problems in column order)."""
    with open_private(path, "w", newline="", encoding="utf-8") as fh:  # mode 0600: rows hold contacts
        w = csv.writer(fh)
        w.writerow(["line", "column", "value", "reason"])
        for r in sorted(refusals, key=lambda r: r.line):
            w.writerow([sheet_cell(x) for x in (r.line, r.column, r.value, r.reason)])  # no formula runs


def refusal_kinds(refusals: list[Refusal]) -> set[str]:
    """Which fixable kinds of refusal occur: ``owner`` (unknown owner), ``stage`` (unknown stage value)."""
    return {r.kind for r in refusals if r.kind and r.outcome == "refused"}


@dataclass
class Group:
    """Entries with one distinct problem: the same outcome, column and reason (and value, for unknown
    stages, owners and the like), how many, and the first lines."""
    outcome: str
    column: str
    reason: str
    value: str | None
    count: int
    lines: list[int]
    example: str


def grouped(entries: list[Refusal], first: int = 5) -> list[Group]:
    """The entries by distinct problem, in the order each problem first occurs in the file."""
    groups: dict[tuple, Group] = {}
    for r in sorted(entries, key=lambda r: r.line):
        value = r.value if r.kind in VALUE_KINDS else None
        key = (r.outcome, r.column, r.reason, value)
        g = groups.get(key)
        if g is None:
            g = groups[key] = Group(r.outcome, r.column, r.reason, value, 0, [], r.value)
        g.count += 1
        if len(g.lines) < first and (not g.lines or g.lines[-1] != r.line):
            g.lines.append(r.line)
    return list(groups.values())
