"""
Writes to the register: loading the shipped Sjælland data.

The loader reads and checks every file first and writes nothing unless all
of them are valid; then it writes in one transaction, keyed on natural keys,
so running it twice changes nothing.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from klynge.audit.models import Action, AuditEntry
from klynge.audit.services import Actor, audited_upsert, record, snapshot
from klynge.common.choices import Basis
from klynge.common.db import analyze
from klynge.core.money import group_thousands
from klynge.core.tabular import TableError, read_data_file
from klynge.core.text import is_digits
from klynge.masterdata.models import (
    Cluster,
    ClusterOffice,
    DatePrecision,
    FetchStatus,
    FigureOrigin,
    Municipality,
    Organisation,
    Partnership,
    PopulationFetch,
    PopulationFigure,
    TimelineEvent,
)
from klynge.masterdata.statbank import StatbankAnswer

DATA_DIR = Path(__file__).resolve().parent / "data"
KKR_SJAELLAND = "KKR Sjælland"
KKR_SJAELLAND_KEY = "sjaelland"
LOADER = Actor.system("load-sjaelland")
# Figures a load of the shipped files never overwrites: the secretariat's own and
# those fetched from Statistics Denmark (the official source the files only quote).
KEPT_ORIGINS = (FigureOrigin.SECRETARIAT, FigureOrigin.STATBANK)


class DataFileError(ValueError):
    """A data file is invalid; `problems` names file, line and fault."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass
class LoadReport:
    """How many rows of each kind were created by a load."""

    created: dict[str, int] = field(default_factory=dict)
    kept: list[str] = field(default_factory=list)  # figures the secretariat entered

    def add(self, kind: str, was_created: bool) -> None:
        self.created[kind] = self.created.get(kind, 0) + int(was_created)


@dataclass
class _Files:
    municipalities: list[dict[str, str]]
    population: list[dict[str, str]]
    clusters: list[dict[str, str]]
    offices: list[dict[str, str]]
    organisations: list[dict[str, str]]
    timeline: list[dict[str, str]]


def _read_csv(path: Path, required: set[str], problems: list[str]) -> list[dict[str, str]]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        problems.append(gettext("%(file)s: the file does not exist") % {"file": path.name})
        return []
    try:
        rows = read_data_file(text, name=path.name)
    except TableError as error:
        problems.extend(str(error).splitlines())
        return []
    header = next(csv.reader(text.splitlines()[:1]), [])
    missing = required - set(header)
    if missing:
        problems.append(
            gettext("%(file)s: the columns %(columns)s are missing")
            % {"file": path.name, "columns": sorted(missing)}
        )
        return []
    return rows


def _parse_date(value: str, where: str, problems: list[str]) -> date | None:
    try:
        return date.fromisoformat(value)
    except ValueError:
        problems.append(
            gettext("%(where)s: '%(value)s' is not a date (YYYY-MM-DD)")
            % {"where": where, "value": value}
        )
        return None


def file_line(file: str, line: int) -> str:
    """Where a problem is, for a loader's messages: 'population.csv line 61'."""
    return gettext("%(file)s line %(line)s") % {"file": file, "line": line}


def _check_population(rows: list[dict[str, str]], codes: set[str], problems: list[str]) -> None:
    seen: set[tuple[str, str]] = set()
    for line, row in enumerate(rows, start=2):
        where = file_line("population.csv", line)
        code, year, value = row["code"].strip(), row["year"].strip(), row["population"].strip()
        if code not in codes:
            problems.append(
                gettext("%(where)s: unknown municipality code '%(code)s'")
                % {"where": where, "code": code}
            )
        if not is_digits(year):
            problems.append(
                gettext("%(where)s: the year '%(year)s' is not a number")
                % {"where": where, "year": year}
            )
        if not is_digits(value):
            problems.append(
                gettext("%(where)s: the population '%(value)s' is not a whole number")
                % {"where": where, "value": value}
            )
        elif int(value) <= 0:
            problems.append(gettext("%(where)s: the population must be above 0") % {"where": where})
        if (code, year) in seen:
            problems.append(
                gettext("%(where)s: %(code)s has two figures for %(year)s")
                % {"where": where, "code": code, "year": year}
            )
        seen.add((code, year))
        if not row["source"].strip() or not row["source_label"].strip():
            problems.append(gettext("%(where)s: the source is missing") % {"where": where})
        if not row["source_url"].startswith("https://"):
            problems.append(
                gettext("%(where)s: the source's link must start with https://") % {"where": where}
            )
        _parse_date(row["read_on"], where, problems)


