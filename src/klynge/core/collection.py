"""
The state of a payment request and how its payments spread over its lines.

Pure: the caller passes the request's figures and today's date.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from datetime import date

from klynge.core.apportion import apportion


class State(enum.StrEnum):
    """What the municipality and the secretariat see (design §4: udkast … forfalden)."""

    DRAFT = "draft"
    SENT = "sent"
    PARTLY_PAID = "partly_paid"
    PAID = "paid"
    OVERDUE = "overdue"
    CANCELLED = "cancelled"


def request_state(
    *,
    total_ore: int,
    received_ore: int,
    sent: bool,
    cancelled: bool,
    due: date | None,
    today: date,
) -> State:
    """
    The request's state.

    Cancelled wins; an unsent request is a draft; a request whose payments
    cover its total is paid; one still owing after its due date is overdue;
    otherwise it is partly paid or just sent.
    """
    if cancelled:
        return State.CANCELLED
    if not sent:
        return State.DRAFT
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
