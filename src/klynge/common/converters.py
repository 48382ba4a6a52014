"""
Path converters that read ids, years and codes within bounds.

A value outside them matches no pattern, so the answer is 404 before any view
or query runs: no 30-digit id reaches PostgreSQL (a bigint overflow there is a
DataError, i.e. a 500) and no year 99999 reaches `datetime.date`.
"""

from __future__ import annotations

from klynge.core.numbers import FIRST_YEAR, LAST_YEAR, MAX_ID


class IdConverter:
    """An object id: 1 to 2**63 - 1 (a PostgreSQL bigint)."""

    regex = "[0-9]{1,19}"

    def to_python(self, value: str) -> int:
        number = int(value)
        if not 1 <= number <= MAX_ID:
            raise ValueError(value)
        return number

    def to_url(self, value: int) -> str:
        return str(value)


class YearConverter:
    """A budget or activity year within the plausible window."""

    regex = "[0-9]{4}"

    def to_python(self, value: str) -> int:
        number = int(value)
        if not FIRST_YEAR <= number <= LAST_YEAR:
            raise ValueError(value)
        return number

    def to_url(self, value: int) -> str:
        return str(value)


class CodeConverter:
    """A municipality code: three ASCII digits, kept as text ('056')."""

    regex = "[0-9]{3}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return str(value)


class DigitsConverter:
    """One to 19 ASCII digits, kept as text: a municipality code or an office id."""

    regex = "[0-9]{1,19}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str | int) -> str:
        return str(value)
