"""
A year's public money as open data: a Frictionless Tabular Data Package.

`opendata_package(year)` builds, in memory, the CSV files and their
`datapackage.json` from the year's approved allocation run, the payment
requests and payments, the grants and the participation register. The
figures are the annual report's (`annual_report_data`), so the package and
the report never disagree; only the allocation's lines are read besides.

What it holds (docs/opendata.md describes every field):

- municipalities.csv: the municipalities of the allocation with the population of the key;
- allocations.csv: each municipality's computed share (beregnet) per office;
- payments_by_municipality.csv / payments_by_office.csv: requested, paid, outstanding;
- grants.csv: the grants of the year, unknown amounts left empty, never guessed;
- reach_by_municipality.csv / reach_by_office.csv: companies reached, counts only.

No personal data: no contact person, no participant, no user, no bank
reference; aggregates per municipality and office only. Demo data is
labelled (`basis` = demo, and the package's description). The package is
dated from the data (`created`), so the same data give the same bytes.
Licence CC BY 4.0. The Fiscal Data Package's conventions are followed where
they fit (an `amount` in kroner with a `currency` column, `columnType` on
the fields), under the Tabular Data Package profile, which every Frictionless
tool validates without fetching a schema.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from django.utils import translation

from klynge.common.choices import Basis
from klynge.core.opendata import Cell, csv_bytes, decimal, json_bytes, kroner, zip_bytes
from klynge.core.sources import SEED_LABEL, split_sources
from klynge.financing.models import OfficeLead
from klynge.financing.selectors import YearAllocation, allocation_for_year
from klynge.funding.selectors import GrantView, grant_list
from klynge.masterdata.models import PopulationFigure
from klynge.reports.selectors import AnnualReport, ReportError, annual_report_data

DESCRIPTOR = "datapackage.json"
CURRENCY = "DKK"
LICENCE = {
    "name": "CC-BY-4.0",
    "path": "https://creativecommons.org/licenses/by/4.0/",
    "title": "Creative Commons Attribution 4.0",
}
KEYWORDS = ["klynger", "erhvervsfremme", "medfinansiering", "Region Sjælland", "fiscal data"]
BASIS_VALUES = [Basis.FACT.value, Basis.ASSUMPTION.value, Basis.DEMO.value]
CSV_NOTE = (
    "CSV: UTF-8 uden BOM, komma som skilletegn, en overskriftsrække, CRLF-linjeskift (RFC 4180), "
    "punktum som decimaltegn og ingen tusindtalsseparator. Beløb er kroner med to decimaler i "
    "valutaen DKK. En tom celle betyder, at tallet ikke kendes eller ikke findes; den gættes "
    "aldrig."
)


Resource = dict[str, Any]
Rows = list[Sequence[Cell]]
Table = tuple[Resource, Rows]


class OpenDataError(ReportError):
    """The year has no open data; `problems` says what is missing, in Danish."""

    @property
    def message(self) -> str:
        lines = "\n".join(f"- {problem}" for problem in self.problems)
        return f"Åbne data for {self.year} kan ikke laves. Der mangler:\n{lines}"


@dataclass(frozen=True)
class OpenDataPackage:
    """The files of a year's package by name (the descriptor included)."""

    year: int
    files: dict[str, bytes]
    descriptor: dict[str, Any]
    data_date: dt.date
    demo: bool

    @property
    def zip(self) -> bytes:
        """Every file in one ZIP; the same data give the same bytes."""
        return zip_bytes(self.files, dated=self.data_date)


# --- fields ------------------------------------------------------------------------------


def _field(name: str, type_: str, title: str, description: str, **extra: Any) -> dict[str, Any]:
    spec: dict[str, Any] = {"name": name, "type": type_, "title": title}
    spec["description"] = description
    if type_ == "number":
        spec.update(decimalChar=".", groupChar="", bareNumber=True)
    spec.update(extra)
    return spec


