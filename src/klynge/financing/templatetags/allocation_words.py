"""Filters that say an allocation line's explanation and rounding in words."""

from __future__ import annotations

from typing import Any

from django import template

from klynge.financing.explain import explanation_text, rounding_text

register = template.Library()


@register.filter
def explained(line: Any) -> str:
    """`{{ line|explained }}`: the amount explained in the reader's language."""
    return explanation_text(line)


@register.filter
def rounding(line: Any) -> str:
    """`{{ line|rounding }}`: 'rundet op med ≈ 0,37 øre' instead of a fraction."""
    return rounding_text(line)
