"""
Reach: which companies in which municipality the offices reached, per year.

A company counts once per municipality and year however many activities it
joined. A company's municipality is its own (from its code or postal code),
not where the activity was held; the activities held in a municipality are
counted separately. Every figure has a filter for `participant_list` or
`activity_list`, so a page can link each figure to the list behind it. The
queries are aggregates: the number of queries does not grow with the data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction
from typing import Any

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, ExtractYear

from klynge.common.choices import Basis
from klynge.core.money import ore_per_unit
from klynge.financing.models import RunStatus
from klynge.financing.selectors import AllocationTable, YearAllocation
from klynge.masterdata.models import ClusterOffice, Municipality
from klynge.participation.imports import BY_KEY, OBSERVED_COLUMNS
from klynge.participation.models import (
    Activity,
    ActivityParticipation,
    EmployeeBand,
    ExporterYear,
    ImportBatch,
    ImportStatus,
    Participant,
    ParticipantKind,
    ParticipantObservation,
)

SME_BANDS = (EmployeeBand.B0_9, EmployeeBand.B10_49, EmployeeBand.B50_249)
IS_SME = Q(participant__employee_band__in=SME_BANDS)
IS_COMPANY = Q(participant__kind=ParticipantKind.COMPANY)


def _company_counts() -> dict[str, Count]:
    """Unique companies, unique SMEs and unique demo companies among participations."""
    return {
        "companies": Count("participant", distinct=True),
        "smes": Count("participant", distinct=True, filter=IS_SME),
        "demo": Count("participant", distinct=True, filter=Q(participant__basis=Basis.DEMO)),
    }


def _office_counts() -> dict[str, Count]:
    """An office's unique companies and SMEs, the SMEs in international activities, demo."""
    return _company_counts() | {
        "smes_international": Count(
            "participant", distinct=True, filter=IS_SME & Q(activity__international=True)
        ),
    }


def year_range(year: int) -> tuple[date, date]:
    return date(year, 1, 1), date(year, 12, 31)


def activity_years() -> list[int]:
    """The years that have activities, newest first."""
    dates = Activity.objects.dates("held_on", "year", order="DESC")
    return [d.year for d in dates]


@dataclass(frozen=True)
class MunicipalityReach:
    """
    One municipality in one year: the companies reached, beside its share of
    the year's allocation (`share_approved`: from the approved run, else
    today's computation). What it has paid is the payments', not this.
    """

    code: str
    name: str
    year: int
    companies: int
    smes: int
    activities_held: int
    population: int | None
    share_ore: int | None
    demo: bool
    share_approved: bool = False

    @property
    def per_1000(self) -> Fraction | None:
        """Companies reached per 1.000 inhabitants, exact."""
        return Fraction(self.companies * 1000, self.population) if self.population else None

    @property
    def share_per_company_ore(self) -> int | None:
        """The municipality's share in the year per company reached (øre, rounded)."""
        if self.share_ore is None or not self.companies:
            return None
        return ore_per_unit(self.share_ore, self.companies)


def _approved(allocation: YearAllocation | None) -> bool:
    return bool(allocation and allocation.run and allocation.run.status == RunStatus.APPROVED)


def _participations(year: int, office_id: int | None = None) -> QuerySet[ActivityParticipation]:
    rows = ActivityParticipation.objects.filter(activity__held_on__range=year_range(year))
    return rows.filter(activity__office_id=office_id) if office_id else rows


