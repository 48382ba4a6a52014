"""The stored choices take their values from the core enums; they only add labels."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import models

from klynge.collection.models import PaymentRequestLine, RequestStatus
from klynge.common.choices import mirror
from klynge.core.cofinancing import ROUNDING_UNITS, Key, ReferenceDateRule, Role
from klynge.core.collection import State
from klynge.financing.models import (
    AgreementYear,
    AllocationLine,
    KeyChoice,
    ReferenceDateRuleChoice,
    RoleChoice,
    RoundingUnit,
)


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
