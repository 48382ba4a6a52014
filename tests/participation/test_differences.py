"""
Imports never store what the user did not mean: the template's example row is
refused, a registered participant given another name, address or municipality
is a difference stored only when the user accepts it (web and command line),
conflicts name their column, and numbers in messages are written the Danish way.
"""

from __future__ import annotations

import io

import pytest
from tests.participation.files import CVR_A, CVR_B, csv_bytes, row

from klynge.audit.services import Actor, snapshot
from klynge.masterdata.models import ClusterOffice
from klynge.participation.imports import COLUMNS, check_file
from klynge.participation.models import (
    ActivityParticipation,
    ImportBatch,
    ImportStatus,
    Participant,
)
from klynge.participation.services import BatchError, import_check, import_commit, import_undo

pytestmark = pytest.mark.django_db

ACTOR = Actor.system("test")
# Registered first: Test Byg ApS, no address, postal code 4700 (Næstved, 370).
CHANGED = row(
    **{"Aktivitets-id": "NM-2", "Navn": "Test Byg Holding ApS", "Adresse": "Ny vej 2",
       "Postnummer": "4000"}
)  # fmt: skip


@pytest.fixture
def office(register) -> ClusterOffice:
    return ClusterOffice.objects.get(name="We Build Denmark – Næstved")


@pytest.fixture
def registered(office) -> Participant:
    batch = import_check(actor=ACTOR, office=office, file_name="a.csv", data=csv_bytes([row()]))
    import_commit(actor=ACTOR, batch=batch)
    return Participant.objects.get(cvr=CVR_A)


def example_row() -> dict[str, str]:
    return {column.header: column.example for column in COLUMNS}


# --- the example row ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "change",
    [{}, {"Navn": "Mit Firma ApS"}, {"Aktivitets-id": "A-1", "CVR-nummer": CVR_B}],
    ids=["as-is", "other-name", "other-activity-and-cvr"],
)
def test_the_example_row_is_refused_when_left_in(register, change) -> None:
    plan = check_file(csv_bytes([row(), {**example_row(), **change}]))

    assert [(p.row, p.column) for p in plan.problems] == [(3, "Navn")]
    assert "eksempelrækken skal slettes" in plan.problems[0].message


def test_a_row_like_the_example_but_of_its_own_is_accepted(register) -> None:
    own = {**example_row(), "Navn": "Mit Firma ApS", "Aktivitets-id": "A-1"}

    assert check_file(csv_bytes([own])).problems == []


def test_the_command_refuses_the_untouched_template(office, run_command, tmp_path) -> None:
    path = tmp_path / "skabelon.csv"
    path.write_bytes(csv_bytes([example_row()]))

    code, _out, err = run_command("import", "participations", str(path), "--office", office.name)

    assert code == 1 and "eksempelrækken skal slettes" in err and "række 2" in err
    assert not Participant.objects.exists()


# --- a registered participant with other details ------------------------------------------


def test_the_dry_run_lists_each_difference_old_to_new(registered, office) -> None:
    batch = import_check(actor=ACTOR, office=office, file_name="b.csv", data=csv_bytes([CHANGED]))

    assert batch.status == ImportStatus.CHECKED
    assert batch.differences == [
        {
            "row": 2,
            "participant": "Test Byg ApS",
            "cvr": CVR_A,
            "changes": [
                {"column": "Navn", "old": "Test Byg ApS", "new": "Test Byg Holding ApS"},
                {"column": "Adresse", "old": "", "new": "Ny vej 2"},
                {"column": "Postnummer", "old": "4700", "new": "4000"},
                {"column": "Kommunekode", "old": "Næstved (370)", "new": "Roskilde (265)"},
            ],
        }
    ]


def test_a_difference_is_not_stored_without_the_explicit_choice(registered, office) -> None:
    before = snapshot(registered)
    participations = ActivityParticipation.objects.count()
    batch = import_check(actor=ACTOR, office=office, file_name="b.csv", data=csv_bytes([CHANGED]))

    with pytest.raises(BatchError, match="1 registreret deltager et andet navn"):
        import_commit(actor=ACTOR, batch=batch)

    registered.refresh_from_db()
    assert snapshot(registered) == before
    assert ActivityParticipation.objects.count() == participations  # nothing at all stored
    assert ImportBatch.objects.get(pk=batch.pk).status == ImportStatus.CHECKED


def test_an_accepted_difference_is_stored_and_undone_exactly(registered, office) -> None:
    before = snapshot(registered)
    batch = import_check(actor=ACTOR, office=office, file_name="b.csv", data=csv_bytes([CHANGED]))

    stored = import_commit(actor=ACTOR, batch=batch, accept_changes=True)

    registered.refresh_from_db()
    assert (registered.name, registered.address, registered.municipality_code) == (
        "Test Byg Holding ApS", "Ny vej 2", "265",
    )  # fmt: skip
    import_undo(actor=ACTOR, batch=stored)
    registered.refresh_from_db()
    assert snapshot(registered) == before


