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


# The 98 municipalities of Denmark since 2007 and Christiansø (411), by their three-digit
# code (DAGI/DAWA `kommunekode`). A code outside this set is no municipality at all; one
# inside it but outside the register is a real municipality outside Region Sjælland.
DANISH_MUNICIPALITY_CODES = frozenset((
    "101", "147", "151", "153", "155", "157", "159", "161", "163", "165", "167", "169", "173",
    "175", "183", "185", "187", "190", "201", "210", "217", "219", "223", "230", "240", "250",
    "253", "259", "260", "265", "269", "270", "306", "316", "320", "326", "329", "330", "336",
    "340", "350", "360", "370", "376", "390", "400", "410", "411", "420", "430", "440", "450",
    "461", "479", "480", "482", "492", "510", "530", "540", "550", "561", "563", "573", "575",
    "580", "607", "615", "621", "630", "657", "661", "665", "671", "706", "707", "710", "727",
    "730", "740", "741", "746", "751", "756", "760", "766", "773", "779", "787", "791", "810",
    "813", "820", "825", "840", "846", "849", "851", "860",
))  # fmt: skip


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

    An explicit code wins (it must be one of `known_codes`: the region's and
    every other Danish municipality's). Otherwise the postal code's main
    municipality is used, uncertain when the postal code spans several
    municipalities.

    :raises PlacementError: if the code is no municipality, or the postal code
        is missing or outside the region (the table holds the region's)
    """
    code = municipality_code.strip()
    if code:
        code = code.zfill(3)
        if code not in known_codes:
            raise PlacementError(f"kommunekode {code} findes ikke (en dansk kommunekode er fx "
                                 "370 for Næstved)")  # fmt: skip
        return Placement(code, uncertain=False, how="code")
    postal = postal_code.strip()
    if not postal:
        raise PlacementError("hverken kommunekode eller postnummer er angivet")
    areas = index.get(postal)
    if not areas:
        # The table holds every postal code that touches the region, so any other lies
        # outside it; its municipality cannot be told from the table, but from the code.
        raise PlacementError(
            f"postnummer {postal} ligger uden for Region Sjælland; skriv deltagerens "
            "kommunekode i kolonnen Kommunekode"
        )
    primary = next((a for a in areas if a.primary), areas[0])
    return Placement(primary.municipality_code, uncertain=len(areas) > 1, how="postal")
