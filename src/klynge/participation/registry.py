"""Reference data for checking participants: CVR numbers, postal codes, municipality codes."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from pathlib import Path

from django.utils.translation import gettext as _
from stdnum import exceptions as stdnum_errors
from stdnum.dk import cvr as stdnum_cvr

from klynge.core.postcodes import DANISH_MUNICIPALITY_CODES, PostalArea, postal_index
from klynge.core.tabular import read_data_file
from klynge.core.text import is_digits

POSTAL_TABLE = Path(__file__).parent / "data" / "postnumre.csv"


@cache
def postal_areas() -> dict[str, list[PostalArea]]:
    """The shipped postal-code table, by postal code."""
    return postal_index(
        read_data_file(POSTAL_TABLE.read_text(encoding="utf-8"), name=POSTAL_TABLE.name)
    )


def known_municipality_codes(registered: Iterable[str]) -> frozenset[str]:
    """
    Every municipality code a participant may have: the register's, the postal table's
    and every other Danish municipality's (a participant outside the region is kept with
    its code and counted in no municipality of the region).
    """
    return (
        frozenset(registered)
        | frozenset(area.municipality_code for areas in postal_areas().values() for area in areas)
        | DANISH_MUNICIPALITY_CODES
    )


def cvr_clean(text: str) -> str:
    """
    A CVR number as 8 digits.

    :raises ValueError: naming what is wrong: other characters than digits, the
        length, a leading 0 (no CVR number starts with 0) or the check digit
    """
    number = stdnum_cvr.compact(text)
    if not is_digits(number):
        raise ValueError(_("the CVR number '%(cvr)s' may hold only digits") % {"cvr": text})
    if len(number) != 8:
        raise ValueError(_("the CVR number '%(cvr)s' must have 8 digits") % {"cvr": text})
    if number.startswith("0"):
        raise ValueError(
            _("the CVR number '%(cvr)s' starts with 0; no CVR number does") % {"cvr": text}
        )
    try:
        return str(stdnum_cvr.validate(number))
    except stdnum_errors.ValidationError as error:
        raise ValueError(
            _("the CVR number '%(cvr)s' has a wrong check digit") % {"cvr": text}
        ) from error
