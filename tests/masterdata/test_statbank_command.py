"""`klynge population fetch`: the difference shown, stored only when confirmed, audited."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from tests.masterdata.statbank_fixtures import GOOD, REFERENCE_2021, Recorder, recorded

from klynge.audit.models import AuditEntry
from klynge.audit.services import Actor
from klynge.financing.models import AllocationLine
from klynge.financing.services import allocation_run_approve, allocation_run_create
from klynge.masterdata import statbank
from klynge.masterdata.models import (
    FetchStatus,
    FigureOrigin,
    Municipality,
    PopulationFetch,
    PopulationFigure,
)
from klynge.masterdata.services import population_set, register_load

pytestmark = pytest.mark.django_db
ACTOR = Actor.system("test")


@pytest.fixture
def serve(monkeypatch: pytest.MonkeyPatch):
    """Serve `answers` to the client (through the module's TRANSPORT, as the web uses)."""

    def _serve(*answers: bytes | int) -> Recorder:
        recorder = Recorder(*answers)
        monkeypatch.setattr(statbank, "TRANSPORT", recorder.transport)
        return recorder

    return _serve


def run(*args: str, stdin: str = "") -> tuple[int, str, str]:
    out = io.StringIO()
    try:
        call_command("population", *args, stdout=out, stderr=io.StringIO(),
                     stdin=io.StringIO(stdin))  # fmt: skip
    except CommandError as error:
        return 1, out.getvalue(), str(error)
    return 0, out.getvalue(), ""


def figures_2021() -> dict[str, tuple[int, str]]:
    return {
        f.municipality.code: (f.population, f.origin)
        for f in PopulationFigure.objects.filter(reference_date=REFERENCE_2021).select_related(
            "municipality"
        )
    }


def test_yes_stores_the_recorded_figures_as_a_new_version(register, serve) -> None:
    serve(recorded(GOOD))
    greve = Municipality.objects.get(code="253")
    population_set(
        actor=ACTOR, municipality=greve, reference_date=REFERENCE_2021, population=50_000,
        source_label="typed in", source_read_on=date(2026, 1, 1),
    )  # fmt: skip
    entries = AuditEntry.objects.count()

    code, out, err = run("fetch", "--quarter", "2021K1", "--partnership", "sjaelland", "--yes")

    assert (code, err) == (0, "")
    assert "253 Greve" in out and "50.000" in out and "50.514" in out and "+514" in out
    assert "I alt" in out and "838.840" in out
    assert "0 tal tilføjet og 1 ændret, og 16 uændrede tal får Danmarks Statistik" in out
    assert "Gemt som ny version" in out and "17 indbyggertal pr. 1. januar 2021" in out
    stored = figures_2021()
    assert stored["253"] == (50_514, FigureOrigin.STATBANK)
    assert sum(p for p, _ in stored.values()) == 838_840
    assert {origin for _, origin in stored.values()} == {FigureOrigin.STATBANK}
    fetch = PopulationFetch.objects.get()
    assert (fetch.status, fetch.quarter, fetch.reference_date) == (
        "stored",
        "2021K1",
        REFERENCE_2021,
    )
    assert fetch.figures["253"] == 50_514 and len(fetch.figures) == 17
    greve_figure = PopulationFigure.objects.get(municipality=greve, reference_date=REFERENCE_2021)
    assert greve_figure.source_label == "Danmarks Statistik, Statistikbanken, tabel FOLK1A, 2021K1"
    assert fetch.response_sha256 in greve_figure.source
    new = AuditEntry.objects.order_by("pk")[entries:]
    figure_entries = [e for e in new if e.model == "masterdata.populationfigure"]
    assert len(figure_entries) == 17  # every figure's source changes, Greve's number too
    greve_entry = next(e for e in figure_entries if e.municipality_code == "253")
    assert (greve_entry.before["population"], greve_entry.after["population"]) == (50_000, 50_514)
    assert greve_entry.reason == "FOLK1A 2021K1"
    assert [e.action for e in new if e.model == "masterdata.populationfetch"] == [
        "create",
        "update",
    ]


def test_no_confirmation_stores_nothing(register, serve) -> None:
    serve(recorded(GOOD))
    before = figures_2021()

    code, out, _ = run("fetch", "--quarter", "2021K1", stdin="n\n")

    assert code == 0
    assert "Gem tallene som ny version? [j/N]" in out and "Ikke bekræftet. Intet er gemt." in out
    assert figures_2021() == before
    assert not PopulationFetch.objects.exists()


def test_an_empty_answer_to_the_question_is_no(register, serve) -> None:
    serve(recorded(GOOD))

    code, out, _ = run("fetch", "--quarter", "2021K1", stdin="")

    assert code == 0 and "Intet er gemt" in out
    assert not PopulationFetch.objects.exists()


def test_j_confirms_and_a_second_identical_fetch_shows_no_difference(register, serve) -> None:
    serve(recorded(GOOD))
    code, out, _ = run("fetch", "--quarter", "2021K1", stdin="j\n")
    assert code == 0 and "Gemt som ny version" in out

    code, out, _ = run("fetch", "--quarter", "2021K1", "--yes")

    assert code == 0
    assert "Ingen ændringer" in out and "Intet er gemt" in out
    assert "+" not in out.split("Kommune", 1)[1]  # every difference is 0
    assert PopulationFetch.objects.count() == 1


def test_a_missing_stored_figure_is_shown_as_missing(register, serve) -> None:
    serve(recorded(GOOD))
    PopulationFigure.objects.filter(
        municipality__code="350", reference_date=REFERENCE_2021
    ).delete()

    code, out, _ = run("fetch", "--quarter", "2021K1", "--yes")

    assert code == 0
    lejre = next(line for line in out.splitlines() if line.startswith("350 Lejre"))
    assert lejre.split()[2:] == ["mangler", "28.173", "–"]
    assert figures_2021()["350"] == (28_173, FigureOrigin.STATBANK)


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("bad_empty.csv", "tomt"),
        ("bad_truncated.csv", "afkortet"),
        ("bad_missing_municipality.csv", "tallet mangler for 350 Lejre"),
        ("bad_wrong_table.csv", "ikke fra tabel FOLK1A"),
        ("bad_wrong_quarter.csv", "ikke 2021K1"),
    ],
)
def test_a_bad_answer_ends_with_the_reason_and_stores_nothing(
    register, serve, name: str, reason: str
) -> None:
    serve(recorded(name))
    before = figures_2021()

    code, _, err = run("fetch", "--quarter", "2021K1", "--yes")

    assert code == 1 and reason in err and "Intet er gemt" in err
    assert figures_2021() == before
    assert not PopulationFetch.objects.exists()


