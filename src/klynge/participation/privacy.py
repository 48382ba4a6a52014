"""
Personal data in the participation register, and how it is hidden.

A sole proprietorship's name, address, CVR and P-number identify its owner,
so they are personal data (GDPR art. 4(1)): only users with
`view_personal_data` see them. Everyone else (the reader role: politicians and
the public) sees the participant as "Enkeltmandsvirksomhed" with its
municipality, size, industry and activities, so every count stays the same.
Contact persons are personal data too; they have their own, narrower rule
(`view_contacts`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_lazy

from klynge.common import perms

if TYPE_CHECKING:
    from klynge.participation.models import Participant

HIDDEN_NAME = gettext_lazy("Sole proprietorship (name not shown)")
PERSONAL_FIELDS = frozenset({"name", "address", "postal_code", "cvr", "p_number"})


class HiddenParticipant:
    """
    A sole proprietorship as shown without `view_personal_data`: no name, address or number.

    Reads every other attribute from the participant; it cannot be saved or
    deleted, so a masked value never reaches the database.
    """

    def __init__(self, participant: Participant) -> None:
        self._participant = participant

    @property
    def name(self) -> str:
        return str(HIDDEN_NAME)  # in the language of the request that reads it

    address = ""
    postal_code = ""
    cvr = None
    p_number = ""
    personal_data_hidden = True

    def __getattr__(self, attribute: str) -> Any:
        if attribute in ("save", "delete", "refresh_from_db"):
            raise AttributeError(attribute)
        return getattr(self._participant, attribute)

    def __str__(self) -> str:
        return str(HIDDEN_NAME)


def may_see_personal_data(user: Any) -> bool:
    return bool(user.has_perm(perms.VIEW_PERSONAL_DATA))


def shown(participant: Participant, *, personal: bool) -> Participant | HiddenParticipant:
    """The participant as the user may see it: itself, or hidden if it names a person."""
    if personal or not participant.sole_proprietor:
        return participant
    return HiddenParticipant(participant)


def shown_all(
    participants: Any, *, personal: bool
) -> list[Participant] | list[Participant | HiddenParticipant]:
    """`shown` for each participant of an iterable (a page, an export)."""
    if personal:
        return list(participants)
    return [shown(participant, personal=False) for participant in participants]
