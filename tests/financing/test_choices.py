"""The stored choices take their values from the core enums; they only add labels."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.utils import translation

from klynge.collection.models import PaymentRequestLine, RequestStatus
from klynge.common.choices import mirror
from klynge.core.cofinancing import ROUNDING_UNITS, Key, ReferenceDateRule, Role
from klynge.core.collection import State
from klynge.financing.models import (
    AgreementYear,
    AllocationLine,
    KeyChoice,
    OfficeLead,
    Participation,
    ReferenceDateRuleChoice,
    RoleChoice,
    RoundingUnit,
)
from klynge.masterdata.models import Cluster, ClusterOffice, Municipality, PopulationFigure
from klynge.masterdata.selectors import UnknownObjectError, municipality_get


@pytest.mark.parametrize(
    ("choices", "enum"),
    [(KeyChoice, Key), (ReferenceDateRuleChoice, ReferenceDateRule), (RoleChoice, Role)],
)
def test_the_choices_store_exactly_the_core_values(choices, enum) -> None:
    assert [member.value for member in choices] == [member.value for member in enum]
    assert all(choices(member.value).label for member in enum)


def test_the_other_choices_store_core_values() -> None:
    assert {unit.value for unit in RoundingUnit} == set(ROUNDING_UNITS)
    assert {status.value for status in RequestStatus} <= {state.value for state in State}
    assert AgreementYear._meta.get_field("key").choices == KeyChoice.choices
    assert AllocationLine._meta.get_field("role").choices == RoleChoice.choices
    assert PaymentRequestLine._meta.get_field("role").choices == RoleChoice.choices


def test_mirror_refuses_choices_that_drift_from_their_enum() -> None:
    class Partial(models.TextChoices):
        POPULATION = "population", "population"

    class Extra(models.TextChoices):
        DRAFT = "draft", "draft"
        DEBT = "debt", "debt"

    with pytest.raises(ImproperlyConfigured, match="does not mirror"):
        mirror(Partial, Key)
    mirror(Partial, Key, subset=True)  # a part of the enum may be stored
    with pytest.raises(ImproperlyConfigured, match="does not mirror"):
        mirror(Extra, State, subset=True)


def test_model_labels_read_in_danish_as_before_and_in_english() -> None:
    key = AgreementYear._meta.get_field("key")
    with translation.override("da"):
        assert str(AgreementYear._meta.verbose_name) == "aftalevilkår for et år"
        assert str(key.verbose_name) == "fordelingsnøgle"
        assert str(ClusterOffice._meta.verbose_name_plural) == "klyngekontorer"
        assert str(RoleChoice.NONE.label) == "Deltager ikke"
    with translation.override("en"):
        assert str(AgreementYear._meta.verbose_name) == "terms of a year"
        assert str(key.verbose_name) == "allocation key"
        assert str(ClusterOffice._meta.verbose_name_plural) == "cluster offices"


def test_model_names_with_words_read_in_the_users_language() -> None:
    office, greve = ClusterOffice(name="CLEAN"), Municipality(code="253", name="Greve")
    lead = OfficeLead(office=office, year=2024, municipality=None)
    outside = Participation(municipality=greve, year=2024, participates=False)
    line = AllocationLine(office=office, municipality=greve, amount_ore=123_456_789)
    cluster = Cluster(name="", identified=False)
    figure = PopulationFigure(
        municipality=greve, reference_date=date(2024, 1, 1), population=50_339
    )

    with translation.override("da"):
        assert [str(lead), str(outside), str(cluster), str(figure)] == [
            "CLEAN 2024: ukendt",
            "Greve 2024: deltager ikke",
            "ikke identificeret",
            "Greve, 1. januar 2024: 50.339",
        ]
    with translation.override("en"):
        assert [str(lead), str(outside), str(cluster), str(figure)] == [
            "CLEAN 2024: unknown",
            "Greve 2024: does not take part",
            "unidentified",
            "Greve, 1 January 2024: 50.339",
        ]
    assert str(line) == "CLEAN / Greve: 1.234.567,89 kr."


@pytest.mark.django_db
def test_look_up_errors_read_in_the_users_language() -> None:
    with translation.override("da"), pytest.raises(UnknownObjectError, match="Ukendt kommune 'X'"):
        municipality_get(code_or_name="X")
    with translation.override("en"), pytest.raises(UnknownObjectError, match="Unknown municip"):
        municipality_get(code_or_name="X")


@pytest.mark.django_db
def test_an_audit_entry_title_is_in_the_site_language_whoever_changes(register) -> None:
    from django.db import transaction

    from klynge.audit.models import Action
    from klynge.audit.services import Actor, record

    greve = Municipality.objects.get(code="253")
    figure = PopulationFigure(
        pk=1, municipality=greve, reference_date=date(2024, 1, 1), population=50_339
    )
    with translation.override("en"), transaction.atomic():
        entry = record(
            actor=Actor.system("test"), action=Action.UPDATE, instance=figure,
            before=None, after=None,
        )  # fmt: skip

    assert entry.object_repr == "Greve, 1. januar 2024: 50.339"
