"""Money as integer øre: Danish formatting, strict parsing and exact rounding."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from klynge.core.money import (
    MoneyError,
    format_dkk,
    format_fraction_ore,
    group_thousands,
    kr,
    ore_per_unit,
    parse_dkk,
    round_half_away,
)

# --- format_dkk -------------------------------------------------------------


@pytest.mark.parametrize(
    ("ore", "expected"),
    [
        (0, "0,00 kr."),  # 0 øre = 0 kr. 0 øre
        (1, "0,01 kr."),  # divmod(1, 100) = (0, 1)
        (99, "0,99 kr."),  # divmod(99, 100) = (0, 99)
        (100, "1,00 kr."),  # divmod(100, 100) = (1, 0)
        (100_000, "1.000,00 kr."),  # 1000 kr. -> one thousands dot
        (123_456_789, "1.234.567,89 kr."),  # divmod = (1234567, 89); 1.234.567
        (-1, "-0,01 kr."),  # sign in front, then |−1| = 0 kr. 1 øre
        (-123_456_789, "-1.234.567,89 kr."),  # mirror of the positive case
    ],
)
def test_format_dkk_writes_danish_kroner_with_two_decimals_and_unit(ore, expected):
    assert format_dkk(ore) == expected


@pytest.mark.parametrize(
    ("ore", "expected"),
    [
        (123_456_789, "1.234.567,89"),  # same digits, no ' kr.'
        (-5, "-0,05"),  # divmod(5, 100) = (0, 5), sign kept
        (0, "0,00"),
    ],
)
def test_format_dkk_without_unit_leaves_out_kr(ore, expected):
    assert format_dkk(ore, unit=False) == expected


@pytest.mark.parametrize("value", [1.0, 0.5, True, False, "100", None])
def test_format_dkk_refuses_anything_but_int_ore(value):
    with pytest.raises(TypeError):
        format_dkk(value)


def test_kr_turns_whole_kroner_into_ore():
    assert kr(1_000) == 100_000  # 1000 kr. × 100 øre


# --- group_thousands --------------------------------------------------------


@pytest.mark.parametrize(
    ("number", "expected"),
    [
        (0, "0"),
        (7, "7"),
        (999, "999"),  # three digits: no separator yet
        (1_000, "1.000"),  # first group of four digits
        (12_345, "12.345"),
        (849_857, "849.857"),  # docstring example
        (1_000_000, "1.000.000"),
        (-1_234, "-1.234"),  # sign stays outside the groups
        (-999, "-999"),
    ],
)
def test_group_thousands_puts_a_dot_between_groups_of_three(number, expected):
    assert group_thousands(number) == expected


# --- parse_dkk --------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1.234.567,89", 123_456_789),  # 1234567 kr. × 100 + 89 øre
        ("1234567,89", 123_456_789),  # same without thousands dots
        ("33.652,26", 3_365_226),  # 33652 × 100 + 26
        ("1234", 123_400),  # whole kroner: 1234 × 100
        ("12,5", 1_250),  # one decimal means tenths: 12 × 100 + 50
        (" 1.000 kr.", 100_000),  # spaces and 'kr.' are ignored: 1000 × 100
        ("1.000 kr", 100_000),  # 'kr' without the dot too
        ("1\u00a0000,00", 100_000),  # non-breaking space as digit-group space
        ("-5,00", -500),  # leading minus: -(5 × 100)
        ("0,01", 1),
        ("0", 0),
    ],
)
def test_parse_dkk_reads_amounts_as_danish_users_write_them(text, expected):
    assert parse_dkk(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "1,234.56",  # English notation: the comma is not a thousands separator
        "12,345",  # three decimals would be silently rounded
        "1.23",  # a dot is only ever a thousands separator
        "1.2345,00",  # a thousands group must have exactly three digits
        "1.0000",
        "abc",
        "",
        "   ",
        "kr.",  # a unit without an amount
        "-",
        "12,",  # empty decimal field
        ",50",  # missing whole kroner
        "+5",
        "--5",
    ],
)
def test_parse_dkk_rejects_anything_that_is_not_a_danish_amount(text):
    with pytest.raises(MoneyError):
        parse_dkk(text)


def test_money_error_is_a_value_error_naming_the_text():
    with pytest.raises(ValueError, match="'abc'"):
        parse_dkk("abc")


@pytest.mark.parametrize(
    "text",
    [
        "1" + "0" * 15,  # 16 digits before the comma
        "1.000.000.000.000.000,00",  # the same, grouped
        "9" * 5000,  # past Python's int() limit of 4.300 digits
        "-" + "9" * 16,
    ],
)
def test_parse_dkk_refuses_more_than_fifteen_digits_before_the_comma(text):
    with pytest.raises(MoneyError, match="mere end 15 cifre"):
        parse_dkk(text)


def test_parse_dkk_reads_fifteen_digits_before_the_comma():
    assert parse_dkk("999.999.999.999.999,99") == 99_999_999_999_999_999


def test_money_error_quotes_at_most_thirty_characters_of_the_text():
    with pytest.raises(MoneyError) as error:
        parse_dkk("x" * 5000)

    assert "x" * 30 + "…'" in str(error.value)
    assert len(str(error.value)) < 100


@given(st.integers(min_value=-(10**17) + 1, max_value=10**17 - 1))
def test_parse_dkk_reads_back_what_format_dkk_wrote(ore):
    assert parse_dkk(format_dkk(ore, unit=False)) == ore
    assert parse_dkk(format_dkk(ore)) == ore


# --- ore_per_unit -----------------------------------------------------------


@pytest.mark.parametrize(
    ("ore", "count", "expected"),
    [
        (10, 4, 3),  # 10/4 = 2.5 -> half up -> 3
        (1, 2, 1),  # 0.5 -> 1
        (10, 3, 3),  # 3.333… -> 3
        (20, 3, 7),  # 6.666… -> 7
        (1, 3, 0),  # 0.333… -> 0
        (0, 5, 0),
        (-10, 4, -3),  # -2.5 -> half away from zero -> -3
        (84_985_700, 849_857, 100),  # exactly 1 kr. per inhabitant
        (50_000_000, 45_678, 1_095),  # 50000000 = 1094 × 45678 + 28268; 2 × 28268 > 45678 -> up
    ],
)
def test_ore_per_unit_rounds_half_up_to_whole_ore(ore, count, expected):
    assert ore_per_unit(ore, count) == expected


@pytest.mark.parametrize("count", [0, -1])
def test_ore_per_unit_refuses_a_count_that_is_not_positive(count):
    with pytest.raises(ValueError, match="positive"):
        ore_per_unit(100, count)


# --- round_half_away --------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Fraction(0), 0),
        (Fraction(4), 4),
        (Fraction(-4), -4),
        (Fraction(1, 2), 1),  # 0.5 -> 1 (not banker's 0)
        (Fraction(-1, 2), -1),  # -0.5 -> -1
        (Fraction(3, 2), 2),  # 1.5 -> 2
        (Fraction(-3, 2), -2),
        (Fraction(5, 2), 3),  # 2.5 -> 3 (banker's rounding would give 2)
        (Fraction(-5, 2), -3),  # -2.5 -> -3
        (Fraction(7, 3), 2),  # 2.333… -> 2
        (Fraction(-7, 3), -2),
        (Fraction(8, 3), 3),  # 2.666… -> 3
        (Fraction(-8, 3), -3),
        (Fraction(49, 100), 0),  # just under a half
        (Fraction(-51, 100), -1),  # just over a half, negative
    ],
)
def test_round_half_away_rounds_to_nearest_with_halves_away_from_zero(value, expected):
    assert round_half_away(value) == expected


@given(st.fractions())
def test_round_half_away_is_never_more_than_a_half_off_and_symmetric(value):
    rounded = round_half_away(value)
    assert abs(rounded - value) <= Fraction(1, 2)
    assert round_half_away(-value) == -rounded


# --- format_fraction_ore ----------------------------------------------------


@pytest.mark.parametrize(
    ("value", "places", "expected"),
    [
        # 123456789 øre = 1234567,89 kr. -> four places shown exactly
        (Fraction(123_456_789), 4, "1.234.567,8900 kr."),
        # 1/2 øre = 0,005 kr. = 0,0050 kr. exactly
        (Fraction(1, 2), 4, "0,0050 kr."),
        # 1000/3 øre = 3,33333… kr. -> 3,3333 kr. after rounding
        (Fraction(1_000, 3), 4, "≈ 3,3333 kr."),
        # 2000/3 øre = 6,66666… kr. -> 6,6667 kr.
        (Fraction(2_000, 3), 4, "≈ 6,6667 kr."),
        # -1/3 øre = -0,00333… kr. -> -0,0033 kr.
        (Fraction(-1, 3), 4, "≈ -0,0033 kr."),
        # 1/200 øre = 0,00005 kr.: a half at the last place -> up to 0,0001
        (Fraction(1, 200), 4, "≈ 0,0001 kr."),
        # 12345 øre with two places is just format_dkk
        (Fraction(12_345), 2, "123,45 kr."),
        # 1/3 øre with two places: 0,00333… kr. -> 0,00
        (Fraction(1, 3), 2, "≈ 0,00 kr."),
    ],
)
def test_format_fraction_ore_shows_approx_only_when_rounding_changed_the_value(
    value, places, expected
):
    assert format_fraction_ore(value, places=places) == expected


@settings(max_examples=200)
@given(st.integers(min_value=-(10**12), max_value=10**12))
def test_format_fraction_ore_of_whole_ore_is_exact_and_agrees_with_format_dkk(ore):
    text = format_fraction_ore(Fraction(ore), places=2)
    assert "≈" not in text
    assert text == format_dkk(ore)


@pytest.mark.parametrize("text", ["١٢٣", "１２,５", "12\n,50"])
def test_parse_dkk_accepts_only_ascii_digits_and_no_stray_newlines(text: str) -> None:
    with pytest.raises(MoneyError):
        parse_dkk(text)


def _grouped_by_hand(number: int) -> str:
    """Groups of three from the right, the way a person writes them."""
    digits = str(abs(number))
    groups = []
    while digits:
        groups.insert(0, digits[-3:])
        digits = digits[:-3]
    return ("-" if number < 0 else "") + ".".join(groups)


@settings(max_examples=300)
@given(st.integers(min_value=-(10**30), max_value=10**30))
def test_group_thousands_writes_every_number_as_grouped_by_hand(number):
    assert group_thousands(number) == _grouped_by_hand(number)
