"""Validators of the technology catalogue: Chinese patent application numbers, uploaded files."""

import re

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# 2004 onwards: ZL/CN + 4-digit year + type digit + 7-digit serial + "." + check character.
# Before 2004: 2-digit year + type digit + 5-digit serial (8 digits).
_PATENT_NUMBER = re.compile(r"^(ZL|CN)(\d{12}|\d{8})\.([0-9X])$")
_WEIGHTS = (2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5)
# Type digit: 1 invention, 2 utility model, 3 design, 8 PCT invention, 9 PCT utility model.
PATENT_TYPE_DIGITS = {
    "1": "invention_patent",
    "8": "invention_patent",
    "2": "utility_model",
    "9": "utility_model",
    "3": "design",
}


def patent_check_character(digits: str) -> str:
    total = sum(int(digit) * weight for digit, weight in zip(digits, _WEIGHTS, strict=False))
    remainder = total % 11
    return "X" if remainder == 10 else str(remainder)


def normalize_patent_number(value: str) -> str:
    return re.sub(r"\s+", "", value or "").upper()


def validate_chinese_patent_number(value: str, *, kind: str | None = None) -> None:
    """Check a CNIPA application number such as ZL202010123456.2 and its check character."""
    number = normalize_patent_number(value)
    match = _PATENT_NUMBER.match(number)
    if not match:
        raise ValidationError(
            _(
                "“%(value)s” is not a Chinese patent number: write ZL or CN, the 12 digits of the "
                "application number (year, type digit, serial), a dot and the check digit, "
                "e.g. ZL202010123456.2."
            ),
            code="patent_number_format",
            params={"value": value},
        )
    digits, check = match.group(2), match.group(3)
    year = int(digits[:4]) if len(digits) == 12 else 1900 + int(digits[:2])
    type_digit = digits[4] if len(digits) == 12 else digits[2]
    if len(digits) == 12 and not 2003 <= year <= timezone.now().year:
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
