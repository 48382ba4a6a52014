"""Allocation runs: storing, fingerprints, approval and freezing."""

from __future__ import annotations

import re

import pytest
from django.utils import translation

from klynge.audit.services import Actor
from klynge.common.choices import Basis
from klynge.core.cofinancing import AllocationInputError
from klynge.financing.models import (
    Agreement,
    AgreementYear,
    AllocationLine,
    AllocationRun,
    FrozenRunError,
    OfficeLead,
    RunStatus,
)
from klynge.financing.selectors import allocation_compute
from klynge.financing.services import (
    ApprovalError,
    allocation_run_approve,
    allocation_run_create,
    lead_set,
    participation_set,
)
from klynge.masterdata.models import ClusterOffice, Municipality, PopulationFigure

ACTOR = Actor.system("test")

pytestmark = pytest.mark.django_db


def test_run_stores_every_line_and_each_office_adds_up_to_its_amount(demo: Agreement) -> None:
    run = allocation_run_create(actor=ACTOR, agreement=demo, year=2024)

    assert run.status == RunStatus.COMPUTED
    assert run.lines.count() == 4 * 17
    for office in ClusterOffice.objects.filter(pk__in=run.lines.values("office")):
        amounts = run.lines.filter(office=office).values_list("amount_ore", flat=True)
        assert sum(amounts) == 100_000_000


def test_same_inputs_reuse_the_stored_run(demo: Agreement) -> None:
    first = allocation_run_create(actor=ACTOR, agreement=demo, year=2024)

    second = allocation_run_create(actor=ACTOR, agreement=demo, year=2024)

    assert second.pk == first.pk
    assert AllocationRun.objects.count() == 1


def test_changed_participation_gives_a_new_fingerprint_and_run(demo: Agreement) -> None:
    first = allocation_run_create(actor=ACTOR, agreement=demo, year=2024)
    lejre = Municipality.objects.get(code="350")

    participation_set(
        actor=ACTOR, agreement=demo, municipality=lejre, years=[2024], participates=False
    )
    second = allocation_run_create(actor=ACTOR, agreement=demo, year=2024)

    assert second.fingerprint != first.fingerprint
    lejre_lines = second.lines.filter(municipality=lejre)
    assert set(lejre_lines.values_list("role", "amount_ore")) == {("none", 0)}


def test_approved_run_is_frozen_against_every_kind_of_change(demo: Agreement) -> None:
    run = allocation_run_approve(
        actor=ACTOR,
        run=allocation_run_create(actor=ACTOR, agreement=demo, year=2024),
        confirmed=True,
    )
    line = run.lines.first()
    assert line is not None

    run.approved_by = "someone else"
    with pytest.raises(FrozenRunError):
        run.save()
    with pytest.raises(FrozenRunError):
        run.delete()
    line.amount_ore += 1
    with pytest.raises(FrozenRunError):
        line.save()
    with pytest.raises(FrozenRunError):
        line.delete()
    with pytest.raises(FrozenRunError):
        AllocationLine.objects.filter(run=run).update(amount_ore=0)
    with pytest.raises(FrozenRunError):
        AllocationRun.objects.filter(pk=run.pk).update(status=RunStatus.COMPUTED)
    with pytest.raises(FrozenRunError):
        AllocationRun.objects.filter(pk=run.pk).delete()

    stored = AllocationRun.objects.get(pk=run.pk)
    assert stored.approved_by == "test"
    assert sum(stored.lines.values_list("amount_ore", flat=True)) == 400_000_000


def test_frozen_run_errors_read_in_the_users_language(demo: Agreement) -> None:
    run = allocation_run_approve(
        actor=ACTOR,
        run=allocation_run_create(actor=ACTOR, agreement=demo, year=2024),
        confirmed=True,
    )
    lines = AllocationLine.objects.filter(run=run)

    with translation.override("da"):
        with pytest.raises(FrozenRunError, match=r"^En godkendt fordeling kan ikke ændres\.$"):
            run.save()
        with pytest.raises(FrozenRunError, match=r"^En godkendt fordeling kan ikke slettes\.$"):
            lines.delete()
    with translation.override("en"):
        with pytest.raises(FrozenRunError, match=r"^An approved allocation cannot be changed\.$"):
            lines.update(amount_ore=0)
        with pytest.raises(FrozenRunError, match=r"^An approved allocation cannot be deleted\.$"):
            run.delete()


def test_approval_happens_once_and_blocks_a_second_approved_run(demo: Agreement) -> None:
    run = allocation_run_create(actor=ACTOR, agreement=demo, year=2024)
    allocation_run_approve(actor=ACTOR, run=run, confirmed=True)

    with pytest.raises(ApprovalError, match="allerede godkendt"):
        allocation_run_approve(actor=ACTOR, run=run, confirmed=True)
    participation_set(
        actor=ACTOR,
        agreement=demo,
        municipality=Municipality.objects.get(code="350"),
        years=[2024],
        participates=False,
    )
    other = allocation_run_create(actor=ACTOR, agreement=demo, year=2024)
    with pytest.raises(ApprovalError, match=f"#{run.pk}"):
        allocation_run_approve(actor=ACTOR, run=other, confirmed=True)


