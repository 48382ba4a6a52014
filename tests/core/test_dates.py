"""Danish date formatting: '1. januar 2024'."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from klynge.core.dates import MONTHS_DA, default_due_date, format_date_da, format_month_da

MONTHS = [
    (1, "januar"),
    (2, "februar"),
    (3, "marts"),
    (4, "april"),
    (5, "maj"),
    (6, "juni"),
    (7, "juli"),
    (8, "august"),
    (9, "september"),
    (10, "oktober"),
    (11, "november"),
    (12, "december"),
]


def test_format_date_da_writes_day_dot_month_year():
    assert format_date_da(date(2024, 1, 1)) == "1. januar 2024"


@pytest.mark.parametrize(("month", "name"), MONTHS)
def test_format_date_da_names_every_month_in_lower_case_danish(month, name):
    assert format_date_da(date(2023, month, 15)) == f"15. {name} 2023"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (date(2024, 2, 29), "29. februar 2024"),  # leap day
        (date(2023, 12, 31), "31. december 2023"),  # no leading zero, no zero padding
        (date(2021, 5, 9), "9. maj 2021"),
        (date(999, 3, 1), "1. marts 999"),  # the year is not padded either
    ],
)
def test_format_date_da_has_no_leading_zeros(value, expected):
    assert format_date_da(value) == expected


@pytest.mark.parametrize(("month", "name"), MONTHS)
def test_format_month_da_writes_month_and_year(month, name):
    assert format_month_da(date(2021, month, 28)) == f"{name} 2021"


def test_format_month_da_ignores_the_day():
    assert format_month_da(date(2021, 5, 1)) == format_month_da(date(2021, 5, 31)) == "maj 2021"


def test_there_are_twelve_month_names():
    assert len(MONTHS_DA) == 12
    assert list(MONTHS_DA) == [name for _, name in MONTHS]


@pytest.mark.parametrize(
    ("year", "today", "expected"),
    [
        (2025, date(2024, 11, 30), date(2025, 3, 31)),  # 31 March is still ahead
        (2025, date(2025, 3, 30), date(2025, 3, 31)),
        (2025, date(2025, 3, 31), date(2025, 4, 30)),  # on the day: 30 days on
        (2024, date(2026, 11, 30), date(2026, 12, 30)),  # a past year
        (2024, date(2024, 12, 15), date(2025, 1, 14)),  # across the new year
    ],
)
def test_default_due_date_is_31_march_while_ahead_else_30_days_on(year, today, expected):
    assert default_due_date(year=year, today=today) == expected


@given(year=st.integers(2000, 2100), today=st.dates(date(2000, 1, 1), date(2100, 12, 31)))
def test_the_default_due_date_is_always_after_today(year, today):
    due = default_due_date(year=year, today=today)

    assert due > today
    assert due == date(year, 3, 31) or due == today + timedelta(days=30)