def test_offline_ends_with_a_clear_message(register) -> None:
    code, _, err = run("fetch", "--quarter", "2021K1", "--yes")  # the conftest is offline

    assert code == 1 and "Statistikbanken kan ikke nås" in err


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (("--quarter", "2025K5"), "ikke skrevet som ÅÅÅÅKn"),
        (("--quarter", "1999K1"), "uden for årene"),
        (("--quarter", "2021K1", "--partnership", "fyn"), "'fyn'. "),  # and the known ones:
        (("--quarter", "2021K1", "--user", "nobody"), "Ukendt eller deaktiveret bruger"),
    ],
)
def test_bad_arguments_end_with_a_message(register, args: tuple[str, ...], reason: str) -> None:
    code, _, err = run("fetch", *args)

    assert code == 1 and reason in err
    if "fyn" in args:
        assert err.endswith(": sjaelland (KKR Sjælland).")


def test_a_user_without_the_right_is_refused(login_as, serve) -> None:
    serve(recorded(GOOD))

    code, _, err = run("fetch", "--quarter", "2021K1", "--yes", "--user", "laeser")

    assert code == 1 and "har ikke ret" in err
    assert not PopulationFetch.objects.exists()


def test_an_approved_run_keeps_the_population_it_used(register, serve) -> None:
    run_2022 = allocation_run_create(actor=ACTOR, agreement=register, year=2022)
    run_2022 = allocation_run_approve(actor=ACTOR, run=run_2022, confirmed=True)
    used = {
        (line.municipality.code, line.population, line.population_date)
        for line in AllocationLine.objects.filter(run=run_2022).select_related("municipality")
    }
    assert ("253", 50_514, REFERENCE_2021) in used
    serve(recorded(GOOD).replace(b";50514", b";50600"))

    code, out, _ = run("fetch", "--quarter", "2021K1", "--yes")

    assert code == 0 and "+86" in out
    assert figures_2021()["253"] == (50_600, FigureOrigin.STATBANK)
    after = {
        (line.municipality.code, line.population, line.population_date)
        for line in AllocationLine.objects.filter(run=run_2022).select_related("municipality")
    }
    assert after == used


def test_a_later_load_of_the_shipped_files_keeps_the_fetched_figures(register, serve) -> None:
    serve(recorded(GOOD).replace(b";50514", b";50600"))
    assert run("fetch", "--quarter", "2021K1", "--yes")[0] == 0

    report = register_load()

    assert figures_2021()["253"] == (50_600, FigureOrigin.STATBANK)
    assert "Greve 2021-01-01" in report.kept


def test_a_fetch_is_stored_only_once(register, serve) -> None:
    from klynge.masterdata.services import FetchError, population_fetch_store

    serve(recorded(GOOD))
    assert run("fetch", "--quarter", "2021K1", "--yes")[0] == 0
    fetch = PopulationFetch.objects.get()
    assert fetch.status == FetchStatus.STORED

    entries = AuditEntry.objects.count()

    with pytest.raises(FetchError, match="FOLK1A 2021K1"):
        population_fetch_store(actor=ACTOR, fetch_id=fetch.pk)
    assert AuditEntry.objects.count() == entries
