"""Danish date formatting: 1. januar 2024."""

from __future__ import annotations

from datetime import date

MONTHS_DA = (
    "januar", "februar", "marts", "april", "maj", "juni",
    "juli", "august", "september", "oktober", "november", "december",
)  # fmt: skip


def format_date_da(value: date) -> str:
    """Write `value` as Danish long date: date(2024, 1, 1) -> '1. januar 2024'."""
    return f"{value.day}. {MONTHS_DA[value.month - 1]} {value.year}"


def format_month_da(value: date) -> str:
    """Write the month of `value` in Danish: 'maj 2021'."""
    return f"{MONTHS_DA[value.month - 1]} {value.year}"
