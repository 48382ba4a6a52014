"""Importing a participant file: dry run, all or nothing, idempotent, undoable, problems named."""

from __future__ import annotations

import importlib
import io
from typing import Any

import pytest
from django.test import override_settings
from openpyxl import Workbook
from tests.participation.files import CVR_A, CVR_B, CVR_C, FILE, HEADER, csv_bytes, row

from klynge.audit.models import AuditEntry
from klynge.audit.services import Actor
from klynge.masterdata.models import ClusterOffice
from klynge.participation.imports import check_file
from klynge.participation.models import (
    Activity,
    ActivityParticipation,
    ContactPerson,
    ExporterYear,
    ImportBatch,
    ImportStatus,
    Participant,
)
from klynge.participation.services import (
    BatchError,
    import_check,
    import_commit,
    import_discard,
    import_undo,
)

pytestmark = pytest.mark.django_db
ACTOR = Actor.system("test")


@pytest.fixture
def office(register) -> ClusterOffice:
    return ClusterOffice.objects.get(name="We Build Denmark – Næstved")


def state() -> dict[str, list[tuple[Any, ...]]]:
    """Every participation table, every column, sorted: two equal states are the same data."""
    return {
        model.__name__: sorted(model.objects.values_list())
        for model in (Participant, Activity, ActivityParticipation, ContactPerson, ExporterYear)
    }


def stored(
    office: ClusterOffice, data: bytes, name: str = "deltagere.csv", *, accept: bool = False
) -> ImportBatch:
    batch = import_check(actor=ACTOR, office=office, file_name=name, data=data)
    assert batch.status == ImportStatus.CHECKED, batch.problems
    return import_commit(actor=ACTOR, batch=batch, accept_changes=accept)


def test_the_dry_run_reports_what_would_change_and_stores_nothing(office) -> None:
    batch = import_check(actor=ACTOR, office=office, file_name="d.csv", data=csv_bytes(FILE))

    assert batch.status == ImportStatus.CHECKED
    assert batch.summary["participants_new"] == 3
    assert batch.summary["activities_new"] == 2
    assert batch.summary["participations_new"] == 4
    assert batch.summary["contacts_new"] == 1
    assert all(not rows for rows in state().values())


def test_storing_places_companies_and_keeps_exporter_per_year(office) -> None:
    batch = stored(office, csv_bytes(FILE))

    energi = Participant.objects.get(cvr=CVR_B)
    assert energi.municipality.code == "265" and energi.municipality_uncertain  # 4000 Roskilde
    assert energi.is_sme is False
    assert ExporterYear.objects.get(participant=energi, year=2024).exporter is True
    university = Participant.objects.get(name="Test Universitet")
    assert university.cvr is None and university.kind == "knowledge"
    assert ActivityParticipation.objects.filter(batch=batch).count() == 4
    assert Activity.objects.get(external_id="K-7").international
    assert batch.content == b""  # the file held a contact person: it is not kept
    assert AuditEntry.objects.filter(model="participation.importbatch").count() == 2


def test_importing_the_same_file_twice_gives_the_same_database(office) -> None:
    stored(office, csv_bytes(FILE))
    first = state()

    again = stored(office, csv_bytes(FILE))

    assert state() == first
    assert again.summary["participations_existing"] == 4
    assert again.summary["participations_new"] == again.summary["participants_changed"] == 0


def test_the_same_rows_as_xlsx_or_windows_1252_give_the_same_database(office) -> None:
    stored(office, csv_bytes(FILE, encoding="cp1252"), "excel.csv")
    first = state()
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for r in FILE:
        sheet.append([int(v) if h == "CVR-nummer" and v else r.get(h, "") for h, v in
                      ((h, r.get(h, "")) for h in HEADER)])  # fmt: skip
    buffer = io.BytesIO()
    book.save(buffer)

    again = stored(office, buffer.getvalue(), "deltagere.xlsx")

    assert state() == first
    assert again.summary["participations_existing"] == 4


def test_undo_restores_the_previous_state_exactly(office) -> None:
    stored(office, csv_bytes(FILE[:2]))
    before = state()
    # fmt: off
    changed = [
        row(**{"Navn": "Test Byg ApS", "Adresse": "Ny vej 2", "Antal ansatte": "50-249"}),
        row(
            **{
                "CVR-nummer": CVR_C,
                "Navn": "Test Ny ApS",
                "Aktivitets-id": "NM-2",
                "Aktivitet": "Nyt møde",
                "Eksportør": "ja",
            }
        ),
        row(
            **{
                "CVR-nummer": CVR_B,
                "Navn": "Test Energi A/S",
                "Postnummer": "4000",
                "Antal ansatte": "250+",
                "Eksportør": "nej",
                "Kontaktperson": "Test Person",
                "E-mail": "test.person@example.dk",
                "Telefon": "+45 11 22 33 44",
            }
        ),
    ]
    batch = stored(office, csv_bytes(changed), accept=True)  # a new address: a difference
    assert state() != before
    assert batch.summary["participants_changed"] == 1
    assert batch.summary["exporters_changed"] == 1 and batch.summary["contacts_changed"] == 1

    import_undo(actor=ACTOR, batch=batch)

    assert state() == before
    batch.refresh_from_db()
    assert batch.status == ImportStatus.UNDONE


