"""The participation pages: upload, report, store, undo; reach beside what is paid; contacts."""

from __future__ import annotations

import io
import logging
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook
from tests.participation.files import CVR_B, FILE, csv_bytes, row

from klynge.audit.services import Actor
from klynge.masterdata.models import ClusterOffice
from klynge.participation.imports import check_file
from klynge.participation.models import (
    ActivityParticipation,
    ImportBatch,
    ImportStatus,
    Participant,
)
from klynge.participation.renderers import template_csv, template_xlsx
from klynge.participation.services import import_check, import_commit

pytestmark = pytest.mark.django_db
EMAIL = "test.person@example.dk"


@pytest.fixture
def office(demo) -> ClusterOffice:
    return ClusterOffice.objects.get(name="We Build Denmark – Næstved")


def upload(client, office: ClusterOffice, data: bytes, name: str = "deltagere.csv"):
    file = io.BytesIO(data)
    file.name = name
    return client.post("/deltagelse/indlaesning/", {"office": office.pk, "file": file})


def test_an_office_uploads_checks_stores_and_every_municipality_sees_its_companies(
    office, login_as
) -> None:
    client = login_as("webuild")

    response = upload(client, office, csv_bytes(FILE))
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/{batch.pk}/")
    report = client.get(response["Location"]).content.decode()
    assert "Filen har ingen fejl. Intet er gemt endnu." in report
    assert "3 nye deltagere" in report and "4 nye deltagelser" in report
    assert not ActivityParticipation.objects.exists()

    client.post(f"/deltagelse/indlaesning/{batch.pk}/gem/")

    batch.refresh_from_db()
    assert batch.status == ImportStatus.COMMITTED
    assert batch.created_label == "webuild"
    # Roskilde (265) got Test Energi A/S (postal code 4000); Næstved (370) got Test Byg ApS.
    roskilde = login_as("sekretariat").get("/kommuner/265/").content.decode()
    what_we_get = roskilde[roskilde.index("Det får vi") :]
    assert "?aar=2024&amp;kommune=265&amp;virksomheder=1" in what_we_get
    listing = client.get("/deltagelse/deltagere/?aar=2024&kommune=265&virksomheder=1")
    assert "Test Energi A/S" in listing.content.decode()
    assert "Test Byg ApS" not in listing.content.decode()


def test_the_report_names_every_problem_and_nothing_is_stored(office, login_as) -> None:
    client = login_as("sekretariat")
    bad = [row(**{"CVR-nummer": "12345675"}), row(**{"Dato": "32-01-2024", "Aktivitets-id": "B"})]

    response = upload(client, office, csv_bytes(bad))
    page = client.get(response["Location"]).content.decode()

    assert "Filen har 2 fejl; intet er gemt" in page
    assert "12345675" in page and "32-01-2024" in page
    assert "Gem filen" not in page
    batch = ImportBatch.objects.get()
    report = client.get(f"/deltagelse/indlaesning/{batch.pk}/fejl.csv").content.decode("utf-8-sig")
    assert report.splitlines()[1].startswith("2;CVR-nummer;12345675;")
    assert client.post(f"/deltagelse/indlaesning/{batch.pk}/gem/").status_code == 302
    assert not ActivityParticipation.objects.exists()


def test_a_file_over_the_limit_is_refused_before_it_is_read(office, login_as, settings) -> None:
    settings.KLYNGE_IMPORT_MAX_BYTES = 1_000_000
    client = login_as("sekretariat")

    response = client.post(
        "/deltagelse/indlaesning/", {"office": office.pk}, CONTENT_LENGTH="104857600"
    )

    assert response.status_code == 413
    assert "grænsen er 1 MB" in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_an_office_cannot_import_for_another_office(office, login_as) -> None:
    other = ClusterOffice.objects.exclude(pk=office.pk).first()

    response = upload(login_as("webuild"), other, csv_bytes(FILE))

    assert response.status_code == 200  # the form says the choice is not valid
    assert not ImportBatch.objects.exists()


def test_undo_from_the_page_takes_the_file_out(office, login_as) -> None:
    client = login_as("webuild")
    upload(client, office, csv_bytes(FILE))
    batch = ImportBatch.objects.get()
    client.post(f"/deltagelse/indlaesning/{batch.pk}/gem/")

    client.post(f"/deltagelse/indlaesning/{batch.pk}/fortryd/", {"reason": "forkert år"})

    batch.refresh_from_db()
    assert batch.status == ImportStatus.UNDONE and not ActivityParticipation.objects.exists()


