"""Validators of the technology catalogue: patent application numbers (Chinese, with their check
character, and PCT international applications), uploaded files."""

import re

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# 2003-10 onwards: [ZL|CN] + 4-digit year + type digit + 7-digit serial + "." + check character,
# e.g. ZL202010123456.2, CN201910123456.7 or 2019 1 0123456.7 (spaces are dropped).
# 1985 to 2003: 2-digit year + type digit + 5-digit serial (8 digits) + check, e.g. 98123456.9.
_PATENT_NUMBER = re.compile(r"^(ZL|CN)?(\d{12}|\d{8})\.?([0-9X])$")
_WEIGHTS = (2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5)
# Type digit: 1 invention, 2 utility model, 3 design, 8 PCT invention, 9 PCT utility model.
PATENT_TYPE_DIGITS = {
    "1": "invention_patent",
    "8": "invention_patent",
    "2": "utility_model",
    "9": "utility_model",
    "3": "design",
}
# PCT international application: PCT/ + receiving office + year + "/" + serial; since 2004 a
# 4-digit year and a 6-digit serial (PCT/CN2020/123456), before a 2-digit year and 5 digits.
_PCT_NUMBER = re.compile(r"^PCT/([A-Z]{2})(\d{4}|\d{2})/(\d{6}|\d{5})$")
PCT_FIRST_YEAR = 1978


def patent_check_character(digits: str) -> str:
    """The CNIPA check character of 12 (or, before 2004, 8) digits: the sum of the digits
    weighted 2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5, modulo 11; 10 is written X."""
    total = sum(int(digit) * weight for digit, weight in zip(digits, _WEIGHTS, strict=False))
    remainder = total % 11
    return "X" if remainder == 10 else str(remainder)


def normalize_patent_number(value: str) -> str:
    return re.sub(r"\s+", "", value or "").upper()


def is_pct_number(value: str) -> bool:
    return normalize_patent_number(value).startswith("PCT")


def validate_chinese_patent_number(value: str, *, kind: str | None = None) -> None:
    """Check a CNIPA application number such as ZL202010123456.2 and its check character."""
    number = normalize_patent_number(value)
    match = _PATENT_NUMBER.match(number)
    if not match:
        raise ValidationError(
            _(
                "“%(value)s” is not a Chinese patent application number: write the 12 digits "
                "(year, type digit, serial), a dot and the check digit, e.g. ZL202010123456.2 or "
                "2020 1 0123456.2; numbers filed before 2004 have 8 digits, e.g. 98123456.9."
            ),
            code="patent_number_format",
            params={"value": value},
        )
    digits, check = match.group(2), match.group(3)
    if len(digits) == 12:
        year, type_digit, first_year = int(digits[:4]), digits[4], 2003
    else:
        short_year = int(digits[:2])
        year = (1900 if short_year >= 85 else 2000) + short_year
        type_digit, first_year = digits[2], 1985
    last_year = timezone.now().year if len(digits) == 12 else 2003
    if not first_year <= year <= last_year:
        raise ValidationError(
            _("The year %(year)s in patent number “%(value)s” is not possible."),
            code="patent_number_year",
            params={"year": year, "value": value},
        )
    if type_digit not in PATENT_TYPE_DIGITS:
        raise ValidationError(
            _(
                "The type digit %(digit)s in patent number “%(value)s” is unknown: 1 or 8 is an "
                "invention, 2 or 9 a utility model, 3 a design."
            ),
            code="patent_number_type",
            params={"digit": type_digit, "value": value},
        )
    if kind and kind in PATENT_TYPE_DIGITS.values() and PATENT_TYPE_DIGITS[type_digit] != kind:
        raise ValidationError(
            _("Patent number “%(value)s” does not belong to the kind of right chosen."),
            code="patent_number_kind",
            params={"value": value},
        )
    expected = patent_check_character(digits)
    if expected != check:
        raise ValidationError(
            _(
                "Patent number “%(value)s” is not valid: its check digit should be %(expected)s. "
                "Please check for a typing error."
            ),
            code="patent_number_check",
            params={"value": value, "expected": expected},
        )


def validate_pct_number(value: str, *, kind: str | None = None) -> None:
    """Check the shape and year of a PCT international application number (PCT/CN2020/123456).
    PCT numbers carry no check digit."""
    number = normalize_patent_number(value)
    match = _PCT_NUMBER.match(number)
    long_form = bool(match) and len(match.group(2)) == 4
    if not match or long_form != (len(match.group(3)) == 6):
        raise ValidationError(
            _(
                "“%(value)s” is not a PCT application number: write PCT/, the receiving office, "
                "the year, a slash and the 6-digit serial, e.g. PCT/CN2020/123456."
            ),
            code="pct_number_format",
            params={"value": value},
        )
    year = int(match.group(2))
    if not long_form:
        year += 1900 if year >= PCT_FIRST_YEAR % 100 else 2000
    first_year, last_year = (2004, timezone.now().year) if long_form else (PCT_FIRST_YEAR, 2003)
    if not first_year <= year <= last_year:
        raise ValidationError(
            _("The year %(year)s in patent number “%(value)s” is not possible."),
            code="patent_number_year",
            params={"year": year, "value": value},
        )
    if kind == "design":
        raise ValidationError(
            _("A design cannot be filed as a PCT application: choose invention or utility model."),
            code="pct_number_kind",
        )


def validate_patent_number(value: str, *, kind: str | None, jurisdiction: str) -> None:
    """The check of a patent (invention, utility model, design) number: PCT numbers by their
    shape, Chinese ones by their check character; other offices' numbers are not checked."""
    if is_pct_number(value):
        validate_pct_number(value, kind=kind)
    elif (jurisdiction or "").strip().upper() == "CN":
        validate_chinese_patent_number(value, kind=kind)
