"""
Participants stored one at a time (a form or a command), matched and audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction

from klynge.audit.services import Actor, audited_upsert
from klynge.common.choices import Basis
from klynge.participation.imports import RowChecker
from klynge.participation.models import Participant, ParticipantKind


class ParticipantError(ValueError):
    """A participant is not valid; `problems` names every field that is wrong."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))


@dataclass(frozen=True)
class ParticipantData:
    """A participant as a form or a command gives it, not yet checked."""

    name: str
    kind: str = ParticipantKind.COMPANY
    cvr: str = ""
    p_number: str = ""
    address: str = ""
    postal_code: str = ""
    municipality_code: str = ""
    employee_band: str = ""
    industry_code: str = ""
    sole_proprietor: bool = False
    basis: str = Basis.FACT


def participant_values(data: ParticipantData) -> dict[str, Any]:
    """
    The checked field values of `data`.

    :raises ParticipantError: listing every problem
    """
    checked = RowChecker(basis=data.basis).participant(
        (data.kind, data.cvr.strip(), data.p_number.strip(), data.name.strip(),
         data.address.strip(), data.postal_code.strip(), data.municipality_code.strip(),
         data.employee_band.strip(), data.industry_code.strip(),
         "ja" if data.sole_proprietor else "nej")
    )  # fmt: skip
    if isinstance(checked, list):
        raise ParticipantError([message for _key, message in checked])
    return dict(checked[1])


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
