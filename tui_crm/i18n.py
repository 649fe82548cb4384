"""One translation function for every user-facing string.

Source strings are English; catalogs in ``tui_crm/locale/<lang>.json`` map
them to translations. A missing entry falls back to English, so adding a
string never breaks a screen. ``tests/test_i18n.py`` checks every literal
passed to ``_()`` or ``pgettext()`` has a Chinese entry.

An English word with more than one sense ("reached": the call connected, or
the lead reached a funnel stage) is translated with ``pgettext(context,
text)``; its catalog key is ``context + "\\x04" + text``, as in gettext, so
each sense has its own entry. ``tests/test_i18n_senses.py`` lists the short
msgids used in several places and asks for a context or a reviewed "one
sense" mark.

English plurals: a message with a count (``{n} leads``) has an entry in
``locale/en.plural.json`` that spells each counted word as a choice,
``{n} {n:lead|leads}``: the first when that value is 1, the second else. The
msgids (and the Chinese entries, which have one form) stay as they were, and a
stored ``message()`` reads right too. ``tests/test_i18n_plurals.py`` asks every
counting msgid for its entry.
"""
from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

_lang = "en"
LANGS = ("en", "zh")
CONTEXT_SEP = "\x04"


PLURAL_CHOICE = re.compile(r"\{(\w+):([^|{}]*)\|([^{}]*)\}")  # {n:lead|leads}


@lru_cache(maxsize=None)
def catalog(lang: str) -> dict[str, str]:
    """The entries of ``<lang>.json`` and ``<lang>.<area>.json``; English has only its plurals' entries."""
    merged: dict[str, str] = {}
    folder = Path(__file__).with_name("locale")  # a folder of the package, as styles/ is (not importlib.resources:
    # importing it was 2% of the first screen, issue 17)
    # <lang>.json plus one <lang>.<area>.json per area (board, stats, import...)
    names = sorted(p.name for p in folder.iterdir() if p.name == f"{lang}.json"
                   or (p.name.startswith(f"{lang}.") and p.name.endswith(".json")))
    for name in names:
        merged.update(json.loads(folder.joinpath(name).read_text("utf-8")))
    return merged


def normalize_lang(lang: str | None) -> str | None:
    """``zh_CN.UTF-8`` -> ``zh``, ``en_US`` -> ``en``; None for no language (empty, ``C``, ``POSIX``)."""
    low = (lang or "").strip().lower()
    if not low or low in ("c", "posix") or low.startswith(("c.", "posix.")):
        return None
    return "zh" if low.startswith("zh") else "en"


def set_lang(lang: str | None) -> str:
    global _lang
    _lang = normalize_lang(lang) or "en"
    return _lang


def get_lang() -> str:
    return _lang


_money: str | None = None
MONEY_STYLES = ("cn", "plain")


def set_money(style: str | None) -> None:
    """How short amounts read on cards and tiles: ``cn`` (8.0万 / 1.2亿), ``plain`` (80.0k / 1.2M), or
    None: by the language (Chinese reads cn)."""
    global _money
    _money = style if style in MONEY_STYLES else None


def money_style() -> str:
    return _money or ("cn" if _lang == "zh" else "plain")


def _(text: str, /, **kwargs) -> str:
    """Translate ``text`` and fill ``{placeholders}`` from kwargs. ``text`` is positional-only, so a
    placeholder may be called anything, ``{text}`` included."""
    out = catalog(_lang).get(text, text)
    if out is not text and _lang == "en":
        out = plural_forms(out, kwargs)
    return out.format(**kwargs) if kwargs else out


def plural_forms(text: str, values: dict) -> str:
    """``{n:lead|leads}`` in ``text`` as ``lead`` where the value ``n`` is one (1, "1"), ``leads`` else."""
    return PLURAL_CHOICE.sub(lambda m: m[2] if str(values.get(m[1], "")).strip() == "1" else m[3], text)


def N_(text: str) -> str:
    """Mark ``text`` for translation where it is STORED (a rule's task title, a notification's key): it is
    kept in English and translated when read, in the reader's language (``_(stored)``, ``render``)."""
    return text


def message(msgid: str, /, translate: tuple[str, ...] = (), **values) -> str:
    """A message to store and show later in the reader's language: JSON of its English msgid and values;
    the values named in ``translate`` are msgids themselves (a rule's task title) and are translated too."""
    data = {"msgid": msgid, "values": values}
    if translate:
        data["translate"] = list(translate)
    return json.dumps(data, ensure_ascii=False, sort_keys=True)


def render(stored: str | None, fallback: str = "") -> str:
    """A stored ``message()`` in the current language (the values filled in); ``fallback`` (the text of a
    row stored before messages were, or of one that cannot be read) when there is none."""
    if not stored:
        return fallback
    try:
        data = json.loads(stored)
        values = dict(data.get("values", {}))
        for name in data.get("translate", ()):
            values[name] = _(values[name])
        return _(data["msgid"], **values)
    except (ValueError, KeyError, TypeError, IndexError):
        return fallback


def pgettext(context: str, text: str, /, **kwargs) -> str:
    """Translate ``text`` in the sense ``context`` names (its own catalog entry); English is ``text``."""
    out = catalog(_lang).get(context + CONTEXT_SEP + text, text)
    return out.format(**kwargs) if kwargs else out


def label(vocab_labels: dict[str, tuple[str, str]], key: str | None) -> str:
    """Label of a stable key (stage, status, source...) in the current language."""
    if key is None:
        return ""
    pair = vocab_labels.get(key)
    if not pair:
        return key
    return pair[1] if _lang == "zh" else pair[0]
