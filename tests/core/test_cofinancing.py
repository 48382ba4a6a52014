"""The co-financing rule: the lead pays its share, the others split the rest by a key."""

from __future__ import annotations

import pickle
from dataclasses import FrozenInstanceError, replace
from datetime import date
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from klynge.core.cofinancing import (
    AllocationInputError,
    Key,
    Line,
    Municipality,
    OfficeTerms,
    PopulationFigure,
    ReferenceDateRule,
    Role,
    _explain,
    _grouped,
    allocate_all,
    allocate_office,
    index_factor,
    reference_date,
)
from klynge.core.dates import format_date_da
from klynge.core.money import format_dkk, group_thousands

JAN1_2023 = date(2023, 1, 1)
JAN1_2024 = date(2024, 1, 1)

# Code order is the order of the lines: 316, 329, 340, 370.
HOLBAEK = Municipality("316", "Holbæk")
RINGSTED = Municipality("329", "Ringsted")
SORO = Municipality("340", "Sorø")
NAESTVED = Municipality("370", "Næstved")
MUNICIPALITIES = [NAESTVED, SORO, RINGSTED, HOLBAEK]  # deliberately not in code order

# Invented populations on 1 January 2023 (the reference date of budget year 2024).
POPULATIONS_2023 = {"316": 72_000, "329": 35_000, "340": 30_000, "370": 70_001}


def figures(by_code, on=JAN1_2023):
    return {
        code: {on: PopulationFigure(population, on, "test")} for code, population in by_code.items()
    }


POPULATIONS = figures(POPULATIONS_2023)


def terms(**changes):
    """Office K: Holbæk leads, Sorø and Næstved share the rest, Ringsted does not take part."""
    base = OfficeTerms(
        office="K",
        year=2024,
        amount_ore=2_500_000,  # 25.000 kr.
        lead_share_ore=1_000_000,  # 10.000 kr.
        lead_code="316",
        participants=frozenset({"316", "340", "370"}),
    )
    return replace(base, **changes)


def by_code(allocation):
    return {line.municipality_code: line for line in allocation.lines}


def problems_of(call):
    with pytest.raises(AllocationInputError) as caught:
        call()
    return caught.value.problems


# --- hand-worked allocations --------------------------------------------------


def test_lead_pays_exactly_its_share_and_the_others_split_the_rest_by_population():
    # Split = 2500000 - 1000000 = 1500000 øre; key = 30000 + 70001 = 100001 (no Holbæk,
    # no Ringsted). Sorø: 1500000·30000 = 449995·100001 + 50005 -> quota 449995.50004…
    # Næstved: 1500000·70001 = 1050004·100001 + 49996 -> quota 1050004.49995…
    # Floors 449995 + 1050004 = 1499999, leftover 1 -> Sorø (50005 > 49996).
    allocation = allocate_office(terms(), MUNICIPALITIES, POPULATIONS)
    lines = by_code(allocation)

    assert [line.municipality_code for line in allocation.lines] == ["316", "329", "340", "370"]
    assert [line.amount_ore for line in allocation.lines] == [1_000_000, 0, 449_996, 1_050_004]
    assert [line.role for line in allocation.lines] == [
        Role.LEAD,
        Role.NONE,
        Role.SHARE,
        Role.SHARE,
    ]
    assert allocation.total_ore == allocation.office_amount_ore == 2_500_000
    assert allocation.lead_share_ore == 1_000_000
    assert allocation.split_ore == 1_500_000
    assert allocation.index_factor == 1
    assert allocation.reference_date == JAN1_2023
    assert allocation.key is Key.POPULATION
    assert allocation.rounding_unit_ore == 1

    soro = lines["340"]
    assert soro.key_total == 100_001
    assert soro.split_ore == 1_500_000
    assert soro.weight == 30_000
    assert soro.population == PopulationFigure(30_000, JAN1_2023, "test")
    assert soro.quota == Fraction(1_500_000 * 30_000, 100_001)
    assert soro.adjustment == Fraction(49_996, 100_001)  # 449996 - (449995 + 50005/100001)
    assert lines["370"].adjustment == Fraction(-49_996, 100_001)  # 1050004 - 1050004.49995…


