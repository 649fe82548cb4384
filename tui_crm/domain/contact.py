"""Phone numbers and e-mail addresses: normalising, classifying, masking.

Phones are stored in E.164 (``+8613812345678``, default region CN) so that
any spelling of the same number is the same key (PRODUCT §2.9); e-mail is
lower-cased. Masking follows §2.10: ``138****5678`` and ``a***@example.com``.
"""

from __future__ import annotations

import re
import unicodedata

from tui_crm.domain.errors import InvalidValue

__all__ = [
    "normalize_phone",
    "phone_digits",
    "normalize_email",
    "looks_like_phone",
    "looks_like_email",
    "mask_phone",
    "mask_email",
    "mask_other",
    "mask_contact",
    "CONTACT_FIELDS",
]

# What a phone cell may contain besides digits: separators, a leading "+",
# parentheses around an area code. Letters are refused (phonenumbers would
# otherwise read "1-800-FLOWERS" as digits). "(+86)" is fine.
_PHONE_CHARS = re.compile(r"^\(?\+?[\d\s\-().,/]+$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")
_DOMAIN_LABEL = re.compile(r"^[^.\s@]+$")


def _fold(raw: object) -> str:
    """NFKC-fold (full-width digits, ＋, ＠, ideographic space) and strip."""
    if raw is None:
        return ""
    return unicodedata.normalize("NFKC", str(raw)).strip()


def normalize_phone(raw: str, region: str = "CN") -> str:
    """Return ``raw`` as E.164 (``+8613812345678``).

    Accepts spaces, dashes, dots, parentheses, a ``+`` or ``00`` international
    prefix and full-width digits. Raises InvalidValue unless the result is a
    possible number for its country.
    """
    text = _fold(raw)
    if not text or not _PHONE_CHARS.match(text) or not any(c.isdigit() for c in text):
        raise InvalidValue(f"not a phone number: {raw!r}")
    import phonenumbers  # on first use: its metadata is a large import the first screen does not need

    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        raise InvalidValue(f"not a phone number: {raw!r}") from None
    if not phonenumbers.is_possible_number(number):
        raise InvalidValue(f"not a phone number: {raw!r}")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_digits(phone: str) -> str:
    """The ASCII digits of ``phone`` and nothing else (full-width folded)."""
    return "".join(c for c in _fold(phone) if "0" <= c <= "9")


def normalize_email(raw: str) -> str:
    """Strip and lower-case an e-mail address after checking its shape.

    One ``@`` (a full-width ``＠`` is accepted), no spaces, a dot in the domain
    with no empty labels. A ``mailto:`` prefix is dropped.
    """
    text = _fold(raw).lower()
    if text.startswith("mailto:"):
        text = text[len("mailto:"):]
    if not _EMAIL.match(text):
        raise InvalidValue(f"not an email address: {raw!r}")
    domain = text.split("@", 1)[1]
    labels = domain.split(".")
    if len(labels) < 2 or not all(_DOMAIN_LABEL.match(label) for label in labels):
        raise InvalidValue(f"not an email address: {raw!r}")
    return text


def looks_like_phone(text: str) -> bool:
    """True when ``text`` reads as a phone number (used to sort a 联系方式 cell)."""
    try:
        normalize_phone(text)
    except InvalidValue:
        return False
    return True


def looks_like_email(text: str) -> bool:
    """True when ``text`` reads as an e-mail address."""
    try:
        normalize_email(text)
    except InvalidValue:
        return False
    return True


# A Chinese mobile in E.164 as stored (+86 and 11 digits from 1): its national number is the 11 digits.
_CN_MOBILE = re.compile(r"\+86(1[0-9]{10})")


def mask_phone(phone: str) -> str:
    """Hide the middle of a phone number: ``+8613812345678`` -> ``138****5678``.

    Works on the national significant number. Eleven digits or more keep the
    first 3 and last 4; shorter numbers keep the last 4 only. There are
    always at least 4 stars. Text that is already masked is returned as is;
    text that is not a phone is masked from its digits.
    """
    text = _fold(phone)
    if "*" in text:
        return text
    cn_mobile = _CN_MOBILE.fullmatch(text)
    if cn_mobile:  # the stored shape of most numbers: no need to load phonenumbers for a list page
        digits = cn_mobile.group(1)
    else:
        import phonenumbers

        try:
            parsed = phonenumbers.parse(normalize_phone(text), None)
            digits = phonenumbers.national_significant_number(parsed)
        except InvalidValue:
            digits = phone_digits(text)
    if len(digits) >= 11:
        return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]
    if len(digits) > 4:
        return "*" * max(4, len(digits) - 4) + digits[-4:]
    return "****"


def mask_email(email: str) -> str:
    """Keep the first letter and the domain: ``alice@example.com`` -> ``a***@example.com``."""
    text = _fold(email)
    if "@" not in text:
        return "***"
    local, domain = text.rsplit("@", 1)
    return f"{local[:1]}***@{domain}"


_OTHER_TOKEN = re.compile(r"[^\s:：,，;；/]+")
CONTACT_FIELDS = ("phone", "email", "other_contact")


def mask_other(text: str) -> str:
    """Mask an "other contact" (``微信 13800138001``, ``WeChat: zhang_88``, ``QQ 12345678``) like a phone:
    a leading word without digits (the kind of account) stays, every other word is masked: an e-mail
    as an e-mail, a word with four digits or more as a phone, any other word to its first character.
    ``微信 13800138001`` -> ``微信 138****8001``."""
    text = _fold(text)
    if "*" in text:
        return text
    tokens = list(_OTHER_TOKEN.finditer(text))
    if not tokens:
        return text
    keep_first = len(tokens) > 1 and not any(c.isdigit() for c in tokens[0].group())
    out, last = [], 0
    for i, m in enumerate(tokens):
        out.append(text[last:m.start()])
        word = m.group()
        if i == 0 and keep_first:
            out.append(word)
        elif "@" in word:
            out.append(mask_email(word))
        elif sum(c.isdigit() for c in word) >= 4:
            out.append(mask_phone(word))
        else:
            out.append(word[:1] + "***")
        last = m.end()
    out.append(text[last:])
    return "".join(out)


def mask_contact(field: str, value):
    """``value`` of a contact field (phone, email, other_contact) masked; other fields' values as they are."""
    if not value or not isinstance(value, str):
        return value
    if field == "phone":
        return mask_phone(value)
    if field == "email":
        return mask_email(value)
    if field == "other_contact":
        return mask_other(value)
    return value