def _required(**more: Any) -> dict[str, Any]:
    return {"constraints": {"required": True, **more}}


def _year() -> dict[str, Any]:
    return _field("year", "integer", "År", "Budgetåret.", columnType="date:fiscal-year",
                  **_required(minimum=2000, maximum=2100))  # fmt: skip


def _code(primary: bool = False) -> dict[str, Any]:
    return _field(
        "municipality_code", "string", "Kommunekode",
        "Kommunens tre-cifrede kode (Danmarks Statistik), fx 253 for Greve.",
        columnType="administrative-classification:generic:level1:code",
        **_required(pattern="[0-9]{3}", **({"unique": True} if primary else {})),
    )  # fmt: skip


def _office(primary: bool = False) -> dict[str, Any]:
    return _field(
        "office", "string", "Klyngekontor", "Klyngekontorets navn.",
        columnType="administrative-classification:generic:level2:label",
        **_required(**({"unique": True} if primary else {})),
    )  # fmt: skip


def _amount(name: str, title: str, description: str, *, required: bool = True) -> dict[str, Any]:
    extra = _required(minimum=0) if required else {"constraints": {"minimum": 0}}
    return _field(name, "number", title, description + " Kroner med to decimaler.",
                  unit=CURRENCY, columnType="value", **extra)  # fmt: skip


def _currency() -> dict[str, Any]:
    return _field("currency", "string", "Valuta", "Valutakode (ISO 4217).",
                  **_required(enum=[CURRENCY]))  # fmt: skip


def _count(name: str, title: str, description: str) -> dict[str, Any]:
    return _field(name, "integer", title, description, unit="antal", **_required(minimum=0))


def _basis(description: str) -> dict[str, Any]:
    return _field(
        "basis", "string", "Grundlag",
        description + " fact = faktum fra kilderne, assumption = arbejdsantagelse, "
        "demo = demodata (ikke virkelige tal).",
        **_required(enum=BASIS_VALUES),
    )  # fmt: skip


MUNICIPALITY_FK = {
    "fields": ["municipality_code"],
    "reference": {"resource": "municipalities", "fields": ["municipality_code"]},
}


# --- resources ---------------------------------------------------------------------------


def _resource(
    name: str, title: str, description: str, fields: list[dict[str, Any]],
    primary: list[str], *, foreign: bool = False,
) -> dict[str, Any]:  # fmt: skip
    schema: dict[str, Any] = {"fields": fields, "primaryKey": primary, "missingValues": [""]}
    if foreign:
        schema["foreignKeys"] = [MUNICIPALITY_FK]
    return {
        "name": name,
        "path": f"{name}.csv",
        "profile": "tabular-data-resource",
        "title": title,
        "description": description,
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "dialect": {"delimiter": ",", "header": True, "quoteChar": '"', "doubleQuote": True},
        "schema": schema,
    }


def _header(resource: dict[str, Any]) -> list[str]:
    return [f["name"] for f in resource["schema"]["fields"]]


@dataclass(frozen=True)
class _Population:
    date: dt.date | None
    label: str
    url: str


def _population_sources(allocation: YearAllocation) -> dict[str, _Population]:
    """Per municipality code, the date and the short source of its population in the key."""
    dates = {r.municipality_code: r.population_date for r in allocation.lines if r.population_date}
    figures = PopulationFigure.objects.filter(
        municipality__code__in=list(dates), reference_date__in=set(dates.values())
    ).values_list("municipality__code", "reference_date", "source_label", "source_url", "source")
    found = {}
    for code, when, label, url, source in figures:
        if dates.get(code) == when:
            found[code] = _Population(when, label or source.split(";")[0].strip()[:200], url)
    return found


