"""Every literal passed to _() has a Chinese translation with the same placeholders."""
import ast
import json
import re
from pathlib import Path

import tui_crm

PKG = Path(tui_crm.__file__).parent


def _is_str(node) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str)


def msgid_uses() -> list[tuple[str, str | None, str]]:
    """(msgid, context or None, "path:line") of every ``_("…")``, ``N_("…")``, ``message("…", …)`` and
    ``pgettext("ctx", "…")`` in the package."""
    out = []
    for path in PKG.rglob("*.py"):
        tree = ast.parse(path.read_text("utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign) and _is_str(node.value) and node.value.value and any(
                    isinstance(t, ast.Name) and t.id in SHOWN_ATTRS for t in node.targets):
                # a class's TITLE is translated when the screen shows it (_(self.TITLE)): a msgid too
                out.append((node.value.value, None, f"{path.relative_to(PKG)}:{node.lineno}"))
                continue
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
                continue
            where = f"{path.relative_to(PKG)}:{node.lineno}"
            if node.func.id in ("_", "N_", "message") and node.args and _is_str(node.args[0]):
                out.append((node.args[0].value, None, where))
            elif node.func.id == "pgettext" and len(node.args) >= 2 and _is_str(node.args[0]) and _is_str(node.args[1]):
                out.append((node.args[1].value, node.args[0].value, where))
    return out


SHOWN_ATTRS = {"TITLE", "SUB_TITLE"}  # class attributes the screens pass to _() when shown


def literals() -> dict[str, str]:
    """Catalog key -> where it is used (a context's key is ``context \x04 msgid``)."""
    from tui_crm.i18n import CONTEXT_SEP

    return {(msgid if ctx is None else ctx + CONTEXT_SEP + msgid): where for msgid, ctx, where in msgid_uses()}


def catalog() -> dict[str, str]:
    out = {}
    for f in sorted((PKG / "locale").glob("zh*.json")):
        out.update(json.loads(f.read_text("utf-8")))
    return out


def test_every_string_has_a_chinese_translation():
    zh = catalog()
    missing = {s: where for s, where in literals().items() if s not in zh}
    assert not missing, "untranslated (add to tui_crm/locale/zh.json):\n" + "\n".join(
        f"  {where}: {s!r}" for s, where in sorted(missing.items(), key=lambda kv: kv[1]))


def test_placeholders_match():
    zh = catalog()
    ph = re.compile(r"\{(\w+)\}")
    bad = [k for k, v in zh.items() if set(ph.findall(k.split("\x04")[-1])) != set(ph.findall(v))]
    assert not bad, bad


def test_translation_switches_language():
    from tui_crm.i18n import _, set_lang

    set_lang("zh")
    try:
        assert _("unknown user: {login} (add it with `tui-crm users add`)", login="x").startswith("未知用户")
    finally:
        set_lang("en")


def test_no_string_is_translated_in_two_catalogs():
    # the catalogs merge in name order, so a second entry silently overrides the first (it happened:
    # "owner" was 负责人 on the board's catalog and 跟进人 in the main one, and only one ever showed)
    seen: dict[str, str] = {}
    twice = []
    for f in sorted((PKG / "locale").glob("zh*.json")):
        for key in json.loads(f.read_text("utf-8")):
            if key in seen:
                twice.append(f"{key!r}: {seen[key]} and {f.name}")
            seen[key] = f.name
    assert not twice, twice


def test_a_context_has_its_own_entry():
    from tui_crm.i18n import _, pgettext, set_lang

    set_lang("zh")
    try:
        assert pgettext("funnel", "reached") == "到达"  # the lead reached the stage
        assert pgettext("follow-up", "reached") == "接通"  # the call connected
        assert pgettext("no-such-context", "reached") == "reached"  # no entry: English, not another sense
    finally:
        set_lang("en")
    assert pgettext("funnel", "reached") == "reached"


_CJK = r"[\u3400-\u9fff\uf900-\ufaff]"


def test_chinese_sentences_use_full_width_punctuation_and_codes_half_width():
    """In a Chinese sentence a comma, colon, semicolon, bracket, ! or ? is full-width (，：；（）！？);
    inside codes and numbers (`tui-crm users add`, 80,000, 10:00, {placeholders}) it stays half-width."""
    bad = []
    for key, value in catalog().items():
        text = re.sub(r"`[^`]*`", "`code`", value)  # code spans as they are
        if re.search(f"{_CJK}[,:;!?()]|[,:;!?()]{_CJK}", text):
            bad.append(f"half-width in a Chinese sentence: {value!r}")
        if re.search(r"[A-Za-z0-9][，：；（）！？][A-Za-z0-9]", text) and not re.search(_CJK, text):
            bad.append(f"full-width inside a code or number: {value!r}")
    assert not bad, "\n".join(bad)


def test_a_placeholder_may_have_any_name_even_text_or_context():
    """``_("reading: {text}", text=...)`` raised "_() got multiple values for argument 'text'" and made every
    lead with a follow-up reading impossible to open: the message is positional-only."""
    from tui_crm.i18n import _, pgettext, set_lang

    assert _("reading: {text}", text="buys in spring") == "reading: buys in spring"
    assert pgettext("follow-up", "{context} {text}", context="a", text="b") == "a b"
    set_lang("zh")
    try:
        assert _("reading: {text}", text="春天采购").endswith("春天采购")
    finally:
        set_lang("en")
