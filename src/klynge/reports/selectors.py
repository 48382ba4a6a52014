"""
The yearly report to KKR Sjælland: every figure of a year, gathered once from live data.

`annual_report_data(year)` reads the year's approved allocation run, the
payment requests and payments, the grants, the approved follow-up reports and
the participation register, and returns one immutable `AnnualReport`
(dataclasses of integers and text). The renderers (PDF, DOCX, XLSX), the web
page and the published dashboards only lay it out, so every format shows the
same figures. The number of queries is fixed: it does not grow with the
offices, municipalities or indicators.

Money is integer øre. "Beregnet" is the municipality's share in the approved
run; "opkrævet", "betalt" and "udestående" are the payment requests' figures
(cancelled documents and credit notes left out, as on the payment page).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

from django.db.models import Count, Max, Min, Q
from django.utils import timezone

from klynge.collection.models import Payment, PaymentRequest
from klynge.collection.selectors import (
    RequestView,
    Totals,
    office_reconciliation,
    request_list,
)
from klynge.common.choices import Basis
from klynge.contracts.models import (
    Contract,
    FollowUpRound,
    OfficeReport,
)
from klynge.contracts.selectors import ResultRow, attainment
from klynge.core import kpi
from klynge.core.collection import State
from klynge.core.dates import format_date_da
from klynge.core.fingerprint import fingerprint
from klynge.core.money import format_dkk, group_thousands
from klynge.core.svgmap import Region, colour_scale, render_svg
from klynge.financing.models import AllocationRun, OfficeLead
from klynge.financing.selectors import (
    AllocationTable,
    YearAllocation,
    allocation_for_year,
    years_shown,
)
from klynge.funding.models import Grant
from klynge.masterdata.models import ClusterOffice
from klynge.masterdata.selectors import municipality_drawing, municipality_shapes
from klynge.participation.models import (
    Activity,
    ActivityParticipation,
    Participant,
    ParticipantKind,
)
from klynge.participation.selectors import OfficeReach, reach_by_municipality, reach_by_office
from klynge.reports.models import PublishedReport

UNKNOWN = "ukendt"
TITLE = "Årsrapport til KKR Sjælland"
MEASURED = (kpi.Status.MET, kpi.Status.PARTLY, kpi.Status.NOT_MET)

COFINANCING_RULE = (
    "Hvert klyngekontor finansieres af kommunerne med et fast beløb om året efter "
    "aftalen (eventuelt pris- og lønreguleret). Leadkommunen betaler sin faste andel alene; "
    "resten fordeles mellem de øvrige deltagende kommuner efter fordelingsnøglen "
    "(som udgangspunkt indbyggertal på nøglens skæringsdato) med største-rest-metoden i "
    "hele afrundingsenheder, så delene altid summer præcist til beløbet. Ved lighed går "
    "resten til den største vægt og derefter den laveste kommunekode. Kommuner, der ikke "
    "deltager, betaler 0 kr."
)
PAYMENT_TERMS = (
    "»Beregnet« er kommunens andel i den godkendte fordeling. »Opkrævet« er summen af "
    "årets opkrævninger og efteropkrævninger, »betalt« det registrerede indbetalte (højst "
    "opkrævningens beløb) og »udestående« forskellen; annullerede opkrævninger og "
    "kreditnotaer indgår ikke."
)
REACH_TERMS = (
    "En virksomhed tælles én gang pr. kommune og år, uanset hvor mange aktiviteter den har "
    "deltaget i; kommunen er virksomhedens egen (fra kommunekode eller postnummer), ikke "
    "stedet for aktiviteten. Små og mellemstore virksomheder har under 250 ansatte."
)


class ReportError(Exception):
    """The report cannot be made; `problems` says what is missing, in Danish."""

    def __init__(self, year: int, problems: list[str]) -> None:
        self.year = year
        self.problems = problems
        super().__init__(self.message)

    @property
    def message(self) -> str:
        lines = "\n".join(f"- {problem}" for problem in self.problems)
        return f"Årsrapporten for {self.year} kan ikke laves. Der mangler:\n{lines}"


@dataclass(frozen=True)
class FundingSource:
    """One source of an office's money in the year; `amount_ore` None: the sources don't say."""

    source: str
    amount_ore: int | None
    note: str

    @property
    def amount_text(self) -> str:
        return UNKNOWN if self.amount_ore is None else format_dkk(self.amount_ore)


@dataclass(frozen=True)
class KpiLine:
    key: str
    name: str
    target: str
    actual: str
    status: str  # kpi.Status value
    status_text: str
    comment: str
    computed: bool


@dataclass(frozen=True)
class OfficeSection:
    name: str
    cluster: str
    lead: str  # the lead municipality in the run, or ""
    municipal_ore: int  # the municipalities' shares in the approved run (beregnet)
    requested_ore: int
    received_ore: int
    outstanding_ore: int
    funding: tuple[FundingSource, ...]
    contract: str  # the title of the approved report's contract, or "" without a report
    report_version: int | None  # None: no approved follow-up report
    narrative: str
    kpis: tuple[KpiLine, ...]
    met: int
    partly: int
    not_met: int
    companies: int
    smes: int
    smes_international: int
    reached: tuple[str, ...]  # paying municipalities with a company reached
    not_reached: tuple[str, ...]
    demo: bool

    @property
    def measured(self) -> int:
        return self.met + self.partly + self.not_met

    @property
    def met_percent(self) -> int | None:
        """Share of the measured indicators met, in whole percent (rounded half up)."""
        if not self.measured:
            return None
        return (200 * self.met + self.measured) // (2 * self.measured)


@dataclass(frozen=True)
class MunicipalitySection:
    code: str
    name: str
    population: int | None
    share_ore: int  # beregnet: the share in the approved run
    requested_ore: int  # opkrævet
    received_ore: int  # betalt
    outstanding_ore: int  # udestående
    credited_ore: int
    companies: int
    smes: int
    demo: bool


@dataclass(frozen=True)
class YearReach:
    year: int
    companies: int


@dataclass(frozen=True)
class Summary:
    allocated_ore: int
    requested_ore: int
    received_ore: int
    outstanding_ore: int
    credited_ore: int
    companies: int
    smes: int
    offices: int
    offices_reported: int
    municipalities_paying: int
    municipalities_reached: int
    met: int
    partly: int
    not_met: int
    missing_reports: tuple[str, ...]


@dataclass(frozen=True)
class MapRow:
    code: str
    name: str
    companies: int
    colour: str


@dataclass(frozen=True)
class Method:
    rule: str
    payment_terms: str
    reach_terms: str
    population_date: str  # the key's reference date, in Danish, or ""
    population_sources: tuple[str, ...]
    assumptions: tuple[str, ...]
    demo: tuple[str, ...]


@dataclass(frozen=True)
class AnnualReport:
    """Every figure of the yearly report for `year`, as plain immutable data."""

    year: int
    title: str
    agreement: str
    run_id: int
    run_fingerprint: str
    approved_on: str  # the run's approval date, in Danish
    data_date: dt.date  # the latest change in the data: the document's date
    summary: Summary
    offices: tuple[OfficeSection, ...]
    municipalities: tuple[MunicipalitySection, ...]
    reach_by_year: tuple[YearReach, ...]
    map_svg: str
    map_rows: tuple[MapRow, ...]
    map_legend: tuple[tuple[str, str], ...]
    method: Method

    @property
    def date_text(self) -> str:
        return format_date_da(self.data_date)

    @property
    def demo(self) -> bool:
        return bool(self.method.demo)

    @property
    def fingerprint(self) -> str:
        """SHA-256 of the report's data: equal data, equal fingerprint."""
        data = asdict(self)
        data["data_date"] = self.data_date.isoformat()
        return fingerprint(data)


