"""
Money as integer øre: parsing and Danish formatting.

This is the only place that knows how an amount is written. Amounts are `int`
øre from input to output; no float ever touches them.
"""

from __future__ import annotations

import re
from fractions import Fraction

ORE_PER_KRONE = 100
# At most 15 digits before the comma (under 10.000 billion kroner): more is no
# amount anyone means, and a bound keeps parsing cheap (int() of 5.000 digits fails).
MAX_KRONER_DIGITS = 15
_SHOWN = 30  # characters of a refused text quoted back in the message

_THOUSANDS_GROUPED = re.compile(r"[0-9]{1,3}(\.[0-9]{3})+")
_PLAIN_DIGITS = re.compile(r"[0-9]+")


class MoneyError(ValueError):
    """A text could not be read as an amount of money."""


def kr(kroner: int) -> int:
    """Return `kroner` whole kroner as øre."""
    return kroner * ORE_PER_KRONE


def group_thousands(number: int) -> str:
    """Write a whole number with Danish thousands separators: 849857 -> '849.857'."""
    return f"{number:,}".replace(",", ".")


def format_dkk(ore: int, *, unit: bool = True) -> str:
    """
    Write `ore` as Danish kroner with two decimals: 123456789 -> '1.234.567,89 kr.'.

    :raises TypeError: if `ore` is not an int (a float must never reach here)
    """
    if not isinstance(ore, int) or isinstance(ore, bool):
        raise TypeError(f"amounts are integer øre, got {type(ore).__name__}")
    sign = "-" if ore < 0 else ""
    kroner, rest = divmod(abs(ore), ORE_PER_KRONE)
    text = f"{sign}{group_thousands(kroner)},{rest:02d}"
    return f"{text} kr." if unit else text


def format_fraction_ore(value: Fraction, *, places: int = 4) -> str:
    """
    Write an exact amount of øre (a Fraction) in kroner with `places` decimals.

    Used for exact quotas in explanations; the value is rounded half away from
    zero at the last shown place, and the text says '≈' when that changed it.
    """
    scale = 10**places
    scaled = value * scale / ORE_PER_KRONE
    rounded = round_half_away(scaled)
    sign = "-" if rounded < 0 else ""
    whole, rest = divmod(abs(rounded), scale)
    text = f"{sign}{group_thousands(whole)},{rest:0{places}d} kr."
    return text if scaled == rounded else f"≈ {text}"


def round_half_away(value: Fraction) -> int:
    """Round an exact value to the nearest integer, halves away from zero."""
    floor, rest = divmod(abs(value.numerator), value.denominator)
    magnitude = floor + (1 if 2 * rest >= value.denominator else 0)
    return magnitude if value >= 0 else -magnitude


def parse_dkk(text: str) -> int:
    """
    Read an amount in kroner as Danish users write it and return øre.

    Accepts '1.234.567,89', '1234567,89', '1234567', optional 'kr.' and spaces,
    and a leading minus. A dot is only ever a thousands separator, and at most
    two decimals are allowed, so no amount is silently rounded. At most
    `MAX_KRONER_DIGITS` digits before the comma.

    :raises MoneyError: if the text is not such an amount
    """
    shown = text if len(text) <= _SHOWN else f"{text[:_SHOWN]}…"
    cleaned = text.strip().removesuffix("kr.").removesuffix("kr").strip()
    cleaned = cleaned.replace("\u00a0", "").replace(" ", "")
    negative = cleaned.startswith("-")
    body = cleaned.removeprefix("-")
    whole, comma, decimals = body.partition(",")
    if re.fullmatch(r"[0-9.]+", whole) and len(whole.replace(".", "")) > MAX_KRONER_DIGITS:
        raise MoneyError(
            f"'{shown}' har mere end {MAX_KRONER_DIGITS} cifre før kommaet; "
            "det er ikke et beløb, Klynge kan regne med"
        )
    if not (_PLAIN_DIGITS.fullmatch(whole) or _THOUSANDS_GROUPED.fullmatch(whole)):
        raise MoneyError(f"'{shown}' er ikke et beløb i kroner (fx 1.234,56)")
    if comma and not re.fullmatch(r"[0-9]{1,2}", decimals):
        raise MoneyError(f"'{shown}' har mere end to decimaler eller et tomt decimalfelt")
    ore = int(whole.replace(".", "")) * ORE_PER_KRONE + int(decimals.ljust(2, "0") or 0)
    return -ore if negative else ore


def ore_per_unit(ore: int, count: int) -> int:
    """
    Return `ore` divided by `count`, rounded half up to whole øre.

    Used for kr. per inhabitant.

    :raises ValueError: if `count` is not positive
    """
    if count <= 0:
        raise ValueError("count must be positive")
    return round_half_away(Fraction(ore, count))


def format_decimal(value: Fraction, *, places: int = 1) -> str:
    """An exact number, rounded half away from zero: Fraction(-37, 3) -> '-12,3'."""
    scaled = round_half_away(value * 10**places)
    sign = "-" if scaled < 0 else ""
    whole, decimals = divmod(abs(scaled), 10**places)
    text = f"{group_thousands(whole)},{decimals:0{places}d}" if places else group_thousands(whole)
    return f"{sign}{text}"


def format_megabytes(size: int) -> str:
    """
    Bytes as Danish megabytes (10^6) with one decimal, rounded up: 50.400.000 -> '50,4'.

    A size just over a limit never reads as the limit itself ('50,1', not '50');
    a whole number of megabytes has no decimal (1.000.000 -> '1').
    """
    if size % 1_000_000 == 0:
        return group_thousands(size // 1_000_000)
    return format_decimal(Fraction(-(-size // 100_000), 10))


def format_percent(value: Fraction, *, places: int = 1) -> str:
    """An exact percentage, rounded half away from zero: Fraction(-37, 3) -> '-12,3 %'."""
    return f"{format_decimal(value, places=places)} %"
