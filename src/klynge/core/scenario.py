"""
Scenarios: "what if Lejre leaves", "what if the lead share is 40 %", "what if
a fifth office opens". A scenario is a set of changes applied to a year's
office terms; the allocation engine computes it like any year, and each
municipality's yearly total is compared with the baseline.

Pure: no database, no clock. A scenario never changes stored runs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from fractions import Fraction
from typing import Any

from klynge.core.cofinancing import Key, OfficeAllocation, OfficeTerms
from klynge.core.money import round_half_away


class ScenarioError(ValueError):
    """The changes cannot be applied; the message says why."""


@dataclass(frozen=True)
class Changes:
    """What a scenario changes against the baseline year; empty fields change nothing."""

    leave: frozenset[str] = frozenset()
    join: frozenset[str] = frozenset()
    leads: Mapping[str, str | None] = field(default_factory=dict)
    office_amount_ore: int | None = None
    lead_share_ore: int | None = None
    lead_share_percent: Fraction | None = None
    index_percent: Fraction | None = None
    rounding_unit_ore: int | None = None
    key: Key | None = None
    custom_weights: Mapping[str, int] = field(default_factory=dict)
    new_offices: tuple[tuple[str, str | None], ...] = ()

    def as_json(self) -> dict[str, Any]:
        """Plain JSON data, to store a named scenario."""
        return {
            "leave": sorted(self.leave),
            "join": sorted(self.join),
            "leads": dict(sorted(self.leads.items())),
            "office_amount_ore": self.office_amount_ore,
            "lead_share_ore": self.lead_share_ore,
            "lead_share_percent": _fraction_text(self.lead_share_percent),
            "index_percent": _fraction_text(self.index_percent),
            "rounding_unit_ore": self.rounding_unit_ore,
            "key": self.key.value if self.key else None,
            "custom_weights": dict(sorted(self.custom_weights.items())),
            "new_offices": [list(office) for office in self.new_offices],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Changes:
        return cls(
            leave=frozenset(data.get("leave", [])),
            join=frozenset(data.get("join", [])),
            leads=dict(data.get("leads", {})),
            office_amount_ore=data.get("office_amount_ore"),
            lead_share_ore=data.get("lead_share_ore"),
            lead_share_percent=_fraction(data.get("lead_share_percent")),
            index_percent=_fraction(data.get("index_percent")),
            rounding_unit_ore=data.get("rounding_unit_ore"),
            key=Key(data["key"]) if data.get("key") else None,
            custom_weights={k: int(v) for k, v in data.get("custom_weights", {}).items()},
            new_offices=tuple((name, lead) for name, lead in data.get("new_offices", [])),
        )


def _fraction_text(value: Fraction | None) -> str | None:
    return None if value is None else f"{value.numerator}/{value.denominator}"


def _fraction(text: str | None) -> Fraction | None:
    return None if text is None else Fraction(text)


def apply_changes(terms: Sequence[OfficeTerms], changes: Changes) -> list[OfficeTerms]:
    """
    The baseline year's office terms with `changes` applied.

    :raises ScenarioError: if the year has no office to copy terms from
        (a new office copies the year's terms), or a change is impossible
    """
    if not terms:
        raise ScenarioError("Året har ingen finansierede kontorer at tage udgangspunkt i.")
    template = terms[0]
    changed = [*terms]
    for name, lead in changes.new_offices:
        if any(t.office == name for t in changed):
            raise ScenarioError(f"Kontoret '{name}' findes allerede i året.")
        changed.append(replace(template, office=name, lead_code=lead))
    return [_changed(t, changes) for t in changed]


def _changed(terms: OfficeTerms, changes: Changes) -> OfficeTerms:
    participants = (terms.participants - changes.leave) | changes.join
    amount = (
        changes.office_amount_ore if changes.office_amount_ore is not None else terms.amount_ore
    )
    lead_share = terms.lead_share_ore
    if changes.lead_share_ore is not None:
        lead_share = changes.lead_share_ore
    elif changes.lead_share_percent is not None:
        lead_share = round_half_away(amount * changes.lead_share_percent / 100)
    elif changes.office_amount_ore is not None and terms.amount_ore:
        # Keep the lead's proportion when only the amount changes.
        lead_share = round_half_away(Fraction(amount * terms.lead_share_ore, terms.amount_ore))
    if not 0 <= lead_share <= amount:
        raise ScenarioError("Leadandelen skal ligge mellem 0 og beløbet pr. kontor.")
    lead = (
        changes.leads.get(terms.office, terms.lead_code)
        if terms.office in changes.leads
        else terms.lead_code
    )
    index_base, index_percents = terms.index_base_year, terms.index_percents
    if changes.index_percent is not None:
        index_base, index_percents = terms.year - 1, {terms.year: changes.index_percent}
    return replace(
        terms,
        amount_ore=amount,
        lead_share_ore=lead_share,
        lead_code=lead,
        participants=frozenset(participants),
        key=changes.key or terms.key,
        rounding_unit_ore=changes.rounding_unit_ore or terms.rounding_unit_ore,
        custom_weights=changes.custom_weights or terms.custom_weights,
        index_base_year=index_base,
        index_percents=index_percents,
    )


def totals_by_municipality(allocations: Sequence[OfficeAllocation]) -> dict[str, int]:
    """Each municipality's yearly bill: the sum over the offices."""
    totals: dict[str, int] = {}
    for allocation in allocations:
        for line in allocation.lines:
            totals[line.municipality_code] = totals.get(line.municipality_code, 0) + line.amount_ore
    return totals


@dataclass(frozen=True)
class Row:
    """One municipality: baseline, scenario, and the change in øre and per cent."""

    code: str
    name: str
    baseline_ore: int
    scenario_ore: int

    @property
    def change_ore(self) -> int:
        return self.scenario_ore - self.baseline_ore

    @property
    def change_percent(self) -> Fraction | None:
        """The change as an exact percentage of the baseline; None from a baseline of 0."""
        if self.baseline_ore == 0:
            return None
        return Fraction(self.change_ore * 100, self.baseline_ore)


def compare(
    baseline: Mapping[str, int], scenario: Mapping[str, int], names: Mapping[str, str]
) -> list[Row]:
    """Every municipality side by side, the largest change first (then by code)."""
    rows = [
        Row(code, names.get(code, code), baseline.get(code, 0), scenario.get(code, 0))
        for code in sorted(set(baseline) | set(scenario) | set(names))
    ]
    return sorted(rows, key=lambda row: (-abs(row.change_ore), row.code))