# --- reading -----------------------------------------------------------------------------


def _missing(year: int, allocation: YearAllocation | None) -> list[str]:
    """What the report of `year` lacks: the approved run first, then the follow-up."""
    problems = []
    if allocation is None:
        problems.append(f"en aftale, der dækker {year}, og en godkendt fordeling for året")
    elif not allocation.approved:
        problems.append(
            f"en godkendt fordeling for {year} (godkend årets fordeling under Fordeling)"
        )
    if not FollowUpRound.objects.filter(year=year).exists():
        problems.append(f"en opfølgningsrunde for {year} (åbn den under Resultatkontrakter)")
    else:
        missing = [a.office_name for a in attainment(year=year) if a.report is None]
        if missing:
            problems.append("en godkendt afrapportering fra " + ", ".join(missing))
    return problems


def _kpi_line(row: ResultRow) -> KpiLine:
    return KpiLine(
        key=row.indicator.key,
        name=row.indicator.name,
        target=row.target_text if row.indicator.core_kind is not kpi.Kind.TEXT else "–",
        actual=row.actual_text,
        status=row.status.value,
        status_text=row.status_text,
        comment=row.comment,
        computed=row.indicator.computed,
    )


def _grant_lines(grants: list[Grant], office: ClusterOffice, year: int) -> list[FundingSource]:
    """
    The office's grants in `year`. A grant to several clusters, of unknown
    years, or given once for several years has no known figure for the
    office's year: "ukendt", never divided by guess.
    """
    lines = []
    for grant in grants:
        clusters = [c.pk for c in grant.clusters.all()]
        if office.cluster_id not in clusters:
            continue
        years = grant.years()
        if years is not None and year not in years:
            continue
        amount = None
        if len(clusters) > 1:
            why = f"Bevilget til {len(clusters)} klynger samlet; kontorets andel oplyses ikke."
        elif years is None:
            why = "Kilden oplyser ikke, hvilke år bevillingen dækker."
        elif grant.per_year or len(years) == 1:
            amount, why = grant.amount_ore, ""
        else:
            why = (
                f"Engangsbevilling på {format_dkk(grant.amount_ore)} for "
                f"{years.start}-{years.stop - 1}; fordelingen på år oplyses ikke."
            )
        source = grant.grantor.name if grant.grantor is not None else "ukendt bevillingsgiver"
        purpose = grant.purpose.strip().rstrip(".")
        note = " ".join(part for part in (f"{purpose}." if purpose else "", why) if part)
        lines.append(FundingSource(source, amount, note))
    return lines