def test_lead_and_non_participant_lines_carry_no_key_figures():
    lines = by_code(allocate_office(terms(), MUNICIPALITIES, POPULATIONS))
    for code in ("316", "329"):
        line = lines[code]
        assert line.population is None
        assert line.weight is None
        assert line.key_total is None
        assert line.quota is None
        assert line.adjustment is None


def test_non_participant_pays_nothing_and_needs_no_population_figure():
    # Ringsted has no figure at all; it does not take part, so nothing is missing.
    populations = figures({code: p for code, p in POPULATIONS_2023.items() if code != "329"})
    allocation = allocate_office(terms(), MUNICIPALITIES, populations)
    ringsted = by_code(allocation)["329"]
    assert ringsted.role is Role.NONE
    assert ringsted.amount_ore == 0
    assert ringsted.municipality_name == "Ringsted"
    assert by_code(allocation)["340"].key_total == 100_001  # 30000 + 70001, no 35000


def test_lead_population_is_not_in_the_key():
    # Holbæk's 72000 inhabitants are not counted: the key is Sorø + Næstved only.
    lines = by_code(allocate_office(terms(), MUNICIPALITIES, POPULATIONS))
    assert lines["340"].key_total == lines["370"].key_total == 30_000 + 70_001


def test_a_municipality_joining_changes_the_key_total():
    # With Ringsted in, key = 30000 + 35000 + 70001 = 135001.
    allocation = allocate_office(
        terms(participants=frozenset({"316", "329", "340", "370"})), MUNICIPALITIES, POPULATIONS
    )
    lines = by_code(allocation)
    assert lines["329"].role is Role.SHARE
    assert lines["329"].key_total == 135_001
    assert allocation.total_ore == 2_500_000


def test_equal_key_splits_the_rest_evenly_and_gives_leftover_to_lowest_code():
    # Split = 1000 - 0 = 1000 øre among Ringsted, Sorø, Næstved (weight 1 each):
    # 1000 = 333·3 + 1, leftover 1 -> first in code order (329 Ringsted).
    allocation = allocate_office(
        terms(
            amount_ore=1_000,
            lead_share_ore=0,
            participants=frozenset({"316", "329", "340", "370"}),
            key=Key.EQUAL,
        ),
        MUNICIPALITIES,
        {},  # no population is needed for an equal key
    )
    lines = by_code(allocation)
    assert [lines[c].amount_ore for c in ("316", "329", "340", "370")] == [0, 334, 333, 333]
    assert lines["329"].weight == 1
    assert lines["329"].key_total == 3
    assert lines["329"].population is None
    assert allocation.reference_date is None
    assert "vægt 1 ud af i alt 3" in lines["329"].explanation()


def test_custom_key_splits_the_rest_by_the_given_weights():
    # Split = 2000 - 1000 = 1000 øre, weights Sorø 2, Næstved 1, key 3:
    # 1000·2 = 666·3 + 2, 1000·1 = 333·3 + 1; leftover 1 -> Sorø (remainder 2).
    allocation = allocate_office(
        terms(
            amount_ore=2_000,
            lead_share_ore=1_000,
            key=Key.CUSTOM,
            custom_weights={"340": 2, "370": 1, "329": 5},  # Ringsted's weight is not used
        ),
        MUNICIPALITIES,
        {},
    )
    lines = by_code(allocation)
    assert lines["340"].amount_ore == 667
    assert lines["370"].amount_ore == 333
    assert lines["329"].amount_ore == 0
    assert lines["340"].key_total == 3
    assert lines["340"].quota == Fraction(2_000, 3)
    assert "vægt 2 ud af i alt 3" in lines["340"].explanation()


