"""Danish date formatting: 1. januar 2024."""

from __future__ import annotations

from datetime import date, datetime, timedelta

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


MONTHS_EN = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


def format_date_numeric(value: date) -> str:
    """Write `value` as Danish users type it: date(2024, 3, 1) -> '01-03-2024'."""
    return f"{value.day:02d}-{value.month:02d}-{value.year:04d}"


def format_date_en(value: date) -> str:
    """Write `value` as an English long date: date(2024, 1, 1) -> '1 January 2024'."""
    return f"{value.day} {MONTHS_EN[value.month - 1]} {value.year}"


def format_datetime(value: datetime, *, language: str = "da") -> str:
    """A local date and time: '27. november 2026 kl. 06.05' (en: '27 November 2026, 06:05')."""
    if language == "en":
        return f"{format_date_en(value)}, {value:%H:%M}"
    return f"{format_date_da(value)} kl. {value:%H.%M}"


def parse_date_da(text: str) -> date:
    """
    A date as Danish users write it: '31-03-2024', '31.03.2024', '31/3/2024' or ISO '2024-03-31'.

    :raises ValueError: naming the text, if it is no such date
    """
    cleaned = text.strip()
    parts = cleaned.replace(".", "-").replace("/", "-").split("-")
    try:
        if len(parts) == 3 and len(parts[0]) == 4:
            return date(int(parts[0]), int(parts[1]), int(parts[2]))
        if len(parts) == 3 and len(parts[2]) == 4:
            return date(int(parts[2]), int(parts[1]), int(parts[0]))
    except ValueError:
        pass
    raise ValueError(f"'{text}' er ikke en dato (fx 31-03-2024)")


def default_due_date(*, year: int, today: date) -> date:
    """
    The due date a year's payment requests get unless told otherwise.

    31 March of the budget year while that is still ahead, else 30 days from today.
    """
    march = date(year, 3, 31)
    return march if march > today else today + timedelta(days=30)
