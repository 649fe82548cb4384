"""Company normalising and "duplicate suspected" (PRODUCT §2.9)."""

import pytest
from hypothesis import given, strategies as st

from tui_crm.domain.similar import is_suspected_duplicate, normalize_company, similarity


@pytest.mark.parametrize("name,expected", [
    ("北京华为技术有限公司", "北京华为技术"),
    ("华为技术股份有限公司", "华为技术"),
    ("星辰科技有限责任公司", "星辰科技"),
    ("远航集团有限公司", "远航"),
    ("远航集团", "远航"),
    ("青云（上海）信息技术有限公司", "青云上海信息技术"),
    ("Acme Co., Ltd.", "acme"),
    ("ACME Inc.", "acme"),
    ("Acme Corporation", "acme"),
    ("Acme LLC", "acme"),
    ("Siemens GmbH", "siemens"),
    ("Acme Limited", "acme"),
    ("Acme Corp", "acme"),
    ("Costco", "costco"),
    ("Ｆｏｏ　Ｂａｒ", "foobar"),
    ("公司", "公司"),
    ("", ""),
    (None, ""),
])
def test_normalize_company(name, expected):
    assert normalize_company(name) == expected


def test_similarity_bounds_and_folding():
    assert similarity("abc", "abc") == 1.0
    assert similarity("ABC", "a b c") == 1.0
    assert similarity("abc", "xyz") == 0.0
    assert similarity("abcd", "abce") == pytest.approx(0.75)


@pytest.mark.parametrize("a,b,expected", [
    (("北京华为技术有限公司", "张三"), ("北京华为技术", "张三"), True),
    (("Acme Co., Ltd.", "John Smith"), ("ACME Inc", "john smith"), True),
    (("Acme", "John Smith"), ("Acme", "John Smyth"), True),
    (("华为", "张三"), ("华为", "张四"), False),
    (("华为技术", "张三"), ("华为科技", "张三"), False),
    (("Acme", "John Smith"), ("Globex", "Jane Doe"), False),
    (("", ""), ("", ""), False),
    (("Acme", ""), ("", ""), False),
])
def test_is_suspected_duplicate(a, b, expected):
    assert is_suspected_duplicate(a[0], a[1], b[0], b[1]) is expected


def test_threshold_is_a_parameter():
    assert is_suspected_duplicate("华为", "张三", "华为", "张四", threshold=0.75) is True
    assert is_suspected_duplicate("华为", "张三", "华为", "张四", threshold=0.76) is False


names = st.text(alphabet="abcdefghij华为星辰远航张三李四", min_size=1, max_size=12)


@given(names, names)
def test_similarity_is_symmetric_enough_and_bounded(a, b):
    s = similarity(a, b)
    assert 0.0 <= s <= 1.0
    assert similarity(a, a) == 1.0


@given(names, names, st.sampled_from(["有限公司", "股份有限公司", " Co., Ltd.", " Inc.", "集团"]))
def test_legal_suffix_never_hides_a_duplicate(company, contact, suffix):
    assert is_suspected_duplicate(company, contact, company + suffix, contact.upper())
