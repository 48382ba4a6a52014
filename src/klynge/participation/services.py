"""
The participant register: checking and storing participants, audited.

The import (issue 5, next step) reads files into `ParticipantData` rows and
calls `participant_upsert` for each, all in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.db import transaction
from stdnum import exceptions as stdnum_errors
from stdnum.dk import cvr as stdnum_cvr

from klynge.audit.services import Actor, audited_upsert
from klynge.common.choices import Basis
from klynge.core.postcodes import PlacementError, PostalArea, place, postal_index
from klynge.core.tabular import read_csv
from klynge.masterdata.models import Municipality
from klynge.participation.models import EmployeeBand, Participant, ParticipantKind

POSTAL_TABLE = Path(__file__).parent / "data" / "postnumre.csv"


class ParticipantError(ValueError):
    """A participant is not valid; `problems` names every field that is wrong."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))


@cache
def postal_areas() -> dict[str, list[PostalArea]]:
    """The shipped postal-code table, by postal code."""
    return postal_index(read_csv(POSTAL_TABLE.read_bytes()))


def cvr_clean(text: str) -> str:
    """
    A CVR number as 8 digits.

    :raises ValueError: naming what is wrong (length, format or check digit)
    """
    try:
        return str(stdnum_cvr.validate(text))
    except stdnum_errors.InvalidLength as error:
        raise ValueError(f"CVR-nummeret '{text}' skal have 8 cifre") from error
    except stdnum_errors.InvalidFormat as error:
        raise ValueError(f"CVR-nummeret '{text}' må kun indeholde cifre") from error
    except stdnum_errors.InvalidChecksum as error:
        raise ValueError(f"CVR-nummeret '{text}' har forkert kontrolciffer") from error


@dataclass(frozen=True)
class ParticipantData:
    """A participant as a file or a form gives it, not yet checked."""

    name: str
    kind: str = ParticipantKind.COMPANY
    cvr: str = ""
    p_number: str = ""
    address: str = ""
    postal_code: str = ""
    municipality_code: str = ""
    employee_band: str = ""
    industry_code: str = ""
    exporter: bool | None = None
    basis: str = Basis.FACT


def participant_values(data: ParticipantData) -> dict[str, object]:
    """
    The checked field values of `data`.

    :raises ParticipantError: listing every problem
    """
    problems: list[str] = []
    if not data.name.strip():
        problems.append("navnet mangler")
    if data.kind not in ParticipantKind.values:
        problems.append(f"typen '{data.kind}' er ukendt")
    cvr = None
    if data.cvr.strip():
        try:
            cvr = cvr_clean(data.cvr)
        except ValueError as error:
            problems.append(str(error))
    elif data.kind == ParticipantKind.COMPANY:
        problems.append("en virksomhed skal have et CVR-nummer")
    if data.employee_band and data.employee_band not in EmployeeBand.values:
        problems.append(f"antal ansatte '{data.employee_band}' er ikke et af {EmployeeBand.values}")
    registered = {m.code: m for m in Municipality.objects.all()}
    known = frozenset(registered) | frozenset(
        a.municipality_code for areas in postal_areas().values() for a in areas
    )
    placement = None
    try:
        placement = place(
            municipality_code=data.municipality_code,
            postal_code=data.postal_code,
            index=postal_areas(),
            known_codes=known,
        )
    except PlacementError as error:
        problems.append(str(error))
    if problems:
        raise ParticipantError(problems)
    assert placement is not None  # noqa: S101
    return {
        "kind": data.kind,
        "cvr": cvr,
        "p_number": data.p_number.strip(),
        "name": data.name.strip(),
        "address": data.address.strip(),
        "postal_code": data.postal_code.strip(),
        "municipality_code": placement.municipality_code,
        "municipality": registered.get(placement.municipality_code),
        "municipality_uncertain": placement.uncertain,
        "employee_band": data.employee_band,
        "industry_code": data.industry_code.strip(),
        "exporter": data.exporter,
        "basis": data.basis,
    }


@transaction.atomic
def participant_upsert(*, actor: Actor, data: ParticipantData) -> tuple[Participant, bool]:
    """
    Store a participant, matched by CVR number (or by name when it has none); audited.

    Returns the row and whether it changed; the same data twice changes nothing.

    :raises ParticipantError: listing every problem; nothing is stored
    """
    values = participant_values(data)
    cvr = values.pop("cvr")
    lookup = {"cvr": cvr} if cvr else {"name": values.pop("name"), "cvr": None}
    return audited_upsert(
        Participant,
        actor=actor,
        lookup=lookup,
        values=values,
        municipality_code=str(values["municipality_code"]),
    )