def _read_files(data_dir: Path) -> _Files:
    problems: list[str] = []
    municipalities = _read_csv(
        data_dir / "municipalities.csv", {"code", "name", "region_code", "source"}, problems
    )
    codes: set[str] = set()
    for line, row in enumerate(municipalities, start=2):
        where = file_line("municipalities.csv", line)
        code = row["code"].strip()
        if not (len(code) == 3 and is_digits(code)):
            problems.append(
                gettext("%(where)s: '%(code)s' is not a municipality code")
                % {"where": where, "code": code}
            )
        if code in codes:
            problems.append(
                gettext("%(where)s: municipality code %(code)s appears twice")
                % {"where": where, "code": code}
            )
        codes.add(code)
    population = _read_csv(
        data_dir / "population.csv",
        {"code", "year", "population", "source", "source_label", "source_url", "read_on"},
        problems,
    )
    _check_population(population, codes, problems)
    clusters = _read_csv(data_dir / "clusters.csv", {"cluster_org", "name_da"}, problems)
    offices = _read_csv(
        data_dir / "offices.csv",
        {"name", "cluster", "strength_position", "host_code", "opened_date"},
        problems,
    )
    cluster_names = {row["cluster_org"] for row in clusters}
    for line, row in enumerate(offices, start=2):
        where = file_line("offices.csv", line)
        if row["cluster"] not in cluster_names:
            problems.append(
                gettext("%(where)s: unknown cluster '%(cluster)s'")
                % {"where": where, "cluster": row["cluster"]}
            )
        if row["host_code"] and row["host_code"] not in codes:
            problems.append(
                gettext("%(where)s: unknown municipality code '%(code)s'")
                % {"where": where, "code": row["host_code"]}
            )
        if row["opened_date"]:
            _parse_date(row["opened_date"], where, problems)
    organisations = _read_csv(data_dir / "organisations.csv", {"name", "kind"}, problems)
    timeline = _read_csv(
        data_dir / "timeline.csv", {"event_date", "precision", "when_text", "title"}, problems
    )
    for line, row in enumerate(timeline, start=2):
        _parse_date(row["event_date"], file_line("timeline.csv", line), problems)
    if problems:
        raise DataFileError(problems)
    return _Files(municipalities, population, clusters, offices, organisations, timeline)


def _cluster_key(cluster_org: str) -> str:
    if cluster_org.startswith("(unidentified"):
        return "unidentified-" + cluster_org.strip("()").split()[-1]
    return "".join(ch if ch.isalnum() else "-" for ch in cluster_org.lower()).strip("-")