def test_a_batch_others_build_on_cannot_be_undone_until_they_are(office) -> None:
    first = stored(office, csv_bytes(FILE[:1]))
    second = stored(office, csv_bytes([row(**{"Aktivitets-id": "NM-9", "Aktivitet": "Igen"})]))

    with pytest.raises(BatchError, match=str(second.pk)):
        import_undo(actor=ACTOR, batch=first)

    import_undo(actor=ACTOR, batch=second)
    import_undo(actor=ACTOR, batch=first)
    assert all(not rows for rows in state().values())


def test_a_crash_half_way_through_storing_leaves_the_database_unchanged(office) -> None:
    stored(office, csv_bytes(FILE[:1]))
    before = state()
    many = [row(**{"Aktivitets-id": f"M-{n}", "Aktivitet": f"Møde {n}"}) for n in range(12_000)]
    batch = import_check(actor=ACTOR, office=office, file_name="m.csv", data=csv_bytes(many))
    seen: list[int] = []

    def crash(stage: str, done: int, total: int) -> None:
        if stage == "store" and done >= total // 2:
            seen.append(done)
            raise RuntimeError("the power went")

    with pytest.raises(RuntimeError):
        import_commit(actor=ACTOR, batch=batch, progress=crash)

    assert seen and seen[0] < 12_000  # it stopped after some rows were inserted
    assert state() == before
    batch.refresh_from_db()
    assert batch.status == ImportStatus.CHECKED


def test_a_discarded_batch_keeps_no_file_and_cannot_be_stored(office) -> None:
    batch = import_check(actor=ACTOR, office=office, file_name="d.csv", data=csv_bytes(FILE))
    import_discard(actor=ACTOR, batch=batch)

    with pytest.raises(BatchError):
        import_commit(actor=ACTOR, batch=batch)
    batch.refresh_from_db()
    assert batch.content == b"" and batch.status == ImportStatus.DISCARDED


def problems(data: bytes) -> list[dict[str, Any]]:
    return [p.as_dict() for p in check_file(data).problems]


@pytest.mark.parametrize(
    ("values", "column", "needle"),
    [
        ({"CVR-nummer": "12345675"}, "CVR-nummer", "kontrolciffer"),
        ({"CVR-nummer": "1234567"}, "CVR-nummer", "8 cifre"),
        ({"CVR-nummer": "1234567X"}, "CVR-nummer", "cifre"),
        ({"CVR-nummer": ""}, "CVR-nummer", "CVR-nummer"),
        ({"Postnummer": "9999"}, "Postnummer", "9999"),
        ({"Kommunekode": "998"}, "Kommunekode", "998"),
        ({"Dato": "31-02-2024"}, "Dato", "dato"),
        ({"Dato": "i går"}, "Dato", "dato"),
        ({"Afholdt i kommune": "Aarhus"}, "Afholdt i kommune", "kommune"),
        ({"Aktivitetstype": "fest"}, "Aktivitetstype", "aktivitetstype"),
        ({"Antal ansatte": "mange"}, "Antal ansatte", "250+"),
        ({"E-mail": "ikke-en-adresse", "Kontaktperson": "X"}, "E-mail", "e-mail"),
        ({"Grøn omstilling": "måske"}, "Grøn omstilling", "ja eller nej"),
    ],
)
def test_every_bad_value_is_reported_with_row_column_and_value(
    register, values: dict[str, str], column: str, needle: str
) -> None:
    found = problems(csv_bytes([row(), row(**{"Aktivitets-id": "X-2", **values})]))

    assert len(found) == 1, found
    assert found[0]["row"] == 3 and found[0]["column"] == column
    assert found[0]["value"] == next(iter(values.values())) or column == "E-mail"
    assert needle.lower() in found[0]["message"].lower()


def test_every_problem_of_a_file_is_listed_not_only_the_first(register) -> None:
    bad = [row(**{"CVR-nummer": "1"}), row(**{"Dato": "x", "Aktivitets-id": "B"}), row()]

    assert [(p["row"], p["column"]) for p in problems(csv_bytes(bad))] == [
        (2, "CVR-nummer"), (3, "Dato"),
    ]  # fmt: skip


def test_duplicate_and_contradicting_rows_inside_a_file_are_refused(register) -> None:
    found = problems(csv_bytes([row(), row(), row(**{"Navn": "Andet navn"})]))

    assert [p["row"] for p in found] == [3, 4]
    assert "række 2" in found[0]["message"]