@pytest.mark.parametrize(
    ("unit", "amount", "lead_share", "soro", "naestved"),
    [
        # Unit 100: split 8000000 øre = 80000 units, key 100001.
        # Sorø 80000·30000 = 23999·100001 + 76001; Næstved 80000·70001 = 56000·100001 + 24000.
        # Floors 79999, leftover 1 -> Sorø: 24000 and 56000 units.
        (100, 10_000_000, 2_000_000, 2_400_000, 5_600_000),
        # Unit 100000: split 80000000 øre = 800 units.
        # Sorø 800·30000 = 239·100001 + 99761; Næstved 800·70001 = 560·100001 + 240.
        # Floors 799, leftover 1 -> Sorø: 240 and 560 units.
        (100_000, 100_000_000, 20_000_000, 24_000_000, 56_000_000),
    ],
)
def test_rounding_unit_gives_whole_units_that_sum_exactly(unit, amount, lead_share, soro, naestved):
    allocation = allocate_office(
        terms(amount_ore=amount, lead_share_ore=lead_share, rounding_unit_ore=unit),
        MUNICIPALITIES,
        POPULATIONS,
    )
    lines = by_code(allocation)
    assert lines["316"].amount_ore == lead_share
    assert lines["340"].amount_ore == soro
    assert lines["370"].amount_ore == naestved
    assert allocation.total_ore == amount
    assert all(line.amount_ore % unit == 0 for line in allocation.lines)
    assert allocation.rounding_unit_ore == unit


def test_lead_alone_may_pay_the_whole_amount():
    # Lead share = amount: nothing left to split, so no other participant is needed.
    allocation = allocate_office(
        terms(lead_share_ore=2_500_000, participants=frozenset({"316"})),
        MUNICIPALITIES,
        POPULATIONS,
    )
    assert [line.amount_ore for line in allocation.lines] == [2_500_000, 0, 0, 0]
    assert allocation.split_ore == 0


def test_zero_amount_gives_zero_lines():
    allocation = allocate_office(terms(amount_ore=0, lead_share_ore=0), MUNICIPALITIES, POPULATIONS)
    assert [line.amount_ore for line in allocation.lines] == [0, 0, 0, 0]


# --- reference dates -----------------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "year", "fixed", "expected"),
    [
        (ReferenceDateRule.JAN1_PREVIOUS_YEAR, 2024, None, date(2023, 1, 1)),
        (ReferenceDateRule.JAN1_PREVIOUS_YEAR, 2021, date(2019, 7, 1), date(2020, 1, 1)),
        (ReferenceDateRule.JAN1_BUDGET_YEAR, 2024, None, date(2024, 1, 1)),
        (ReferenceDateRule.FIXED, 2024, date(2022, 7, 1), date(2022, 7, 1)),
        (ReferenceDateRule.FIXED, 2030, date(2022, 7, 1), date(2022, 7, 1)),
    ],
)
def test_reference_date_follows_the_rule(rule, year, fixed, expected):
    assert reference_date(rule, year, fixed) == expected


def test_fixed_reference_date_rule_requires_a_date():
    with pytest.raises(ValueError, match="fixed reference date"):
        reference_date(ReferenceDateRule.FIXED, 2024)


@pytest.mark.parametrize(
    ("rule", "fixed", "expected"),
    [
        (ReferenceDateRule.JAN1_PREVIOUS_YEAR, None, JAN1_2023),
        (ReferenceDateRule.JAN1_BUDGET_YEAR, None, JAN1_2024),
        (ReferenceDateRule.FIXED, date(2022, 7, 1), date(2022, 7, 1)),
    ],
)
def test_allocation_reads_populations_on_the_reference_date_of_the_rule(rule, fixed, expected):
    # Figures on three dates with different populations; only the chosen one is used.
    populations = {}
    for day, extra in ((JAN1_2023, 0), (JAN1_2024, 1), (date(2022, 7, 1), 2)):
        for code, population in POPULATIONS_2023.items():
            populations.setdefault(code, {})[day] = PopulationFigure(population + extra, day, "t")
    allocation = allocate_office(
        terms(reference_date_rule=rule, fixed_reference_date=fixed), MUNICIPALITIES, populations
    )
    assert allocation.reference_date == expected
    soro = by_code(allocation)["340"]
    assert soro.population.reference_date == expected
    assert soro.population.population == 30_000 + {JAN1_2023: 0, JAN1_2024: 1}.get(expected, 2)