@transaction.atomic
def register_load(*, actor: Actor = LOADER, data_dir: Path = DATA_DIR) -> LoadReport:
    """
    Load the register (facts only) from `data_dir`; return what was created.

    Facts in the files replace stored values with the same natural key, so the
    files stay the source of truth for facts; nothing else is touched. A
    population figure the secretariat has entered or corrected (origin
    "secretariat") or fetched from Statistics Denmark ("statbank") is kept as
    it is; a figure new in the file is added, so an existing database
    receives new facts on the next load. Every population
    figure created or changed gets an audit entry.

    :raises DataFileError: listing every problem in the files; nothing is stored
    """
    files = _read_files(data_dir)
    report = LoadReport()
    by_code: dict[str, Municipality] = {}
    for row in files.municipalities:
        municipality, created = Municipality.objects.update_or_create(
            code=row["code"].strip(),
            defaults={"name": row["name"].strip(), "region_code": row["region_code"].strip()},
        )
        by_code[municipality.code] = municipality
        report.add("kommuner", created)
    for row in files.population:
        municipality = by_code[row["code"].strip()]
        reference_date = date(int(row["year"]), 1, 1)
        stored = PopulationFigure.objects.filter(
            municipality=municipality, reference_date=reference_date
        ).first()
        if stored is not None and stored.origin in KEPT_ORIGINS:
            report.kept.append(f"{municipality.name} {reference_date.isoformat()}")
            continue
        audited_upsert(
            PopulationFigure,
            actor=actor,
            lookup={"municipality": municipality, "reference_date": reference_date},
            values={
                "population": int(row["population"]),
                "source": row["source"].strip(),
                "source_label": row["source_label"].strip(),
                "source_url": row["source_url"].strip(),
                "source_read_on": date.fromisoformat(row["read_on"]),
                "origin": FigureOrigin.FILE,
                "basis": Basis.FACT,
            },
            municipality_code=municipality.code,
            year=reference_date.year,
        )
        report.add("indbyggertal", stored is None)
    kkr, created = Partnership.objects.update_or_create(
        name=KKR_SJAELLAND,
        defaults={
            "key": KKR_SJAELLAND_KEY,
            "description": "Kommunekontaktrådet i Region Sjælland: samarbejde mellem "
            "regionens 17 kommuner.",
            "source": "Slides KKR Sjælland (seed); design.md §1",
        },
    )
    kkr.members.set(by_code.values())
    report.add("partnerskaber", created)
    clusters: dict[str, Cluster] = {}
    for row in files.clusters:
        identified = not row["cluster_org"].startswith("(unidentified")
        topup = row.get("ufs_sjaelland_topup_dec2021", "")
        cluster, created = Cluster.objects.update_or_create(
            key=_cluster_key(row["cluster_org"]),
            defaults={
                "identified": identified,
                "name": row["cluster_org"] if identified else "",
                "name_da": row.get("name_da", ""),
                "sector_da": row.get("sector_da", ""),
                "hq_city": row.get("hq_city", ""),
                "other_offices": row.get("other_offices", ""),
                "ufs_sjaelland_topup_2021": {"yes": True, "no": False}.get(topup),
                "notes": row.get("status_notes", ""),
                "sources": row.get("sources", ""),
            },
        )
        clusters[row["cluster_org"]] = cluster
        report.add("klynger", created)
    for row in files.offices:
        _, created = ClusterOffice.objects.update_or_create(
            name=row["name"],
            defaults={
                "cluster": clusters[row["cluster"]],
                "strength_position": row["strength_position"],
                "host_municipality": by_code.get(row["host_code"]),
                "town": row["town"],
                "opened_date": date.fromisoformat(row["opened_date"])
                if row["opened_date"]
                else None,
                "opened_precision": row["opened_precision"] or DatePrecision.DAY,
                "opened_note": row["opened_note"],
                "notes": row["notes"],
                "sources": row["sources"],
            },
        )
        report.add("klyngekontorer", created)
    for row in files.organisations:
        _, created = Organisation.objects.update_or_create(
            name=row["name"],
            defaults={
                "short_name": row["short_name"],
                "kind": row["kind"],
                "role": row["role"],
                "source": row["source"],
            },
        )
        report.add("organisationer", created)
    for row in files.timeline:
        _, created = TimelineEvent.objects.update_or_create(
            title=row["title"],
            defaults={
                "event_date": date.fromisoformat(row["event_date"]),
                "precision": row["precision"],
                "when_text": row["when_text"],
                "source": row["source"],
            },
        )
        report.add("historik", created)
    analyze(Municipality, PopulationFigure, Partnership, Partnership.members.through, Cluster,
            ClusterOffice, Organisation, TimelineEvent, AuditEntry)  # fmt: skip
    return report


class PopulationError(ValueError):
    """A population figure cannot be stored as given; the message says why (Danish)."""


MAX_POPULATION = 2_000_000  # more than any Danish municipality has
FIRST_REFERENCE_YEAR, LAST_REFERENCE_YEAR = 2000, 2100


@transaction.atomic
def population_set(
    *,
    actor: Actor,
    municipality: Municipality,
    reference_date: date,
    population: int,
    source_label: str,
    source_url: str = "",
    source_read_on: date,
    note: str = "",
) -> PopulationFigure:
    """
    Store (add or correct) one municipality's population on `reference_date`.

    The figure is marked as entered by the secretariat, so a later load of the
    shipped files keeps it; the change is audited with before and after.

    :raises PopulationError: for a figure that is not positive or too large,
        a date outside the years Klynge covers, or a missing source
    """
    if not 0 < population <= MAX_POPULATION:
        raise PopulationError(
            gettext("The population must be a whole number from 1 to %(max)s.")
            % {"max": group_thousands(MAX_POPULATION)}
        )
    if not FIRST_REFERENCE_YEAR <= reference_date.year <= LAST_REFERENCE_YEAR:
        raise PopulationError(
            gettext("The reference date must lie in the years %(first)s-%(last)s.")
            % {"first": FIRST_REFERENCE_YEAR, "last": LAST_REFERENCE_YEAR}
        )
    label = source_label.strip()
    if not label:
        raise PopulationError(gettext("Name the source of the figure."))
    if source_url and not source_url.startswith(("https://", "http://")):
        raise PopulationError(gettext("The link must start with https://."))
    figure, _ = audited_upsert(
        PopulationFigure,
        actor=actor,
        lookup={"municipality": municipality, "reference_date": reference_date},
        values={
            "population": population,
            "source": note.strip() or label,
            "source_label": label,
            "source_url": source_url,
            "source_read_on": source_read_on,
            "origin": FigureOrigin.SECRETARIAT,
            "basis": Basis.FACT,
        },
        municipality_code=municipality.code,
        year=reference_date.year,
    )
    return figure


class FetchError(ValueError):
    """A StatBank fetch cannot be stored; the message says why (Danish)."""


