from tui_crm.domain.vocab import SOURCES, STATUSES, STAGE_LABELS, resolve


def test_resolve_keys_and_labels_in_both_languages():
    assert resolve("status", "已转化", STATUSES) == "won"
    assert resolve("status", "Lost", STATUSES) == "lost"
    assert resolve("status", "休眠", STATUSES) == "dormant"
    assert resolve("status", "In Progress", STATUSES) == "in_progress"
    assert resolve("source", "展会", SOURCES) == "expo"
    assert resolve("source", "Online Ads", SOURCES) == "ads"
    for spelling in ("电话营销", "电销", "Cold call", "telemarketing"):  # telemarketing: the phone source
        assert resolve("source", spelling, SOURCES) == "phone", spelling
    assert resolve("stage", "方案报价", STAGE_LABELS) == "proposal"
    assert resolve("stage", "  NEGOTIATION ", STAGE_LABELS) == "negotiation"
    assert resolve("source", "carrier pigeon", SOURCES) is None
