"""
Numbers typed by users, read within bounds: ids, years, whole numbers, percentages.

Only ASCII digits count (`'²'.isdigit()` is true, and `int('²')` fails), no
exponent or fraction notation is read (`Fraction('1e10000000')` holds a worker
for seconds), and the number of digits is capped before any conversion, so
reading a hostile text costs time in proportion to the cap, not to the text.
"""

from __future__ import annotations

import re
from enum import Enum
from fractions import Fraction

MAX_ID = 2**63 - 1  # the largest value of a 64-bit (PostgreSQL bigint) primary key
FIRST_YEAR = 2000  # the plausible window for a budget, activity or due year
LAST_YEAR = 2100

_ID_DIGITS = len(str(MAX_ID))


class NumberProblem(Enum):
    """Why a text is not a number within bounds; the interface words each one."""

    FORMAT = "format"  # not digits, a sign and a decimal comma, or too many digits
    PLACES = "places"  # too many decimals
    RANGE = "range"  # a number, but outside the bounds


class NumberError(ValueError):
    """A text is not a number within bounds; `problem` says why."""

    def __init__(self, problem: NumberProblem) -> None:
        super().__init__(problem.value)
        self.problem = problem


def parse_whole(text: str, *, low: int, high: int) -> int:
    """
    Read a whole number of ASCII digits (an optional leading minus) within [low, high].

    :raises NumberError: FORMAT if it is no such number or has more digits than
        `high` or `low` could need; RANGE if it lies outside the bounds
    """
    cleaned = text.strip()
    digits = max(len(str(abs(low))), len(str(abs(high))))
    if not re.fullmatch(rf"-?[0-9]{{1,{digits}}}", cleaned):
        raise NumberError(NumberProblem.FORMAT)
    number = int(cleaned)
    if not low <= number <= high:
        raise NumberError(NumberProblem.RANGE)
    return number


def parse_id(text: str | None) -> int | None:
    """An object id (1 to 2**63 - 1) from a query parameter, or None if it is none."""
    try:
        return parse_whole(text or "", low=1, high=MAX_ID)
    except NumberError:
        return None


def parse_year(text: str | None) -> int | None:
    """A year within the plausible window from a query parameter, or None if it is none."""
    try:
        return parse_whole(text or "", low=FIRST_YEAR, high=LAST_YEAR)
    except NumberError:
        return None


def parse_decimal(text: str, *, low: Fraction, high: Fraction, places: int) -> Fraction:
    """
    Read a decimal number as Danes write it (40, 2,5, -1,25; a dot is read as the comma).

    The whole part has at most as many digits as the bounds need and the
    decimals at most `places`; the value is exact.

    :raises NumberError: FORMAT, PLACES or RANGE
    """
    cleaned = text.strip().replace(",", ".")
    bound = max(abs(low), abs(high))
    digits = len(str(int(bound)))
    match = re.fullmatch(rf"(-?)([0-9]{{1,{digits}}})(?:\.([0-9]+))?", cleaned)
    if not match:
        raise NumberError(NumberProblem.FORMAT)
    sign, whole, decimals = match[1], match[2], match[3] or ""
    if len(decimals) > places:
        raise NumberError(NumberProblem.PLACES)
    value = Fraction(int(whole + decimals), 10 ** len(decimals))
    value = -value if sign else value
    if not low <= value <= high:
        raise NumberError(NumberProblem.RANGE)
    return value
