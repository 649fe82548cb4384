"""Rendering a report as text (rich tables), JSON (§4 shapes) or CSV (one table per section).

- json: one object (totals, funnel, breakdowns, lost reasons, won by month) plus ``open``/``pipeline_amount``/
  ``weighted_forecast`` in the breakdowns and ``period``/``scope``; rates unrounded,
  money in currency units exact to 0.01, null where a rate has no denominator.
- csv: one table per section, each with its own header row, sections separated by a
  blank line; the first column names the section; money printed with two decimals,
  rates unrounded, empty cells for null.
- text: readable tables; money with two decimals and thousands separators, rates as
  percentages to 0.1, "–" for null, labels in the user's language.
"""
from __future__ import annotations

import csv
import json
from typing import TextIO

from ...domain.text import printable, sheet_cell
from ...domain.vocab import SOURCES, STATUSES
from ...i18n import _, label, pgettext
from ..context import Session
from .figures import TOTAL_KEYS, to_json

SECTIONS = ("funnel", "by_owner", "by_team", "by_source", "by_industry", "lost_reasons", "won_by_month")
MONEY = {"won_amount", "pipeline_amount", "weighted_forecast", "historical_forecast", "open_amount", "amount"}
RATES = {"conversion_rate", "win_rate", "conversion_to_next", "share"}
DAYS = {"avg_cycle_days", "avg_days_in_stage"}


def money_text(value, sep: bool = True) -> str:
    if value is None:
        return "–"
    return f"{value:,.2f}" if sep else f"{value:.2f}"


def pct_text(value) -> str:
    return "–" if value is None else f"{value * 100:.1f}%"


def days_text(value) -> str:
    return "–" if value is None else f"{value:.1f}"


def cell(key: str, value) -> str:
    if key in MONEY:
        return money_text(value)
    if key in RATES:
        return pct_text(value)
    if key in DAYS:
        return days_text(value)
    return "–" if value is None else str(value)


def _csv_cell(key: str, value):
    if value is None:
        return ""
    if key in MONEY:
        return money_text(value, sep=False)
    return sheet_cell(value)  # an industry or lost reason is user text: never a formula


# column headings of the text tables (translated)
def headings() -> dict[str, str]:
    return {
        "leads": _("leads"), "open": pgettext("count", "open"), "won": pgettext("count", "won"),
        "lost": pgettext("count", "lost"), "dormant": _("dormant"),
        "conversion_rate": _("conversion"), "win_rate": _("win rate"), "won_amount": _("won amount"),
        "pipeline_amount": _("pipeline"), "weighted_forecast": _("weighted forecast"),
        "historical_forecast": _("historical forecast"), "avg_cycle_days": _("avg cycle (days)"),
        "stage": _("stage"), "reached": pgettext("funnel", "reached"), "conversion_to_next": _("to next"),
        "avg_days_in_stage": _("avg days in stage"), "open_count": pgettext("count", "open"),
        "open_amount": _("open amount"),
        "key": "", "reason": _("reason"), "count": _("count"), "share": _("share"), "month": _("month"),
        "amount": _("amount"),
    }


def section_titles() -> dict[str, str]:
    return {"funnel": _("Funnel"), "by_owner": _("By owner"), "by_team": _("By team"),
            "by_source": _("By source"), "by_industry": _("By industry"), "lost_reasons": _("Lost reasons"),
            "won_by_month": _("Won per month")}


def stage_label(ctx: Session, key: str) -> str:
    if key in ("won", "lost"):
        return label(STATUSES, key)
    return ctx.stage_label(key)


def key_label(ctx: Session, section: str, key) -> str:
    if key is None:
        return "–"
    if section == "by_source":
        labels = dict(SOURCES)
        labels.update(ctx.sources)
        return label(labels, key)
    return str(key)


def render(ctx: Session, data: dict, fmt: str, out: TextIO) -> None:
    doc = to_json(data)
    if fmt == "json":
        out.write(json.dumps(doc, ensure_ascii=False, indent=2) + "\n")
        return
    if fmt == "csv":
        _render_csv(doc, out)
        return
    _render_text(ctx, doc, out)


def _render_csv(doc: dict, out: TextIO) -> None:
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["section"] + list(TOTAL_KEYS))
    w.writerow(["totals"] + [_csv_cell(k, doc["totals"][k]) for k in TOTAL_KEYS])
    for section in SECTIONS:
        rows = doc[section]
        out.write("\n")
        keys = list(rows[0]) if rows else _EMPTY_KEYS[section]
        w.writerow(["section"] + keys)
        for r in rows:
            w.writerow([section] + [_csv_cell(k, r[k]) for k in keys])


_BREAK = ["key", "leads", "won", "lost", "conversion_rate", "win_rate", "won_amount", "avg_cycle_days", "open",
          "pipeline_amount", "weighted_forecast"]
_EMPTY_KEYS = {"funnel": ["stage", "reached", "conversion_to_next", "avg_days_in_stage", "open_count", "open_amount"],
               "by_owner": _BREAK, "by_team": _BREAK, "by_source": _BREAK, "by_industry": _BREAK,
               "lost_reasons": ["reason", "count", "share"], "won_by_month": ["month", "count", "amount"]}


TEXT_HIDDEN = {"weighted_forecast", "open"}  # in JSON and CSV; the text tables stay readable at 120 columns
KEY_HEADS = {"by_owner": lambda: _("owner"), "by_team": lambda: _("team"), "by_source": lambda: _("source"),
             "by_industry": lambda: _("industry"), "funnel": lambda: "", "lost_reasons": lambda: "",
             "won_by_month": lambda: ""}


def _render_text(ctx: Session, doc: dict, out: TextIO) -> None:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    console = Console(file=out, width=max(120, Console(file=out).width), highlight=False)
    heads = headings()
    titles = section_titles()
    t = doc["totals"]
    period = doc.get("period") or {}
    scope_line = _("{since} to {until}", since=period.get("since") or "…", until=period.get("until") or "…") \
        if period.get("since") or period.get("until") else _("all time")
    tt = Table(title=_("Totals") + f" ({scope_line})", box=None, show_header=False)
    tt.add_column(justify="left")
    tt.add_column(justify="right")
    for key in TOTAL_KEYS:
        tt.add_row(heads[key], cell(key, t[key]))
    console.print(tt)
    for section in SECTIONS:
        rows = doc[section]
        table = Table(title=titles[section], box=None, title_justify="left")
        keys = [k for k in (list(rows[0]) if rows else _EMPTY_KEYS[section]) if k not in TEXT_HIDDEN]
        for k in keys:
            left = k in ("key", "stage", "reason", "month")
            head = KEY_HEADS[section]() if k == "key" else heads.get(k, k)
            table.add_column(head, justify="left" if left else "right", no_wrap=True, min_width=len(head) + 1)
        for r in rows:
            vals = []
            for k in keys:
                if k == "stage":
                    vals.append(stage_label(ctx, r[k]))
                elif k == "key":
                    vals.append(key_label(ctx, section, r[k]))
                else:
                    vals.append(cell(k, r[k]))
            table.add_row(*(Text(printable(str(v))) for v in vals))  # an industry or reason is no markup
        if not rows:
            table.add_row(*(["–"] + [""] * (len(keys) - 1)))
        console.print()
        console.print(table)
