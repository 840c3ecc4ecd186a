import pytest
from django.core.exceptions import ValidationError

from catalog.validators import (
    patent_check_character,
    validate_chinese_patent_number,
)


@pytest.mark.parametrize(
    "number",
    ["ZL202010123456.2", "CN202010123456.2", "zl 202010123456.2", "ZL202120123457.7"],
)
def test_valid_chinese_patent_numbers_pass(number):
    # given a well-formed number whose check digit is right, when / then: no error
    validate_chinese_patent_number(number)


def test_check_digit_ten_is_written_x():
    # given 12 digits whose weighted sum is 10 mod 11
    digits = next(
        f"2020101{n:05d}" for n in range(100000) if patent_check_character(f"2020101{n:05d}") == "X"
    )
    # then the number with X passes and the one with 0 fails
    validate_chinese_patent_number(f"ZL{digits}.X")
    with pytest.raises(ValidationError):
        validate_chinese_patent_number(f"ZL{digits}.0")


@pytest.mark.parametrize(
    ("number", "code"),
    [
        ("ZL202010123456.3", "patent_number_check"),
        ("ZL20201012345.2", "patent_number_format"),
        ("US10123456", "patent_number_format"),
        ("ZL202050123456.0", "patent_number_type"),
        ("ZL199910123456.0", "patent_number_year"),
    ],
)
def test_wrong_chinese_patent_numbers_are_refused_with_a_clear_code(number, code):
    # when a wrong number is checked
    with pytest.raises(ValidationError) as error:
        validate_chinese_patent_number(number)
    # then the error says what is wrong
    assert error.value.code == code


def test_patent_kind_must_match_the_type_digit():
    with pytest.raises(ValidationError) as error:
        validate_chinese_patent_number("ZL202010123456.2", kind="utility_model")
    assert error.value.code == "patent_number_kind"