FETCH_VALID_HOURS = 24  # a fetch shown but not confirmed within this is fetched again
STATBANK_LABEL = "Danmarks Statistik, Statistikbanken, tabel {table}, {quarter}"
STATBANK_SOURCE_URL = "https://www.statistikbanken.dk/{table}"


@transaction.atomic
def population_fetch_record(
    *, actor: Actor, partnership: Partnership, answer: StatbankAnswer
) -> PopulationFetch:
    """
    Keep a checked StatBank answer as a fetch awaiting confirmation (audited).

    Nothing of the register changes until `population_fetch_store`.
    """
    members = set(partnership.members.values_list("code", flat=True))
    if set(answer.figures) != members:
        raise FetchError(
            gettext(
                "The answer does not cover exactly the partnership's municipalities and "
                "cannot be stored. Nothing is stored."
            )
        )
    fetch = PopulationFetch.objects.create(
        table=answer.table,
        quarter=answer.quarter.code,
        reference_date=answer.quarter.first_day,
        partnership=partnership,
        fetched_at=answer.fetched_at,
        fetched_by=actor.label[:150],
        request_url=answer.request_url,
        request_body=answer.request_body,
        response_sha256=answer.response_sha256,
        response_text=answer.response_text,
        figures=dict(sorted(answer.figures.items())),
        status=FetchStatus.PENDING,
    )
    record(
        actor=actor, action=Action.CREATE, instance=fetch, before=None,
        after=snapshot(fetch), year=fetch.reference_date.year,
    )  # fmt: skip
    return fetch


@transaction.atomic
def population_fetch_store(*, actor: Actor, fetch_id: int) -> list[PopulationFigure]:
    """
    Store a fetch's figures as the population of its municipalities on its date.

    Each figure is added or replaced (origin "statbank", source FOLK1A and the
    quarter, read on the fetch's date), audited with before and after; the
    fetch is marked stored, so it can be stored only once. Allocation runs
    keep the figures they used in their own lines, so an approved run is not
    changed by this.

    :raises FetchError: for an unknown fetch, one already stored, one older
        than FETCH_VALID_HOURS, or figures that no longer fit the partnership
    """
    fetch = PopulationFetch.objects.select_for_update().filter(pk=fetch_id).first()
    if fetch is None:
        raise FetchError(gettext("The fetch does not exist. Nothing is stored."))
    if fetch.status == FetchStatus.STORED:
        raise FetchError(
            gettext("The fetch of %(table)s %(quarter)s is already stored. Nothing is changed.")
            % {"table": fetch.table, "quarter": fetch.quarter}
        )
    if fetch.fetched_at < timezone.now() - timedelta(hours=FETCH_VALID_HOURS):
        raise FetchError(
            gettext(
                "The fetch is more than %(hours)s hours old; fetch the figures again. "
                "Nothing is stored."
            )
            % {"hours": FETCH_VALID_HOURS}
        )
    municipalities = {m.code: m for m in fetch.partnership.members.all()}
    figures = fetch.figures if isinstance(fetch.figures, dict) else {}
    if set(figures) != set(municipalities) or not all(
        isinstance(value, int) and 0 < value <= MAX_POPULATION for value in figures.values()
    ):
        raise FetchError(
            gettext(
                "The fetch's figures no longer fit the partnership's municipalities; fetch "
                "again. Nothing is stored."
            )
        )
    label = STATBANK_LABEL.format(table=fetch.table, quarter=fetch.quarter)
    read_on = timezone.localdate(fetch.fetched_at)
    stored = []
    for code, population in sorted(figures.items()):
        municipality = municipalities[code]
        figure, _ = audited_upsert(
            PopulationFigure,
            actor=actor,
            lookup={"municipality": municipality, "reference_date": fetch.reference_date},
            values={
                "population": population,
                "source": f"{label}. Hentet {fetch.fetched_at.isoformat(timespec='seconds')} "
                f"fra {fetch.request_url} (hentning #{fetch.pk}, SHA-256 {fetch.response_sha256}).",
                "source_label": label,
                "source_url": STATBANK_SOURCE_URL.format(table=fetch.table),
                "source_read_on": read_on,
                "origin": FigureOrigin.STATBANK,
                "basis": Basis.FACT,
            },
            reason=f"{fetch.table} {fetch.quarter}",
            municipality_code=code,
            year=fetch.reference_date.year,
        )
        stored.append(figure)
    before = snapshot(fetch)
    fetch.status = FetchStatus.STORED
    fetch.stored_at = timezone.now()
    fetch.stored_by = actor.label[:150]
    fetch.save(update_fields=["status", "stored_at", "stored_by"])
    record(
        actor=actor, action=Action.UPDATE, instance=fetch, before=before,
        after=snapshot(fetch), year=fetch.reference_date.year,
    )  # fmt: skip
    return stored