@pytest.fixture
def stored(office) -> None:
    store(office, FILE)


@pytest.mark.parametrize(
    ("username", "sees"),
    [("sekretariat", True), ("webuild", True), ("greve", False), ("naestved", False),
     ("laeser", False)],
)  # fmt: skip
def test_contact_persons_are_shown_only_to_those_who_need_them(
    stored, login_as, username: str, sees: bool
) -> None:
    energi = Participant.objects.get(cvr=CVR_B)
    page = login_as(username).get(f"/deltagelse/deltagere/{energi.pk}/").content.decode()

    assert (EMAIL in page) is sees
    assert ("Test Person" in page) is sees


def test_no_personal_data_in_urls_or_logs(stored, login_as, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    client = login_as("sekretariat")
    pages = ["/deltagelse/", "/deltagelse/deltagere/", "/deltagelse/indlaesning/"]
    pages.append(f"/deltagelse/deltagere/{Participant.objects.get(cvr=CVR_B).pk}/")
    hrefs: list[str] = []
    for url in pages:
        html = client.get(url).content.decode()
        hrefs += re.findall(r'href="([^"]+)"', html)

    assert hrefs and not [h for h in hrefs if "@" in h or "Test%20Person" in h]
    assert EMAIL not in caplog.text and "Test Person" not in caplog.text


def test_exports_escape_text_that_would_start_a_formula(office, login_as) -> None:
    evil = '=HYPERLINK("http://x","klik")'
    plus = {"CVR-nummer": CVR_B, "Navn": "+45 ApS", "Postnummer": "4000"}
    store(office, [row(**{"Navn": evil}), row(**plus)])
    client = login_as("laeser")

    csv_text = client.get("/deltagelse/deltagere/eksport.csv").content.decode("utf-8-sig")
    xlsx = client.get("/deltagelse/deltagere/eksport.xlsx").content

    assert "'=HYPERLINK" in csv_text and "'+45 ApS" in csv_text
    sheet = load_workbook(io.BytesIO(xlsx)).active
    names = [cell.value for cell in sheet["B"]][1:]
    assert sorted(names) == ["'+45 ApS", "'" + evil]
    assert all(cell.data_type == "s" for cell in sheet["B"])


def test_the_downloadable_templates_are_valid_files(register, login_as) -> None:
    for data in (template_csv(), template_xlsx()):
        plan = check_file(data)
        # the example row is refused as such, and is otherwise a valid row
        assert [(p.row, p.column) for p in plan.problems] == [(2, "Navn")] and plan.rows == 1
        assert "eksempelrækken skal slettes" in plan.problems[0].message
    assert "Vejledning" in load_workbook(io.BytesIO(template_xlsx())).sheetnames


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_reach_pages_use_a_bounded_number_of_queries(office, login_as) -> None:
    """Ten times the participations costs no extra query on the pages that count them."""
    client = login_as("sekretariat")
    urls = ["/kommuner/370/", "/deltagelse/?aar=2024", f"/klyngekontorer/{office.pk}/",
            "/overblik/?maal=reach_per_1000", "/deltagelse/deltagere/?aar=2024"]  # fmt: skip
    store(office, [row(**{"Aktivitets-id": f"A-{n}"}) for n in range(3)])
    for url in urls:  # warm the allocation cache: participations are not among its inputs
        client.get(url)
    before = {url: _queries(client, url) for url in urls}
    energi = {"CVR-nummer": CVR_B, "Navn": "Test Energi A/S", "Postnummer": "4000"}
    store(office, [row(**{"Aktivitets-id": f"B-{n}", **who}) for n in range(30)
                   for who in ({}, energi)])  # fmt: skip
    after = {url: _queries(client, url) for url in urls}

    assert after == before
    assert after["/deltagelse/?aar=2024"] <= 30


def store(office: ClusterOffice, rows: list[dict[str, str]]) -> None:
    actor = Actor.system("test")
    batch = import_check(actor=actor, office=office, file_name="f.csv", data=csv_bytes(rows))
    import_commit(actor=actor, batch=batch)