def test_fixed_rule_without_a_date_is_reported_as_a_problem():
    problems = problems_of(
        lambda: allocate_office(
            terms(reference_date_rule=ReferenceDateRule.FIXED), MUNICIPALITIES, POPULATIONS
        )
    )
    assert [problem.code for problem in problems] == ["reference_date_missing"]


# --- index (kommunal PL) -----------------------------------------------------------


PL = {2022: Fraction(5, 2), 2023: Fraction(3)}  # 2,5 % then 3 %


def test_index_factor_multiplies_one_plus_percent_for_each_year_after_the_base():
    # (1 + 2.5/100)·(1 + 3/100) = 1.025·1.03 = 1.05575 = 4223/4000
    assert index_factor(2023, 2021, PL) == Fraction(4223, 4000)
    assert index_factor(2022, 2021, PL) == Fraction(41, 40)  # 1.025


@pytest.mark.parametrize(("year", "base"), [(2023, None), (2021, 2021), (2020, 2021)])
def test_index_factor_is_one_without_base_or_when_the_year_is_not_after_it(year, base):
    assert index_factor(year, base, PL) == 1


def test_index_factor_names_the_first_year_without_a_percentage():
    with pytest.raises(KeyError, match="2023"):
        index_factor(2024, 2021, {2022: Fraction(2), 2024: Fraction(1)})


@pytest.mark.parametrize(
    ("unit", "amount", "lead_share", "indexed_amount", "indexed_lead_share"),
    [
        # Unit 1: 10000000·1.05575 = 10557500 exactly;
        # 1002000·1.05575 = 1057861.5 -> half up -> 1057862.
        (1, 10_000_000, 1_002_000, 10_557_500, 1_057_862),
        # Unit 100: 100000 units·1.05575 = 105575 units exactly;
        # 10020 units·1.05575 = 10578.615 units -> 10579 units = 1057900 øre.
        (100, 10_000_000, 1_002_000, 10_557_500, 1_057_900),
        # Unit 100000: 100 units·1.05575 = 105.575 -> 106 units = 10600000 øre;
        # 10 units·1.05575 = 10.5575 -> 11 units = 1100000 øre.
        (100_000, 10_000_000, 1_000_000, 10_600_000, 1_100_000),
    ],
)
def test_index_is_applied_to_amount_and_lead_share_and_rounded_half_up_to_the_unit(
    unit, amount, lead_share, indexed_amount, indexed_lead_share
):
    allocation = allocate_office(
        terms(
            year=2023,
            amount_ore=amount,
            lead_share_ore=lead_share,
            rounding_unit_ore=unit,
            index_base_year=2021,
            index_percents=PL,
        ),
        MUNICIPALITIES,
        figures(POPULATIONS_2023, on=date(2022, 1, 1)),
    )
    assert allocation.index_factor == Fraction(4223, 4000)
    assert allocation.office_amount_ore == indexed_amount
    assert allocation.lead_share_ore == indexed_lead_share
    assert by_code(allocation)["316"].amount_ore == indexed_lead_share
    assert allocation.split_ore == indexed_amount - indexed_lead_share
    assert allocation.total_ore == indexed_amount
    assert all(line.amount_ore % unit == 0 for line in allocation.lines)


# --- impossible inputs ----------------------------------------------------------------


def test_missing_population_names_the_municipality_and_the_date():
    # Sorø only has a figure for 1 January 2024, but budget year 2024 uses 1 January 2023.
    populations = dict(POPULATIONS)
    populations["340"] = {JAN1_2024: PopulationFigure(30_000, JAN1_2024, "test")}
    (problem,) = problems_of(lambda: allocate_office(terms(), MUNICIPALITIES, populations))
    assert problem.code == "population_missing"
    assert problem.office == "K"
    assert problem.municipality == "340"
    assert "Sorø" in problem.message
    assert "1. januar 2023" in problem.message


def test_every_missing_population_is_reported_at_once():
    populations = {"316": POPULATIONS["316"]}
    problems = problems_of(lambda: allocate_office(terms(), MUNICIPALITIES, populations))
    assert [(p.code, p.municipality) for p in problems] == [
        ("population_missing", "340"),
        ("population_missing", "370"),
    ]
    assert "Næstved" in problems[1].message


