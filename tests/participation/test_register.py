"""The participant register: CVR numbers, municipalities from postal codes, idempotent storing."""

from __future__ import annotations

import pytest

from klynge.audit.models import AuditEntry
from klynge.audit.services import Actor
from klynge.core.postcodes import PlacementError, PostalArea, place
from klynge.participation.models import Participant
from klynge.participation.registry import cvr_clean, postal_areas
from klynge.participation.services import (
    ParticipantData,
    ParticipantError,
    participant_upsert,
)

ACTOR = Actor.system("test")
INDEX = {
    "4000": [
        PostalArea("4000", "265", "0.73", True),
        PostalArea("4000", "350", "0.27", False),
    ],
    "2670": [PostalArea("2670", "253", "0.996", True)],
}
KNOWN = frozenset({"253", "265", "350"})


def test_an_explicit_code_wins_and_must_be_known() -> None:
    assert (
        place(municipality_code="350", postal_code="4000", index=INDEX, known_codes=KNOWN).how
        == "code"
    )
    with pytest.raises(PlacementError, match="999"):
        place(municipality_code="999", postal_code="", index=INDEX, known_codes=KNOWN)


def test_a_postal_code_gives_its_main_municipality_flagged_when_shared() -> None:
    roskilde = place(municipality_code="", postal_code="4000", index=INDEX, known_codes=KNOWN)
    greve = place(municipality_code="", postal_code="2670", index=INDEX, known_codes=KNOWN)

    assert (roskilde.municipality_code, roskilde.uncertain) == ("265", True)
    assert (greve.municipality_code, greve.uncertain) == ("253", False)
    with pytest.raises(PlacementError, match="9999"):
        place(municipality_code="", postal_code="9999", index=INDEX, known_codes=KNOWN)


def test_the_shipped_postal_table_covers_the_region() -> None:
    areas = postal_areas()

    assert len(areas) == 126
    assert {a.municipality_code for a in areas["4000"]} == {"265", "350"}


@pytest.mark.parametrize(
    ("text", "message"),
    [("1358562", "8 cifre"), ("1358562A", "cifre"), ("13585627", "kontrolciffer")],
)
def test_bad_cvr_numbers_are_named(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        cvr_clean(text)


def test_a_valid_cvr_number_is_kept_as_eight_digits() -> None:
    assert cvr_clean("13 58 56 28") == "13585628"


@pytest.mark.django_db
def test_a_company_is_stored_once_with_its_municipality(register) -> None:
    data = ParticipantData(name="Demo Byg ApS (demodata)", cvr="13585628", postal_code="4000",
                           employee_band="10-49")  # fmt: skip

    company, created = participant_upsert(actor=ACTOR, data=data)
    _same, changed = participant_upsert(actor=ACTOR, data=data)

    assert created and not changed
    assert Participant.objects.count() == 1
    assert company.municipality.code == "265" and company.municipality_uncertain
    assert company.is_sme is True
    assert AuditEntry.objects.filter(model="participation.participant").count() == 1


@pytest.mark.django_db
def test_every_problem_of_a_participant_is_listed_and_nothing_stored(register) -> None:
    with pytest.raises(ParticipantError) as error:
        participant_upsert(
            actor=ACTOR,
            data=ParticipantData(name="", cvr="13585627", postal_code="9999", employee_band="stor"),
        )

    assert len(error.value.problems) == 4
    assert not Participant.objects.exists()


@pytest.mark.django_db
def test_a_knowledge_institution_needs_no_cvr_and_may_lie_outside_the_region(register) -> None:
    ruc, _ = participant_upsert(
        actor=ACTOR, data=ParticipantData(name="Demo Videninstitution (demodata)", kind="knowledge",
                                          postal_code="2640"),
    )  # fmt: skip

    assert ruc.cvr is None
    assert ruc.municipality_code == "169" and ruc.municipality is None  # Høje Taastrup
