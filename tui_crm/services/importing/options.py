"""What an import is asked to do (:class:`ImportOptions`) and what it did (:class:`ImportResult`), with the
small helpers the run uses for both: owner logins for names, probability columns written in percent."""
from __future__ import annotations

from dataclasses import dataclass, field

from ...domain.logins import login_from_name
from ...domain.parse import slash_order
from .cells import DATETIME_FIELDS
from .refusals import Refusal
from .values import Seen


@dataclass
class ImportOptions:
    fmt: str | None = None
    sheet: str | None = None
    maps: list[str] = field(default_factory=list)
    stage_maps: list[str] = field(default_factory=list)
    create_owners: bool = False
    keep_unmapped: bool = False
    dry_run: bool = False
    on_duplicate: str = "skip"
    chunk: int = 2500
    header_row: int | None = None  # 1-based; None: found, skipping title rows
    decimal_comma: bool = False
    region: str | None = None  # default phone region; None: the team's setting
    create_stages: bool = False
    encoding: str | None = None  # a CSV file's encoding; None: detected


@dataclass
class ImportResult:
    batch_id: int | None
    dry_run: bool
    rows: int = 0
    new: int = 0
    updated: int = 0
    duplicate: int = 0
    refused: int = 0
    incomplete: int = 0
    blank: int = 0
    flagged: int = 0
    refusals: list[Refusal] = field(default_factory=list)  # every problem of every refused row
    notes: list[Refusal] = field(default_factory=list)  # duplicates, updates, flagged rows, warnings
    owners_created: list[str] = field(default_factory=list)  # names, as the file spells them
    owner_logins: dict[str, str] = field(default_factory=dict)  # name -> the login it gets
    sources_created: list[str] = field(default_factory=list)
    stages_created: list[str] = field(default_factory=list)
    mapping: list[tuple[str, str | None]] = field(default_factory=list)
    samples: list[list[str]] = field(default_factory=list)  # two values of each column
    values: list[Seen] = field(default_factory=list)  # each distinct stage, status, source, owner value
    vendor: str | None = None  # the CRM whose export the headers look like
    date_order: str | None = None  # "dmy" or "mdy": how the file's 5/1/2024-style dates were read
    encoding: str | None = None  # how a CSV file was read (detected or named), and its delimiter
    delimiter: str | None = None

    def accounted(self) -> list[Refusal]:
        """Everything the errors file lists: refusals, duplicates, updates, flagged rows, warnings."""
        return sorted(self.refusals + self.notes, key=lambda r: r.line)

    def summary(self) -> dict:
        return {"rows": self.rows, "new": self.new, "updated": self.updated, "duplicate": self.duplicate,
                "refused": self.refused, "incomplete": self.incomplete, "blank": self.blank, "flagged": self.flagged,
                "owners_created": self.owners_created, "sources_created": self.sources_created,
                "stages_created": self.stages_created}


def login_for(name: str, taken: set[str]) -> str:
    """A valid login for an owner's name (pinyin for Chinese, a number on a clash), added to ``taken``."""
    login = login_from_name(name, taken)
    taken.add(login)
    return login


def percent_columns(fields: list[str | None], rows: list[list]) -> set[int]:
    """Probability columns written in percent without the sign (``10``, ``75``): there ``1`` is 1 %, not 100 %."""
    out = set()
    for i, f in enumerate(fields):
        if f != "probability":
            continue
        for r in rows:
            t = str(r[i]).strip().rstrip("%") if i < len(r) and r[i] is not None else ""
            try:
                if t and float(t) > 1:
                    out.add(i)
                    break
            except ValueError:
                continue
    return out


def date_order(fields: list[str | None], rows: list[list]) -> str | None:
    """How the file's date columns write ``5/1/2024``: "dmy" when a sampled date says so (``15/12/2024``),
    "mdy" when one says that (``12/15/2024``), None when no sampled date tells (month first, then)."""
    cols = [i for i, f in enumerate(fields) if f in DATETIME_FIELDS or f == "expected_close_date"]
    return slash_order(str(r[i]) for r in rows for i in cols if i < len(r) and r[i] is not None)