@pytest.mark.parametrize("population", [0, -5])
def test_population_that_is_not_positive_is_a_problem_naming_municipality_and_date(population):
    populations = dict(POPULATIONS)
    populations["370"] = {JAN1_2023: PopulationFigure(population, JAN1_2023, "test")}
    (problem,) = problems_of(lambda: allocate_office(terms(), MUNICIPALITIES, populations))
    assert problem.code == "population_not_positive"
    assert problem.municipality == "370"
    assert "Næstved" in problem.message
    assert "1. januar 2023" in problem.message


def test_lead_not_set_is_a_problem_naming_the_year():
    (problem,) = problems_of(
        lambda: allocate_office(terms(lead_code=None), MUNICIPALITIES, POPULATIONS)
    )
    assert problem.code == "lead_missing"
    assert "2024" in problem.message
    assert problem.office == "K"


def test_lead_that_does_not_take_part_is_a_problem():
    # Ringsted (329) is named lead but is not among the participants.
    (problem,) = problems_of(
        lambda: allocate_office(terms(lead_code="329"), MUNICIPALITIES, POPULATIONS)
    )
    assert problem.code == "lead_not_participant"
    assert problem.municipality == "329"
    assert "329" in problem.message
    assert "2024" in problem.message


def test_lead_share_larger_than_the_amount_is_a_problem_naming_both_amounts():
    (problem,) = problems_of(
        lambda: allocate_office(
            terms(amount_ore=100_000, lead_share_ore=100_001), MUNICIPALITIES, POPULATIONS
        )
    )
    assert problem.code == "lead_share_too_large"
    assert "1.000,01 kr." in problem.message  # lead share
    assert "1.000,00 kr." in problem.message  # office amount


@pytest.mark.parametrize(
    ("amount", "lead_share"),
    [(-100, 0), (100, -1)],
)
def test_negative_amount_or_lead_share_is_a_problem(amount, lead_share):
    problems = problems_of(
        lambda: allocate_office(
            terms(amount_ore=amount, lead_share_ore=lead_share), MUNICIPALITIES, POPULATIONS
        )
    )
    assert "negative_amount" in [problem.code for problem in problems]
    assert all(problem.office == "K" for problem in problems)


def test_no_participant_besides_the_lead_is_a_problem_when_something_is_left():
    (problem,) = problems_of(
        lambda: allocate_office(terms(participants=frozenset({"316"})), MUNICIPALITIES, POPULATIONS)
    )
    assert problem.code == "no_participants"
    assert "2024" in problem.message


def test_missing_or_non_positive_custom_weight_is_a_problem_per_municipality():
    problems = problems_of(
        lambda: allocate_office(
            terms(key=Key.CUSTOM, custom_weights={"340": 0}), MUNICIPALITIES, POPULATIONS
        )
    )
    assert [(p.code, p.municipality) for p in problems] == [
        ("weight_missing", "340"),  # weight 0
        ("weight_missing", "370"),  # no weight at all
    ]
    assert "Sorø" in problems[0].message
    assert "Næstved" in problems[1].message


def test_missing_index_percent_is_a_problem_naming_the_year():
    (problem,) = problems_of(
        lambda: allocate_office(
            terms(year=2023, index_base_year=2021, index_percents={2022: Fraction(5, 2)}),
            MUNICIPALITIES,
            figures(POPULATIONS_2023, on=date(2022, 1, 1)),
        )
    )
    assert problem.code == "index_missing"
    assert "2023" in problem.message


@pytest.mark.parametrize(
    ("amount", "lead_share", "label"),
    [
        (10_050, 1_000, "kontorbeløbet"),  # 100,50 kr. is not whole kroner
        (10_000, 1_050, "leadandelen"),
    ],
)
def test_amount_that_is_not_a_multiple_of_the_rounding_unit_is_a_problem(amount, lead_share, label):
    (problem,) = problems_of(
        lambda: allocate_office(
            terms(amount_ore=amount, lead_share_ore=lead_share, rounding_unit_ore=100),
            MUNICIPALITIES,
            POPULATIONS,
        )
    )
    assert problem.code == "not_multiple_of_unit"
    assert label in problem.message
    assert "1,00 kr." in problem.message  # the unit, written with format_dkk


