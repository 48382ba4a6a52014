"""Reads that combine the register with the allocations."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from klynge.collection.selectors import RequestView, received_by_year
from klynge.core.cofinancing import Problem, summarise_problems
from klynge.core.money import ore_per_unit
from klynge.financing.models import Agreement, OfficeLead
from klynge.financing.selectors import (
    QualityItem,
    ShareRow,
    YearAllocation,
    data_quality_list,
    years_shown,
)
from klynge.funding.selectors import funding_quality
from klynge.masterdata.models import ClusterOffice, Municipality
from klynge.participation.selectors import MunicipalityReach, municipality_reach


@dataclass(frozen=True)
class MunicipalityYear:
    """What one municipality pays in one agreement-year."""

    agreement: Agreement
    year: int
    lines: tuple[ShareRow, ...]
    total_ore: int | None
    per_inhabitant_ore: int | None
    population: int | None
    status: str
    problems: list[Problem] = field(default_factory=list)

    @property
    def problem_summary(self) -> list[str]:
        """The problems said once each, missing population grouped per date."""
        return summarise_problems(self.problems)


def year_allocations() -> list[YearAllocation]:
    """The allocation of every agreement-year, oldest first, read once for a page."""
    return years_shown()


def municipality_payments(
    *, municipality: Municipality, allocations: list[YearAllocation]
) -> list[MunicipalityYear]:
    """Per agreement-year: the municipality's lines, total and kr. per inhabitant."""
    result = []
    for shown in allocations:
        if shown.table is None:
            result.append(
                MunicipalityYear(
                    shown.agreement, shown.year, (), None, None, None,
                    _("cannot be computed"), shown.problems,
                )
            )  # fmt: skip
            continue
        lines = shown.table.by_municipality.get(municipality.code, ())
        total = shown.table.municipality_totals.get(municipality.code, 0)
        population = shown.table.population.get(municipality.code)
        status = shown.run.get_status_display().lower() if shown.run else _("computed, not saved")
        result.append(
            MunicipalityYear(
                shown.agreement,
                shown.year,
                lines,
                total,
                ore_per_unit(total, population) if population else None,
                population,
                status,
            )
        )
    return result


@dataclass(frozen=True)
class ReachYear:
    """A municipality's reach in one year, beside what it paid on the year's requests."""

    reach: MunicipalityReach
    paid_ore: int | None  # None: no live request of the year among the bills shown


def municipality_reach_years(
    *, municipality: Municipality, allocations: list[YearAllocation], bills: list[RequestView]
) -> list[ReachYear]:
    """Per year, newest first: `municipality`'s reach and what `bills` received that year."""
    paid = received_by_year(bills)
    return [
        ReachYear(reach, paid.get(reach.year))
        for reach in municipality_reach(municipality=municipality, allocations=allocations)
    ]


@dataclass(frozen=True)
class MunicipalityBill:
    """One municipality's row of the municipality list: what it pays in the year shown."""

    municipality: Municipality
    population: int | None
    total_ore: int | None
    per_inhabitant_ore: int | None


def municipality_bills(
    *, municipalities: list[Municipality], shown: YearAllocation | None
) -> list[MunicipalityBill]:
    """Each municipality's population used, total and kr. per inhabitant (None without a table)."""
    table = shown.table if shown is not None else None
    return [
        MunicipalityBill(
            m,
            table.population.get(m.code) if table else None,
            table.municipality_totals.get(m.code, 0) if table else None,
            table.per_inhabitant_ore.get(m.code) if table else None,
        )
        for m in municipalities
    ]


def office_leads(*, office: ClusterOffice) -> list[OfficeLead]:
    """The office's lead municipality per agreement-year, with its basis."""
    return list(
        OfficeLead.objects.filter(office=office)
        .select_related("agreement", "municipality")
        .order_by("agreement__first_year", "year")
    )


@dataclass(frozen=True)
class OfficeYear:
    """What the municipalities pay one office in one agreement-year."""

    allocation: YearAllocation
    lines: tuple[ShareRow, ...]

    @property
    def total_ore(self) -> int:
        return sum(line.amount_ore for line in self.lines)


def office_financing(
    *, office: ClusterOffice, allocations: list[YearAllocation] | None = None
) -> list[OfficeYear]:
    """Per agreement-year that computes: every municipality's line for `office`."""
    return [
        OfficeYear(shown, shown.table.by_office.get(office.name, ()))
        for shown in (years_shown() if allocations is None else allocations)
        if shown.table is not None
    ]


def lead_offices(*, municipality: Municipality) -> list[ClusterOffice]:
    """The offices `municipality` leads in at least one year, by name."""
    office_ids = OfficeLead.objects.filter(municipality=municipality).values("office_id")
    return list(ClusterOffice.objects.filter(pk__in=office_ids).order_by("name"))


@dataclass(frozen=True)
class QualityReport:
    """Everything missing or assumed, read once: the Overblik counts what Datakvalitet lists."""

    items: list[QualityItem]

    @property
    def missing(self) -> list[QualityItem]:
        return [item for item in self.items if item.severity == "missing"]

    @property
    def assumed(self) -> list[QualityItem]:
        return [item for item in self.items if item.severity != "missing"]


def quality_report(*, shown: list[YearAllocation] | None = None) -> QualityReport:
    """The register's, the agreements' and the grants' gaps, in one list."""
    return QualityReport(data_quality_list(shown=shown) + funding_quality())