def reach_by_municipality(
    *, year: int, allocation: YearAllocation | None, office_id: int | None = None
) -> list[MunicipalityReach]:
    """Every municipality of the register in `year` (optionally for one office), by name."""
    # Each company once: the companies that took part, grouped by their one
    # municipality (no DISTINCT over the participations needed).
    took_part = Participant.objects.filter(
        kind=ParticipantKind.COMPANY,
        municipality__isnull=False,
        pk__in=_participations(year, office_id).values("participant_id"),
    )
    reached = {
        row["municipality_id"]: row
        for row in took_part.values("municipality_id").annotate(
            companies=Count("pk"),
            smes=Count("pk", filter=Q(employee_band__in=SME_BANDS)),
            demo=Count("pk", filter=Q(basis=Basis.DEMO)),
        )
    }
    activities = Activity.objects.filter(held_on__range=year_range(year))
    if office_id:
        activities = activities.filter(office_id=office_id)
    held = dict(
        activities.filter(municipality__isnull=False)
        .values_list("municipality_id")
        .annotate(n=Count("id"))
        .values_list("municipality_id", "n")
    )
    table = allocation.table if allocation is not None else None
    approved = _approved(allocation)
    result = []
    for municipality in Municipality.objects.order_by("name"):
        row: dict[str, Any] = reached.get(municipality.pk, {})
        share = None
        if table is not None and office_id is None:
            share = table.municipality_totals.get(municipality.code)
        result.append(
            MunicipalityReach(
                code=municipality.code,
                name=municipality.name,
                year=year,
                companies=row.get("companies", 0),
                smes=row.get("smes", 0),
                activities_held=held.get(municipality.pk, 0),
                population=table.population.get(municipality.code) if table else None,
                share_ore=share,
                demo=bool(row.get("demo")),
                share_approved=approved,
            )
        )
    return result


def municipality_reach(
    *, municipality: Municipality, allocations: list[YearAllocation]
) -> list[MunicipalityReach]:
    """
    What one municipality got, per year with activities or an allocation, newest first.

    Two aggregate queries whatever the number of participations; the paid
    amounts and populations come from `allocations` (the page has them).
    """
    companies = {
        row["year"]: row
        for row in ActivityParticipation.objects.filter(
            IS_COMPANY, participant__municipality=municipality
        )
        .values(year=ExtractYear("activity__held_on"))
        .annotate(**_company_counts())
    }
    held = {
        row["year"]: row["n"]
        for row in Activity.objects.filter(municipality=municipality)
        .values(year=ExtractYear("held_on"))
        .annotate(n=Count("id"))
    }
    tables = {a.year: a.table for a in allocations if a.table is not None}
    approved = {a.year: _approved(a) for a in allocations}
    result = []
    for year in sorted(set(companies) | set(held) | set(tables), reverse=True):
        row: dict[str, Any] = companies.get(year, {})
        table = tables.get(year)
        result.append(
            MunicipalityReach(
                code=municipality.code,
                name=municipality.name,
                year=year,
                companies=row.get("companies", 0),
                smes=row.get("smes", 0),
                activities_held=held.get(year, 0),
                population=table.population.get(municipality.code) if table else None,
                share_ore=table.municipality_totals.get(municipality.code) if table else None,
                demo=bool(row.get("demo")),
                share_approved=approved.get(year, False),
            )
        )
    return result


def office_reach(*, office: ClusterOffice, allocations: list[YearAllocation]) -> list[OfficeReach]:
    """
    The office's reach in each year with activities or shares, newest first: two
    grouped queries, whatever the number of years.
    """
    rows = ActivityParticipation.objects.filter(activity__office=office).filter(IS_COMPANY)
    totals = {
        row["year"]: row
        for row in rows.values(year=ExtractYear("activity__held_on")).annotate(**_office_counts())
    }
    reached: dict[int, set[str]] = {}
    for year, code in (
        rows.filter(participant__municipality__isnull=False)
        .values_list(ExtractYear("activity__held_on"), "participant__municipality__code")
        .distinct()
    ):
        reached.setdefault(year, set()).add(code)
    held = {d.year for d in Activity.objects.filter(office=office).dates("held_on", "year")}
    by_year = {a.year: a for a in allocations}
    result = []
    for year in sorted(held | set(by_year), reverse=True):
        shown = by_year.get(year)
        table = shown.table if shown is not None else None
        found = _office_reach(office, year, totals.get(year, {}), _paying(table, office.name),
                              reached.get(year, set()))  # fmt: skip
        if found is not None:
            result.append(found)
    return result


