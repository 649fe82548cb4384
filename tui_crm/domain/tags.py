"""Tag values: a cell or an option holding several tags, split on , ; ， ； 、 (the templates write
"新能源、高意向"), each trimmed, empty ones dropped, duplicates once (first spelling kept)."""
from __future__ import annotations

import re

from .limits import TAG

SEPARATORS = re.compile(r"[,;，；、]")


def split_values(text: str | None) -> list[str]:
    """``"新能源、高意向; VIP,,新能源"`` -> ``["新能源", "高意向", "VIP"]``."""
    out: list[str] = []
    for part in SEPARATORS.split(text or ""):
        part = " ".join(part.split())
        if part and part not in out:
            out.append(part)
    return out


def split_tags(values) -> list[str]:
    """Tags from one text or several (each split as above), in order, once each."""
    if isinstance(values, str):
        values = [values]
    out: list[str] = []
    for v in values or ():
        for t in split_values(v):
            if t not in out:
                out.append(t)
    return out


def too_long(tags: list[str]) -> str | None:
    """The first tag longer than a tag may be (``limits.TAG``), else None."""
    return next((t for t in tags if len(t) > TAG), None)


def matches(text: str | None, keywords: list[str]) -> bool:
    """Whether ``text`` holds one of ``keywords`` (case-insensitively); no keywords: True."""
    if not keywords:
        return True
    low = (text or "").lower()
    return any(k.lower() in low for k in keywords)
