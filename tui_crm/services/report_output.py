"""Rendering a report as text (rich tables), JSON (§4 shapes) or CSV (one table per section)."""
from __future__ import annotations

import csv
import json
from typing import TextIO

from ..i18n import _
from .context import Session
from .report import to_json

SECTIONS = ("funnel", "by_owner", "by_team", "by_source", "by_industry", "lost_reasons", "won_by_month")


def _fmt(value) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.4g}" if abs(value) < 1 else f"{value:,.2f}"
    return str(value)


def _pct(value) -> str:
    return "–" if value is None else f"{value * 100:.1f}%"


def render(ctx: Session, data: dict, fmt: str, out: TextIO) -> None:
    doc = to_json(data)
    if fmt == "json":
        out.write(json.dumps(doc, ensure_ascii=False, indent=2) + "\n")
        return
    if fmt == "csv":
        w = csv.writer(out)
        w.writerow(["section", "key", "value"])
        for k, v in doc["totals"].items():
            w.writerow(["totals", k, "" if v is None else v])
        for section in SECTIONS:
            rows = doc[section]
            out.write("\n")
            keys = list(rows[0]) if rows else ["empty"]
            w.writerow([section] + keys)
            for r in rows:
                w.writerow([section] + ["" if r[k] is None else r[k] for k in keys])
        return
    from rich.console import Console
    from rich.table import Table

    console = Console(file=out)
    t = doc["totals"]
    tt = Table(title=_("Totals"), box=None, show_header=False)
    for key, val in t.items():
        tt.add_row(_(key.replace("_", " ")), _pct(val) if key.endswith("rate") else _fmt(val))
    console.print(tt)
    for section in SECTIONS:
        rows = doc[section]
        if not rows:
            continue
        table = Table(title=_(section.replace("_", " ")), box=None)
        keys = list(rows[0])
        for k in keys:
            table.add_column(_(k.replace("_", " ")), justify="left" if k in ("key", "stage", "reason", "month") else "right")
        for r in rows:
            table.add_row(*[_pct(r[k]) if (k.endswith("rate") or k == "share" or k == "conversion_to_next") else
                            _fmt(r[k]) for k in keys])
        console.print(table)
