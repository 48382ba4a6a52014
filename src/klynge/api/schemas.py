"""Query parameters every list shares, bounded so no value reaches the database unchecked."""

from __future__ import annotations

from typing import Annotated

from ninja import Field

from klynge.core.numbers import FIRST_YEAR, LAST_YEAR, MAX_ID

Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Year = Annotated[
    int, Field(ge=FIRST_YEAR, le=LAST_YEAR, description=f"Et år, {FIRST_YEAR}-{LAST_YEAR}.")
]
MunicipalityCode = Annotated[
    str, Field(pattern=r"^[0-9]{3}$", description="Kommunekode, tre cifre.")
]