def test_rounding_unit_outside_the_allowed_units_is_a_problem():
    (problem,) = problems_of(
        lambda: allocate_office(terms(rounding_unit_ore=50), MUNICIPALITIES, POPULATIONS)
    )
    assert problem.code == "bad_rounding_unit"


def test_unknown_participant_code_is_a_problem():
    problems = problems_of(
        lambda: allocate_office(
            terms(participants=frozenset({"316", "340", "370", "999"})),
            MUNICIPALITIES,
            POPULATIONS,
        )
    )
    assert "unknown_municipality" in [problem.code for problem in problems]
    assert any("999" in problem.message for problem in problems)


def test_allocation_input_error_lists_every_problem_in_its_message():
    error_problems = problems_of(
        lambda: allocate_office(terms(lead_code=None, amount_ore=-1), MUNICIPALITIES, POPULATIONS)
    )
    codes = {problem.code for problem in error_problems}
    assert {"negative_amount", "lead_missing"} <= codes
    error = AllocationInputError(error_problems)
    assert str(error) == "; ".join(problem.message for problem in error_problems)


# --- several offices ---------------------------------------------------------------


def test_allocate_all_returns_every_office_in_order():
    first = terms(office="A")
    second = terms(office="B", key=Key.EQUAL, amount_ore=1_000, lead_share_ore=0)
    result = allocate_all([first, second], MUNICIPALITIES, POPULATIONS)
    assert [allocation.office for allocation in result] == ["A", "B"]
    assert [allocation.total_ore for allocation in result] == [2_500_000, 1_000]


def test_allocate_all_collects_the_problems_of_every_office_and_returns_nothing():
    broken_lead = terms(office="A", lead_code=None)
    broken_population = terms(office="B")
    populations = {code: POPULATIONS[code] for code in ("316", "370")}  # Sorø is missing
    fine = terms(office="C", key=Key.EQUAL)
    problems = problems_of(
        lambda: allocate_all([broken_lead, fine, broken_population], MUNICIPALITIES, populations)
    )
    assert [(p.office, p.code) for p in problems] == [
        ("A", "lead_missing"),
        ("A", "population_missing"),  # office A is missing Sorø too
        ("B", "population_missing"),
    ]


def test_allocate_all_of_no_offices_is_empty():
    assert allocate_all([], MUNICIPALITIES, POPULATIONS) == ()


# --- explanations -------------------------------------------------------------------


def test_explanations_are_danish_sentences_with_the_amounts():
    lines = by_code(allocate_office(terms(), MUNICIPALITIES, POPULATIONS))
    assert lines["316"].explanation() == (
        "Holbæk er leadkommune og betaler leadandelen 10.000,00 kr. alene."
    )
    assert lines["329"].explanation() == "Ringsted deltager ikke i 2024 og betaler 0,00 kr."
    # Quota 449995.50004… øre = 4499,9550004… kr. -> 4.499,9550 kr. (rounded, hence ≈).
    assert lines["340"].explanation() == (
        "15.000,00 kr. fordeles efter indbyggertal 30.000 pr. 1. januar 2023 ud af i alt "
        "100.001: præcis kvote ≈ 4.499,9550 kr., afrundet til 4.499,96 kr."
    )


# --- properties against exact fractions ------------------------------------------------


