import pytest
from django.core.exceptions import ValidationError

from catalog.validators import (
    patent_check_character,
    validate_chinese_patent_number,
    validate_patent_number,
    validate_pct_number,
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


def with_check(digits: str) -> str:
    """A number made valid here: the check character computed from the weights 2..9, 2..5."""
    weights = (2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5)
    remainder = sum(int(d) * w for d, w in zip(digits, weights, strict=False)) % 11
    return f"{digits}.{'X' if remainder == 10 else remainder}"


@pytest.mark.parametrize(
    "written",
    [
        "CN{}",  # the CN prefix
        "{}",  # no prefix
        "ZL {}",
    ],
)
def test_computed_valid_numbers_pass_with_or_without_prefix_and_spaces(written):
    number = with_check("201910123456")
    # 2*2+0*3+1*4+9*5+1*6+0*7+1*8+2*9+3*2+4*3+5*4+6*5 = 153 = 13*11 + 10: written X
    assert number == "201910123456.X"
    validate_chinese_patent_number(written.format(number))
    # the grouping 2019 1 0123456.0 as the office prints it
    validate_chinese_patent_number("2019 1 0123456.X")
    with pytest.raises(ValidationError):
        validate_chinese_patent_number("2019 1 0123456.7")


def test_every_wrong_check_digit_of_a_computed_number_is_refused():
    number = with_check("202120987654")
    validate_chinese_patent_number(number)
    right = number[-1]
    for wrong in "0123456789X":
        if wrong == right:
            continue
        with pytest.raises(ValidationError) as error:
            validate_chinese_patent_number(number[:-1] + wrong)
        assert error.value.code == "patent_number_check"
        assert error.value.params["expected"] == right


def test_the_older_8_digit_numbers_are_checked_too():
    number = with_check("98123456")
    validate_chinese_patent_number(number)
    validate_chinese_patent_number("ZL" + with_check("02212345"), kind="utility_model")
    wrong = number[:-1] + ("0" if number[-1] != "0" else "1")
    with pytest.raises(ValidationError) as error:
        validate_chinese_patent_number(wrong)
    assert error.value.code == "patent_number_check"
    # an 8-digit number from 2004 on is not possible: the 12-digit format had started
    with pytest.raises(ValidationError) as error:
        validate_chinese_patent_number(with_check("05123456"))
    assert error.value.code == "patent_number_year"


@pytest.mark.parametrize("number", ["PCT/CN2020/123456", "pct/cn 2021/000001", "PCT/US03/12345"])
def test_pct_application_numbers_pass(number):
    validate_pct_number(number, kind="invention_patent")
    validate_patent_number(number, kind="invention_patent", jurisdiction="WO")


@pytest.mark.parametrize(
    ("number", "code"),
    [
        ("PCT/CN2020/12345", "pct_number_format"),  # a 4-digit year needs a 6-digit serial
        ("PCT/CN20/123456", "pct_number_format"),
        ("PCT/C2020/123456", "pct_number_format"),
        ("PCT/CN1999/123456", "patent_number_year"),  # 6-digit serials began in 2004
        ("PCT/CN2999/123456", "patent_number_year"),
    ],
)
def test_wrong_pct_numbers_are_refused_with_a_clear_code(number, code):
    with pytest.raises(ValidationError) as error:
        validate_patent_number(number, kind="invention_patent", jurisdiction="CN")
    assert error.value.code == code


def test_a_design_is_not_a_pct_application():
    with pytest.raises(ValidationError) as error:
        validate_pct_number("PCT/CN2020/123456", kind="design")
    assert error.value.code == "pct_number_kind"


def test_numbers_of_other_offices_are_not_checked():
    validate_patent_number("US10123456B2", kind="invention_patent", jurisdiction="US")
    with pytest.raises(ValidationError):
        validate_patent_number("US10123456B2", kind="invention_patent", jurisdiction="CN")