@pytest.mark.parametrize(
    ("data", "needle"),
    [
        (b"", "tom"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "hverken CSV eller XLSX"),
        (b"PK\x03\x04 not really a workbook", "XLSX"),
        (b"Navn;Dato\nA;1-1-2024\n", "mangler"),
        ((";".join(HEADER) + "\n").encode(), "ingen rækker"),
        ((";".join([*HEADER, "Skostørrelse"]) + "\n").encode(), "ukendt kolonne"),
    ],
)
def test_a_file_that_is_no_participant_table_is_refused_with_a_reason(
    register, data: bytes, needle: str
) -> None:
    found = problems(data)

    assert found, "the file was accepted"
    assert any(needle.lower() in p["message"].lower() for p in found), found


def test_formulas_are_refused_and_the_sheet_read_is_named(register) -> None:
    book = Workbook()
    book.active.title = "Vejledning"
    sheet = book.create_sheet("Deltagelser")
    sheet.append(HEADER)
    sheet.append([row().get(h, "") for h in HEADER])
    sheet.append([row().get(h, "") if h != "CVR-nummer" else "=12345670+4" for h in HEADER])
    buffer = io.BytesIO()
    book.save(buffer)

    plan = check_file(buffer.getvalue())

    assert [(p.row, p.column, p.value) for p in plan.problems] == [(3, "CVR-nummer", "=12345670+4")]
    assert "formel" in plan.problems[0].message
    assert "'Deltagelser'" in plan.notes[0] and "Vejledning" in plan.notes[0]


def test_text_that_looks_like_a_formula_is_stored_as_text(office) -> None:
    stored(office, csv_bytes([row(**{"Navn": '=HYPERLINK("http://x")'})]))

    assert Participant.objects.get(cvr=CVR_A).name == '=HYPERLINK("http://x")'


@override_settings(KLYNGE_IMPORT_MAX_BYTES=50_000_000)
def test_a_100_mb_file_is_refused_by_the_limit_before_it_is_read(office, run_command, tmp_path):
    big = tmp_path / "stor.csv"
    with big.open("wb") as handle:
        handle.write(csv_bytes(FILE))
        handle.truncate(100_000_000)

    code, _out, err = run_command("import", "participations", str(big), "--office", office.name)
    assert code == 1 and "100 MB; grænsen er 50 MB" in err
    batch = import_check(actor=ACTOR, office=office, file_name="stor.csv",
                         data=big.read_bytes())  # fmt: skip
    assert batch.status == ImportStatus.REFUSED and "50 MB" in batch.problems[0]["message"]
    assert batch.content == b""
    assert all(not rows for rows in state().values())


def test_the_command_checks_stores_and_undoes(office, run_command, tmp_path) -> None:
    path = tmp_path / "deltagere.csv"
    path.write_bytes(csv_bytes(FILE))

    args = ("import", "participations", str(path), "--office", office.name)
    _code, dry, _err = run_command(*args, "--dry-run")
    assert "intet er gemt" in dry and not Participant.objects.exists()
    assert "4 nye deltagelser" in run_command(*args)[1]
    batch = ImportBatch.objects.get(status=ImportStatus.COMMITTED)
    assert "Intet ændres" in run_command(*args)[1]
    assert run_command("import", "undo", str(batch.pk))[0] == 0
    assert not Participant.objects.exists()


def test_the_command_lists_every_problem_and_stores_nothing(office, run_command, tmp_path):
    path = tmp_path / "fejl.csv"
    path.write_bytes(csv_bytes([row(**{"CVR-nummer": "1"}), row(**{"Postnummer": "0000"})]))

    code, _out, err = run_command("import", "participations", str(path), "--office", office.name)

    assert code == 1
    assert "række 2, kolonne 'CVR-nummer', værdi '1'" in err
    assert "række 3, kolonne 'Postnummer', værdi '0000'" in err
    assert not Participant.objects.exists()


def test_long_files_report_progress_and_the_command_draws_a_bar(office, capsys) -> None:
    bars_of = importlib.import_module("klynge.participation.management.commands.import")._Bars
    seen: list[tuple[str, int, int]] = []
    many = [row(**{"Aktivitets-id": f"P-{n}", "Aktivitet": f"Møde {n}"}) for n in range(6000)]
    batch = import_check(
        actor=ACTOR, office=office, file_name="p.csv", data=csv_bytes(many),
        progress=lambda *event: seen.append(event),
    )  # fmt: skip
    import_commit(actor=ACTOR, batch=batch, progress=lambda *event: seen.append(event))

    assert ("check", 0, 6000) in seen and ("check", 6000, 6000) in seen
    assert ("store", 5000, 6000) in seen and seen[-1] == ("store", 6000, 6000)
    bars = bars_of(enabled=True)
    for event in seen:
        bars(*event)
    drawn = capsys.readouterr().err
    assert "Tjekker rækker" in drawn and "Gemmer deltagelser" in drawn and "6000/6000" in drawn
