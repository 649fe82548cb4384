"""The lead table's columns: which are shown at a width (by rank, the less important leaving first), how wide,
and the exact ones (a code, a phone, money) that are never cut."""
from __future__ import annotations

from dataclasses import dataclass

from ..domain.parse import format_amount_short
from ..i18n import _


@dataclass
class Column:
    key: str
    title: str
    min: int
    rank: int  # lower is kept first when narrow
    flex: int = 0
    align: str = "left"
    sort: str | None = None
    exact: bool = False  # an identifier or money: as wide as its widest value so far, never cut (or left out)


def columns() -> list[Column]:
    return [
        Column("due", _("next follow-up"), 16, 0, 0, sort="next"),
        Column("company", _("company"), 12, 1, 3, sort="company"),
        # shown once a row with tags was read (a team that tags nothing keeps the width for the rest)
        Column("tags", _("tags"), 10, 5, 1),
        Column("contact", _("contact"), 8, 2, 1),
        Column("status", _("status"), 10, 3, 0),
        Column("code", _("code"), 17, 6, 0, sort="code", exact=True),
        Column("phone", _("phone"), 11, 4, 0, exact=True),
        Column("stage", _("stage"), 10, 5, 1, sort="stage"),
        Column("priority", _("priority"), 8, 7, 0),
        Column("owner", _("owner"), 8, 8, 0, sort="owner"),
        Column("amount", _("amount"), 7, 9, 0, "right", sort="amount", exact=True),
    ]


def exact_cells(view, style: str) -> dict[str, str]:
    """The cells of the exact columns (never cut): the code, the phone (else e-mail, else other), the amount."""
    return {"code": view.code, "phone": view.phone or view.email or view.other_contact or "",
            "amount": format_amount_short(view.amount_cents, style) if view.amount_cents is not None else ""}


def fit_columns(width: int, cols: list[Column] | None = None, needs: dict[str, int] | None = None
                ) -> list[tuple[Column, int]]:
    """Columns that fit ``width`` cells (one space between), by rank (a column that does not fit is left out,
    the less important first), widest-first for flex ones. ``needs``: the widest value seen of each exact
    column (a code, a phone, an amount), which it is never narrower than; the tags column only with ``needs["tags"]``
    (a row with tags was seen)."""
    cols = [Column(**{**c.__dict__, "min": max(c.min, (needs or {}).get(c.key, 0))}) if c.exact else c
            for c in (cols or columns())]
    chosen: list[Column] = []
    used = 0
    for c in sorted(cols, key=lambda c: c.rank):
        if c.key == "tags" and not (needs or {}).get("tags"):
            continue
        need = c.min + (1 if chosen else 0)
        if used + need <= width:
            chosen.append(c)
            used += need
    chosen.sort(key=lambda c: cols.index(c))
    spare = max(0, width - used)
    flex_total = sum(c.flex for c in chosen) or 1
    widths = {c.key: c.min for c in chosen}
    given = 0
    for c in chosen:
        extra = spare * c.flex // flex_total
        widths[c.key] += extra
        given += extra
    for c in chosen:  # rounding leftovers to the first flexible column
        if c.flex and given < spare:
            widths[c.key] += spare - given
            break
    return [(c, widths[c.key]) for c in chosen]