def _reach_per_year(year: int) -> tuple[YearReach, ...]:
    """
    Unique companies with a municipality reached per year up to `year`: two
    queries (the first activity's date, then one count per year in one
    aggregate, comparing dates, never extracting a year per row).
    """
    first = Activity.objects.aggregate(first=Min("held_on"))["first"]
    if first is None or first.year > year:
        return (YearReach(year, 0),)
    years = range(first.year, year + 1)
    counts = ActivityParticipation.objects.filter(
        participant__kind=ParticipantKind.COMPANY, participant__municipality__isnull=False
    ).aggregate(
        **{
            f"y{y}": Count(
                "participant",
                distinct=True,
                filter=Q(activity__held_on__range=(dt.date(y, 1, 1), dt.date(y, 12, 31))),
            )
            for y in years
        }
    )
    return tuple(YearReach(y, counts[f"y{y}"] or 0) for y in years)


def _map(
    year: int, rows: list[MunicipalitySection]
) -> tuple[str, tuple[MapRow, ...], tuple[tuple[str, str], ...]]:
    """The municipalities coloured by companies reached, with the same figures as rows."""
    colours, legend = colour_scale({row.code: row.companies for row in rows})
    drawn = {shape.code for shape in municipality_shapes()}
    map_rows = tuple(
        MapRow(row.code, row.name, row.companies, colours.get(row.code, "#ffffff"))
        for row in rows
        if row.code in drawn
    )
    regions = {
        row.code: Region(
            code=row.code,
            fill=row.colour,
            title=f"{row.name}: {group_thousands(row.companies)} virksomheder",
        )
        for row in map_rows
    }
    svg = render_svg(
        municipality_shapes(),
        regions,
        title=f"Virksomheder nået pr. kommune {year}",
        description=(
            "Kort over kommunerne i Region Sjælland farvet efter antal virksomheder nået. "
            "Tabellen viser de samme tal."
        ),
        id_prefix="aarsrapport-kort",
        drawing=municipality_drawing(),
    )
    legend_rows = tuple(
        (f"{group_thousands(low)} – {group_thousands(high)}", colour)
        for low, high, colour in legend
    )
    return svg, map_rows, legend_rows


def _latest_change(year: int, run: AllocationRun, reports: Iterable[OfficeReport]) -> dt.date:
    """The day the report's data last changed: approval, follow-up, requests or payments."""
    moments = [run.approved_at or run.created_at, *(r.updated_at for r in reports)]
    moments.append(PaymentRequest.objects.filter(year=year).aggregate(m=Max("created_at"))["m"])
    moments.append(Payment.objects.filter(request__year=year).aggregate(m=Max("created_at"))["m"])
    latest = max(m for m in moments if m is not None)
    return timezone.localtime(latest).date()


def _municipality_payments(views: list[RequestView]) -> dict[str, tuple[int, int, int, int]]:
    """Per municipality code: requested, received, outstanding, credited (as the payment page)."""
    figures: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for view in views:
        if view.state == State.CANCELLED:
            continue
        row = figures[view.request.municipality.code]
        if view.request.is_credit:
            row[3] += view.credited_ore
            continue
        row[0] += view.request.total_ore
        row[1] += min(view.received_ore, view.request.total_ore)
        row[2] += view.outstanding_ore
    return {code: (a, b, c, d) for code, (a, b, c, d) in figures.items()}


