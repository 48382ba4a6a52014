"""The state of a request and the spreading of payments over its lines."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from klynge.core.collection import (
    State,
    outstanding,
    request_state,
    settlement_differences,
    spread_payments,
    spread_received,
)

DUE = date(2024, 3, 31)


@pytest.mark.parametrize(
    ("received", "sent", "cancelled", "today", "state"),
    [
        (0, False, False, date(2024, 1, 1), State.DRAFT),
        (0, True, False, date(2024, 3, 31), State.SENT),  # due today is not overdue
        (1, True, False, date(2024, 3, 1), State.PARTLY_PAID),
        (100, True, False, date(2024, 5, 1), State.PAID),
        (150, True, False, date(2024, 5, 1), State.PAID),
        (99, True, False, date(2024, 4, 1), State.OVERDUE),
        (0, True, False, date(2024, 4, 1), State.OVERDUE),
        (0, True, True, date(2024, 4, 1), State.CANCELLED),
    ],
)
def test_request_state(
    received: int, sent: bool, cancelled: bool, today: date, state: State
) -> None:
    assert (
        request_state(
            total_ore=100, received_ore=received, sent=sent, cancelled=cancelled, due=DUE,
            today=today,
        )
        == state
    )  # fmt: skip


def test_outstanding_is_never_negative() -> None:
    assert outstanding(100, 30) == 70
    assert outstanding(100, 130) == 0


def test_a_payment_spreads_over_the_lines_by_their_amounts() -> None:
    # Greve paid half of 3 x 33.652,26 + nothing for a fourth office.
    lines = [("WBD", 3_365_226), ("Food", 3_365_226), ("DLSC", 3_365_226), ("Energy", 0)]

    spread = spread_received(5_047_839, lines)

    assert sum(spread.values()) == 5_047_839
    assert spread["Energy"] == 0
    assert sorted(spread[k] for k in ("WBD", "Food", "DLSC")) == [1_682_613, 1_682_613, 1_682_613]


@given(
    st.lists(st.integers(0, 10**9), min_size=1, max_size=6),
    st.integers(0, 10**10),
)
def test_spread_adds_up_to_what_was_received_up_to_the_total(amounts, received) -> None:
    lines = [(f"o{i}", amount) for i, amount in enumerate(amounts)]

    spread = spread_received(received, lines)

    assert sum(spread.values()) == min(received, sum(amounts))
    assert all(0 <= spread[key] <= amount for key, amount in lines)


def test_a_lead_s_payment_pays_its_own_lines_first() -> None:
    # Greve owes Næstved (WBD) and Slagelse (Food); Næstved registers 30.000,00 received.
    lines = [("WBD", 3_365_226, "370"), ("Food", 3_365_226, "330"), ("CLEAN", 2_000_000, None)]

    spread = spread_payments([("370", 3_000_000)], lines)
    both = spread_payments([("370", 4_000_000), (None, 1_000_000)], lines)

    assert spread == {"WBD": 3_000_000, "Food": 0, "CLEAN": 0}
    # A lead's payment never pays more than its lines; the general one spreads over the rest.
    assert both["WBD"] == 3_365_226
    assert both["Food"] + both["CLEAN"] == 1_000_000
    assert both["Food"] > both["CLEAN"] > 0


@given(
    st.lists(
        st.tuples(st.integers(0, 10**8), st.sampled_from(["a", "b", None])), min_size=1, max_size=5
    ),
    st.lists(st.tuples(st.sampled_from(["a", "b", None]), st.integers(1, 10**8)), max_size=5),
)
def test_spread_payments_never_exceeds_a_line_and_matches_spread_received_without_payees(
    amounts, payments
) -> None:
    lines = [(f"o{i}", amount, payee) for i, (amount, payee) in enumerate(amounts)]

    spread = spread_payments(payments, lines)
    general = spread_payments([(None, a) for _p, a in payments], lines)

    assert all(0 <= spread[key] <= amount for key, amount, _payee in lines)
    assert sum(spread.values()) <= min(sum(a for _p, a in payments), sum(a for _k, a, _p in lines))
    assert general == spread_received(
        sum(a for _p, a in payments), [(key, amount) for key, amount, _p in lines]
    )


@pytest.mark.parametrize(
    ("billed", "target", "supplements", "credits"),
    [
        ({"WBD": 100, "Food": 100}, {"WBD": 120, "Food": 90}, {"WBD": 20}, {"Food": 10}),
        ({"WBD": 100}, {}, {}, {"WBD": 100}),
        ({}, {"WBD": 50}, {"WBD": 50}, {}),
        ({"WBD": 100}, {"WBD": 100}, {}, {}),
    ],
)
def test_settlement_differences_by_hand(billed, target, supplements, credits) -> None:
    assert settlement_differences(billed, target) == (supplements, credits)
