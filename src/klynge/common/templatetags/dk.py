"""Danish formatting filters: amounts in øre, whole numbers, dates."""

from __future__ import annotations

from datetime import date
from fractions import Fraction

from django import template

from klynge.core.dates import format_date_da
from klynge.core.money import format_dkk, format_fraction_ore, group_thousands

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
    """date -> '1. januar 2024'."""
    return "" if value is None else format_date_da(value)


@register.filter
def quota(value: Fraction | None) -> str:
    """An exact øre quota in kroner with four decimals."""
    return "" if value is None else format_fraction_ore(value)


@register.filter
def fraction(value: Fraction | None) -> str:
    """An exact fraction as 'numerator/denominator'."""
    return "" if value is None else f"{value.numerator}/{value.denominator}"


@register.filter
def get_item(mapping: dict[str, object] | None, key: str) -> object:
    """Look up `key` in a dict from a template."""
    return None if mapping is None else mapping.get(key)
