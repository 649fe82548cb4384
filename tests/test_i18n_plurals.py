"""English plurals: "1 leads" read wrong. A message with a count has an entry in ``locale/en.plural.json`` spelling
each counted word as a choice (``{n} {n:lead|leads}``); the msgid and the Chinese entry (one form) stay as they
were. Every msgid that counts something must have its entry, so a new message cannot read "1 tasks" again."""
from __future__ import annotations

import json
import re

import pytest

from test_i18n import PKG, msgid_uses

ENTRIES = json.loads((PKG / "locale" / "en.plural.json").read_text("utf-8"))
CHOICE = re.compile(r"\{(\w+):([^|{}]*)\|([^{}]*)\}")
PLACEHOLDER = re.compile(r"\{(\w+)\}")
# placeholders that hold a name, a code or a text, never a count
NOT_COUNTS = {"code", "login", "name", "field", "path", "stage", "what", "who", "batch", "id", "schema", "table",
              "role", "version", "latest", "vendor", "tag", "key", "reason", "company", "url", "command", "file",
              "to", "value", "item", "errors", "why", "fields", "admin", "max", "columns", "row", "problem"}
# a count followed by a word ending in s (a plural), maybe after one more word ("{n} open tasks")
COUNTED = re.compile(r"\{(\w+)\}\s+(?:[a-z]+\s+)?[a-z\-']+s\b")
# counts that are limits, never one: "at most {n} characters"
NEVER_ONE = re.compile(r"(at most|within|longer than) \{\w+\} characters")


def _counting(msgid: str) -> bool:
    return any(m[1] not in NOT_COUNTS for m in COUNTED.finditer(NEVER_ONE.sub("", msgid)))


def test_every_message_that_counts_has_its_english_plural_entry():
    missing = sorted({f"{where}: {msgid!r}" for msgid, ctx, where in msgid_uses()
                      if ctx is None and _counting(msgid) and msgid not in ENTRIES})
    assert not missing, "add to tui_crm/locale/en.plural.json:\n" + "\n".join(missing)


@pytest.mark.parametrize("msgid", sorted(ENTRIES))
def test_an_entry_is_its_msgid_with_choices_for_counts_it_holds(msgid):
    text = ENTRIES[msgid]
    choices = CHOICE.findall(text)
    assert choices, "an entry without a choice changes nothing"
    assert {name for name, _one, _other in choices} <= set(PLACEHOLDER.findall(msgid))
    assert CHOICE.sub(lambda m: m[3], text) == msgid  # the plural forms read as the msgid does


def test_no_entry_is_left_over():
    used = {msgid for msgid, ctx, _where in msgid_uses() if ctx is None}
    assert sorted(set(ENTRIES) - used) == []


def test_english_reads_one_and_many_chinese_is_unchanged():
    from tui_crm.i18n import _, message, render, set_lang

    msgid = "handed over {n} leads and {t} tasks: {to}"
    assert _(msgid, n=1, t=1, to="rep2") == "handed over 1 lead and 1 task: rep2"
    assert _(msgid, n=2, t=1, to="rep2") == "handed over 2 leads and 1 task: rep2"
    assert _(msgid, n=0, t=11, to="rep2") == "handed over 0 leads and 11 tasks: rep2"
    assert _("{n} leads", n="1") == "1 lead" and _("{n} leads", n="1,001") == "1,001 leads"
    stored = message("{name} assigned {n} leads to you", name="Li", n=1)  # a notification read later
    assert render(stored) == "Li assigned 1 lead to you"
    set_lang("zh")
    try:
        assert _(msgid, n=1, t=1, to="rep2") == "已交接 1 条线索和 1 个任务：rep2"
    finally:
        set_lang("en")