def _municipalities(
    report: AnnualReport, allocation: YearAllocation
) -> tuple[Resource, Rows, dict[str, _Population]]:
    resource = _resource(
        "municipalities", "Kommuner",
        "Kommunerne i årets fordeling med indbyggertallet på fordelingsnøglens skæringsdato.",
        [
            _code(primary=True),
            _field("municipality_name", "string", "Kommune", "Kommunens navn.", **_required()),
            _field("population", "integer", "Indbyggere",
                   "Indbyggertal på nøglens skæringsdato; tomt, hvis det ikke kendes.",
                   unit="personer", constraints={"minimum": 0}),
            _field("population_date", "date", "Skæringsdato",
                   "Datoen, indbyggertallet gælder (ISO 8601)."),
            _field("population_source", "string", "Kilde til indbyggertal",
                   "Kilden til indbyggertallet, kort."),
            _field("population_source_url", "string", "Link til kilden",
                   "Kildens adresse; tom uden en.", format="uri"),
        ],
        ["municipality_code"],
    )  # fmt: skip
    sources = _population_sources(allocation)
    rows: Rows = []
    for m in report.municipalities:
        found = sources.get(m.code)
        rows.append((
            m.code, m.name, m.population,
            found.date.isoformat() if found and found.date else None,
            found.label if found else None, (found.url or None) if found else None,
        ))  # fmt: skip
    return resource, rows, sources


def _leads(year: int) -> dict[str, str]:
    """Per office name, the basis of its lead municipality in `year`."""
    return dict(
        OfficeLead.objects.filter(year=year).values_list("office__name", "basis").order_by()
    )


def _allocations(report: AnnualReport, allocation: YearAllocation) -> Table:
    resource = _resource(
        "allocations", "Kommunernes andele (beregnet)",
        f"Hver kommunes beregnede andel af hvert klyngekontors beløb i den godkendte "
        f"fordeling #{report.run_id}. Delene summerer præcist til kontorets beløb.",
        [
            _year(), _office(),
            _field("cluster", "string", "Klynge", "Den nationale klynge, kontoret hører til."),
            _code(),
            _field("role", "string", "Rolle",
                   "lead = leadkommune (betaler den faste andel), share = deltager (andel "
                   "efter nøglen), none = deltager ikke (0 kr.).",
                   **_required(enum=["lead", "share", "none"])),
            _field("key_weight", "integer", "Vægt i nøglen",
                   "Kommunens vægt i fordelingsnøglen (som udgangspunkt indbyggertal); tom "
                   "for leadkommunen og ikke-deltagere.", constraints={"minimum": 0}),
            _amount("amount", "Beregnet andel",
                    "Kommunens beregnede andel (beregnet, ikke betalt) efter den godkendte "
                    "fordeling."),
            _currency(),
            _basis("Grundlaget for kontorets leadkommune i året."),
        ],
        ["office", "municipality_code"], foreign=True,
    )  # fmt: skip
    leads = _leads(report.year)
    clusters = {o.name: o.cluster for o in report.offices}
    rows: Rows = [
        (
            report.year,
            row.office,
            clusters.get(row.office, ""),
            row.municipality_code,
            row.role,
            row.weight if row.role == "share" else None,
            kroner(row.amount_ore),
            CURRENCY,
            leads.get(row.office, Basis.FACT.value),
        )
        for row in sorted(allocation.lines, key=lambda r: (r.office, r.municipality_code))
    ]
    return resource, rows


_PAID = (
    "Betalt er det registrerede indbetalte (højst opkrævningens beløb); udestående er "
    "opkrævet minus betalt. Annullerede opkrævninger og kreditnotaer indgår ikke i opkrævet."
)


