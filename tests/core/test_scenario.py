"""Scenarios on office terms: hand-worked changes and the invariants."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from klynge.core.cofinancing import Key, OfficeTerms
from klynge.core.money import format_percent
from klynge.core.scenario import Changes, Row, ScenarioError, apply_changes, compare

BASE = OfficeTerms(
    office="WBD", year=2024, amount_ore=100_000_000, lead_share_ore=50_000_000, lead_code="370",
    participants=frozenset({"253", "259", "350", "370"}),
)  # fmt: skip


def test_no_changes_change_nothing() -> None:
    assert apply_changes([BASE], Changes()) == [BASE]


def test_a_municipality_leaves_and_another_joins() -> None:
    (terms,) = apply_changes([BASE], Changes(leave=frozenset({"350"}), join=frozenset({"316"})))

    assert terms.participants == {"253", "259", "370", "316"}


def test_a_lead_share_in_percent_is_rounded_to_the_ore() -> None:
    (terms,) = apply_changes([BASE], Changes(lead_share_percent=Fraction(100, 3)))

    assert terms.lead_share_ore == 33_333_333


def test_a_new_amount_keeps_the_leads_proportion_unless_told() -> None:
    (kept,) = apply_changes([BASE], Changes(office_amount_ore=120_000_000))
    (told,) = apply_changes([BASE], Changes(office_amount_ore=120_000_000, lead_share_ore=1))

    assert kept.lead_share_ore == 60_000_000
    assert told.lead_share_ore == 1


def test_a_fifth_office_copies_the_years_terms_with_its_own_lead() -> None:
    terms = apply_changes([BASE], Changes(new_offices=(("Nyt kontor", "316"),)))

    assert [t.office for t in terms] == ["WBD", "Nyt kontor"]
    assert terms[1].lead_code == "316" and terms[1].amount_ore == BASE.amount_ore


def test_the_index_and_key_and_rounding_apply_to_every_office() -> None:
    (terms,) = apply_changes(
        [BASE], Changes(index_percent=Fraction(5, 2), key=Key.EQUAL, rounding_unit_ore=100)
    )

    assert terms.index_base_year == 2023 and terms.index_percents == {2024: Fraction(5, 2)}
    assert terms.key is Key.EQUAL and terms.rounding_unit_ore == 100


@pytest.mark.parametrize(
    "changes",
    [
        Changes(lead_share_ore=100_000_001),
        Changes(lead_share_percent=Fraction(-1)),
        Changes(new_offices=(("WBD", None),)),
    ],
)
def test_impossible_changes_are_refused(changes: Changes) -> None:
    with pytest.raises(ScenarioError):
        apply_changes([BASE], changes)


def test_changes_survive_a_round_trip_through_json() -> None:
    changes = Changes(
        leave=frozenset({"350"}), leads={"WBD": "253"}, lead_share_percent=Fraction(75, 2),
        index_percent=Fraction(5, 2), key=Key.CUSTOM, custom_weights={"253": 2},
        new_offices=(("Nyt", None),), rounding_unit_ore=100,
    )  # fmt: skip

    assert Changes.from_json(changes.as_json()) == changes


def test_compare_sorts_by_the_largest_change_and_gives_exact_percentages() -> None:
    rows = compare({"253": 300, "350": 100, "259": 200}, {"253": 330, "350": 0, "259": 200}, {})

    assert [r.code for r in rows] == ["350", "253", "259"]
    assert rows[0].change_percent == -100
    assert format_percent(rows[1].change_percent) == "10,0 %"
    assert (
        Row(
            "x",
            "x",
            0,
            5,
        ).change_percent
        is None
    )


@given(st.integers(-(10**9), 10**9), st.integers(1, 10**6))
def test_format_percent_rounds_half_away_from_zero(numerator: int, denominator: int) -> None:
    text = format_percent(Fraction(numerator, denominator))

    value = Fraction(numerator, denominator)
    shown = Fraction(text.removesuffix(" %").replace(".", "").replace(",", "."))
    assert abs(shown - value) <= Fraction(1, 20)