def test_later_population_change_never_alters_an_approved_run(demo: Agreement) -> None:
    run = allocation_run_approve(
        actor=ACTOR,
        run=allocation_run_create(actor=ACTOR, agreement=demo, year=2024),
        confirmed=True,
    )
    before = list(run.lines.order_by("pk").values_list("amount_ore", flat=True))

    figure = PopulationFigure.objects.get(municipality__code="253", reference_date="2023-01-01")
    figure.population += 10_000
    figure.save()
    new = allocation_run_create(actor=ACTOR, agreement=demo, year=2024)

    assert new.pk != run.pk
    assert list(run.lines.order_by("pk").values_list("amount_ore", flat=True)) == before
    greve_before = run.lines.filter(municipality__code="253", role="share")
    greve_after = new.lines.filter(municipality__code="253", role="share")
    assert sum(x.amount_ore for x in greve_after) > sum(x.amount_ore for x in greve_before)


def test_facts_only_register_allocates_2022_from_the_2021_figures(register: Agreement) -> None:
    run = allocation_run_create(actor=ACTOR, agreement=register, year=2022)

    lines = run.lines.select_related("municipality")
    assert {line.population_date.isoformat() for line in lines if line.population_date} == {
        "2021-01-01"
    }
    assert sum(line.amount_ore for line in lines) == 400_000_000
    # Worked independently with Fraction and Hamilton's method from population.csv:
    # Greve pays its population share of four offices (leads 370, 330, 326, 265).
    assert sum(line.amount_ore for line in lines if line.municipality.code == "253") == 13_230_385


def test_an_unknown_lead_blocks_the_year_and_is_named(register: Agreement) -> None:
    office = ClusterOffice.objects.get(name="CLEAN – Sjælland")
    lead_set(actor=ACTOR, agreement=register, office=office, years=[2024], municipality=None)

    with pytest.raises(AllocationInputError) as error:
        allocation_run_create(actor=ACTOR, agreement=register, year=2024)

    assert [p.code for p in error.value.problems] == ["lead_missing"]
    assert "CLEAN" in error.value.problems[0].message
    assert AllocationRun.objects.count() == 0


def test_missing_population_is_named_with_municipality_and_date(demo: Agreement) -> None:
    with pytest.raises(AllocationInputError) as error:
        allocation_compute(agreement=demo, year=2023)

    messages = [p.message for p in error.value.problems]
    assert "Greve mangler indbyggertal pr. 1. januar 2022." in messages
    # Seven municipalities have figures for 1 January 2022; the other ten do not.
    known = ("Køge", "Roskilde", "Holbæk", "Slagelse", "Sorø", "Lejre", "Vordingborg")
    assert not any(m.startswith(known) for m in messages)
    assert len({m.split(" mangler")[0] for m in messages}) == 10


def test_lead_who_does_not_participate_is_refused(demo: Agreement) -> None:
    naestved = Municipality.objects.get(code="370")
    participation_set(
        actor=ACTOR, agreement=demo, municipality=naestved, years=[2024], participates=False
    )

    with pytest.raises(AllocationInputError) as error:
        allocation_compute(agreement=demo, year=2024)

    assert "lead_not_participant" in {p.code for p in error.value.problems}


def test_lead_share_larger_than_office_amount_is_refused(demo: Agreement) -> None:
    AgreementYear.objects.filter(agreement=demo, year=2024).update(lead_share_ore=200_000_000)

    with pytest.raises(
        AllocationInputError, match=re.escape("leadandelen 2.000.000,00 kr. er større")
    ):
        allocation_compute(agreement=demo, year=2024)


def test_nobody_participating_but_the_lead_is_refused(demo: Agreement) -> None:
    for municipality in Municipality.objects.exclude(code="370"):
        participation_set(
            actor=ACTOR, agreement=demo, municipality=municipality, years=[2024], participates=False
        )

    with pytest.raises(AllocationInputError) as error:
        allocation_compute(agreement=demo, year=2024)

    assert "no_participants" in {p.code for p in error.value.problems}


def test_lead_set_marks_the_basis_and_refuses_years_outside_the_office(demo: Agreement) -> None:
    office = ClusterOffice.objects.get(name="CLEAN – Sjælland")
    lejre = Municipality.objects.get(code="350")

    lead_set(actor=ACTOR, agreement=demo, office=office, years=[2022, 2023], municipality=lejre)

    leads = OfficeLead.objects.filter(office=office, year__in=[2022, 2023])
    assert {(lead.municipality_id, lead.basis) for lead in leads} == {(lejre.pk, Basis.FACT)}
    with pytest.raises(ValueError, match="2021"):
        lead_set(actor=ACTOR, agreement=demo, office=office, years=[2021], municipality=lejre)
