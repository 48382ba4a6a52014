"""
Writes of agreements and allocation runs.

Every write is one atomic service call; views, commands and (later) the API
call these and nothing else.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from django.db import IntegrityError, transaction
from django.utils import timezone

from klynge.common.choices import Basis
from klynge.financing.models import (
    Agreement,
    AgreementYear,
    AllocationLine,
    AllocationRun,
    FinancedOffice,
    OfficeLead,
    Participation,
    RunStatus,
)
from klynge.financing.selectors import allocation_compute
from klynge.masterdata.models import ClusterOffice, Municipality
from klynge.masterdata.services import DATA_DIR, DataFileError


class ApprovalError(ValueError):
    """A run cannot be approved."""


@transaction.atomic
def agreement_load(*, data_dir: Path = DATA_DIR) -> Agreement:
    """
    Load the shipped agreement with its offices, leads and participation.

    Rows that already exist are kept as they are, so changes the secretariat
    made (participation, leads) survive a reload. Leads are stored as the
    working assumption "lead = host municipality"; an office without a host
    gets no lead. All municipalities are stored as participants, marked as an
    assumption (the source says 16 of 17 without naming the one outside).

    :raises DataFileError: if the file is missing or names an unknown office
    """
    path = data_dir / "agreement.json"
    try:
        spec = json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError) as error:
        raise DataFileError([f"{path.name}: {error}"]) from error
    offices = {o.name: o for o in ClusterOffice.objects.select_related("host_municipality")}
    unknown = [f["office"] for f in spec["financed_offices"] if f["office"] not in offices]
    if unknown:
        raise DataFileError([f"{path.name}: ukendte klyngekontorer {unknown}"])
    agreement, _ = Agreement.objects.get_or_create(
        name=spec["name"],
        defaults={
            "first_year": spec["first_year"],
            "last_year": spec["last_year"],
            "reference_date_rule": spec["reference_date_rule"],
            "source": spec["source"],
        },
    )
    for year in agreement.years():
        AgreementYear.objects.get_or_create(
            agreement=agreement,
            year=year,
            defaults={
                "office_amount_ore": spec["office_amount_ore"],
                "lead_share_ore": spec["lead_share_ore"],
            },
        )
    municipalities = list(Municipality.objects.all())
    for financed in spec["financed_offices"]:
        office = offices[financed["office"]]
        FinancedOffice.objects.get_or_create(
            agreement=agreement, office=office, defaults={"first_year": financed["first_year"]}
        )
        for year in range(financed["first_year"], agreement.last_year + 1):
            host = office.host_municipality
            OfficeLead.objects.get_or_create(
                agreement=agreement,
                office=office,
                year=year,
                defaults={
                    "municipality": host,
                    "basis": Basis.ASSUMPTION if host else Basis.FACT,
                    "note": spec["lead_note"],
                },
            )
    for year in agreement.years():
        for municipality in municipalities:
            Participation.objects.get_or_create(
                agreement=agreement,
                municipality=municipality,
                year=year,
                defaults={
                    "participates": True,
                    "basis": Basis.ASSUMPTION,
                    "note": spec["participation_note"],
                },
            )
    return agreement


@transaction.atomic
def participation_set(
    *,
    agreement: Agreement,
    municipality: Municipality,
    years: Iterable[int],
    participates: bool,
    basis: str = Basis.FACT,
    note: str = "",
) -> list[Participation]:
    """
    Set whether `municipality` takes part in `agreement` in each of `years`.

    :raises ValueError: if a year is outside the agreement
    """
    rows = []
    for year in years:
        if year not in agreement.years():
            raise ValueError(
                f"{year} ligger uden for aftalens år {agreement.first_year}-{agreement.last_year}."
            )
        row, _ = Participation.objects.update_or_create(
            agreement=agreement,
            municipality=municipality,
            year=year,
            defaults={"participates": participates, "basis": basis, "note": note},
        )
        rows.append(row)
    return rows


@transaction.atomic
def lead_set(
    *,
    agreement: Agreement,
    office: ClusterOffice,
    years: Iterable[int],
    municipality: Municipality | None,
    basis: str = Basis.FACT,
    note: str = "",
) -> list[OfficeLead]:
    """
    Set the lead municipality of `office` under `agreement` for each of `years`.

    :raises ValueError: if the office is not financed in a year, or the year
        is outside the agreement
    """
    financed = FinancedOffice.objects.filter(agreement=agreement, office=office).first()
    if financed is None:
        raise ValueError(f"{office.name} finansieres ikke af '{agreement.name}'.")
    rows = []
    for year in years:
        if year not in agreement.years() or year < financed.first_year:
            raise ValueError(
                f"{office.name} finansieres af aftalen fra {financed.first_year} til "
                f"{agreement.last_year}; {year} er uden for."
            )
        row, _ = OfficeLead.objects.update_or_create(
            agreement=agreement,
            office=office,
            year=year,
            defaults={"municipality": municipality, "basis": basis, "note": note},
        )
        rows.append(row)
    return rows


@transaction.atomic
def allocation_run_create(*, agreement: Agreement, year: int, user: str) -> AllocationRun:
    """
    Compute and store the allocation of every financed office in `year`.

    A run with the same inputs (same fingerprint) is returned instead of
    storing a copy.

    :raises AllocationInputError: listing every missing input; nothing is stored
    """
    computation = allocation_compute(agreement=agreement, year=year)
    existing = AllocationRun.objects.filter(
        agreement=agreement, year=year, fingerprint=computation.fingerprint
    ).first()
    if existing is not None:
        return existing
    run = AllocationRun.objects.create(
        agreement=agreement,
        year=year,
        fingerprint=computation.fingerprint,
        inputs=computation.inputs.as_json(),
        created_by=user,
    )
    offices = {o.name: o for o in computation.inputs.offices}
    municipalities = {m.code: m for m in Municipality.objects.all()}
    AllocationLine.objects.bulk_create(
        AllocationLine(
            run=run,
            office=offices[line.office],
            municipality=municipalities[line.municipality_code],
            role=line.role.value,
            amount_ore=line.amount_ore,
            population=line.population.population if line.population else None,
            population_date=line.population.reference_date if line.population else None,
            population_source=line.population.source if line.population else "",
            weight=line.weight,
            key_total=line.key_total,
            split_ore=line.split_ore,
            quota_numerator=line.quota.numerator if line.quota is not None else None,
            quota_denominator=line.quota.denominator if line.quota is not None else None,
            explanation=line.explanation(),
        )
        for allocation in computation.allocations
        for line in allocation.lines
    )
    return run


@transaction.atomic
def allocation_run_approve(*, run: AllocationRun, user: str) -> AllocationRun:
    """
    Approve `run`, freezing it; only one run per agreement and year is approved.

    :raises ApprovalError: if it is approved already or another run is
    """
    run = AllocationRun.objects.select_for_update().get(pk=run.pk)
    if run.status == RunStatus.APPROVED:
        raise ApprovalError(f"Fordelingen #{run.pk} for {run.year} er allerede godkendt.")
    other = AllocationRun.objects.filter(
        agreement=run.agreement, year=run.year, status=RunStatus.APPROVED
    ).first()
    if other is not None:
        raise ApprovalError(
            f"Fordelingen #{other.pk} for {run.year} er allerede godkendt og kan ikke erstattes."
        )
    run.status = RunStatus.APPROVED
    run.approved_at = timezone.now()
    run.approved_by = user
    try:
        run.save(update_fields=["status", "approved_at", "approved_by"])
    except IntegrityError as error:  # a concurrent approval won the race
        raise ApprovalError(f"En anden fordeling for {run.year} blev godkendt samtidig.") from error
    return run
