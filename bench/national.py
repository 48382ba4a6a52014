"""
A synthetic national-scale case for the benchmarks: 98 municipalities x 50 offices.

Shared by `collection.py` (one budget year) and `pages.py` (ten agreement
years and 100.000 participations). Everything is deterministic
(`random.Random(2024)`) and every name says it is demodata. The register and
the agreement are bulk-created (the product has no service that makes a
synthetic register); participations go through the participant-file import
(`import_check` + `import_commit`), allocation runs through
`allocation_run_create` + `allocation_run_approve`, payment requests through
`requests_create` and users through `user_create`.

The 98 municipality codes include the 17 of Region Sjælland, so that the rows
of the demo generator (`klynge.demo.participation`), whose participants and
activities are placed in those 17, resolve to municipalities of the register.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

SEED = 2024
MUNICIPALITY_COUNT = 98
OFFICE_COUNT = 50
LABEL = "(demodata)"
SOURCE = "demodata (bench/national.py)"
# The demo generator places participants and activities in the 17 municipalities of
# Region Sjælland (klynge.demo.participation.MUNICIPALITY_CODES); they come first.
SJAELLAND_CODES = (
    "253", "259", "265", "269", "306", "316", "320", "326", "329", "330", "336", "340",
    "350", "360", "370", "376", "390",
)  # fmt: skip


def municipality_codes(count: int = MUNICIPALITY_COUNT) -> list[str]:
    """`count` three-digit codes: the 17 of Region Sjælland, then 100, 101, ... (skipping those)."""
    codes = list(SJAELLAND_CODES[:count])
    number = 100
    while len(codes) < count:
        if f"{number:03d}" not in SJAELLAND_CODES:
            codes.append(f"{number:03d}")
        number += 1
    return codes


@dataclass(frozen=True)
class NationalCase:
    """What the case made: the agreement, the register's rows and the agreement's years."""

    agreement: Any
    municipalities: list[Any]
    offices: list[Any]
    years: list[int]


def national_case(
    *,
    years: Sequence[int],
    municipalities: int = MUNICIPALITY_COUNT,
    offices: int = OFFICE_COUNT,
    rng: random.Random | None = None,
) -> NationalCase:
    """
    The synthetic register and one agreement over `years` (consecutive): every
    municipality participates every year, every office is financed from the first
    year with its host municipality as lead. Population figures: one per year,
    on 1 January of the year before.
    """
    from klynge.common.choices import Basis
    from klynge.financing.models import (
        Agreement,
        AgreementYear,
        FinancedOffice,
        OfficeLead,
        Participation,
    )
    from klynge.masterdata.models import Cluster, ClusterOffice, Municipality, PopulationFigure

    rng = rng or random.Random(SEED)
    first, last = min(years), max(years)
    rows = Municipality.objects.bulk_create(
        Municipality(code=code, name=f"Demokommune {i + 1:02d} {LABEL}")
        for i, code in enumerate(municipality_codes(municipalities))
    )
    base = [rng.randint(1_800, 650_000) for _ in rows]
    figures = []
    for year in range(first, last + 1):
        for municipality, population in zip(rows, base, strict=True):
            grown = population if year == first else population + rng.randint(-900, 1_500)
            figures.append(
                PopulationFigure(
                    municipality=municipality, reference_date=dt.date(year - 1, 1, 1),
                    population=max(1, grown), source=SOURCE, basis=Basis.DEMO,
                )
            )  # fmt: skip
    PopulationFigure.objects.bulk_create(figures)
    clusters = Cluster.objects.bulk_create(
        Cluster(key=f"demo-{i}", name=f"Demoklynge {i + 1:02d} {LABEL}") for i in range(offices)
    )
    office_rows = ClusterOffice.objects.bulk_create(
        ClusterOffice(
            cluster=c, name=f"Demokontor {i + 1:02d} {LABEL}",
            host_municipality=rows[i % len(rows)],
        )
        for i, c in enumerate(clusters)
    )  # fmt: skip
    agreement = Agreement.objects.create(
        name=f"Demoaftale (benchmark) {LABEL}", first_year=first, last_year=last, source=SOURCE
    )
    AgreementYear.objects.bulk_create(
        AgreementYear(agreement=agreement, year=year, office_amount_ore=100_000_000,
                      lead_share_ore=50_000_000)
        for year in range(first, last + 1)
    )  # fmt: skip
    FinancedOffice.objects.bulk_create(
        FinancedOffice(agreement=agreement, office=o, first_year=first) for o in office_rows
    )
    OfficeLead.objects.bulk_create(
        OfficeLead(agreement=agreement, office=o, year=year, municipality=o.host_municipality,
                   basis=Basis.DEMO)
        for year in range(first, last + 1)
        for o in office_rows
    )  # fmt: skip
    Participation.objects.bulk_create(
        Participation(agreement=agreement, municipality=m, year=year, participates=True,
                      basis=Basis.DEMO)
        for year in range(first, last + 1)
        for m in rows
    )  # fmt: skip
    return NationalCase(agreement, rows, office_rows, list(range(first, last + 1)))


def participations_load(
    case: NationalCase,
    *,
    total: int = 100_000,
    companies: int = 5_000,
    activities_per_office: int = 40,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """
    `total` participations spread evenly over the case's offices, made by the demo
    generator (seed 2024) and stored through the participant-file import, one CSV
    file per office. Returns the participations stored.
    """
    from klynge.audit.services import Actor
    from klynge.common.choices import Basis
    from klynge.demo.participation import demo_csv, demo_rows_by_office
    from klynge.participation.models import ActivityParticipation, ImportStatus
    from klynge.participation.services import import_check, import_commit

    actor = Actor.system("bench")
    names = [office.name for office in case.offices]
    by_office = demo_rows_by_office(
        offices=names, seed=SEED, companies=companies,
        activities_per_office=activities_per_office,
        participations_per_office=total // len(names),
    )  # fmt: skip
    for number, office in enumerate(case.offices, start=1):
        batch = import_check(
            actor=actor, office=office, file_name=f"demodata-{office.pk}.csv",
            data=demo_csv(by_office[office.name]), basis=Basis.DEMO,
        )  # fmt: skip
        if batch.status != ImportStatus.CHECKED:
            raise ValueError(f"{office.name}: the file was refused: {batch.problems[:3]}")
        import_commit(actor=actor, batch=batch)
        if progress:
            progress(number, len(case.offices))
    return ActivityParticipation.objects.count()


def runs_approve(case: NationalCase, years: Sequence[int]) -> dict[int, Any]:
    """Create and approve the allocation run of each of `years`; the runs by year."""
    from klynge.audit.services import Actor
    from klynge.financing.services import allocation_run_approve, allocation_run_create

    actor = Actor.system("bench")
    return {
        year: allocation_run_approve(
            actor=actor,
            run=allocation_run_create(actor=actor, agreement=case.agreement, year=year),
            confirmed=True,
        )
        for year in years
    }
