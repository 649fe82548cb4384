"""Contacts in the shapes exports write them: ``Ken Brown (ken@x.com)``, ``Ken Brown <ken@x.com>``,
``"Brown, Ken" <ken@x.com>``, lists of several (``a@x.com; b@y.com``, ``138…/139…``), and what a
column's values say it is (a column of e-mail addresses is an e-mail column whatever its header).
"""
from __future__ import annotations

import re

import phonenumbers

from ...domain.contact import normalize_email
from ...domain.errors import InvalidValue

_LIST_SPLIT = re.compile(r"\s*[;；,，、|\n]\s*|\s+/\s+|(?<=\d)/(?=[+\d(])")
_PERSON = re.compile(r"^\s*(?P<name>[^<>()]*?)\s*[(<]\s*(?P<addr>[^<>()\s]+@[^<>()\s]+)\s*[)>]\s*$")
_EMAIL = re.compile(r"^[^@\s,;<>()]+@[^@\s,;<>()]+\.[^@\s,;<>()]+$")
_PHONEISH = re.compile(r"^\(?\+?[\d\s\-().]{7,}$")
_BOOL = {"true", "false", "yes", "no", "1", "0", "是", "否", "y", "n"}
TRUE = {"true", "yes", "1", "是", "y"}


def is_email(text: str) -> bool:
    return bool(_EMAIL.match(text.strip()))


def is_person(text: str) -> bool:
    """``Name (email)`` or ``Name <email>`` (one or a list of them)."""
    return all(_PERSON.match(p) for p in split_list(text)) if "@" in text else False


def is_phone(text: str, region: str) -> bool:
    """A valid number for the region (or written internationally): not just any run of digits."""
    t = text.strip()
    if not _PHONEISH.match(t) or sum(c.isdigit() for c in t) < 7:
        return False
    try:
        return phonenumbers.is_valid_number(phonenumbers.parse(t, region))
    except phonenumbers.NumberParseException:
        return False


def is_bool(text: str) -> bool:
    return text.strip().lower() in _BOOL


def split_list(text: str) -> list[str]:
    """The parts of a list cell; a quoted ``"Brown, Ken" <k@x>`` stays one part."""
    out, cur, quoted, depth = [], "", False, 0
    for ch in text:
        if ch == '"':
            quoted = not quoted
        elif ch in "(<":
            depth += 1
        elif ch in ")>":
            depth = max(0, depth - 1)
        if ch in ";；,，、|\n" and not quoted and not depth:
            out.append(cur)
            cur = ""
            continue
        cur += ch
    out.append(cur)
    return [p.strip().strip('"').strip() for p in out if p.strip().strip('"').strip()]


def person(text: str) -> tuple[str, list[str], list[str]]:
    """A person cell as (name, e-mail addresses, everything else): the name of the first person, all the
    addresses in order, and the parts that are neither (later names, phones)."""
    name, emails, rest = "", [], []
    if "@" not in text:
        parts = [p.strip() for p in re.split(r"[;；\n|]", text) if p.strip()]
        return (parts[0] if parts else "", [], parts[1:])
    for part in split_list(text):
        m = _PERSON.match(part)
        if m:
            if not name and m.group("name").strip().strip('"'):
                name = m.group("name").strip().strip('"').strip()
            elif m.group("name").strip():
                rest.append(m.group("name").strip().strip('"'))
            emails.append(m.group("addr"))
        elif is_email(part):
            emails.append(part)
        elif not name:
            name = part
        else:
            rest.append(part)
    return name, emails, rest


def emails_in(text: str) -> list[str]:
    """The e-mail addresses of a cell that lists one or several (normalised), invalid parts raising."""
    out = []
    for part in split_list(text) if re.search(r"[;；,，、|\s]", text.strip()) else [text]:
        m = _PERSON.match(part)
        out.append(normalize_email(m.group("addr") if m else part))
    if not out:
        raise InvalidValue(f"not an email address: {text!r}")
    return out


def phones_in(text: str) -> list[str]:
    """The parts of a cell that lists several phone numbers (``138…/139…``, ``138…; 139…``), as written."""
    parts = [p for p in _LIST_SPLIT.split(text.strip()) if p.strip()]
    return parts if len(parts) > 1 and all(sum(c.isdigit() for c in p) >= 5 for p in parts) else [text]


def is_email_list(text: str) -> bool:
    """One e-mail address or a list of them; a cell of separators alone (``、``) is no list."""
    parts = split_list(text)
    return bool(parts) and all(is_email(p) for p in parts)


def column_shape(values: list[str], region: str) -> str | None:
    """What at least 90% of a column's sampled values are: ``email``, ``person``, ``phone``, ``bool``,
    or None (mixed, or nothing sampled)."""
    vals = [v for v in values if v]
    if not vals:
        return None
    need = max(1, int(len(vals) * 0.9 + 0.999))
    for shape, test in (("email", is_email_list), ("person", is_person),
                        ("bool", is_bool), ("phone", lambda v: is_phone(v, region))):
        if sum(1 for v in vals if test(v)) >= need:
            return shape
    return None
