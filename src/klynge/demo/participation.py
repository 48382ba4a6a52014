"""
Deterministic demo participation data, loaded through the participant-file import.

`demo_rows_by_office` makes the rows of the participant-file template (keys
are the Danish headers of `participation.imports.COLUMNS`) for each office
whose name it is given: companies spread over the 17 municipalities of Region
Sjælland by population, activities of every type over 2021-2024, and tens of
thousands of participations. It is pure: one `random.Random(seed)`, no clock,
no database, so the same arguments always give the same rows. Every name and
title says it is demo data ("(demodata)"); CVR numbers are valid (mod 11);
there are no contact persons, so the demo holds no personal data.

`demo_participation_load` writes each financed office's rows as a CSV file the
way Danish Excel does and stores it with `import_check` + `import_commit`, so
the demo goes through exactly the same path as a file an office uploads.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from random import Random

from django.db import transaction

from klynge.common.choices import Basis
from klynge.demo.services import DEMO_ACTOR
from klynge.financing.models import FinancedOffice
from klynge.masterdata.models import ClusterOffice
from klynge.participation.imports import CHUNK, COLUMNS, Progress, file_hash
from klynge.participation.models import Activity, ImportBatch, ImportStatus, Participant
from klynge.participation.registry import postal_areas
from klynge.participation.services import import_check, import_commit

SEED = 2024
FIRST_YEAR = 2021
LAST_YEAR = 2024
LABEL = "(demodata)"
HEADERS = tuple(column.header for column in COLUMNS)

# Population on 1 January 2023 of the 17 municipalities of Region Sjælland
# (masterdata/data/population.csv); only the proportions are used.
POPULATION = {
    "253": 51507, "259": 62458, "265": 90446, "269": 24216, "306": 32977, "316": 73440,
    "320": 37344, "326": 48602, "329": 35906, "330": 79728, "336": 23692, "340": 30444,
    "350": 28930, "360": 39921, "370": 84574, "376": 60231, "390": 45441,
}  # fmt: skip
MUNICIPALITY_CODES = tuple(POPULATION)
MUNICIPALITY_WEIGHTS = tuple(POPULATION.values())

CVR_WEIGHTS = (2, 7, 6, 5, 4, 3, 2)  # the eighth digit, weight 1, is the check digit
CODE_INSTEAD_OF_POSTAL = 10  # per cent of participants given by municipality code
OTHER_OFFICE_SHARE = 25  # per cent of other offices' companies an office also reaches
KNOWLEDGE_SHARE = 20  # per cent of activities with a knowledge institution on the programme

EMPLOYEE_BANDS = ("0-9", "10-49", "50-249", "250+")
EMPLOYEE_WEIGHTS = (55, 30, 11, 4)  # mostly SMEs
# The first year a company exports: never (None), all along (2021), or from a later year.
EXPORTER_FROM: tuple[int | None, ...] = (None, 2021, 2022, 2023, 2024)
EXPORTER_WEIGHTS = (55, 25, 8, 7, 5)
INDUSTRIES = (
    "412000", "432200", "711290", "620100", "101100", "108900", "212000", "721100",
    "351100", "382100", "466300", "282900", "461900", "702200",
)  # fmt: skip
# One in five demo companies is a sole proprietorship, whose name names its owner.
SOLE = "v/ Demoindehaver"
COMPANY_FORMS = ("ApS", "A/S", "ApS", "ApS", SOLE)


@dataclass(frozen=True)
class Kind:
    """An activity type: its template value, title word, weight and raw size range."""

    value: str
    title: str
    weight: int
    smallest: int
    largest: int


KINDS = (
    Kind("netværksmøde", "Netværksmøde", 35, 25, 120),
    Kind("kursus", "Kursus", 20, 8, 30),
    Kind("innovationsprojekt", "Innovationsprojekt", 12, 3, 12),
    Kind("matchmaking", "Matchmaking", 15, 20, 80),
    Kind("international delegation", "Delegationsrejse", 6, 5, 20),
    Kind("andet", "Temadag", 12, 10, 60),
)
KIND_WEIGHTS = tuple(kind.weight for kind in KINDS)
THEMES = ("digitalisering", "ledelse", "kompetencer", "automatisering", "eksport",
          "finansiering", "kvalitet", "forskningssamarbejde")  # fmt: skip
GREEN_THEMES = ("cirkulær økonomi", "energieffektivisering", "CO2-regnskab",
                "bæredygtige materialer", "grøn omstilling", "vandteknologi")  # fmt: skip
KNOWLEDGE_NAMES = ("Demouniversitet Sjælland", "Demo-erhvervsakademi", "Demo-professionshøjskole",
                   "Demo-GTS-institut", "Demo-tekniske skole", "Demo-forskningscenter")  # fmt: skip


@dataclass(frozen=True)
class _Participant:
    """A demo participant: the same values in every row, in every office's file."""

    kind: str  # the template's "Deltagertype"
    cvr: str
    name: str
    address: str
    postal_code: str
    municipality_code: str
    employees: str
    industry: str
    exporter_from: int | None
    sole_proprietor: bool = False

    def exporter(self, year: int) -> str:
        """The "Eksportør" cell for an activity in `year` (empty for an institution)."""
        if self.kind != "virksomhed":
            return ""
        return "ja" if self.exporter_from is not None and year >= self.exporter_from else "nej"


