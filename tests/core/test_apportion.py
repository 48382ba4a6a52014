"""Largest-remainder (Hamilton) apportionment: exact sums, whole units, fair ties."""

from __future__ import annotations

import math
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from klynge.core.apportion import ApportionError, Part, apportion


def amounts(total, weights, unit=1):
    """The apportioned amounts only, in input order."""
    return [part.amount for part in apportion(total, weights, unit=unit)]


# --- hand-worked tables -----------------------------------------------------


@pytest.mark.parametrize(
    ("total", "weights", "expected"),
    [
        # W = 3; 10·1 = 3·3 + 1 for each: floors 3,3,3 (sum 9), leftover 1;
        # all remainders 1 and all weights 1 -> first listed gets it.
        (10, [("a", 1), ("b", 1), ("c", 1)], [4, 3, 3]),
        # W = 3; 100·2 = 66·3 + 2, 100·1 = 33·3 + 1; floors 99, leftover 1 -> a (remainder 2).
        (100, [("a", 2), ("b", 1)], [67, 33]),
        # Same weights listed the other way round: the remainder decides, not the order.
        (100, [("a", 1), ("b", 2)], [33, 67]),
        # W = 4; 7 = 1·4 + 3 for each: floors 4, leftover 3 -> the first three listed.
        (7, [("a", 1), ("b", 1), ("c", 1), ("d", 1)], [2, 2, 2, 1]),
        # W = 100000; quotas 500000, 300000, 200000 are whole: no leftover.
        (1_000_000, [("a", 50_000), ("b", 30_000), ("c", 20_000)], [500_000, 300_000, 200_000]),
        # W = 5 + 3 = 8; 13·5 = 8·8 + 1, 13·3 = 4·8 + 7; floors 12, leftover 1 -> b (7 > 1).
        (13, [("a", 5), ("b", 3)], [8, 5]),
        # A single recipient takes everything.
        (7, [("a", 5)], [7]),
        # Nothing to split: everybody gets 0.
        (0, [("a", 3), ("b", 1)], [0, 0]),
        # Fewer units than recipients: W = 6; 2·1 = 0·6 + 2, 2·2 = 0·6 + 4, 2·3 = 1·6 + 0;
        # floors 0,0,1, leftover 1 -> b (remainder 4 beats 2 and 0).
        (2, [("a", 1), ("b", 2), ("c", 3)], [0, 1, 1]),
    ],
)
def test_apportion_gives_leftover_units_to_largest_remainders(total, weights, expected):
    assert amounts(total, weights) == expected
    assert sum(expected) == total


@pytest.mark.parametrize(
    ("total", "weights", "expected"),
    [
        # W = 4; 2·1 = 0·4 + 2 and 2·3 = 1·4 + 2: equal remainders 2, floors 0,1, leftover 1.
        # The larger weight b wins the tie although a is listed first.
        (2, [("a", 1), ("b", 3)], [0, 2]),
        # Listed the other way round the result per key is the same.
        (2, [("b", 3), ("a", 1)], [2, 0]),
        # W = 6; 3·1 = 0·6 + 3 and 3·5 = 2·6 + 3: equal remainders, leftover 1 -> b (weight 5).
        (3, [("a", 1), ("b", 5)], [0, 3]),
        # W = 8; 2·2 = 0·8 + 4 and 2·6 = 1·8 + 4: equal remainders, leftover 1 -> b (weight 6).
        (2, [("a", 2), ("b", 6)], [0, 2]),
    ],
)
def test_apportion_breaks_remainder_ties_by_larger_weight_before_input_order(
    total, weights, expected
):
    assert amounts(total, weights) == expected


@pytest.mark.parametrize(
    ("total", "weights", "expected"),
    [
        # W = 5; a: 2·1 = 0·5 + 2, b: 2·3 = 1·5 + 1, c: 2·1 = 0·5 + 2; floors 0,1,0, leftover 1.
        # a and c tie on remainder 2 and on weight 1 -> a, listed first.
        (2, [("a", 1), ("b", 3), ("c", 1)], [1, 1, 0]),
        # The same with c listed first -> c gets it.
        (2, [("c", 1), ("b", 3), ("a", 1)], [1, 1, 0]),
    ],
)
def test_apportion_breaks_full_ties_by_input_order(total, weights, expected):
    assert amounts(total, weights) == expected


@pytest.mark.parametrize(
    ("total", "weights", "unit", "expected"),
    [
        # 1000 øre = 10 units of 100; W = 3: 10 = 3·3 + 1 each, leftover 1 -> a.
        (1_000, [("a", 1), ("b", 1), ("c", 1)], 100, [400, 300, 300]),
        # 10000 øre = 100 units; as (100, (2, 1)) above in units: 67, 33 units.
        (10_000, [("a", 2), ("b", 1)], 100, [6_700, 3_300]),
        # 1000000 øre = 10 units of 100000; W = 45678 + 23456 + 12345 = 81479;
        # 10·45678 = 5·81479 + 49385, 10·23456 = 2·81479 + 71602, 10·12345 = 1·81479 + 41971;
        # floors 5,2,1 (sum 8), leftover 2 -> b (71602), a (49385): 6, 3, 1 units.
        (
            1_000_000,
            [("a", 45_678), ("b", 23_456), ("c", 12_345)],
            100_000,
            [600_000, 300_000, 100_000],
        ),
        # 200000 øre = 2 units of 100000 among W = 4 as in the tie table: 0, 2 units.
        (200_000, [("a", 1), ("b", 3)], 100_000, [0, 200_000]),
    ],
)
def test_apportion_in_rounding_units_gives_whole_units_that_sum_exactly(
    total, weights, unit, expected
):
    result = amounts(total, weights, unit)
    assert result == expected
    assert sum(result) == total
    assert all(amount % unit == 0 for amount in result)