def _demo_notes(year: int, offices: list[OfficeSection]) -> tuple[str, ...]:
    notes = []
    for lead in OfficeLead.objects.filter(year=year, basis=Basis.DEMO).select_related("office"):
        notes.append(
            f"Leadkommunen for {lead.office.name} er demodata"
            + (f": {lead.note}" if lead.note else ".")
        )
    demo_participants = Participant.objects.filter(basis=Basis.DEMO).count()
    if demo_participants:
        notes.append(
            f"Deltagerregistret rummer {group_thousands(demo_participants)} deltagere, der er "
            "demodata; tal for virksomheder nået, der tæller dem, er mærket demodata."
        )
    demo_reach = [o.name for o in offices if o.demo]
    if demo_reach:
        notes.append("Rækkevidden for disse kontorer tæller demodata: " + ", ".join(demo_reach))
    return tuple(notes)


def _office_section(
    office: ClusterOffice,
    table: AllocationTable,
    run: AllocationRun,
    collected: Totals | None,
    report: OfficeReport | None,
    rows: list[ResultRow],
    contract: Contract | None,
    grants: list[Grant],
    found: OfficeReach | None,
) -> OfficeSection:
    name = office.name
    counts = Counter(row.status for row in rows)
    municipal = FundingSource(
        "Kommunerne (medfinansiering)",
        table.office_totals.get(name, 0),
        f"Andele i den godkendte fordeling #{run.pk}.",
    )
    return OfficeSection(
        name=name,
        cluster=office.cluster.name or UNKNOWN,
        lead=next((r.municipality for r in table.by_office[name] if r.role == "lead"), ""),
        municipal_ore=table.office_totals.get(name, 0),
        requested_ore=collected.requested_ore if collected else 0,
        received_ore=collected.received_ore if collected else 0,
        outstanding_ore=collected.outstanding_ore if collected else 0,
        funding=(municipal, *_grant_lines(grants, office, table.year)),
        contract=contract.title if contract is not None else "",
        report_version=report.version if report is not None else None,
        narrative=report.narrative if report is not None else "",
        kpis=tuple(_kpi_line(row) for row in rows),
        met=counts[kpi.Status.MET],
        partly=counts[kpi.Status.PARTLY],
        not_met=counts[kpi.Status.NOT_MET],
        companies=found.companies if found else 0,
        smes=found.smes if found else 0,
        smes_international=found.smes_international if found else 0,
        reached=tuple(n for _c, n in found.reached) if found else (),
        not_reached=tuple(n for _c, n in found.not_reached) if found else (),
        demo=bool(found and found.demo),
    )


