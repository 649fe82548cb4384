"""Cell widths and fitting text into table columns."""

import pytest
from hypothesis import given, strategies as st

from tui_crm.domain.text import cell_width, fit


@pytest.mark.parametrize("text,width", [
    ("", 0), ("abc", 3), ("客户", 4), ("客户a", 5), ("ＡＢ", 4), ("e\u0301", 1),
    ("…", 1), ("跟进中 ok", 9),
])
def test_cell_width(text, width):
    assert cell_width(text) == width


@pytest.mark.parametrize("text,width,align,expected", [
    ("abc", 5, "left", "abc  "),
    ("abc", 5, "right", "  abc"),
    ("abc", 6, "center", " abc  "),
    ("abcdef", 4, "left", "abc…"),
    ("abcdef", 6, "left", "abcdef"),
    ("客户名称很长", 7, "left", "客户名…"),
    ("客户名称很长", 6, "left", "客户… "),
    ("客户", 3, "left", "客…"),
    ("a客户", 4, "left", "a客…"),
    ("客", 1, "left", "…"),
    ("客", 2, "left", "客"),
    ("", 3, "left", "   "),
    ("anything", 0, "left", ""),
    ("a\nb", 3, "left", "a b"),
    ("客户", 5, "right", " 客户"),
])
def test_fit(text, width, align, expected):
    assert fit(text, width, align) == expected


text = st.text(alphabet=st.sampled_from(list("ab1 客户跟进中ＡＢ…é\u0301\t")), max_size=30)


@given(text, st.integers(min_value=0, max_value=40), st.sampled_from(["left", "right", "center"]))
def test_fit_is_always_exactly_width_cells(s, width, align):
    out = fit(s, width, align)
    assert cell_width(out) == width


@given(text, st.integers(min_value=1, max_value=40))
def test_fit_keeps_what_fits_and_marks_what_does_not(s, width):
    out = fit(s.replace("…", "").replace("\t", " "), width)
    clean = s.replace("…", "").replace("\t", " ")
    if cell_width(clean) <= width:
        assert out.rstrip(" ") == clean.rstrip(" ")
    else:
        assert "…" in out
        assert clean.startswith(out.rstrip(" ")[:-1])


# ---------------------------------------------------------------- wrap
from hypothesis import given, settings, strategies as st  # noqa: E402

from tui_crm.domain.text import wrap  # noqa: E402

_WRAP_TEXT = st.text(alphabet=st.sampled_from(list("ab c，。（）腾飞科技有限公司 ¥8万.:-")), max_size=80)


@settings(max_examples=300, deadline=None)
@given(_WRAP_TEXT, st.integers(min_value=2, max_value=30))
def test_wrap_keeps_every_character_within_the_width(text, width):
    lines = wrap(text, width)
    assert all(cell_width(line) <= width for line in lines), lines
    assert "".join("".join(lines).split()) == "".join(text.split())  # nothing lost, nothing cut in two


def test_wrap_breaks_chinese_between_characters_and_never_before_a_comma():
    assert wrap("一二三四五六七八九，十", 18) == ["一二三四五六七八", "九，十"]
    assert wrap("数据库文件（否则读取 TUI_CRM_DB）", 12) == ["数据库文件", "（否则读取", "TUI_CRM_DB）"]
    assert wrap("hello world again", 11) == ["hello world", "again"]


def _reference_width(s: str) -> int:
    import unicodedata

    return sum(0 if unicodedata.combining(c) or unicodedata.category(c) in ("Mn", "Me", "Cf", "Cc")
               else 2 if unicodedata.east_asian_width(c) in ("W", "F") else 1 for c in s)


@given(st.text(alphabet=st.characters(max_codepoint=0x7f)) | st.text())
def test_cell_width_fast_path_for_ascii_agrees_with_the_character_rules(s):
    """cell_width skips the per-character look-ups for printable ASCII (a list page's usual cell): the
    same width as the rules give, control characters (0 cells) included."""
    assert cell_width(s) == _reference_width(s)
