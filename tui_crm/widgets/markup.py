"""Escaping user text for Textual markup.

``rich.markup.escape`` (and Textual's own) escapes only brackets that look like a lowercase tag,
yet Textual's parser takes ``[WeChat]`` or ``[Q3 Plan]`` as a tag and drops it: a follow-up's
``[WeChat]`` method vanished from the timeline. Every ``[`` is escaped here.
"""
from __future__ import annotations


def escape(text: str) -> str:
    return text.replace("[", "\\[")
