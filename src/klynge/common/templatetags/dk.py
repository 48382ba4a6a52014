"""Danish formatting filters: amounts in øre, whole numbers, dates."""

from __future__ import annotations

from datetime import date, datetime
from fractions import Fraction

from django import template
from django.utils import timezone, translation

from klynge.core.dates import format_date_da, format_date_en, format_datetime
from klynge.core.money import (
    format_decimal,
    format_dkk,
    format_fraction_ore,
    format_percent,
    group_thousands,
)
from klynge.core.sources import SourceRef, split_sources

register = template.Library()


@register.filter
def dkk(ore: int | None) -> str:
    """øre -> '1.234.567,89 kr.'; empty for None."""
    return "" if ore is None else format_dkk(ore)


@register.filter
def dkk_plain(ore: int | None) -> str:
    """øre -> '1.234.567,89' (for table cells whose header says kr.)."""
    return "" if ore is None else format_dkk(ore, unit=False)


@register.filter
def dk_int(value: int | None) -> str:
    """849857 -> '849.857'."""
    return "" if value is None else group_thousands(value)


@register.filter
def dk_date(value: date | None) -> str:
    """date -> '1. januar 2024' ('1 January 2024' in English)."""
    if value is None:
        return ""
    return format_date_en(value) if translation.get_language() == "en" else format_date_da(value)


@register.filter
def dk_datetime(value: datetime | None) -> str:
    """An aware datetime in local time -> '27. november 2026 kl. 06.05'."""
    if value is None:
        return ""
    language = "en" if translation.get_language() == "en" else "da"
    return format_datetime(timezone.localtime(value), language=language)


@register.filter
def quota(value: Fraction | None) -> str:
    """An exact øre quota in kroner with four decimals."""
    return "" if value is None else format_fraction_ore(value)


@register.filter
def percent(value: Fraction | None) -> str:
    """An exact percentage with one decimal: '-12,3 %'; a dash for None."""
    return "–" if value is None else format_percent(value)


@register.filter
def decimal2(value: Fraction | None) -> str:
    """An exact number with two decimals, Danish style: '12,34'; a dash for None."""
    return "–" if value is None else format_decimal(value, places=2)


@register.filter
def sources(text: str | None) -> dict[str, list[SourceRef]]:
    """A source text as short references: {'seed': [...], 'found': [...]}."""
    refs = split_sources(text or "")
    return {
        "seed": [ref for ref in refs if ref.from_seed],
        "found": [ref for ref in refs if not ref.from_seed],
    }