def _payments(report: AnnualReport) -> list[Table]:
    by_municipality = _resource(
        "payments_by_municipality", "Indbetalinger pr. kommune",
        "Pr. kommune: beregnet andel, opkrævet, betalt, udestående og krediteret. " + _PAID,
        [
            _year(), _code(primary=True),
            _amount("allocated_amount", "Beregnet", "Andelen i den godkendte fordeling."),
            _amount("requested_amount", "Opkrævet", "Årets opkrævninger og efteropkrævninger."),
            _amount("received_amount", "Betalt", "Registreret indbetalt."),
            _amount("outstanding_amount", "Udestående", "Opkrævet minus betalt."),
            _amount("credited_amount", "Krediteret", "Kreditnotaer efter en rettet fordeling."),
            _currency(),
        ],
        ["municipality_code"], foreign=True,
    )  # fmt: skip
    municipality_rows: Rows = [
        (report.year, m.code, kroner(m.share_ore), kroner(m.requested_ore),
         kroner(m.received_ore), kroner(m.outstanding_ore), kroner(m.credited_ore), CURRENCY)
        for m in report.municipalities
    ]  # fmt: skip
    by_office = _resource(
        "payments_by_office", "Indbetalinger pr. klyngekontor",
        "Pr. klyngekontor: kommunernes beregnede andele, opkrævet, betalt og udestående "
        "(en indbetaling fordeles på opkrævningens kontorer efter samme eksakte metode). "
        + _PAID,
        [
            _year(), _office(primary=True),
            _amount("allocated_amount", "Beregnet",
                    "Kommunernes andele i den godkendte fordeling."),
            _amount("requested_amount", "Opkrævet", "Opkrævet for kontoret."),
            _amount("received_amount", "Betalt", "Registreret indbetalt for kontoret."),
            _amount("outstanding_amount", "Udestående", "Opkrævet minus betalt."),
            _currency(),
        ],
        ["office"],
    )  # fmt: skip
    office_rows: Rows = [
        (report.year, o.name, kroner(o.municipal_ore), kroner(o.requested_ore),
         kroner(o.received_ore), kroner(o.outstanding_ore), CURRENCY)
        for o in report.offices
    ]  # fmt: skip
    return [(by_municipality, municipality_rows), (by_office, office_rows)]


def _year_amount(view: GrantView, year: int) -> int | None:
    """The grant's amount in `year` when the sources give it, else None (never divided)."""
    years = view.grant.years()
    if years is None:
        return None
    if view.grant.per_year or len(years) == 1:
        return view.grant.amount_ore
    return None


def _grants(year: int, views: list[GrantView]) -> Table:
    resource = _resource(
        "grants", "Bevillinger",
        "Bevillingerne, der dækker året eller ikke oplyser deres år. Beløb, som kilderne ikke "
        "oplyser, er tomme; en bevilling til flere klynger deles aldrig ud på klyngerne.",
        [
            _year(),
            _field("grant", "string", "Bevilling", "Bevillingens nøgle i Klynge.",
                   **_required(unique=True)),
            _field("grantor", "string", "Bevillingsgiver",
                   "Den, der har bevilget; tom, hvis kilden ikke siger det.",
                   columnType="administrative-classification:generic:level1:label"),
            _field("recipients", "string", "Modtagere", "Klyngerne eller organisationen."),
            _field("purpose", "string", "Formål", "Bevillingens formål.", **_required()),
            _field("per_year", "boolean", "Årligt beløb",
                   "true: beløbet gives hvert år; false: én gang for perioden.", **_required()),
            _field("first_year", "integer", "Første år", "Tom, hvis kilden ikke oplyser det."),
            _field("last_year", "integer", "Sidste år", "Tom, hvis kilden ikke oplyser det."),
            _amount("amount", "Bevilget beløb",
                    "Beløbet som kilden oplyser det (pr. år eller én gang)."),
            _amount("year_amount", "Beløb i året",
                    "Bevillingens beløb i året; tomt, hvis kilden ikke oplyser året eller "
                    "fordelingen på år.", required=False),
            _amount("committed_amount", "Bevilget i alt",
                    "Hele bevillingen; tom, hvis et årligt beløbs periode ikke kendes.",
                    required=False),
            _amount("received_amount", "Modtaget i alt",
                    "Registreret modtaget på bevillingen (alle år); tomt, når ingen "
                    "modtagelse følges i Klynge.", required=False),
            _currency(),
            _basis("Grundlaget for bevillingen."),
            _field("source", "string", "Kilde", "Kilden, som registret angiver den.",
                   **_required()),
        ],
        ["grant"],
    )  # fmt: skip
    rows: Rows = []
    for view in views:
        grant = view.grant
        years = grant.years()
        if years is not None and year not in years:
            continue
        rows.append((
            year, grant.key, grant.grantor.name if grant.grantor else None, view.recipients,
            grant.purpose, grant.per_year, grant.first_year, grant.last_year,
            kroner(grant.amount_ore), kroner(_year_amount(view, year)),
            kroner(view.committed_ore), kroner(view.received_ore) if view.followed else None,
            CURRENCY, grant.basis, grant.source,
        ))  # fmt: skip
    return resource, rows