@st.composite
def scenarios(draw, units=(1,)):
    unit = draw(st.sampled_from(units))
    codes = draw(
        st.lists(st.integers(min_value=100, max_value=999), min_size=2, max_size=20, unique=True)
    )
    codes = [str(code) for code in codes]
    municipalities = [Municipality(code, f"Kommune {code}") for code in codes]
    populations = {code: draw(st.integers(min_value=1, max_value=1_000_000)) for code in codes}
    lead = draw(st.sampled_from(codes))
    others = [code for code in codes if code != lead]
    sharers = [code for code in others if draw(st.booleans())]
    if not sharers:
        sharers = [draw(st.sampled_from(others))]
    amount = draw(st.integers(min_value=0, max_value=10**10 // unit)) * unit
    lead_share = draw(st.integers(min_value=0, max_value=amount // unit)) * unit
    office_terms = OfficeTerms(
        office="P",
        year=2024,
        amount_ore=amount,
        lead_share_ore=lead_share,
        lead_code=lead,
        participants=frozenset([lead, *sharers]),
        rounding_unit_ore=unit,
    )
    return office_terms, municipalities, figures(populations)


def check_allocation(office_terms, municipalities, populations):
    allocation = allocate_office(office_terms, municipalities, populations)
    unit = office_terms.rounding_unit_ore
    lines = allocation.lines
    share_lines = [line for line in lines if line.role is Role.SHARE]
    split = office_terms.amount_ore - office_terms.lead_share_ore
    key_total = sum(
        populations[code][JAN1_2023].population
        for code in office_terms.participants
        if code != office_terms.lead_code
    )

    assert [line.municipality_code for line in lines] == sorted(m.code for m in municipalities)
    assert sum(line.amount_ore for line in lines) == office_terms.amount_ore
    assert allocation.total_ore == office_terms.amount_ore
    assert allocation.amounts == tuple(line.amount_ore for line in lines)
    assert all(allocation.amount_of(line.municipality_code) == line.amount_ore for line in lines)
    for line in lines:
        assert line.amount_ore % unit == 0
        if line.municipality_code == office_terms.lead_code:
            assert line.role is Role.LEAD
            assert line.amount_ore == office_terms.lead_share_ore
        elif line.municipality_code not in office_terms.participants:
            assert line.role is Role.NONE
            assert line.amount_ore == 0
        else:
            population = populations[line.municipality_code][JAN1_2023].population
            exact = Fraction(split * population, key_total)
            assert line.role is Role.SHARE
            assert line.key_total == key_total
            assert line.quota == exact
            assert abs(line.amount_ore - exact) < unit
        assert line.explanation()
    for bigger in share_lines:
        for smaller in share_lines:
            if bigger.population.population > smaller.population.population:
                assert bigger.amount_ore >= smaller.amount_ore
    return lines


def check_explanation(line: Line):
    text = line.explanation()
    if line.role is Role.NONE:
        assert text == f"{line.municipality_name} deltager ikke i 2024 og betaler 0,00 kr."
        return
    assert format_dkk(line.amount_ore) in text
    if line.role is Role.LEAD:
        assert "er leadkommune og betaler leadandelen" in text
    else:
        assert "fordeles efter indbyggertal" in text
        assert format_date_da(JAN1_2023) in text
        assert format_dkk(line.split_ore) in text
        assert "afrundet til" in text


@settings(max_examples=200, deadline=None)
@given(scenarios())
def test_allocation_to_the_ore_is_exact_fair_and_explained(scenario):
    for line in check_allocation(*scenario):
        check_explanation(line)


@settings(max_examples=100, deadline=None)
@given(scenarios(units=(100, 100_000)))
def test_allocation_in_rounding_units_is_exact_and_within_one_unit_of_the_quota(scenario):
    check_allocation(*scenario)


# --- the fast lines against the straightforward ones ------------------------------------


@st.composite
def varied_allocations(draw):
    """Any key, unit, index and participation, including a lead without a figure."""
    office_terms, municipalities, populations = draw(scenarios(units=(1, 100, 100_000)))
    key = draw(st.sampled_from(list(Key)))
    changes: dict = {"key": key}
    if key is Key.CUSTOM:
        changes["custom_weights"] = {
            m.code: draw(st.integers(min_value=1, max_value=10**7)) for m in municipalities
        }
    if draw(st.booleans()):
        changes["index_base_year"] = 2022
        changes["index_percents"] = {
            2023: Fraction(draw(st.integers(min_value=-300, max_value=900)), 100),
            2024: Fraction(draw(st.integers(min_value=-300, max_value=900)), 100),
        }
    if key is Key.POPULATION and draw(st.booleans()):
        populations = {c: s for c, s in populations.items() if c != office_terms.lead_code}
    return allocate_office(replace(office_terms, **changes), municipalities, populations)


def fields_of(line: Line) -> tuple:
    return tuple(getattr(line, name) for name in Line.__dataclass_fields__)


@settings(max_examples=300, deadline=None)
@given(varied_allocations())
def test_lines_equal_the_straightforward_lines_field_by_field_and_word_by_word(allocation):
    fast = allocation.lines
    reference = allocation._reference_lines()
    assert len(fast) == len(reference)
    for line, expected in zip(fast, reference, strict=True):
        assert type(line) is Line
        assert line == expected
        assert hash(line) == hash(expected)
        assert repr(line) == repr(expected)
        assert fields_of(line) == fields_of(expected)
        if expected.quota is not None:
            assert type(line.quota) is Fraction
            assert (line.quota.numerator, line.quota.denominator) == (
                expected.quota.numerator,
                expected.quota.denominator,
            )
            assert hash(line.quota) == hash(expected.quota)
        assert line.explanation() == expected.explanation() == _explain(expected)


def test_lines_built_fast_are_ordinary_frozen_lines():
    line = by_code(allocate_office(terms(), MUNICIPALITIES, POPULATIONS))["340"]
    with pytest.raises(FrozenInstanceError):
        line.amount_ore = 0  # type: ignore[misc]
    copied = pickle.loads(pickle.dumps(line))  # noqa: S301 (our own bytes)
    assert copied == line
    assert copied.explanation() == line.explanation()
    assert replace(line).explanation() == line.explanation()
    assert Line(*fields_of(line)).explanation() == line.explanation()


def test_a_lead_without_a_population_figure_still_lets_the_others_split():
    # The lead's figure is not in the key, so its absence is no problem.
    populations = figures({code: p for code, p in POPULATIONS_2023.items() if code != "316"})
    lines = by_code(allocate_office(terms(), MUNICIPALITIES, populations))
    assert lines["316"].role is Role.LEAD
    assert lines["340"].key_total == 100_001
    assert lines["340"].amount_ore + lines["370"].amount_ore == 1_500_000


def test_offices_of_one_batch_share_figures_but_not_leads():
    # Same participants, different leads: each key leaves out its own lead.
    soro_leads = terms(office="L", lead_code="340")
    first, second = allocate_all([terms(), soro_leads], MUNICIPALITIES, POPULATIONS)
    assert by_code(first)["370"].key_total == 30_000 + 70_001
    assert by_code(second)["370"].key_total == 72_000 + 70_001
    assert by_code(second)["316"].role is Role.SHARE


@settings(max_examples=300)
@given(st.integers(min_value=0, max_value=10**15))
def test_grouping_without_a_format_spec_equals_group_thousands(number):
    assert _grouped(number) == group_thousands(number)


def test_a_municipality_listed_twice_is_refused_not_charged_twice() -> None:
    from klynge.core.cofinancing import (
        AllocationInputError,
        Municipality,
        OfficeTerms,
        PopulationFigure,
        allocate_office,
    )

    day = date(2023, 1, 1)
    municipalities = [Municipality("101", "A"), Municipality("102", "B"), Municipality("102", "B2")]
    populations = {c: {day: PopulationFigure(1000, day, "s")} for c in ("101", "102")}
    terms = OfficeTerms("K", 2024, 200, 100, "101", frozenset({"101", "102"}))

    with pytest.raises(AllocationInputError) as error:
        allocate_office(terms, municipalities, populations)

    assert [p.code for p in error.value.problems] == ["duplicate_municipality"]
    assert "102" in error.value.problems[0].message


def test_summarise_problems_groups_missing_population_per_date() -> None:
    from klynge.core.cofinancing import Problem, summarise_problems

    problems = [
        Problem("population_missing", "Greve mangler indbyggertal pr. 1. januar 2020.", "X"),
        Problem("population_missing", "Køge mangler indbyggertal pr. 1. januar 2020.", "X"),
        Problem("population_missing", "Greve mangler indbyggertal pr. 1. januar 2020.", "Y"),
        Problem("lead_missing", "Y: leadkommune er ikke angivet for 2021.", "Y"),
    ]

    assert summarise_problems(problems) == [
        "Indbyggertal pr. 1. januar 2020 mangler for 2 kommuner: Greve, Køge.",
        "Y: leadkommune er ikke angivet for 2021.",
    ]
