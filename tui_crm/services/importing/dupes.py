"""Duplicates in an import: which earlier row of the file, or which lead already stored, a row repeats.

The same code is the same lead. The same phone or e-mail is the same lead too (rule 9) — unless both
carry codes of their own and the codes differ: an export's records are distinct deals even when they
share a contact, so the row goes in flagged "same contact as CODE", never merged or dropped.
"""
from __future__ import annotations

from dataclasses import dataclass

from ...i18n import _
from .build import Record
from .refusals import Refusal

KEYS = ("code", "phone", "email")


def keys(lead: dict) -> list[tuple[str, str]]:
    return [(k, lead[k]) for k in KEYS if lead.get(k)]


@dataclass
class Holder:
    """What holds a key: an earlier row (its record until it is staged, then its lead id), its line, its code."""
    target: object
    line: int | None
    code: str | None


def what(key: str) -> str:
    return {"code": _("same code"), "phone": _("same phone"), "email": _("same email")}[key]


class FileDupes:
    """The rows of one file seen so far, by code, phone and e-mail."""

    def __init__(self, column_of: dict[str, str]):
        self.seen: dict[tuple[str, str], Holder] = {}
        self.column_of = column_of  # field -> the file's header, for the notes

    def match(self, rec: Record) -> tuple[Holder, str] | None:
        """The earlier row ``rec`` repeats and the key it shares, or None. A row with its own code that
        shares only a phone or e-mail with a row of another code is noted as flagged and not matched."""
        ks = keys(rec.lead)
        code = rec.lead.get("code")
        for k, val in ks:
            h = self.seen.get((k, val))
            if h is None:
                continue
            if k != "code" and code and h.code and h.code != code:
                rec.extra["dup"] = True
                rec.notes.append(Refusal(rec.line, self.column_of.get(k, k), val,
                                         _("same contact as {code} (line {n}, {what}): imported as its own lead, "
                                           "flagged", code=h.code, n=h.line, what=what(k)), "", "flagged"))
                continue
            return h, k
        return None

    def add(self, rec: Record) -> None:
        holder = Holder(rec, rec.line, rec.lead.get("code"))
        for key in keys(rec.lead):
            self.seen.setdefault(key, holder)

    def staged(self, rec: Record, lead_id: int) -> None:
        for key in keys(rec.lead):
            h = self.seen.get(key)
            if h is not None and h.target is rec:
                h.target = lead_id

    def note(self, rec: Record, h: Holder, key: str, outcome: str) -> Refusal:
        val = rec.lead[key]
        text = {"skip": _("duplicate of line {n} ({what}): skipped"),
                "update": _("duplicate of line {n} ({what}): that row takes this one's values"),
                "create": _("duplicate of line {n} ({what}): imported as its own lead, flagged")}[outcome]
        return Refusal(rec.line, self.column_of.get(key, key), val, text.format(n=h.line, what=what(key)), "",
                       "updated" if outcome == "update" else "duplicate")


def db_note(rec: Record, column: str, key: str, code: str | None, outcome: str) -> Refusal:
    """The errors-file line for a row that repeats a stored lead; ``code`` None: a lead the importing user
    cannot see, told by what the row shares with it alone (never its code, company or owner)."""
    val = rec.lead[key]
    if code is None:
        text = {"skip": _("duplicate of a lead you cannot see ({what}): skipped"),
                "create": _("duplicate of a lead you cannot see ({what}): imported as its own lead, flagged"),
                "flag": _("same contact as a lead you cannot see ({what}): imported as its own lead, flagged")
                }[outcome]
    else:
        text = {"skip": _("duplicate of lead {code} ({what}): skipped"),
                "update": _("duplicate of lead {code} ({what}): that lead updated"),
                "create": _("duplicate of lead {code} ({what}): imported as its own lead, flagged"),
                "flag": _("same contact as {code} ({what}): imported as its own lead, flagged")}[outcome]
    return Refusal(rec.line, column, val, text.format(code=code, what=what(key)), "",
                   {"update": "updated", "flag": "flagged"}.get(outcome, "duplicate"))
