"""
The state of a payment request and how its payments spread over its lines.

Pure: the caller passes the request's figures and today's date.
"""

from __future__ import annotations

import enum
from collections.abc import Hashable, Mapping, Sequence
from datetime import date
from typing import TypeVar

from klynge.core.apportion import apportion

K = TypeVar("K", bound=Hashable)


class State(enum.StrEnum):
    """What the municipality and the secretariat see (design §4: udkast … forfalden)."""

    DRAFT = "draft"
    SENT = "sent"
    PARTLY_PAID = "partly_paid"
    PAID = "paid"
    OVERDUE = "overdue"
    CANCELLED = "cancelled"
    CREDITED = "credited"


def request_state(
    *,
    total_ore: int,
    received_ore: int,
    sent: bool,
    cancelled: bool,
    due: date | None,
    today: date,
    credit: bool = False,
) -> State:
    """
    The request's state.

    Cancelled wins; an unsent request is a draft; a sent credit note is
    credited (nothing is paid on it); a request whose payments
    cover its total is paid; one still owing after its due date is overdue;
    otherwise it is partly paid or just sent.
    """
    if cancelled:
        return State.CANCELLED
    if not sent:
        return State.DRAFT
    if credit:
        return State.CREDITED
    if received_ore >= total_ore:
        return State.PAID
    if due is not None and today > due:
        return State.OVERDUE
    return State.PARTLY_PAID if received_ore > 0 else State.SENT


def outstanding(total_ore: int, received_ore: int) -> int:
    """What is still owed; never negative (an overpayment is a refund, not credit)."""
    return max(total_ore - received_ore, 0)


def spread_received(received_ore: int, lines: Sequence[tuple[str, int]]) -> dict[str, int]:
    """
    Spread what a municipality has paid over its request's lines, in øre.

    Each line (key, amount) gets its share in proportion to its amount, by
    the same exact largest-remainder method as the allocation, so the parts
    add up to what was received. At most the request's total is spread;
    an overpayment is not credited to any office.
    """
    result = {key: 0 for key, _amount in lines}
    paying = [(key, amount) for key, amount in lines if amount > 0]
    total = sum(amount for _key, amount in paying)
    if total == 0 or received_ore <= 0:
        return result
    spread = min(received_ore, total)
    result.update({part.key: part.amount for part in apportion(spread, paying)})
    return result


def spread_payments(
    payments: Sequence[tuple[str | None, int]], lines: Sequence[tuple[str, int, str | None]]
) -> dict[str, int]:
    """
    Spread a request's payments over its lines (key, amount, payee), in øre.

    A payment registered by a payee (a lead municipality collecting its
    offices' shares) pays that payee's lines first, in proportion to what is
    left on them; the other payments are spread over what is left on all
    lines. Nothing is spread beyond a line's amount, so the parts add up to
    what was received up to the request's total, and with no payee-bound
    payment the result is exactly `spread_received`.
    """
    left = {key: amount for key, amount, _payee in lines}
    general = 0
    for payee, amount in payments:
        if payee is None:
            general += amount
            continue
        own = [(key, left[key]) for key, _amount, line_payee in lines if line_payee == payee]
        budget = min(amount, sum(rest for _key, rest in own))
        for key, part in spread_received(budget, own).items():
            left[key] -= part
    for key, part in spread_received(general, [(key, left[key]) for key, *_ in lines]).items():
        left[key] -= part
    return {key: amount - left[key] for key, amount, _payee in lines}


def settlement_differences(
    billed: Mapping[K, int], target: Mapping[K, int]
) -> tuple[dict[K, int], dict[K, int]]:
    """
    What a corrected year settles for one municipality, per key (office).

    `billed` is what its live documents bill net (requests and supplements
    less credits), `target` its share in the new approved run. Returns the
    supplements (target above billed) and the credits (billed above target),
    both as positive amounts, so billed + supplements - credits = target.
    """
    supplements: dict[K, int] = {}
    credits: dict[K, int] = {}
    for key in set(billed) | set(target):
        difference = target.get(key, 0) - billed.get(key, 0)
        if difference > 0:
            supplements[key] = difference
        elif difference < 0:
            credits[key] = -difference
    return supplements, credits
