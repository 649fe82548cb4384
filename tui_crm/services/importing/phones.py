"""Whether an imported phone number looks like the default region's: a number written without its
country that the region would write differently (a US ``206-240-2044`` read as Chinese becomes
``+86 20 6240 2044``, which no Chinese file would write without the leading 0) is stored as read and
reported, with the region it does look like when one of the common ones fits."""
from __future__ import annotations

import phonenumbers

from ...i18n import _

_LIKELY = ("US", "GB", "HK", "TW", "SG", "MO", "AU", "CA", "DE", "FR", "JP", "KR", "IN", "SE", "MY", "NL", "ES",
           "IT")


def region_known(region: str) -> bool:
    """Whether ``region`` is a country code phone numbers are read for (CN, US, GB…)."""
    return region in phonenumbers.SUPPORTED_REGIONS


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


def _national_style(raw: str, number, region: str) -> bool:
    digits = _digits(raw)
    national = _digits(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL))
    if digits == national:
        return True
    # a mobile written with its country code but no "+" ("86 138 1234 5678")
    nsn = phonenumbers.national_significant_number(number)
    return digits == f"{number.country_code}{nsn}" and phonenumbers.number_type(number) in (
        phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE)


def phone_note(raw: str, e164: str, region: str) -> str | None:
    """None when ``raw`` reads as a number of ``region`` (or is written internationally), else a warning."""
    t = raw.strip()
    if t.startswith(("+", "00", "(+")):
        return None
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return None
    if phonenumbers.is_valid_number(number) and _national_style(t, number, region):
        return None
    for other in _LIKELY:
        if other == region:
            continue
        try:
            alt = phonenumbers.parse(t, other)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(alt) and _national_style(t, alt, other):
            return _("does not look like a {region} number; stored as {phone} (a {other} number? then use "
                     "--region {other})", region=region, phone=e164, other=other)
    return _("does not look like a {region} number; stored as {phone} (use --region for another country)",
             region=region, phone=e164)
