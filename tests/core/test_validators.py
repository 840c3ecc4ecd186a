import pytest
from django.core.exceptions import ValidationError

from core.regions import validate_region
from core.validators import credit_code_check_character, validate_unified_social_credit_code

# Published example codes whose check characters are known.
KNOWN_VALID_CODES = ["91350100M000100Y43", "91110000600037341L"]


@pytest.mark.parametrize("code", KNOWN_VALID_CODES)
def test_known_codes_pass(code):
    # given a real-format code with a correct check character
    # when / then it validates without error
    validate_unified_social_credit_code(code)


def test_lowercase_input_is_accepted():
    validate_unified_social_credit_code(KNOWN_VALID_CODES[0].lower())


@pytest.mark.parametrize(
    ("code", "error_code"),
    [
        ("91350100M000100Y44", "credit_code_check"),
        ("9135010OM000100Y43", "credit_code_format"),  # letter O is not in the alphabet
        ("91350100M000100Y4", "credit_code_format"),
        ("", "credit_code_format"),
    ],
)
def test_wrong_codes_are_refused_with_a_specific_message(code, error_code):
    # given a code with a typo
    # when it is validated
    with pytest.raises(ValidationError) as raised:
        validate_unified_social_credit_code(code)
    # then the error says which rule failed
    assert raised.value.code == error_code


def test_check_character_of_a_known_code():
    assert credit_code_check_character("91350100M000100Y4") == "3"


@pytest.mark.parametrize("code", ["CN-JS", "CN-GD", "DE", "ET", "US"])
def test_region_codes_accepted(code):
    validate_region(code)


@pytest.mark.parametrize("code", ["CN", "CN-XX", "XX", "jiangsu"])
def test_region_codes_refused(code):
    with pytest.raises(ValidationError):
        validate_region(code)
