"""
Query parameters read within bounds.

A value that is not what the page asks for is ignored, as if it were absent:
filters and page choices are conveniences, and a bookmarked link with a stale
value should still open the page.
"""

from __future__ import annotations

import re

from klynge.core.numbers import parse_id, parse_year

SEARCH_MAX_LENGTH = 100  # characters of a free-text search


def query_year(text: str | None) -> int | None:
    """A year within the plausible window (2000-2100), or None."""
    return parse_year(text)


def query_id(text: str | None) -> int | None:
    """An object id within 1..2**63 - 1, or None."""
    return parse_id(text)


def query_code(text: str | None) -> str:
    """A municipality code of three ASCII digits, or ''."""
    text = text or ""
    return text if re.fullmatch(r"[0-9]{3}", text) else ""


def query_text(text: str | None, *, max_length: int = SEARCH_MAX_LENGTH) -> str:
    """Free text cut to `max_length` characters, without control characters (NUL included)."""
    cleaned = "".join(char for char in (text or "")[: max_length * 2] if char.isprintable())
    return cleaned[:max_length].strip()