@dataclass
class OfficeReach:
    """One office in one year: which of the paying municipalities it reached."""

    office: ClusterOffice
    year: int
    companies: int
    smes: int
    smes_international: int
    paying: list[tuple[str, str]]  # (code, name) of the municipalities that paid the office
    reached_codes: set[str] = field(default_factory=set)
    demo: bool = False  # some of the companies counted are demo data

    @property
    def reached(self) -> list[tuple[str, str]]:
        return [(code, name) for code, name in self.paying if code in self.reached_codes]

    @property
    def not_reached(self) -> list[tuple[str, str]]:
        return [(code, name) for code, name in self.paying if code not in self.reached_codes]

    @property
    def international_percent(self) -> Fraction | None:
        """Share of participating SMEs in international activities, in percent, exact."""
        return Fraction(100 * self.smes_international, self.smes) if self.smes else None


def _paying(table: AllocationTable | None, office: str) -> list[tuple[str, str]]:
    """(code, name) of the municipalities that pay `office` in `table`, by name."""
    if table is None:
        return []
    names = dict(table.municipalities)
    return sorted(
        ((line.municipality_code, names.get(line.municipality_code, line.municipality_code))
         for line in table.by_office.get(office, ()) if line.amount_ore > 0),
        key=lambda item: item[1],
    )  # fmt: skip


def _office_reach(
    office: ClusterOffice,
    year: int,
    row: dict[str, Any],
    paying: list[tuple[str, str]],
    reached: set[str],
) -> OfficeReach | None:
    """The office's reach from its counts; None with neither companies nor payers."""
    if not row and not paying:
        return None
    return OfficeReach(
        office=office,
        year=year,
        companies=row.get("companies", 0),
        smes=row.get("smes", 0),
        smes_international=row.get("smes_international", 0),
        paying=paying,
        reached_codes=reached,
        demo=bool(row.get("demo")),
    )


def reach_by_office(
    *, year: int, allocation: YearAllocation | None, office: ClusterOffice | None = None
) -> list[OfficeReach]:
    """Every office (or just `office`) with activities or shares in `year`, by name."""
    office_id = office.pk if office is not None else None
    table = allocation.table if allocation is not None else None
    totals = {
        row["activity__office_id"]: row
        for row in _participations(year, office_id)
        .filter(IS_COMPANY)
        .values("activity__office_id")
        .annotate(**_office_counts())
    }
    reached: dict[int, set[str]] = {}
    for reached_office_id, code in (
        _participations(year, office_id)
        .filter(IS_COMPANY, participant__municipality__isnull=False)
        .values_list("activity__office_id", "participant__municipality__code")
        .distinct()
    ):
        reached.setdefault(reached_office_id, set()).add(code)
    result = []
    offices = [office] if office is not None else ClusterOffice.objects.order_by("name")
    for shown in offices:
        found = _office_reach(shown, year, totals.get(shown.pk, {}), _paying(table, shown.name),
                              reached.get(shown.pk, set()))  # fmt: skip
        if found is not None:
            result.append(found)
    return result


@dataclass(frozen=True)
class Internationalisation:
    """The region's participating SMEs in a year, and how many joined international activities."""

    year: int
    smes: int
    smes_international: int

    @property
    def percent(self) -> Fraction | None:
        return Fraction(100 * self.smes_international, self.smes) if self.smes else None


def internationalisation(*, year: int) -> Internationalisation:
    """Unique participating SMEs in `year`, and those in at least one international activity."""
    counts = (
        _participations(year)
        .filter(IS_COMPANY)
        .aggregate(
            smes=Count("participant", distinct=True, filter=IS_SME),
            smes_international=Count(
                "participant", distinct=True, filter=IS_SME & Q(activity__international=True)
            ),
        )
    )
    return Internationalisation(year, counts["smes"], counts["smes_international"])


@dataclass(frozen=True)
class ExporterChange:
    """Participating companies with an exporter flag in the year before and in the year."""

    year: int
    compared: int
    exporters_before: int
    exporters_now: int
    became: int
    stopped: int