@dataclass(frozen=True)
class _Activity:
    """A demo activity of one office."""

    external_id: str
    title: str
    kind: Kind
    held_on: date
    held_in: str
    green: bool
    international: bool


def _postal_codes() -> dict[str, list[str]]:
    """The postal codes whose main municipality is each of the 17, sorted."""
    codes: dict[str, list[str]] = {code: [] for code in MUNICIPALITY_CODES}
    for postal_code, areas in sorted(postal_areas().items()):
        primary = next((area for area in areas if area.primary), areas[0])
        if primary.municipality_code in codes:
            codes[primary.municipality_code].append(postal_code)
    return codes


def demo_cvr(rng: Random, used: set[str]) -> str:
    """A new CVR number that passes the mod-11 check (first digit not zero)."""
    while True:
        digits = [rng.randint(1, 9), *(rng.randrange(10) for _ in range(6))]
        check = -sum(d * w for d, w in zip(digits, CVR_WEIGHTS, strict=True)) % 11
        if check == 10:  # no check digit makes this prefix valid
            continue
        cvr = "".join(map(str, digits)) + str(check)
        if cvr not in used:
            used.add(cvr)
            return cvr


def _place(rng: Random, postal: Mapping[str, list[str]]) -> tuple[str, str]:
    """(postal code, municipality code) of a participant; one of the two is empty."""
    municipality = rng.choices(MUNICIPALITY_CODES, weights=MUNICIPALITY_WEIGHTS)[0]
    if rng.randrange(100) < CODE_INSTEAD_OF_POSTAL:
        return "", municipality
    return rng.choice(postal[municipality]), ""


def _band(band: str, form: str) -> str:
    """A sole proprietorship has fewer than 50 employees (drawn without another random number)."""
    return "10-49" if form == SOLE and band in ("50-249", "250+") else band


def _companies(rng: Random, count: int, postal: Mapping[str, list[str]]) -> list[_Participant]:
    used: set[str] = set()
    width = max(4, len(str(count)))
    companies = []
    for number in range(1, count + 1):
        postal_code, municipality_code = _place(rng, postal)
        form = rng.choice(COMPANY_FORMS)
        companies.append(
            _Participant(
                kind="virksomhed",
                cvr=demo_cvr(rng, used),
                name=f"Demovirksomhed {number:0{width}d} {form} {LABEL}",
                address=f"Demovej {rng.randint(1, 199)}",
                postal_code=postal_code,
                municipality_code=municipality_code,
                employees=_band(rng.choices(EMPLOYEE_BANDS, weights=EMPLOYEE_WEIGHTS)[0], form),
                industry=rng.choice(INDUSTRIES),
                exporter_from=rng.choices(EXPORTER_FROM, weights=EXPORTER_WEIGHTS)[0],
                sole_proprietor=form == SOLE,
            )
        )
    return companies


