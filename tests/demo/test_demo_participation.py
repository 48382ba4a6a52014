"""Demo participation data: deterministic, labelled, valid, and stored through the import."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from django.db.models import Count
from django.db.models.functions import ExtractYear
from stdnum.dk import cvr

from klynge.audit.services import Actor
from klynge.common.choices import Basis
from klynge.demo.participation import (
    MUNICIPALITY_CODES,
    demo_csv,
    demo_participation_load,
    demo_rows,
    demo_rows_by_office,
)
from klynge.financing.models import FinancedOffice
from klynge.masterdata.models import ClusterOffice, Municipality
from klynge.participation.imports import COLUMNS
from klynge.participation.models import (
    Activity,
    ActivityParticipation,
    ContactPerson,
    ExporterYear,
    ImportBatch,
    ImportChange,
    ImportStatus,
    Participant,
)
from klynge.participation.registry import postal_areas
from klynge.participation.selectors import municipality_reach, reach_by_municipality
from klynge.participation.services import import_check

OFFICES = ("Demokontor A", "Demokontor B", "Demokontor C")
# Small enough that a load takes well under a second.
SMALL: dict[str, int] = {
    "companies": 300,
    "activities_per_office": 12,
    "participations_per_office": 400,
    "knowledge_institutions": 3,
}
ACTIVITY_TYPES = {"netværksmøde", "kursus", "innovationsprojekt", "matchmaking",
                  "international delegation", "andet"}  # fmt: skip


@pytest.fixture(scope="module")
def default_rows() -> list[dict[str, str]]:
    """The default-size demo rows for four offices (pure: no database)."""
    return demo_rows(offices=("K1", "K2", "K3", "K4"))


def test_the_same_arguments_give_the_same_rows() -> None:
    first = demo_rows(offices=OFFICES, **SMALL)
    second = demo_rows(offices=OFFICES, **SMALL)
    other_seed = demo_rows(offices=OFFICES, seed=7, **SMALL)

    assert first == second
    assert first != other_seed
    assert demo_csv(first) == demo_csv(second)


def test_rows_have_the_template_columns_and_the_asked_sizes() -> None:
    by_office = demo_rows_by_office(offices=OFFICES, **SMALL)

    headers = tuple(column.header for column in COLUMNS)
    for rows in by_office.values():
        assert len(rows) == SMALL["participations_per_office"]
        assert len({row["Aktivitets-id"] for row in rows}) == SMALL["activities_per_office"]
        assert all(tuple(row) == headers for row in rows)
    assert demo_csv(by_office["Demokontor A"]).startswith(b"\xef\xbb\xbfAktivitets-id;")


def test_default_rows_have_the_size_and_spread_asked_for(default_rows) -> None:
    companies = {row["CVR-nummer"] for row in default_rows if row["CVR-nummer"]}
    activities = {(row["Aktivitet"], row["Aktivitets-id"]) for row in default_rows}
    municipalities = Counter(_municipality(row) for row in default_rows)
    years = {row["Dato"][-4:] for row in default_rows}

    assert 20_000 <= len(default_rows) <= 30_000
    assert len(companies) == 3000
    assert 300 <= len(activities) <= 500
    assert {row["Aktivitetstype"] for row in default_rows} == ACTIVITY_TYPES
    assert {row["Afholdt i kommune"] for row in default_rows} <= set(MUNICIPALITY_CODES)
    assert set(municipalities) == set(MUNICIPALITY_CODES)
    assert years == {"2021", "2022", "2023", "2024"}
    assert {row["Grøn omstilling"] for row in default_rows} == {"ja", "nej"}
    assert {row["International"] for row in default_rows} == {"ja", "nej"}
    given_by_code = sum(1 for row in default_rows if row["Kommunekode"])
    assert len(default_rows) // 20 < given_by_code < len(default_rows) // 5  # about 10 %


def test_every_cvr_is_valid_and_every_name_says_demodata(default_rows) -> None:
    for row in default_rows:
        assert row["Navn"].endswith("(demodata)"), row["Navn"]
        assert row["Aktivitet"].endswith("(demodata)"), row["Aktivitet"]
        assert not (row["Kontaktperson"] or row["E-mail"] or row["Telefon"])  # no personal data
        if row["Deltagertype"] == "virksomhed":
            assert cvr.is_valid(row["CVR-nummer"]), row["CVR-nummer"]
            assert row["CVR-nummer"][0] != "0"
        else:
            assert row["Deltagertype"] == "videninstitution"
            assert row["CVR-nummer"] == ""
    assert any(row["Deltagertype"] == "videninstitution" for row in default_rows)


def test_companies_are_mostly_smes_and_some_become_exporters(default_rows) -> None:
    bands = Counter(row["Antal ansatte"] for row in default_rows if row["CVR-nummer"])
    exporter: dict[str, dict[str, str]] = {}
    for row in default_rows:
        if row["CVR-nummer"]:
            exporter.setdefault(row["CVR-nummer"], {})[row["Dato"][-4:]] = row["Eksportør"]
    became = [
        years for years in exporter.values() if "nej" in years.values() and "ja" in years.values()
    ]

    assert bands["250+"] * 10 < sum(bands.values())
    assert set(bands) == {"0-9", "10-49", "50-249", "250+"}
    assert became
    for years in became:  # once an exporter, always an exporter
        statuses = [years[year] for year in sorted(years)]
        assert statuses == sorted(statuses, key=lambda status: status == "ja")


# --- loading --------------------------------------------------------------------------


def _municipality(row: dict[str, str]) -> str:
    """The participant's municipality, read independently of the import's placement."""
    if row["Kommunekode"]:
        return row["Kommunekode"].zfill(3)
    areas = postal_areas()[row["Postnummer"]]
    return next(area for area in areas if area.primary).municipality_code


def _loaded_rows(**size: int) -> list[dict[str, str]]:
    """The rows the loader stores: the financed offices, by name, from their first year."""
    first_years: dict[str, int] = {}
    for name, year in FinancedOffice.objects.values_list("office__name", "first_year"):
        first_years[name] = min(year, first_years.get(name, year))
    return demo_rows(offices=sorted(first_years), first_years=first_years, **size)


def _state() -> dict[str, list[tuple[Any, ...]]]:
    """Every participation table, every column, sorted by primary key."""
    return {
        model.__name__: sorted(model.objects.values_list(), key=lambda row: row[0])
        for model in (Participant, Activity, ActivityParticipation, ContactPerson, ExporterYear,
                      ImportBatch, ImportChange)
    }  # fmt: skip


def _companies_per_municipality_and_year_in_rows(
    rows: list[dict[str, str]],
) -> dict[tuple[str, int], int]:
    companies: dict[tuple[str, int], set[str]] = {}
    for row in rows:
        if row["Deltagertype"] == "virksomhed":
            key = (_municipality(row), int(row["Dato"][-4:]))
            companies.setdefault(key, set()).add(row["CVR-nummer"])
    return {key: len(cvrs) for key, cvrs in companies.items()}


def _companies_per_municipality_and_year_stored() -> dict[tuple[str, int], int]:
    counted = (
        ActivityParticipation.objects.filter(participant__kind="company")
        .annotate(year=ExtractYear("activity__held_on"))
        .values("participant__municipality__code", "year")
        .annotate(companies=Count("participant", distinct=True))
        .order_by()
    )
    return {(c["participant__municipality__code"], c["year"]): c["companies"] for c in counted}


@pytest.mark.django_db
def test_loading_stores_every_row_as_demo_data(register) -> None:
    counts = demo_participation_load(**SMALL)

    assert counts["offices"] == counts["offices_loaded"] == 4
    assert counts["participations"] == 4 * SMALL["participations_per_office"]
    assert ActivityParticipation.objects.count() == counts["participations"]
    assert Participant.objects.filter(kind="company").count() == counts["companies"]
    assert Activity.objects.count() == counts["activities"] == 4 * SMALL["activities_per_office"]
    assert set(Participant.objects.values_list("basis", flat=True)) == {Basis.DEMO}
    assert set(Activity.objects.values_list("basis", flat=True)) == {Basis.DEMO}
    assert not ContactPerson.objects.exists()
    assert not Participant.objects.filter(municipality=None).exists()
    batches = ImportBatch.objects.all()
    assert {(b.status, b.basis, b.created_label) for b in batches} == {
        (ImportStatus.COMMITTED, Basis.DEMO, "demo")
    }


@pytest.mark.django_db
def test_loading_twice_changes_nothing(register) -> None:
    demo_participation_load(**SMALL)
    first = _state()

    again = demo_participation_load(**SMALL)

    assert again["offices_skipped"] == 4 and again["offices_loaded"] == 0
    assert _state() == first


@pytest.mark.django_db
def test_the_demo_file_imported_again_would_change_nothing(register) -> None:
    demo_participation_load(**SMALL)
    office = ClusterOffice.objects.get(name="We Build Denmark – Næstved")
    rows = demo_rows_by_office(
        offices=sorted(FinancedOffice.objects.values_list("office__name", flat=True)),
        first_years=dict(FinancedOffice.objects.values_list("office__name", "first_year")),
        **SMALL,
    )[office.name]

    batch = import_check(
        actor=Actor.system("test"), office=office, file_name="igen.csv", data=demo_csv(rows),
        basis=Basis.DEMO,
    )  # fmt: skip

    assert batch.status == ImportStatus.CHECKED
    assert batch.summary["participations_existing"] == len(rows)
    assert not {
        key: n for key, n in batch.summary.items() if n and key != "participations_existing"
    }


@pytest.mark.django_db
def test_unique_companies_per_municipality_and_year_match_the_rows(register) -> None:
    demo_participation_load(**SMALL)

    expected = _companies_per_municipality_and_year_in_rows(_loaded_rows(**SMALL))

    assert len(expected) > 17  # several municipalities and years, not one bucket
    assert _companies_per_municipality_and_year_stored() == expected
    # ... and what the pages show, through the reach selectors:
    for year in {year for _code, year in expected}:
        shown = reach_by_municipality(year=year, allocation=None)
        assert {(r.code, year): r.companies for r in shown if r.companies} == {
            key: n for key, n in expected.items() if key[1] == year
        }
    for municipality in Municipality.objects.all():
        per_year = {r.year: r.companies for r in municipality_reach(
            municipality=municipality, allocations=[]) if r.companies}  # fmt: skip
        assert per_year == {y: n for (code, y), n in expected.items() if code == municipality.code}


@pytest.mark.django_db
def test_the_demo_command_loads_the_default_demo_and_counts_it(register, run_command) -> None:
    code, out, err = run_command("demo")
    rows = _loaded_rows()

    assert code == 0, err
    companies = len({row["CVR-nummer"] for row in rows if row["CVR-nummer"]})
    assert f"Demodata: {companies:,} virksomheder".replace(",", ".") in out
    assert "aktiviteter" in out and "deltagelser (mærket demodata)." in out
    assert ActivityParticipation.objects.count() == len(rows)
    assert _companies_per_municipality_and_year_stored() == (
        _companies_per_municipality_and_year_in_rows(rows)
    )

    code, out, err = run_command("demo")

    assert code == 0, err
    assert "allerede indlæst for 4 af 4" in out
    assert ActivityParticipation.objects.count() == len(rows)


@pytest.mark.django_db
def test_no_participation_skips_the_demo_participants(register, run_command) -> None:
    code, out, _err = run_command("demo", "--no-participation")

    assert code == 0
    assert "virksomheder" not in out
    assert not Participant.objects.exists()
    assert not ImportBatch.objects.exists()


@pytest.mark.django_db
def test_the_demo_never_overwrites_participants_that_are_not_demo(register, run_command) -> None:
    from klynge.participation.services import ParticipantData, participant_upsert

    real_cvr = _loaded_rows()[-1]["CVR-nummer"]
    participant_upsert(
        actor=Actor.system("test"),
        data=ParticipantData(name="Rigtig Virksomhed ApS", cvr=real_cvr, postal_code="4700"),
    )

    code, _out, err = run_command("demo")

    assert code == 0
    assert "intet er indlæst" in err
    assert Participant.objects.get().name == "Rigtig Virksomhed ApS"
    assert not Activity.objects.exists()
