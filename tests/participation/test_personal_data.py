"""A sole proprietorship is personal data: the reader never sees its name, address or CVR."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from tests.participation.files import CVR_A, CVR_C, csv_bytes, row

from klynge.audit.services import Actor
from klynge.masterdata.models import ClusterOffice
from klynge.participation.imports import check_file
from klynge.participation.models import Activity, ImportStatus, Participant
from klynge.participation.services import import_check, import_commit

pytestmark = pytest.mark.django_db

OWNER = "Aage Testperson Hansens Tømrerforretning"  # sorts before "Test Byg ApS"
ADDRESS = "Privatvej 7"


@pytest.fixture
def stored(demo) -> Participant:
    """A sole proprietorship and an ordinary company in one activity, stored by an office."""
    office = ClusterOffice.objects.get(name="We Build Denmark – Næstved")
    rows = [
        row(
            **{
                "CVR-nummer": CVR_C,
                "Navn": OWNER,
                "Adresse": ADDRESS,
                "Enkeltmandsvirksomhed": "ja",
            }
        ),
        row(**{"CVR-nummer": CVR_A, "Navn": "Test Byg ApS", "Adresse": "Firmavej 1"}),
    ]
    batch = import_check(
        actor=Actor.system("test"), office=office, file_name="f.csv", data=csv_bytes(rows)
    )
    assert batch.status == ImportStatus.CHECKED, batch.problems
    import_commit(actor=Actor.system("test"), batch=batch)
    return Participant.objects.get(cvr=CVR_C)


def test_the_import_registers_a_sole_proprietorship(stored) -> None:
    assert stored.sole_proprietor is True
    assert Participant.objects.get(cvr=CVR_A).sole_proprietor is False


def test_only_a_company_can_be_a_sole_proprietorship(register) -> None:
    plan = check_file(
        csv_bytes(
            [
                row(
                    **{
                        "Deltagertype": "videninstitution",
                        "CVR-nummer": "",
                        "Navn": "Test Universitet",
                        "Enkeltmandsvirksomhed": "ja",
                    }
                )
            ]
        )
    )
    assert [p.column for p in plan.problems] == ["Enkeltmandsvirksomhed"]
    plan = check_file(csv_bytes([row(**{"Enkeltmandsvirksomhed": "måske"})]))
    assert [p.column for p in plan.problems] == ["Enkeltmandsvirksomhed"]


def _pages(client, participant: Participant) -> dict[str, str]:
    activity = Activity.objects.get(participations__participant=participant, external_id="NM-1")
    return {
        "list": client.get("/deltagelse/deltagere/?kontor=" + str(activity.office_id)),
        "search": client.get("/deltagelse/deltagere/?q=Hansens"),
        "cvr search": client.get(f"/deltagelse/deltagere/?q={CVR_C}"),
        "detail": client.get(f"/deltagelse/deltagere/{participant.pk}/"),
        "activity": client.get(f"/deltagelse/aktiviteter/{activity.pk}/"),
        "csv": client.get(f"/deltagelse/deltagere/eksport.csv?kontor={activity.office_id}"),
    }


def _text(response) -> str:
    assert response.status_code == 200
    return response.content.decode("utf-8-sig")


def test_the_reader_sees_a_sole_proprietorship_without_name_address_or_cvr(
    stored, login_as
) -> None:
    pages = {name: _text(response) for name, response in _pages(login_as("laeser"), stored).items()}

    for name, text in pages.items():
        if name.endswith("search"):  # the search form shows what was searched for
            text = text[text.index("<table") :]
        assert OWNER not in text and "Hansens" not in text, name
        assert ADDRESS not in text, name
        assert CVR_C not in text, name
    # It is still counted and shown, as a sole proprietorship, with its municipality.
    assert "Enkeltmandsvirksomhed (navn vises ikke)" in pages["list"]
    assert "Enkeltmandsvirksomhed (navn vises ikke)" in pages["activity"]
    assert "personoplysninger" in pages["detail"] and "Næstved" in pages["detail"]
    assert "Enkeltmandsvirksomhed (navn vises ikke)" in pages["csv"]
    # An ordinary company keeps its name and CVR number.
    assert "Test Byg ApS" in pages["list"] and CVR_A in pages["csv"]
    # A search by the owner's name or CVR number finds nothing.
    assert "Ingen deltagere" in pages["search"] and "Ingen deltagere" in pages["cvr search"]


def test_the_reader_gets_no_sole_proprietor_in_the_xlsx_export(stored, login_as) -> None:
    response = login_as("laeser").get("/deltagelse/deltagere/eksport.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    cells = [str(cell) for line in sheet.iter_rows(values_only=True) for cell in line]
    assert OWNER not in cells and CVR_C not in cells and ADDRESS not in cells
    assert "Enkeltmandsvirksomhed (navn vises ikke)" in cells


@pytest.mark.parametrize("username", ["sekretariat", "greve", "webuild"])
def test_users_who_may_see_personal_data_see_the_owner(stored, login_as, username) -> None:
    pages = {name: _text(r) for name, r in _pages(login_as(username), stored).items()}

    assert OWNER in pages["list"] and OWNER in pages["search"] and OWNER in pages["cvr search"]
    assert OWNER in pages["detail"] and ADDRESS in pages["detail"] and CVR_C in pages["detail"]
    assert "enkeltmandsvirksomhed: personoplysning" in pages["detail"]
    assert OWNER in pages["activity"] and OWNER in pages["csv"]


def test_the_readers_list_does_not_place_a_hidden_name_by_its_alphabetical_position(
    stored, login_as
) -> None:
    text = _text(login_as("laeser").get("/deltagelse/deltagere/?q="))
    # Sorted by name, the hidden row would sit between its neighbours and betray its
    # initial letters; hidden rows come after every named one.
    assert text.index("Test Byg ApS") < text.index("Enkeltmandsvirksomhed (navn vises ikke)")
    staff = _text(login_as("sekretariat").get("/deltagelse/deltagere/?q="))
    assert staff.index(OWNER) < staff.index("Test Byg ApS")