def _institutions(rng: Random, count: int, postal: Mapping[str, list[str]]) -> list[_Participant]:
    institutions = []
    for number in range(count):
        base = KNOWLEDGE_NAMES[number % len(KNOWLEDGE_NAMES)]
        suffix = f" {number // len(KNOWLEDGE_NAMES) + 1}" if number >= len(KNOWLEDGE_NAMES) else ""
        postal_code, municipality_code = _place(rng, postal)
        institutions.append(
            _Participant(
                kind="videninstitution",
                cvr="",
                name=f"{base}{suffix} {LABEL}",
                address="",
                postal_code=postal_code,
                municipality_code=municipality_code,
                employees="",
                industry="",
                exporter_from=None,
            )
        )
    return institutions


def _activities(rng: Random, count: int, first_year: int) -> list[_Activity]:
    """`count` activities from `first_year` to 2024; the first six cover every type."""
    years = range(max(FIRST_YEAR, first_year), LAST_YEAR + 1)
    drafts = []
    for index in range(count):
        kind = KINDS[index] if index < len(KINDS) else rng.choices(KINDS, weights=KIND_WEIGHTS)[0]
        year = rng.choice(years)
        start = date(year, 1, 1).toordinal()
        held_on = date.fromordinal(rng.randrange(start, date(year + 1, 1, 1).toordinal()))
        green = rng.randrange(100) < (50 if kind.value == "innovationsprojekt" else 30)
        international = kind.value == "international delegation" or rng.randrange(100) < (
            30 if kind.value == "matchmaking" else 8
        )
        theme = rng.choice(GREEN_THEMES if green else THEMES)
        held_in = rng.choices(MUNICIPALITY_CODES, weights=MUNICIPALITY_WEIGHTS)[0]
        drafts.append((held_on, index, kind, theme, held_in, green, international))
    drafts.sort(key=lambda draft: (draft[0], draft[1]))
    activities = []
    per_year: dict[int, int] = {}
    for held_on, _index, kind, theme, held_in, green, international in drafts:
        number = per_year[held_on.year] = per_year.get(held_on.year, 0) + 1
        activities.append(
            _Activity(
                external_id=f"DEMO-{held_on.year}-{number:03d}",
                title=f"{kind.title} om {theme} nr. {number} ({held_on.year}) {LABEL}",
                kind=kind,
                held_on=held_on,
                held_in=held_in,
                green=green,
                international=international,
            )
        )
    return activities


