"""Phones and e-mails: normalising, classifying, masking (PRODUCT §2.9, §2.10)."""

import pytest
from hypothesis import given, strategies as st

from tui_crm.domain.contact import (
    looks_like_email,
    looks_like_phone,
    mask_email,
    mask_phone,
    normalize_email,
    normalize_phone,
    phone_digits,
)
from tui_crm.domain.errors import InvalidValue


@pytest.mark.parametrize("raw", [
    "138 1234 5678", "138-1234-5678", "+86 138 1234 5678", "008613812345678",
    "13812345678", "１３８１２３４５６７８", "+86-138-1234-5678", " 138.1234.5678 ",
    "8613812345678", "(+86) 13812345678", "＋８６ １３８ １２３４ ５６７８",
])
def test_mobile_spellings_normalise_to_e164(raw):
    assert normalize_phone(raw) == "+8613812345678"


@pytest.mark.parametrize("raw,expected", [
    ("(010) 8888 6666", "+861088886666"),
    ("010-88886666", "+861088886666"),
    ("0086 10 8888 6666", "+861088886666"),
    ("+1 650 253 0000", "+16502530000"),
    ("(650) 253-0000", "+16502530000"),
])
def test_landlines_and_foreign_numbers(raw, expected):
    region = "US" if raw.startswith("(650)") else "CN"
    assert normalize_phone(raw, region) == expected


@pytest.mark.parametrize("raw", [
    "", "   ", "abc", "123", "1-800-FLOWERS", "wxid_abc123", "138****5678", "a@b.com",
    None, "+", "电话13812345678",
])
def test_not_phone_numbers_raise(raw):
    with pytest.raises(InvalidValue):
        normalize_phone(raw)


def test_invalid_value_message_shape():
    with pytest.raises(InvalidValue) as info:
        normalize_phone("abc")
    assert str(info.value) == "not a phone number: 'abc'"
    assert isinstance(info.value, ValueError)


def test_phone_digits():
    assert phone_digits("+86 138-1234-5678") == "8613812345678"
    assert phone_digits("１３８") == "138"
    assert phone_digits("abc") == ""


@pytest.mark.parametrize("raw,expected", [
    ("Alice@Example.COM", "alice@example.com"),
    ("  bob.smith+crm@mail.example.cn ", "bob.smith+crm@mail.example.cn"),
    ("wang＠example．com", "wang@example.com"),
    ("mailto:Li@Corp.com", "li@corp.com"),
])
def test_normalize_email(raw, expected):
    assert normalize_email(raw) == expected


@pytest.mark.parametrize("raw", [
    "", "alice", "alice@", "@example.com", "alice@example", "a b@example.com",
    "a@b@example.com", "alice@example..com", "alice@.com", "alice@example.com.", None,
])
def test_bad_emails_raise(raw):
    with pytest.raises(InvalidValue):
        normalize_email(raw)


@pytest.mark.parametrize("cell,phone,email", [
    ("13812345678", True, False),
    ("138 1234 5678", True, False),
    ("(010) 8888 6666", True, False),
    ("alice@example.com", False, True),
    ("wxid_abc123", False, False),
    ("微信: zhang_san", False, False),
    ("", False, False),
])
def test_classify_contact_cell(cell, phone, email):
    assert looks_like_phone(cell) is phone
    assert looks_like_email(cell) is email


@pytest.mark.parametrize("raw,expected", [
    ("+8613812345678", "138****5678"),
    ("138 1234 5678", "138****5678"),
    ("+861088886666", "******6666"),
    ("+16502530000", "******0000"),
    ("12345", "****2345"),
    ("123", "****"),
    ("185****4976", "185****4976"),
])
def test_mask_phone(raw, expected):
    assert mask_phone(raw) == expected


@pytest.mark.parametrize("raw,expected", [
    ("alice@example.com", "a***@example.com"),
    ("b@x.cn", "b***@x.cn"),
    ("no-at-sign", "***"),
])
def test_mask_email(raw, expected):
    assert mask_email(raw) == expected


# --- properties ---------------------------------------------------------------

mobiles = st.from_regex(r"\A1[3-9][0-9]{9}\Z")
separators = st.sampled_from(["", " ", "-", ".", "  "])
prefixes = st.sampled_from(["", "+86", "+86 ", "0086", "0086 ", "86", "(+86)", "+86-"])


def _spell(digits, sep, prefix, fullwidth):
    text = prefix + digits[:3] + sep + digits[3:7] + sep + digits[7:]
    if fullwidth:
        text = text.translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789+"})
    return text


@given(mobiles, separators, prefixes, st.booleans())
def test_any_spelling_of_a_mobile_normalises_to_one_key(digits, sep, prefix, fullwidth):
    assert normalize_phone(_spell(digits, sep, prefix, fullwidth)) == "+86" + digits


@given(mobiles)
def test_masked_mobile_keeps_first_three_and_last_four(digits):
    masked = mask_phone("+86" + digits)
    assert masked == digits[:3] + "****" + digits[-4:]
    assert looks_like_phone(masked) is False


@given(mobiles)
def test_normalising_is_idempotent(digits):
    once = normalize_phone(digits)
    assert normalize_phone(once) == once


@given(st.from_regex(r"1[0-9]{10}", fullmatch=True))
def test_masking_a_stored_mobile_without_phonenumbers_agrees_with_phonenumbers(digits):
    """mask_phone reads +86 mobiles itself (so a list page does not import phonenumbers): the same national
    number as phonenumbers gives, for every such number."""
    import phonenumbers

    national = phonenumbers.national_significant_number(phonenumbers.parse("+86" + digits, None))
    assert mask_phone("+86" + digits) == national[:3] + "*" * (len(national) - 7) + national[-4:]
