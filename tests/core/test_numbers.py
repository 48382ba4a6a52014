"""Numbers typed by users, read within bounds."""

from __future__ import annotations

import time
from fractions import Fraction

import pytest

from klynge.core.numbers import (
    MAX_ID,
    NumberError,
    NumberProblem,
    parse_decimal,
    parse_id,
    parse_whole,
    parse_year,
)
from klynge.core.text import is_digits

HOSTILE = ("1e10000000", "1E+2000000", "1/0", "0/0", "NaN", "inf", "-inf", "0x10", "1_000")


@pytest.mark.parametrize(
    ("text", "expected"),
    [("0", True), ("2024", True), ("²", False), ("٣", False), ("", False), ("-1", False)],
)
def test_is_ascii_digits_counts_only_the_digits_0_to_9(text, expected):
    assert is_digits(text) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("1", 1), (" 42 ", 42), (str(MAX_ID), MAX_ID), ("0001", 1)],
)
def test_parse_id_reads_ids_within_a_bigint(text, expected):
    assert parse_id(text) == expected


@pytest.mark.parametrize(
    "text",
    [None, "", "0", "-1", str(MAX_ID + 1), "9" * 30, "9" * 5000, "²", "١٢٣", "1e5", "\x00"],
)
def test_parse_id_gives_none_for_anything_else(text):
    assert parse_id(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [("2000", 2000), ("2024", 2024), ("2100", 2100), ("1999", None), ("99999", None),
     ("9" * 30, None), ("²⁰²⁴", None), ("20²4", None), ("", None), (None, None)],
)  # fmt: skip
def test_parse_year_reads_years_within_the_plausible_window(text, expected):
    assert parse_year(text) == expected


def test_parse_whole_says_why_a_number_is_refused():
    with pytest.raises(NumberError) as format_error:
        parse_whole("12345", low=0, high=100)
    with pytest.raises(NumberError) as range_error:
        parse_whole("101", low=0, high=100)

    assert format_error.value.problem is NumberProblem.FORMAT
    assert range_error.value.problem is NumberProblem.RANGE


@pytest.mark.parametrize(
    ("text", "expected"),
    [("40", Fraction(40)), ("2,5", Fraction(5, 2)), ("2.5", Fraction(5, 2)),
     ("-1,25", Fraction(-5, 4)), ("0,0001", Fraction(1, 10_000)), ("100", Fraction(100))],
)  # fmt: skip
def test_parse_decimal_reads_danish_decimals_exactly(text, expected):
    assert parse_decimal(text, low=Fraction(-100), high=Fraction(100), places=4) == expected


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        *((text, NumberProblem.FORMAT) for text in HOSTILE),
        ("²", NumberProblem.FORMAT),
        ("1000", NumberProblem.FORMAT),  # more whole digits than the bounds need
        ("9" * 5000, NumberProblem.FORMAT),
        ("1,00001", NumberProblem.PLACES),
        ("100,5", NumberProblem.RANGE),
        ("-0,5", NumberProblem.RANGE),
    ],
)
def test_parse_decimal_refuses_notations_digits_and_values_out_of_bounds(text, problem):
    with pytest.raises(NumberError) as error:
        parse_decimal(text, low=Fraction(0), high=Fraction(100), places=4)

    assert error.value.problem is problem


def test_parse_decimal_refuses_a_huge_exponent_at_once():
    start = time.perf_counter()
    with pytest.raises(NumberError):
        parse_decimal("1e10000000", low=Fraction(0), high=Fraction(100), places=4)

    assert time.perf_counter() - start < 0.1  # Fraction() of it takes seconds