def annual_report_data(
    year: int, *, today: dt.date | None = None, allocation: YearAllocation | None = None
) -> AnnualReport:
    """
    Every figure of the report to KKR Sjælland for `year`.

    `today` only decides a request's state (overdue); the figures do not
    depend on it. `allocation`: the year's allocation when the caller has
    read it already (the open data reads its lines too).

    :raises ReportError: the year has no approved allocation run (the message
        lists everything missing: the run, the follow-up round, the offices
        without an approved report)
    """
    if allocation is None or allocation.year != year:
        allocation = allocation_for_year(year=year)
    if allocation is None or not allocation.approved or allocation.table is None:
        raise ReportError(year, _missing(year, allocation))
    run = allocation.run
    table = allocation.table
    assert run is not None  # noqa: S101 - approved
    views = request_list(year=year, today=today or dt.date(year + 1, 12, 31))
    per_office = office_reconciliation(views)
    attained = {a.report.contract.office_id: a for a in attainment(year=year) if a.report}
    grants = list(Grant.objects.select_related("grantor").prefetch_related("clusters"))
    offices_by_name = {o.name: o for o in ClusterOffice.objects.select_related("cluster")}
    reach = {r.office.name: r for r in reach_by_office(year=year, allocation=allocation)}
    municipal_reach = {m.code: m for m in reach_by_municipality(year=year, allocation=allocation)}

    offices = []
    for name in table.offices:
        office = offices_by_name[name]
        found = attained.get(office.pk)
        report, rows = (found.report, found.rows) if found is not None else (None, [])
        contract = report.contract if report is not None else None
        section = _office_section(office, table, run, per_office.get(name), report, rows,
                                  contract, grants, reach.get(name))  # fmt: skip
        offices.append(section)

    payments = _municipality_payments(views)
    municipalities = []
    for code, name in table.municipalities:
        paid = payments.get(code, (0, 0, 0, 0))
        got = municipal_reach.get(code)
        municipalities.append(
            MunicipalitySection(
                code=code,
                name=name,
                population=table.population.get(code),
                share_ore=table.municipality_totals.get(code, 0),
                requested_ore=paid[0],
                received_ore=paid[1],
                outstanding_ore=paid[2],
                credited_ore=paid[3],
                companies=got.companies if got else 0,
                smes=got.smes if got else 0,
                demo=bool(got and got.demo),
            )
        )
    svg, map_rows, legend = _map(year, municipalities)
    missing = tuple(o.name for o in offices if o.report_version is None)
    summary = Summary(
        allocated_ore=table.total,
        requested_ore=sum(m.requested_ore for m in municipalities),
        received_ore=sum(m.received_ore for m in municipalities),
        outstanding_ore=sum(m.outstanding_ore for m in municipalities),
        credited_ore=sum(m.credited_ore for m in municipalities),
        companies=sum(m.companies for m in municipal_reach.values()),
        smes=sum(m.smes for m in municipal_reach.values()),
        offices=len(offices),
        offices_reported=len(offices) - len(missing),
        municipalities_paying=sum(1 for m in municipalities if m.share_ore > 0),
        municipalities_reached=sum(1 for m in municipal_reach.values() if m.companies > 0),
        met=sum(o.met for o in offices),
        partly=sum(o.partly for o in offices),
        not_met=sum(o.not_met for o in offices),
        missing_reports=missing,
    )
    sources = sorted(
        {(r.population_date, r.population_source) for r in table.rows if r.population_source},
        key=lambda item: (item[0] or dt.date.min, item[1]),
    )
    population_date = allocation.population_date
    method = Method(
        rule=COFINANCING_RULE,
        payment_terms=PAYMENT_TERMS,
        reach_terms=REACH_TERMS,
        population_date=format_date_da(population_date) if population_date else "",
        population_sources=tuple(f"{format_date_da(d)}: {s}" if d else s for d, s in sources),
        assumptions=tuple(dict.fromkeys(str(a) for a in allocation.assumptions)),
        demo=_demo_notes(year, offices),
    )
    approved_at = run.approved_at
    return AnnualReport(
        year=year,
        title=f"{TITLE} {year}",
        agreement=allocation.agreement.name,
        run_id=run.pk,
        run_fingerprint=run.fingerprint,
        approved_on=format_date_da(timezone.localtime(approved_at).date()) if approved_at else "",
        data_date=_latest_change(year, run, [a.report for a in attained.values() if a.report]),
        summary=summary,
        offices=tuple(offices),
        municipalities=tuple(municipalities),
        reach_by_year=_reach_per_year(year),
        map_svg=svg,
        map_rows=map_rows,
        map_legend=legend,
        method=method,
    )


def approved_years() -> list[int]:
    """The years whose allocation is approved, newest first."""
    return sorted({shown.year for shown in years_shown() if shown.approved}, reverse=True)


def dashboard_figures(report: AnnualReport) -> dict[str, Any]:
    """
    The published dashboards' figures: KPI statuses per office and companies
    reached per municipality. Aggregates only: names of offices and
    municipalities, never a person or a company.
    """
    return {
        "year": report.year,
        "offices": [
            {
                "name": o.name,
                "met": o.met,
                "partly": o.partly,
                "not_met": o.not_met,
                "reported": o.report_version is not None,
                "companies": o.companies,
                "smes": o.smes,
                "demo": o.demo,
            }
            for o in report.offices
        ],
        "municipalities": [
            {
                "code": m.code,
                "name": m.name,
                "companies": m.companies,
                "smes": m.smes,
                "population": m.population,
                "demo": m.demo,
            }
            for m in report.municipalities
        ],
        "map_svg": report.map_svg,
    }


STORED_FILES = ("pdf", "docx", "xlsx", "opendata")  # a published version's file fields


def published_list() -> list[PublishedReport]:
    """Every published version, newest year and version first, without the files."""
    return list(PublishedReport.objects.defer(*STORED_FILES, "dashboard"))


def published_latest(*, year: int) -> PublishedReport:
    """The newest published version of `year` (files deferred).

    :raises PublishedReport.DoesNotExist: nothing published for the year
    """
    return PublishedReport.objects.defer(*STORED_FILES).filter(year=year).latest("version")


def published_file(*, year: int, version: int, fmt: str) -> PublishedReport:
    """The version with only the file of `fmt` read (pdf, docx, xlsx or opendata)."""
    others = [f for f in STORED_FILES if f != fmt]
    return PublishedReport.objects.defer(*others, "dashboard").get(year=year, version=version)


def report_years() -> list[int]:
    """The years a report can be asked for: every agreement year, newest first."""
    return sorted({shown.year for shown in years_shown()}, reverse=True)