def _sizes(rng: Random, raw: list[int], total: int, largest: int) -> list[int]:
    """`raw` scaled to add up to exactly `total`, each between 1 and `largest`."""
    if not len(raw) <= total <= largest * len(raw):
        raise ValueError(
            f"{total} participations do not fit in {len(raw)} activities of 1-{largest}"
        )
    raw_total = sum(raw)
    sizes = [max(1, min(largest, size * total // raw_total)) for size in raw]
    order = list(range(len(sizes)))
    rng.shuffle(order)
    missing = total - sum(sizes)
    while missing:
        step = 1 if missing > 0 else -1
        for index in order:
            if missing and 1 <= sizes[index] + step <= largest:
                sizes[index] += step
                missing -= step
    return sizes


def _row(activity: _Activity, participant: _Participant, role: str) -> dict[str, str]:
    values = {
        "Aktivitets-id": activity.external_id,
        "Aktivitet": activity.title,
        "Aktivitetstype": activity.kind.value,
        "Dato": activity.held_on.strftime("%d-%m-%Y"),
        "Afholdt i kommune": activity.held_in,
        "Grøn omstilling": "ja" if activity.green else "nej",
        "International": "ja" if activity.international else "nej",
        "Deltagertype": participant.kind,
        "CVR-nummer": participant.cvr,
        "Navn": participant.name,
        "Adresse": participant.address,
        "Postnummer": participant.postal_code,
        "Kommunekode": participant.municipality_code,
        "Antal ansatte": participant.employees,
        "Branchekode": participant.industry,
        "Enkeltmandsvirksomhed": "ja" if participant.sole_proprietor else "",
        "Eksportør": participant.exporter(activity.held_on.year),
        "Rolle": role,
    }
    return {header: values.get(header, "") for header in HEADERS}


def _office_rows(
    rng: Random,
    activities: list[_Activity],
    home: list[int],
    reach: list[int],
    companies: list[_Participant],
    institutions: list[_Participant],
    total: int,
) -> list[dict[str, str]]:
    """
    One office's rows: exactly `total`, and each home company in at least one
    activity (when there are rows enough).
    """
    raw = [rng.randint(a.kind.smallest, a.kind.largest) for a in activities]
    sizes = _sizes(rng, raw, total, len(reach))
    speakers: list[_Participant | None] = []
    for size in sizes:
        on_programme = institutions and size > 1 and rng.randrange(100) < KNOWLEDGE_SHARE
        speakers.append(rng.choice(institutions) if on_programme else None)
    slots = [
        index
        for index, size in enumerate(sizes)
        for _ in range(size - (speakers[index] is not None))
    ]
    rng.shuffle(slots)
    members: list[set[int]] = [set() for _ in activities]
    for company, index in zip(home, slots, strict=False):
        members[index].add(company)
    rows = []
    for index, activity in enumerate(activities):
        chosen = members[index]
        need = sizes[index] - (speakers[index] is not None) - len(chosen)
        if need:
            candidates = rng.sample(reach, min(len(reach), need + len(chosen)))
            chosen.update([c for c in candidates if c not in chosen][:need])
        speaker = speakers[index]
        if speaker is not None:
            partner = activity.kind.value in ("innovationsprojekt", "international delegation")
            rows.append(_row(activity, speaker, "partner" if partner else "oplægsholder"))
        role = "partner" if activity.kind.value == "innovationsprojekt" else "deltager"
        rows.extend(_row(activity, companies[c], role) for c in sorted(chosen))
    return rows


def demo_rows_by_office(
    *,
    offices: Sequence[str],
    seed: int = SEED,
    companies: int = 3000,
    activities_per_office: int = 100,
    participations_per_office: int = 6000,
    knowledge_institutions: int = 6,
    first_years: Mapping[str, int] | None = None,
) -> dict[str, list[dict[str, str]]]:
    """
    The demo participant file of each office in `offices`, as template rows.

    Each office gets `activities_per_office` activities from its first year
    (`first_years`, default 2021) to 2024 and exactly
    `participations_per_office` rows. A company has one home office, where it
    takes part at least once when there are rows enough, and some reach into
    the other offices; a company has the same values (and the same exporter
    status per year) in every file, so the files never contradict each other.

    :raises ValueError: if the rows do not fit the activities and companies
    """
    if not offices or companies < 1 or activities_per_office < 1:
        raise ValueError("at least one office, one company and one activity are needed")
    rng = Random(seed)  # noqa: S311 - demo data, deterministic on purpose; nothing secret
    postal = _postal_codes()
    company_list = _companies(rng, companies, postal)
    institutions = _institutions(rng, knowledge_institutions, postal)
    homes = [index % len(offices) for index in range(companies)]
    rng.shuffle(homes)
    by_office: dict[str, list[dict[str, str]]] = {}
    for number, office in enumerate(offices):
        home = [c for c, h in enumerate(homes) if h == number]
        others = [c for c, h in enumerate(homes) if h != number]
        visiting = rng.sample(others, len(others) * OTHER_OFFICE_SHARE // 100)
        reach = sorted([*home, *visiting])
        activities = _activities(rng, activities_per_office, (first_years or {}).get(office, 0))
        by_office[office] = _office_rows(
            rng, activities, home, reach, company_list, institutions, participations_per_office
        )
    return by_office


def demo_rows(
    *,
    offices: Sequence[str],
    seed: int = SEED,
    companies: int = 3000,
    activities_per_office: int = 100,
    participations_per_office: int = 6000,
    knowledge_institutions: int = 6,
    first_years: Mapping[str, int] | None = None,
) -> list[dict[str, str]]:
    """Every office's demo rows in one list, in the order of `offices` (`demo_rows_by_office`)."""
    by_office = demo_rows_by_office(
        offices=offices, seed=seed, companies=companies,
        activities_per_office=activities_per_office,
        participations_per_office=participations_per_office,
        knowledge_institutions=knowledge_institutions, first_years=first_years,
    )  # fmt: skip
    return [row for office in offices for row in by_office[office]]


def demo_csv(rows: Sequence[Mapping[str, str]]) -> bytes:
    """`rows` as a participant file the way Danish Excel saves it: semicolons, UTF-8 with BOM."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(HEADERS)
    writer.writerows([row.get(header, "") for header in HEADERS] for row in rows)
    return buffer.getvalue().encode("utf-8-sig")


class DemoConflictError(ValueError):
    """The demo data would change participants or activities that are not demo data."""


def _conflicts(
    offices: Sequence[ClusterOffice], by_office: Mapping[str, list[dict[str, str]]]
) -> str:
    """What non-demo rows the demo files would touch; empty when none."""
    rows = [row for office_rows in by_office.values() for row in office_rows]
    cvrs = sorted({row["CVR-nummer"] for row in rows if row["CVR-nummer"]})
    names = sorted({row["Navn"] for row in rows if not row["CVR-nummer"]})
    not_demo = Participant.objects.exclude(basis=Basis.DEMO)
    found: list[str] = []
    for start in range(0, len(cvrs), CHUNK):
        found += not_demo.filter(cvr__in=cvrs[start : start + CHUNK]).values_list("name", flat=True)
    found += not_demo.filter(cvr=None, name__in=names).values_list("name", flat=True)
    for office in offices:
        ids = sorted({row["Aktivitets-id"] for row in by_office[office.name]})
        for start in range(0, len(ids), CHUNK):
            found += (
                Activity.objects.exclude(basis=Basis.DEMO)
                .filter(office=office, external_id__in=ids[start : start + CHUNK])
                .values_list("title", flat=True)
            )
    return ", ".join(sorted(found)[:5])


def demo_participation_load(
    *,
    progress: Progress | None = None,
    seed: int = SEED,
    companies: int = 3000,
    activities_per_office: int = 100,
    participations_per_office: int = 6000,
    knowledge_institutions: int = 6,
) -> dict[str, int]:
    """
    Store the demo participant file of every financed office; idempotent.

    Each office's rows go through `import_check` and `import_commit` as a CSV
    file, with basis demo and the demo actor. An office that already has a
    committed demo batch of the same file (same SHA-256) is skipped; storing
    it again would change nothing anyway. Returns what the demo files hold
    and how many offices were stored or skipped.

    :raises DemoConflictError: if a demo participant or activity is already
        stored as something other than demo data (nothing is stored then)
    :raises ValueError: if the demo file of an office does not pass the check
    """
    first_years: dict[int, int] = {}
    for office_id, first_year in FinancedOffice.objects.values_list("office_id", "first_year"):
        first_years[office_id] = min(first_year, first_years.get(office_id, first_year))
    offices = list(ClusterOffice.objects.filter(pk__in=first_years).order_by("name"))
    by_office = demo_rows_by_office(
        offices=[office.name for office in offices], seed=seed, companies=companies,
        activities_per_office=activities_per_office,
        participations_per_office=participations_per_office,
        knowledge_institutions=knowledge_institutions,
        first_years={office.name: first_years[office.pk] for office in offices},
    ) if offices else {}  # fmt: skip
    if conflicts := _conflicts(offices, by_office):
        raise DemoConflictError(
            f"Demodata ville ændre data, der ikke er demodata ({conflicts}); intet er indlæst."
        )
    loaded = skipped = 0
    for office in offices:
        data = demo_csv(by_office[office.name])
        already = ImportBatch.objects.filter(
            office=office, basis=Basis.DEMO, status=ImportStatus.COMMITTED, sha256=file_hash(data)
        ).exists()
        if already:
            skipped += 1
            continue
        with transaction.atomic():
            batch = import_check(
                actor=DEMO_ACTOR, office=office, file_name=f"demodata-{office.pk}.csv", data=data,
                basis=Basis.DEMO, progress=progress,
            )  # fmt: skip
            if batch.status != ImportStatus.CHECKED:
                raise ValueError(f"the demo file of {office} has problems: {batch.problems[:3]}")
            import_commit(actor=DEMO_ACTOR, batch=batch, progress=progress)
        loaded += 1
    rows = [row for office_rows in by_office.values() for row in office_rows]
    return {
        "offices": len(offices),
        "offices_loaded": loaded,
        "offices_skipped": skipped,
        "companies": len({row["CVR-nummer"] for row in rows if row["CVR-nummer"]}),
        "knowledge_institutions": len({row["Navn"] for row in rows if not row["CVR-nummer"]}),
        "activities": sum(
            len({row["Aktivitets-id"] for row in office_rows}) for office_rows in by_office.values()
        ),
        "participations": len(rows),
    }