def _demo(flag: bool) -> str:
    return Basis.DEMO.value if flag else Basis.FACT.value


def _reach(report: AnnualReport) -> list[Table]:
    count_note = (
        "En virksomhed tælles én gang pr. kommune og år; kommunen er virksomhedens egen. "
        "Små og mellemstore virksomheder (smv) har under 250 ansatte."
    )
    by_municipality = _resource(
        "reach_by_municipality", "Virksomheder nået pr. kommune",
        "Unikke virksomheder med deltagelse i klyngekontorernes aktiviteter i året, pr. "
        "kommune. Kun antal, ingen navne. " + count_note,
        [
            _year(), _code(primary=True),
            _count("companies", "Virksomheder", "Unikke virksomheder nået i året."),
            _count("smes", "Heraf smv", "Heraf små og mellemstore virksomheder."),
            _field("companies_per_1000_inhabitants", "number", "Pr. 1.000 indbyggere",
                   "Virksomheder nået pr. 1.000 indbyggere (indbyggertal på nøglens "
                   "skæringsdato), afrundet til to decimaler; tom uden indbyggertal.",
                   constraints={"minimum": 0}),
            _basis("demo, når tællingen omfatter demodata."),
        ],
        ["municipality_code"], foreign=True,
    )  # fmt: skip
    municipality_rows: Rows = [
        (report.year, m.code, m.companies, m.smes,
         decimal(Fraction(m.companies * 1000, m.population)) if m.population else None,
         _demo(m.demo))
        for m in report.municipalities
    ]  # fmt: skip
    by_office = _resource(
        "reach_by_office", "Virksomheder nået pr. klyngekontor",
        "Unikke virksomheder nået af hvert klyngekontor i året og de betalende kommuner, hvor "
        "kontoret har nået mindst én virksomhed. Kun antal, ingen navne. " + count_note,
        [
            _year(), _office(primary=True),
            _count("companies", "Virksomheder", "Unikke virksomheder nået i året."),
            _count("smes", "Heraf smv", "Heraf små og mellemstore virksomheder."),
            _count("smes_international", "Smv i internationale aktiviteter",
                   "Smv, der har deltaget i internationale aktiviteter."),
            _count("paying_municipalities", "Betalende kommuner",
                   "Kommuner med en andel af kontorets beløb."),
            _count("municipalities_reached", "Betalende kommuner nået",
                   "Betalende kommuner med mindst én virksomhed nået."),
            _basis("demo, når tællingen omfatter demodata."),
        ],
        ["office"],
    )  # fmt: skip
    office_rows: Rows = [
        (report.year, o.name, o.companies, o.smes, o.smes_international,
         len(o.reached) + len(o.not_reached), len(o.reached), _demo(o.demo))
        for o in report.offices
    ]  # fmt: skip
    return [(by_municipality, municipality_rows), (by_office, office_rows)]


# --- the package -------------------------------------------------------------------------


