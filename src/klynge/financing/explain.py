"""
An allocation line's explanation in the reader's language, from its stored fields.

The engine's explanation (`AllocationLine.explanation`) is stored in Danish
and stays as it is, so a run is reproducible; these words are derived from
the same line's population, key total, split amount, exact quota and amount,
and they say the rounding in words instead of as a fraction.
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from typing import Any

from django.utils.translation import gettext as _

from klynge.common.templatetags.dk import dk_date
from klynge.core.money import format_decimal, format_dkk, format_fraction_ore, group_thousands


def _get(line: Any, name: str) -> Any:
    return line.get(name) if isinstance(line, Mapping) else getattr(line, name, None)


def _quota(line: Any) -> Fraction | None:
    quota = _get(line, "quota")
    if isinstance(quota, Fraction):
        return quota
    numerator, denominator = _get(line, "quota_numerator"), _get(line, "quota_denominator")
    if numerator is None or not denominator:
        return None
    return Fraction(numerator, denominator)


def _municipality(line: Any) -> str:
    municipality = _get(line, "municipality")
    return str(getattr(municipality, "name", municipality) or "")


def ore_text(value: Fraction) -> str:
    """An exact amount of øre with two decimals; '≈' when that rounds it: '≈ 0,37'."""
    text = format_decimal(value, places=2)
    return text if value * 100 == int(value * 100) else f"≈ {text}"


def rounding_text(line: Any) -> str:
    """How the exact share was rounded, in words: 'rundet op med ≈ 0,37 øre'."""
    quota = _quota(line)
    if quota is None:
        return "–"
    adjustment = _get(line, "amount_ore") - quota
    if adjustment == 0:
        return _("none: the exact share is the amount")
    words = _("rounded up by %(ore)s øre") if adjustment > 0 else _("rounded down by %(ore)s øre")
    return words % {"ore": ore_text(abs(adjustment))}


def explanation_text(line: Any) -> str:
    """
    The line's amount explained in one sentence, in the reader's language.

    Falls back to the stored (Danish) explanation when a field it needs is missing.
    """
    role = _get(line, "role")
    amount_ore = _get(line, "amount_ore")
    name = _municipality(line)
    if role == "none":
        return _("%(municipality)s does not take part and pays %(amount)s") % {
            "municipality": name,
            "amount": format_dkk(0),
        }
    if role == "lead":
        lead = _(
            "%(municipality)s is the lead municipality and pays the lead share of %(amount)s alone."
        )
        return lead % {"municipality": name, "amount": format_dkk(amount_ore)}
    quota, split, total = _quota(line), _get(line, "split_ore"), _get(line, "key_total")
    population, on = _get(line, "population"), _get(line, "population_date")
    weight = _get(line, "weight")
    if quota is None or split is None or total is None:
        return str(_get(line, "explanation") or "")
    values = {
        "split": format_dkk(split),
        "total": group_thousands(total),
        "quota": format_fraction_ore(quota),
        "amount": format_dkk(amount_ore),
    }
    if population is not None and on is not None:
        return _(
            "%(split)s is split by population: %(population)s on %(date)s out of "
            "%(total)s in all. The exact share %(quota)s is rounded to %(amount)s"
        ) % {**values, "population": group_thousands(population), "date": dk_date(on)}
    if weight is not None:
        return _(
            "%(split)s is split by weight: %(weight)s out of %(total)s in all. The exact "
            "share %(quota)s is rounded to %(amount)s"
        ) % {**values, "weight": group_thousands(weight)}
    return str(_get(line, "explanation") or "")