def test_apportion_returns_parts_in_input_order_with_exact_quota_and_adjustment():
    # W = 3; quotas 100·2/3 = 200/3 and 100·1/3 = 100/3; amounts 67 and 33 as above.
    a, b = apportion(100, [("a", 2), ("b", 1)])
    assert a == Part(key="a", weight=2, amount=67, quota=Fraction(200, 3))
    assert b == Part(key="b", weight=1, amount=33, quota=Fraction(100, 3))
    assert a.adjustment == Fraction(1, 3)  # 67 - 66⅔
    assert b.adjustment == Fraction(-1, 3)  # 33 - 33⅓


def test_apportion_quota_is_in_the_same_currency_as_the_total_not_in_units():
    # 1000 øre in units of 100 among (1, 1, 1): quota 1000/3 øre each.
    parts = apportion(1_000, [("a", 1), ("b", 1), ("c", 1)], unit=100)
    assert [part.quota for part in parts] == [Fraction(1_000, 3)] * 3
    assert [part.adjustment for part in parts] == [
        Fraction(200, 3),  # 400 - 333⅓
        Fraction(-100, 3),  # 300 - 333⅓
        Fraction(-100, 3),
    ]


# --- impossible inputs --------------------------------------------------------


@pytest.mark.parametrize(
    ("total", "weights", "unit", "message"),
    [
        (-1, [("a", 1)], 1, "negativt"),
        (150, [("a", 1)], 100, "afrundingsenheden"),  # 150 øre is 1½ kroner
        (100, [("a", 1)], 0, "positiv"),
        (100, [("a", 1)], -100, "positiv"),
        (100, [], 1, "ingen"),
        (100, [("a", 1), ("a", 2)], 1, "to gange"),
        (100, [("a", 1), ("b", 0)], 1, "positive"),
        (100, [("a", 1), ("b", -3)], 1, "positive"),
    ],
)
def test_apportion_refuses_impossible_inputs(total, weights, unit, message):
    with pytest.raises(ApportionError, match=message):
        apportion(total, weights, unit=unit)


def test_apportion_error_is_a_value_error():
    assert issubclass(ApportionError, ValueError)


# --- properties against an exact reference --------------------------------------


def reference_hamilton(total, weights, unit):
    """Hamilton's method from scratch with Fractions and the documented tie-break."""
    units = total // unit
    weight_sum = sum(weight for _, weight in weights)
    quotas = [Fraction(units * weight, weight_sum) for _, weight in weights]
    floors = [math.floor(quota) for quota in quotas]
    remainders = [quota - floor for quota, floor in zip(quotas, floors, strict=True)]
    leftover = units - sum(floors)
    ranking = sorted(range(len(weights)), key=lambda i: (-remainders[i], -weights[i][1], i))
    winners = set(ranking[:leftover])
    return [(floors[i] + (1 if i in winners else 0)) * unit for i in range(len(weights))]


@st.composite
def apportion_inputs(draw):
    unit = draw(st.sampled_from([1, 100, 100_000]))
    units = draw(st.integers(min_value=0, max_value=10**7))
    # Small weights produce many ties; large ones resemble populations.
    weight = st.one_of(
        st.integers(min_value=1, max_value=5), st.integers(min_value=1, max_value=10**6)
    )
    raw = draw(st.lists(weight, min_size=1, max_size=20))
    weights = [(f"k{i:02d}", w) for i, w in enumerate(raw)]
    return units * unit, weights, unit


@settings(max_examples=300, deadline=None)
@given(apportion_inputs())
def test_apportion_keeps_every_invariant_and_matches_the_reference(inputs):
    total, weights, unit = inputs
    parts = apportion(total, weights, unit=unit)
    weight_sum = sum(weight for _, weight in weights)

    assert [part.key for part in parts] == [key for key, _ in weights]
    assert [part.weight for part in parts] == [weight for _, weight in weights]
    assert sum(part.amount for part in parts) == total
    for part in parts:
        assert part.amount % unit == 0
        assert part.amount >= 0
        assert part.quota == Fraction(total * part.weight, weight_sum)
        assert abs(part.amount - part.quota) < unit
    for bigger in parts:
        for smaller in parts:
            if bigger.weight > smaller.weight:
                assert bigger.amount >= smaller.amount
            if bigger.weight == smaller.weight:
                assert abs(bigger.amount - smaller.amount) <= unit
    assert [part.amount for part in parts] == reference_hamilton(total, weights, unit)


@settings(max_examples=100, deadline=None)
@given(apportion_inputs())
def test_apportion_is_deterministic(inputs):
    total, weights, unit = inputs
    assert apportion(total, weights, unit=unit) == apportion(total, list(weights), unit=unit)


@settings(max_examples=100, deadline=None)
@given(apportion_inputs(), st.integers(min_value=2, max_value=1_000))
def test_apportion_is_unchanged_when_every_weight_is_scaled(inputs, factor):
    # Remainders scale with the weights, so ranking and amounts stay the same.
    total, weights, unit = inputs
    scaled = [(key, weight * factor) for key, weight in weights]
    assert amounts(total, scaled, unit) == amounts(total, weights, unit)
