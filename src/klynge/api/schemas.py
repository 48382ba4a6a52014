"""Query parameters every list shares, bounded so no value reaches the database unchecked."""

from __future__ import annotations

from typing import Annotated

from ninja import Field
from pydantic import ConfigDict

from klynge.core.numbers import FIRST_YEAR, LAST_YEAR, MAX_ID

Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Year = Annotated[
    int, Field(ge=FIRST_YEAR, le=LAST_YEAR, description=f"Et år, {FIRST_YEAR}-{LAST_YEAR}.")
]
MunicipalityCode = Annotated[
    str, Field(pattern=r"^[0-9]{3}$", description="Kommunekode, tre cifre.")
]

# Text from a client: no control characters (NUL would also fail in PostgreSQL);
# a one-line value not even a line break or tab.
Text = Annotated[str, Field(pattern=r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F]*$")]
Line = Annotated[str, Field(pattern=r"^[^\x00-\x1F\x7F]*$")]
FORBID_EXTRA = ConfigDict(extra="forbid")  # an unknown field is an error, not ignored
