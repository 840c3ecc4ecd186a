"""Validators for Chinese identifiers used across the platform."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# GB 32100-2015: the 31 characters of the code, in value order (no I, O, S, V, Z).
CREDIT_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def credit_code_check_character(first_seventeen: str) -> str:
    total = sum(
        CREDIT_CODE_ALPHABET.index(character) * weight
        for character, weight in zip(first_seventeen, CREDIT_CODE_WEIGHTS, strict=True)
    )
    return CREDIT_CODE_ALPHABET[(31 - total % 31) % 31]


def validate_unified_social_credit_code(value: str) -> None:
    """Check an 18-character unified social credit code (统一社会信用代码) and its check digit."""
    code = (value or "").strip().upper()
    if len(code) != 18 or any(character not in CREDIT_CODE_ALPHABET for character in code):
        raise ValidationError(
            _(
                "A unified social credit code has 18 characters: digits and capital letters "
                "except I, O, S, V and Z."
            ),
            code="credit_code_format",
        )
    if credit_code_check_character(code[:17]) != code[17]:
        raise ValidationError(
            _(
                "This unified social credit code is not valid: its check character does not match "
                "(GB 32100-2015). Please check for a typing error."
            ),
            code="credit_code_check",
        )


def validate_https_url(value: str) -> None:
    """A link people are sent to from the platform: encrypted, so no one on the way reads or
    changes what they join."""
    if value and not value.lower().startswith("https://"):
        raise ValidationError(
            _("Give an https:// link (an unencrypted http:// link is refused)."),
            code="https_only",
        )
