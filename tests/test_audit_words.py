"""The audit screen's rows in words, in the reader's language: every action, entity and fact the change
log holds reads in Chinese (the rows showed the change log's own keys: follow_up, phone, via: search)."""
import re
from datetime import datetime, timezone

import pytest

from tui_crm import i18n
from tui_crm.services.admin import audit_text
from tui_crm.services.admin.audit import AuditEntry

ACTIONS = ["create", "update", "move", "reveal", "reassign", "handover", "share", "escalate", "wake", "log", "done",
           "open", "in_progress", "shelved", "snooze", "undo", "start", "commit", "failed", "load", "sync", "set",
           "won", "lost", "dormant", "paused", "reopen", "restore", "delete", "deactivate", "remind"]
ENTITIES = ["lead", "followup", "task", "import", "demo", "roles", "settings", "stage", "user", "team", "database"]


class Ctx:
    import zoneinfo
    tz = zoneinfo.ZoneInfo("Asia/Shanghai")

    def stage_label(self, key):  # the default stages' labels, as a session without custom stages has them
        from tui_crm.domain.vocab import STAGE_LABELS

        return i18n.label(STAGE_LABELS, key)


@pytest.fixture
def zh():
    i18n.set_lang("zh")
    yield
    i18n.set_lang("en")


def entry(action, entity="lead", changes=None, details=None):
    return AuditEntry(1, datetime(2026, 12, 1, tzinfo=timezone.utc), "rep1", action, entity, 1, "EXPO-1", 1,
                      changes or {}, details or {})


@pytest.mark.parametrize("entity", ENTITIES)
def test_every_action_of_every_entity_reads_in_chinese(zh, entity):
    for action in ACTIONS:
        text = audit_text.what(entry(action, entity))
        assert not re.search(r"[A-Za-z]{2,}", text), (entity, action, text)


def test_facts_and_fields_read_in_chinese(zh):
    cases = [entry("reveal", details={"via": v}) for v in ("detail", "list", "search", "duplicate", "export", "match")]
    cases += [entry("reveal", details={"via": "duplicate", "match": "phone", "in": "dry run"}),
              entry("log", "followup", {"method": [None, "phone"], "summary": [None, "聊了需求"]}),
              entry("create", "task", {"kind": [None, "first_contact"], "due_at": [None, 1798761600],
                                       "title": [None, "首次联系"]}),
              entry("done", "task", {"result": [None, "已报价"]}),
              entry("load", "demo", {"leads": [None, 300], "reps": [None, 8], "seed": [None, 1]}),
              entry("update", changes={"phone": ["139****0000", "139****5678"], "stage": ["acquired", "qualified"]})]
    for e in cases:
        text = audit_text.details(Ctx(), e)
        assert text and not re.search(r"\b(?!EXPO)[A-Za-z_]{3,}\b", text), text
    assert audit_text.details(Ctx(), cases[-1]).startswith("电话：139****0000 → 139****5678")


def test_english_reads_in_words_too():
    e = entry("reveal", details={"via": "search"})
    assert audit_text.what(e) == "contact revealed" and audit_text.details(Ctx(), e) == "via: a search"
    assert audit_text.what(entry("done", "task")) == "task done"


def test_the_command_lines_text_output_reads_in_words_in_the_readers_language(world):
    # it printed the change log's keys (`reveal`, `via: export`) while the screen used words
    from cli_helpers import run

    from tui_crm.domain.text import cell_width

    v = world.lead("rep_a1", phone="13912345678")
    run("export", "-", "--reveal", db=world.url, user="boss", check=0)
    en = run("audit", "--action", "reveal", db=world.url, user="boss", check=0).stdout
    assert "contact revealed" in en and "via: an export" in en and "via: export" not in en
    zh = run("--lang", "zh", "audit", "--lead", v.code, db=world.url, user="boss", check=0).stdout.splitlines()
    assert zh and not any(re.search(r"\b(reveal|create|via)\b", line) for line in zh), zh
    # the lead code starts in the same cell on every line, though actions are Chinese (two cells each)
    starts = {cell_width(line[:line.index(v.code)]) for line in zh}
    assert len(starts) == 1, zh