def exporter_change(*, year: int) -> ExporterChange:
    """How the exporter flag changed from `year - 1` to `year` for that year's participants."""
    participants = _participations(year).filter(IS_COMPANY).values("participant_id")
    flags: dict[int, dict[int, bool]] = {}
    for participant_id, flag_year, exporter in ExporterYear.objects.filter(
        participant_id__in=participants, year__in=(year - 1, year)
    ).values_list("participant_id", "year", "exporter"):
        flags.setdefault(participant_id, {})[flag_year] = exporter
    both = [f for f in flags.values() if len(f) == 2]
    return ExporterChange(
        year=year,
        compared=len(both),
        exporters_before=sum(1 for f in both if f[year - 1]),
        exporters_now=sum(1 for f in both if f[year]),
        became=sum(1 for f in both if f[year] and not f[year - 1]),
        stopped=sum(1 for f in both if f[year - 1] and not f[year]),
    )


# --- the lists behind the figures -------------------------------------------------------


@dataclass(frozen=True)
class ParticipantFilter:
    """What a list of participants is narrowed to; empty fields do not narrow."""

    year: int | None = None
    municipality: str = ""  # the participant's municipality code
    office_id: int | None = None
    sme: bool = False
    international: bool = False
    companies_only: bool = False
    became_exporter: bool = False
    search: str = ""
    # False for a user without view_personal_data: a search then never matches a sole
    # proprietorship's name or CVR number, and those come last instead of by name.
    personal_data: bool = True


def participant_list(filters: ParticipantFilter) -> QuerySet[Participant]:
    """The participants matching `filters`, each with its number of matching participations."""
    conditions: dict[str, Any] = {}
    if filters.year:
        conditions["activity__held_on__range"] = year_range(filters.year)
    if filters.office_id:
        conditions["activity__office_id"] = filters.office_id
    if filters.international:
        conditions["activity__international"] = True
    matching = ActivityParticipation.objects.filter(**conditions, participant=OuterRef("pk"))
    rows = Participant.objects.filter(Exists(matching)).select_related("municipality")
    if filters.municipality:
        rows = rows.filter(municipality__code=filters.municipality)
    if filters.sme:
        rows = rows.filter(employee_band__in=SME_BANDS)
    if filters.companies_only or filters.sme:
        rows = rows.filter(kind=ParticipantKind.COMPANY)
    if filters.became_exporter and filters.year:
        rows = rows.filter(
            Exists(ExporterYear.objects.filter(participant=OuterRef("pk"), year=filters.year,
                                               exporter=True)),
            Exists(ExporterYear.objects.filter(participant=OuterRef("pk"), year=filters.year - 1,
                                               exporter=False)),
        )  # fmt: skip
    if filters.search:
        match = Q(name__icontains=filters.search) | Q(cvr=filters.search.strip())
        rows = rows.filter(match if filters.personal_data else match & Q(sole_proprietor=False))
    # A correlated count, not a join: the paginator's COUNT(*) then leaves it out.
    count = (
        ActivityParticipation.objects.filter(**conditions, participant=OuterRef("pk"))
        .order_by()
        .values("participant")
        .annotate(n=Count("pk"))
        .values("n")
    )
    order = ("name", "pk") if filters.personal_data else ("sole_proprietor", "name", "pk")
    return rows.annotate(
        activity_count=Coalesce(Subquery(count, output_field=IntegerField()), Value(0))
    ).order_by(*order)


@dataclass(frozen=True)
class ActivityFilter:
    year: int | None = None
    municipality: str = ""  # where it was held
    office_id: int | None = None


