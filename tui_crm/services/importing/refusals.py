"""Refused rows: what the import says about a row it did not take, the errors file, and
which refusals an import option would fix."""
from __future__ import annotations

import csv
from dataclasses import dataclass


@dataclass
class Refusal:
    line: int
    column: str
    value: str
    reason: str
    kind: str = ""  # "owner" or "stage" when an import option fixes it (create owners, a stage map)



def write_refusals(refusals: list[Refusal], path: str) -> None:
    """The refused rows as CSV ``line,column,value,reason``, in file order."""
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["line", "column", "value", "reason"])
        for r in sorted(refusals, key=lambda r: r.line):
            w.writerow([r.line, r.column, r.value, r.reason])


def refusal_kinds(refusals: list[Refusal]) -> set[str]:
    """Which fixable kinds of refusal occur: ``owner`` (unknown owner), ``stage`` (unknown stage value)."""
    return {r.kind for r in refusals if r.kind}