def _sources(
    report: AnnualReport, population: dict[str, _Population], views: list[GrantView]
) -> list[dict[str, str]]:
    """The package's sources: Klynge's run, the seed, the population's, then the grants'."""
    sources: list[dict[str, str]] = [
        {
            "title": f"Klynge: godkendt fordeling #{report.run_id} for {report.year} "
            f"(fingeraftryk {report.run_fingerprint[:12]}), opkrævninger, indbetalinger og "
            "deltagerregistret",
        },
        {"title": f"{SEED_LABEL} (aftalen og medfinansieringsmodellen)"},
    ]
    found: dict[tuple[str, str], None] = {}
    for figure in sorted(population.values(), key=lambda f: (f.label, f.url)):
        found.setdefault((f"Indbyggertal: {figure.label}", figure.url), None)
    for view in views:
        for ref in split_sources(view.grant.source):
            if not ref.from_seed:
                found.setdefault((f"Bevilling: {ref.label}", ref.url), None)
    for label, url in found:
        sources.append({"title": label, "path": url} if url else {"title": label})
    return sources


def _description(report: AnnualReport) -> str:
    parts = [
        f"Offentlige midler til de regionale klyngekontorer i Region Sjælland i {report.year} "
        f"under {report.agreement}: kommunernes medfinansiering efter den godkendte fordeling "
        f"#{report.run_id} (godkendt {report.approved_on}), opkrævninger og indbetalinger, "
        "bevillinger og rækkevidde (virksomheder nået). Kun sammentællinger pr. kommune og "
        "klyngekontor; ingen personoplysninger.",
        report.method.rule,
        CSV_NOTE,
    ]
    if report.method.assumptions:
        said = (a if a.endswith(".") else f"{a}." for a in report.method.assumptions)
        parts.append("Arbejdsantagelser bekræftet ved godkendelsen: " + " ".join(said))
    if report.method.demo:
        parts.append("DEMODATA: " + " ".join(report.method.demo))
    return "\n\n".join(parts)


def opendata_package(year: int, *, report: AnnualReport | None = None) -> OpenDataPackage:
    """
    The open data of `year` (the annual report's figures when `report` is given).

    :raises OpenDataError: the year has no approved allocation run (nothing is built)
    """
    allocation = allocation_for_year(year=year)
    if allocation is None:
        raise OpenDataError(year, [f"en aftale, der dækker {year}, og en godkendt fordeling"])
    if not allocation.approved or allocation.table is None:
        raise OpenDataError(
            year, [f"en godkendt fordeling for {year} (godkend årets fordeling under Fordeling)"]
        )
    with translation.override("da"):
        if report is None or report.year != year:
            report = annual_report_data(year, allocation=allocation)
        views = grant_list()
        municipalities, municipality_rows, population = _municipalities(report, allocation)
        tables = [
            (municipalities, municipality_rows),
            _allocations(report, allocation),
            *_payments(report),
            _grants(year, views),
            *_reach(report),
        ]
        files = {res["path"]: csv_bytes(_header(res), rows) for res, rows in tables}
        descriptor: dict[str, Any] = {
            "profile": "tabular-data-package",
            "name": f"klynge-region-sjaelland-{year}",
            "title": f"Klyngekontorer i Region Sjælland {year}: offentlige midler og rækkevidde",
            "description": _description(report),
            "version": f"{year}.{report.run_id}.0",  # the year, then the approved run
            "created": f"{report.data_date.isoformat()}T00:00:00Z",
            "keywords": KEYWORDS,
            "licenses": [dict(LICENCE)],
            "sources": _sources(report, population, views),
            "countryCode": "DK",
            "fiscalPeriod": {"start": f"{year}-01-01", "end": f"{year}-12-31"},
            "contains_demo_data": report.demo,
            "resources": [res for res, _rows in tables],
        }
    files[DESCRIPTOR] = json_bytes(descriptor)
    return OpenDataPackage(year, files, descriptor, report.data_date, report.demo)
