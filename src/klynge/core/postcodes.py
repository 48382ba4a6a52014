"""
A participant's municipality from an explicit code or its postal code.

Pure: the caller passes the postal-code table (see participation/data/SOURCES.md).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class PostalArea:
    """One municipality's part of a postal code's area."""

    postal_code: str
    municipality_code: str
    area_share: str
    primary: bool


@dataclass(frozen=True)
class Placement:
    """Where a participant belongs: a municipality code, and whether that is certain."""

    municipality_code: str
    uncertain: bool
    how: str  # "code" (given), "postal" (from the postal code)


class PlacementError(ValueError):
    """Neither a usable municipality code nor a known postal code; the message says which."""


def postal_index(rows: Iterable[Mapping[str, str]]) -> dict[str, list[PostalArea]]:
    """The table's rows grouped by postal code."""
    index: dict[str, list[PostalArea]] = {}
    for row in rows:
        area = PostalArea(
            row["postnr"].strip(),
            row["kommunekode"].strip().zfill(3),
            row["area_share"].strip(),
            row["primary"].strip() == "yes",
        )
        index.setdefault(area.postal_code, []).append(area)
    return index


def place(
    *,
    municipality_code: str,
    postal_code: str,
    index: Mapping[str, list[PostalArea]],
    known_codes: frozenset[str],
) -> Placement:
    """
    The participant's municipality.

    An explicit code wins (it must be a known municipality). Otherwise the
    postal code's main municipality is used, uncertain when the postal code
    spans several municipalities.

    :raises PlacementError: if the code is unknown, or the postal code is
        unknown or missing
    """
    code = municipality_code.strip()
    if code:
        code = code.zfill(3)
        if code not in known_codes:
            raise PlacementError(f"kommunekode {code} er ukendt")
        return Placement(code, uncertain=False, how="code")
    postal = postal_code.strip()
    if not postal:
        raise PlacementError("hverken kommunekode eller postnummer er angivet")
    areas = index.get(postal)
    if not areas:
        raise PlacementError(f"postnummer {postal} er ukendt")
    primary = next((a for a in areas if a.primary), areas[0])
    return Placement(primary.municipality_code, uncertain=len(areas) > 1, how="postal")
