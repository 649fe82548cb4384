"""Kanban columns that paint their header and the cards that fit as one renderable.

A column is one widget however many leads it holds: the screen hands it the
header figures and the page of cards it can show, and it draws them. No
widget per card, so a refresh costs the same at any size.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, tzinfo

from rich.text import Text
from textual.widget import Widget

from ..domain import rules
from ..domain.parse import format_amount_short
from ..domain.text import cell_width, fit
from ..i18n import _, money_style, pgettext
from ..wording import short_when

HEADER_LINES = 5  # title, count+amount, weighted, bar, rule
CARD_LINES = 5  # company, money/owner/days, next follow-up + badges (2), separator
FOOTER_LINES = 1  # "+N more"

BAR = (("overdue", "█", "red"), ("today", "▓", "yellow"), ("planned", "▒", "green"),
       ("nothing", "░", "bright_black"))


def badges(card, now: datetime) -> list[tuple[str, str]]:
    """(word, style) for a card: state in words and colour."""
    out = []
    if card.due_state == rules.OVERDUE:
        days = card.overdue_days
        out.append((_("overdue {days}d", days=days) if days else _("overdue"), "bold white on red"))
    elif card.due_state == rules.DUE_TODAY:
        out.append((_("due today"), "bold black on yellow"))
    elif card.next_follow_up_at is None:
        out.append((_("nothing planned"), "bold magenta"))
    if card.stalled:
        out.append((_("stalled"), "bold white on dark_red"))
    if card.incomplete:
        out.append((_("incomplete"), "bold cyan"))
    if card.dup_suspected:
        out.append((_("duplicate?"), "bold blue"))
    if card.status == "paused":
        out.append((_("paused"), "dim"))
    return out


@dataclass
class ColumnData:
    key: str
    title: str
    count: int = 0
    amount_cents: int = 0
    weighted_cents: int = 0
    states: dict = field(default_factory=dict)  # overdue/today/planned/nothing -> n
    cards: list = field(default_factory=list)  # LeadView
    above: int = 0  # cards before the first shown
    has_before: bool = False
    keys: list = field(default_factory=list)  # the cards' places (keyset cursors)


class KanbanColumn(Widget, can_focus=False):
    """One funnel stage: header figures and the visible cards."""

    DEFAULT_CSS = """
    KanbanColumn { width: 1fr; height: 1fr; padding: 0 1 0 0; }
    """

    def __init__(self, data: ColumnData, *, tz: tzinfo, show_owner: bool, **kwargs):
        super().__init__(**kwargs)
        self.data = data
        self.tz = tz
        self.show_owner = show_owner
        self.focused_index: int | None = None
        self.now: datetime | None = None
        self.mark_of = None  # the board's "is this card marked?": a ✓ before its company

    def capacity(self) -> int:
        """How many cards fit at the current height."""
        h = self.size.height or 24
        return max(1, (h - HEADER_LINES - FOOTER_LINES) // CARD_LINES)

    def show(self, data: ColumnData, focused_index: int | None, now: datetime) -> None:
        self.data, self.focused_index, self.now = data, focused_index, now
        self.refresh()

    # ---------------------------------------------------------------- painting
    def render(self) -> Text:
        w = max(8, self.size.width - 1)
        d = self.data
        lang = money_style()
        out = Text(no_wrap=True, overflow="crop")
        out.append(fit(d.title, w) + "\n", style="bold reverse" if self.focused_index is not None else "bold")
        for line, style in self._figures(w, lang):  # money is never cut: whole, or on a line of its own
            out.append(fit(line, w) + "\n", style=style)
        out.append_text(self._bar(w))
        out.append("\n" + "─" * w + "\n", style="bright_black")
        for i, card in enumerate(d.cards):
            out.append_text(self._card(card, w, i == self.focused_index))
        more = d.count - d.above - len(d.cards)
        if more > 0 or d.above:
            parts = []
            if d.above:
                parts.append(_("↑{n}", n=f"{d.above:,}"))
            if more > 0:
                parts.append(_("+{n} more", n=f"{more:,}"))
            out.append(fit(" ".join(parts), w), style="bold")
        elif not d.cards:
            out.append(fit(_("(no leads)"), w), style="dim")
        return out

    def _figures(self, w: int, lang: str) -> list[tuple[str, str]]:
        """The count and amount line and the weighted line; too narrow for both on one line, the count and
        the amount take a line each and the weighted figure gives way."""
        d = self.data
        count, amount = f"{d.count:,}", format_amount_short(d.amount_cents, lang)
        weighted = _("weighted {amount}", amount=format_amount_short(d.weighted_cents, lang))
        both = _("{n} · {amount}", n=count, amount=amount)
        if cell_width(both) <= w:
            return [(both, ""), (weighted if cell_width(weighted) <= w else "", "italic")]
        return [(count, ""), (amount if cell_width(amount) <= w else "", "")]

    def _bar(self, w: int) -> Text:
        total = sum(self.data.states.get(k, 0) for k, *_r in BAR)
        t = Text()
        if not total:
            t.append(" " * w)
            return t
        used = 0
        cells = []
        for k, glyph, style in BAR:
            n = self.data.states.get(k, 0)
            width = round(n * w / total) if n else 0
            if n and not width:
                width = 1
            cells.append([width, glyph, style])
            used += width
        # fix rounding on the widest segment
        widest = max(cells, key=lambda c: c[0])
        widest[0] += w - used
        for width, glyph, style in cells:
            if width > 0:
                t.append(glyph * width, style=style)
        return t

    def _card(self, card, w: int, focused: bool) -> Text:
        lang = money_style()
        base = "reverse" if focused else ""
        t = Text()
        mark = "▶" if focused else " "
        if self.mark_of is not None and self.mark_of(card):
            mark += "✓"
        t.append(mark + fit(card.company or card.contact_name, w - cell_width(mark)) + "\n",
                 style=("bold " + base).strip())
        days = int((self.now - card.stage_entered_at).total_seconds() // 86400) if card.stage_entered_at and self.now else 0
        money = format_amount_short(card.amount_cents, lang)
        second = f" {money} · {_('{n}d', n=days)}"
        if self.show_owner:
            second += " · " + (card.owner_name or card.owner_login)
        t.append(fit(second, w) + "\n", style=base)  # the money first: only the days and the owner are cut
        nxt = (" → " + short_when(card.next_follow_up_at, self.tz)) if card.next_follow_up_at else ""
        if w < 24 and card.due_state == rules.OVERDUE:
            nxt = ""  # narrow: "overdue Nd" says it, and the room goes to the other badges (stalled...)
        # next follow-up and badges flow over two lines
        lines: list[list[tuple[str, str]]] = [[]]
        widths = [0]
        if nxt:
            lines[0].append((nxt, base))
            widths[0] = cell_width(nxt)
        tags = [("#" + tag, "italic") for tag in (getattr(card, "tags", None) or ())]  # after the states
        for word, style in badges(card, self.now) + tags:
            piece = " " + word
            pw_ = cell_width(piece)
            if widths[-1] + pw_ > w and widths[-1] > 0:
                if len(lines) == 2:
                    continue  # no room: a shorter badge after it may still fit
                lines.append([])
                widths.append(0)
            lines[-1].append((piece, style))
            widths[-1] += pw_
        while len(lines) < 2:
            lines.append([])
            widths.append(0)
        for parts, width in zip(lines, widths):
            for piece, style in parts:
                t.append(fit(piece, min(cell_width(piece), w)), style=style)
            t.append(" " * max(0, w - width) + "\n", style=base)
        t.append("┄" * w + "\n", style="bright_black")
        return t


class OutcomeColumn(Widget, can_focus=False):
    """Won and lost this month: counts and amounts."""

    DEFAULT_CSS = """
    OutcomeColumn { width: 14; height: 1fr; }
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.won = (0, 0)
        self.lost = (0, 0)

    def show(self, won: tuple[int, int], lost: tuple[int, int]) -> None:
        self.won, self.lost = won, lost
        self.refresh()

    def render(self) -> Text:
        w = max(8, self.size.width - 1)
        lang = money_style()
        t = Text(no_wrap=True, overflow="crop")
        t.append(fit(_("this month"), w) + "\n", style="bold")
        t.append("─" * w + "\n", style="bright_black")
        t.append(fit("✔ " + pgettext("status", "won"), w) + "\n", style="bold green")
        t.append(fit(_("{n} deal", n=1) if self.won[0] == 1 else _("{n} deals", n=f"{self.won[0]:,}"), w) + "\n")
        t.append(fit(format_amount_short(self.won[1], lang), w) + "\n\n")
        t.append(fit("✘ " + pgettext("status", "lost"), w) + "\n", style="bold red")
        t.append(fit(_("{n} deal", n=1) if self.lost[0] == 1 else _("{n} deals", n=f"{self.lost[0]:,}"), w) + "\n")
        t.append(fit(format_amount_short(self.lost[1], lang), w) + "\n")
        return t