def activity_list(filters: ActivityFilter) -> QuerySet[Activity]:
    rows = Activity.objects.select_related("office", "municipality")
    if filters.year:
        rows = rows.filter(held_on__range=year_range(filters.year))
    if filters.municipality:
        rows = rows.filter(municipality__code=filters.municipality)
    if filters.office_id:
        rows = rows.filter(office_id=filters.office_id)
    count = (
        ActivityParticipation.objects.filter(activity=OuterRef("pk"))
        .order_by()
        .values("activity")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return rows.annotate(
        participant_count=Coalesce(Subquery(count, output_field=IntegerField()), Value(0))
    ).order_by("-held_on", "title")


def participant_get(*, pk: int) -> Participant:
    """:raises Participant.DoesNotExist:"""
    return Participant.objects.select_related("municipality").get(pk=pk)


def participant_activities(*, participant: Participant) -> QuerySet[ActivityParticipation]:
    return (
        ActivityParticipation.objects.filter(participant=participant)
        .select_related("activity__office", "activity__municipality")
        .order_by("-activity__held_on")
    )


def activity_get(*, pk: int) -> Activity:
    """:raises Activity.DoesNotExist:"""
    return Activity.objects.select_related("office", "municipality").get(pk=pk)


def activity_participants(*, activity: Activity) -> QuerySet[ActivityParticipation]:
    return (
        ActivityParticipation.objects.filter(activity=activity)
        .select_related("participant__municipality")
        .order_by("participant__sole_proprietor", "participant__name")
    )


def batch_list(*, office_ids: list[int] | None) -> QuerySet[ImportBatch]:
    """The batches of `office_ids` (None: every office), newest first, without the file."""
    rows = ImportBatch.objects.select_related("office").defer("content", "plan")
    return rows if office_ids is None else rows.filter(office_id__in=office_ids)


@dataclass(frozen=True)
class ObservationRow:
    """Another office's values for a participant it does not own: (column, registered, file)."""

    observation: ParticipantObservation
    changes: list[tuple[str, str, str]]


def observation_list(*, limit: int = 200) -> tuple[list[ObservationRow], int]:
    """
    The stored batches' observations of participants other offices own, and their count.

    For the secretariat to decide: the register keeps the owner's values, and each
    row says what another office's file gave instead (the first `limit` rows).
    """
    rows = ParticipantObservation.objects.filter(batch__status=ImportStatus.COMMITTED)
    total = rows.count()
    observations = list(
        rows.select_related(
            "participant", "participant__office", "batch", "batch__office"
        ).order_by("participant__name", "participant_id", "batch_id")[:limit]
    )
    with_years = {o.participant_id for o in observations if o.exporters}
    registered = {
        (participant_id, year): exporter
        for participant_id, year, exporter in ExporterYear.objects.filter(
            participant_id__in=with_years
        ).values_list("participant_id", "year", "exporter")
    } if with_years else {}  # fmt: skip
    shown = []
    for observation in observations:
        participant = observation.participant
        changes = [
            (BY_KEY[OBSERVED_COLUMNS[name]].header, _shown(getattr(participant, name)),
             _shown(value))
            for name, value in observation.values.items()
            if name in OBSERVED_COLUMNS
        ]  # fmt: skip
        changes.extend(
            (f"{BY_KEY['exporter'].header} {year}",
             _yes_no(registered.get((participant.pk, int(year)))), _yes_no(exporter))
            for year, exporter in sorted(observation.exporters.items())
        )  # fmt: skip
        shown.append(ObservationRow(observation, changes))
    return shown, total


def _shown(value: Any) -> str:
    return _yes_no(value) if isinstance(value, bool) else str(value or "")


def _yes_no(value: bool | None) -> str:
    return "" if value is None else ("ja" if value else "nej")


UNDER_50_BANDS = (EmployeeBand.B0_9, EmployeeBand.B10_49)


def register_counts(*, year: int, office_id: int | None = None) -> dict[int, dict[str, int]]:
    """
    Per office, what result contracts count from the register in `year`, in one query.

    `unique_companies`: companies in any activity; `smes`: of them those under 50
    employees (Cluster Excellence Denmark's count); `municipalities`: the
    municipalities those companies are in; `international`: companies in an
    international activity; `knowledge`: knowledge institutions involved. An
    office with no participation in the year is absent (every count 0).
    """
    companies = Q(participant__kind=ParticipantKind.COMPANY)
    rows = (
        _participations(year, office_id)
        .values("activity__office_id")
        .annotate(
            unique_companies=Count("participant", distinct=True, filter=companies),
            smes=Count(
                "participant",
                distinct=True,
                filter=companies & Q(participant__employee_band__in=UNDER_50_BANDS),
            ),
            municipalities=Count("participant__municipality", distinct=True, filter=companies),
            international=Count(
                "participant", distinct=True, filter=companies & Q(activity__international=True)
            ),
            knowledge=Count(
                "participant",
                distinct=True,
                filter=Q(participant__kind=ParticipantKind.KNOWLEDGE),
            ),
        )
    )
    return {
        row.pop("activity__office_id"): {key: int(value) for key, value in row.items()}
        for row in rows
    }