def test_an_accepted_difference_that_changed_since_the_check_is_refused(registered, office) -> None:
    batch = import_check(actor=ACTOR, office=office, file_name="b.csv", data=csv_bytes([CHANGED]))
    Participant.objects.filter(pk=registered.pk).update(address="Gammel vej 1")

    with pytest.raises(BatchError, match="ændret sig siden tjekket"):
        import_commit(actor=ACTOR, batch=batch, accept_changes=True)


def test_other_fields_than_name_address_and_municipality_are_no_difference(
    registered, office
) -> None:
    data = csv_bytes([row(**{"Aktivitets-id": "NM-2", "Antal ansatte": "250+"})])
    batch = import_check(actor=ACTOR, office=office, file_name="b.csv", data=data)

    assert batch.differences == []
    import_commit(actor=ACTOR, batch=batch)
    assert Participant.objects.get(cvr=CVR_A).employee_band == "250+"


def test_the_command_needs_accept_changes_to_store_a_difference(
    registered, office, run_command, tmp_path
) -> None:
    path = tmp_path / "b.csv"
    path.write_bytes(csv_bytes([CHANGED]))
    args = ("import", "participations", str(path), "--office", office.name)

    _code, dry, _err = run_command(*args, "--dry-run")
    code, out, err = run_command(*args)

    assert "Navn: Test Byg ApS → Test Byg Holding ApS" in dry
    assert "Kommunekode: Næstved (370) → Roskilde (265)" in dry
    assert code == 1 and "intet er gemt" in err and "--accept-changes" in err
    assert "Adresse: – → Ny vej 2" in out
    assert Participant.objects.get(cvr=CVR_A).name == "Test Byg ApS"
    assert run_command(*args, "--accept-changes")[0] == 0
    assert Participant.objects.get(cvr=CVR_A).name == "Test Byg Holding ApS"


def test_the_web_asks_for_the_choice_before_storing_a_difference(demo, login_as) -> None:
    office = ClusterOffice.objects.get(name="We Build Denmark – Næstved")
    client = login_as("webuild")

    def upload(data: bytes) -> ImportBatch:
        file = io.BytesIO(data)
        file.name = "deltagere.csv"
        client.post("/deltagelse/indlaesning/", {"office": office.pk, "file": file})
        return ImportBatch.objects.filter(office=office).latest("pk")

    client.post(f"/deltagelse/indlaesning/{upload(csv_bytes([row()])).pk}/gem/")
    second = upload(csv_bytes([CHANGED]))

    page = client.get(f"/deltagelse/indlaesning/{second.pk}/").content.decode()
    assert "Filen giver 1 registreret deltager et andet navn" in page
    assert "Test Byg Holding ApS" in page and "Roskilde (265)" in page
    assert 'name="accept_changes"' in page
    refused = client.post(f"/deltagelse/indlaesning/{second.pk}/gem/", follow=True)
    assert "intet er gemt" in refused.content.decode()
    assert Participant.objects.get(cvr=CVR_A).name == "Test Byg ApS"
    client.post(f"/deltagelse/indlaesning/{second.pk}/gem/", {"accept_changes": "1"})
    assert Participant.objects.get(cvr=CVR_A).name == "Test Byg Holding ApS"


# --- conflicts name the column; Danish thousands ------------------------------------------


def test_a_conflict_names_the_column_that_differs(register) -> None:
    plan = check_file(csv_bytes([row(), row(**{"Aktivitets-id": "NM-2", "Adresse": "Anden vej"})]))

    (problem,) = plan.problems
    assert problem.column == "Adresse"
    assert problem.message == "deltageren har en anden værdi i 'Adresse' på række 2"


def test_an_activity_conflict_names_its_columns(register) -> None:
    other = row(**{"CVR-nummer": CVR_B, "Aktivitet": "Andet møde", "Dato": "15-03-2024"})
    plan = check_file(csv_bytes([row(), other]))

    (problem,) = plan.problems
    assert problem.column == "Aktivitet"
    assert "'Aktivitet', 'Dato' på række 2" in problem.message


def test_row_numbers_in_messages_have_thousands_separators(office, run_command, tmp_path):
    rows = [row(**{"Aktivitets-id": f"A-{n}"}) for n in range(1_200)]
    rows.append(row(**{"Aktivitets-id": "A-1099", "Aktivitet": "Et andet møde"}))
    path = tmp_path / "stor.csv"
    path.write_bytes(csv_bytes(rows))

    plan = check_file(path.read_bytes())
    code, _out, err = run_command("import", "participations", str(path), "--office", office.name)

    assert [p.message for p in plan.problems] == [
        "aktiviteten A-1099 har en anden værdi i 'Aktivitet' på række 1.101"
    ]
    assert code == 1 and "række 1.202, kolonne 'Aktivitet'" in err
