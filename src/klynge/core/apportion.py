"""
Largest-remainder (Hamilton) apportionment of an integer amount.

The one exact-sum rounding routine of Klynge. Everything that splits money
calls it, so the invariants below hold everywhere:

- the parts add up exactly to the total;
- every part is a whole number of rounding units;
- no part is more than one unit from its exact quota;
- a larger weight never gets less than a smaller one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction


class ApportionError(ValueError):
    """The inputs of an apportionment are impossible."""


@dataclass(frozen=True, slots=True)
class Part:
    """One recipient's part of an apportioned total, with its exact quota."""

    key: str
    weight: int
    amount: int
    quota: Fraction

    @property
    def adjustment(self) -> Fraction:
        """The rounding adjustment: amount minus exact quota."""
        return self.amount - self.quota


def apportion(total: int, weights: Sequence[tuple[str, int]], *, unit: int = 1) -> tuple[Part, ...]:
    """
    Split `total` among `weights` in proportion to each weight, in whole `unit`s.

    Each recipient gets the floor of its quota in units; the leftover units go
    one each to the largest fractional remainders. Ties go to the larger weight,
    then to the recipient listed first (callers list by municipality code).
    Parts are returned in input order.

    :raises ApportionError: if the total is negative or not a multiple of
        `unit`, the unit is not positive, a weight is not positive, a key
        repeats, or there is nobody to split among
    """
    if unit <= 0:
        raise ApportionError("afrundingsenheden skal være positiv")
    if total < 0:
        raise ApportionError("beløbet, der skal fordeles, må ikke være negativt")
    if total % unit:
        raise ApportionError("beløbet går ikke op i afrundingsenheden")
    if not weights:
        raise ApportionError("der er ingen at fordele beløbet mellem")
    keys = [key for key, _ in weights]
    if len(set(keys)) != len(keys):
        raise ApportionError("samme modtager optræder to gange")
    if any(weight <= 0 for _, weight in weights):
        raise ApportionError("alle vægte skal være positive")

    amounts = apportion_amounts(total, [weight for _, weight in weights], unit=unit)
    weight_sum = sum(weight for _, weight in weights)
    return tuple(
        Part(
            key=key,
            weight=weight,
            amount=amount,
            quota=Fraction(total * weight, weight_sum),
        )
        for (key, weight), amount in zip(weights, amounts, strict=True)
    )


def apportion_amounts(total: int, weights: Sequence[int], *, unit: int = 1) -> list[int]:
    """
    Return the parts of `total` for `weights` by largest remainder, unchecked.

    The integer-only kernel of `apportion`, for callers that validated their
    inputs already: positive weights, a total that is a non-negative multiple
    of a positive unit. Same result and tie-break as `apportion`.
    """
    units = total // unit
    weight_sum = sum(weights)
    pairs = [divmod(units * weight, weight_sum) for weight in weights]
    floors = [floor for floor, _ in pairs]
    leftover = units - sum(floors)
    if leftover:
        # Remainders share the denominator weight_sum, so integers compare exactly.
        remainders = [remainder for _, remainder in pairs]
        ranked = sorted(remainders)
        cut = len(ranked) - leftover
        threshold = ranked[cut]
        if cut and ranked[cut - 1] == threshold:
            # A tie straddles the cut: rank fully (larger weight, then input order).
            order = sorted(range(len(weights)), key=lambda i: (-remainders[i], -weights[i], i))
            for i in order[:leftover]:
                floors[i] += 1
        else:
            # The `leftover` largest remainders are exactly those >= threshold.
            floors = [
                floor + 1 if remainder >= threshold else floor
                for floor, remainder in zip(floors, remainders, strict=True)
            ]
    return floors if unit == 1 else [floor * unit for floor in floors]
