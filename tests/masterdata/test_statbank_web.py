"""The secretariat fetches FOLK1A in the web, sees the difference, and stores it once."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from tests.masterdata.statbank_fixtures import GOOD, REFERENCE_2021, Recorder, recorded

from klynge.audit.models import AuditEntry
from klynge.masterdata import statbank
from klynge.masterdata.models import FigureOrigin, PopulationFetch, PopulationFigure

pytestmark = pytest.mark.django_db
FETCH = "/kommuner/indbyggertal/statistikbanken/"


@pytest.fixture
def serve(monkeypatch: pytest.MonkeyPatch):
    def _serve(*answers: bytes | int) -> Recorder:
        recorder = Recorder(*answers)
        monkeypatch.setattr(statbank, "TRANSPORT", recorder.transport)
        return recorder

    return _serve


def greve_2021() -> PopulationFigure:
    return PopulationFigure.objects.get(municipality__code="253", reference_date=REFERENCE_2021)


def test_the_secretariat_fetches_sees_the_difference_and_stores_once(
    staff_client: Client, serve
) -> None:
    serve(recorded(GOOD).replace(b";50514", b";50600"))
    assert reverse("population-fetch") == FETCH
    page = staff_client.get(FETCH)
    assert page.status_code == 200 and 'name="quarter"' in page.content.decode()

    response = staff_client.post(FETCH, {"quarter": "2021K1", "partnership": "sjaelland"})

    fetch = PopulationFetch.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("population-fetch-detail", args=[fetch.pk])
    assert fetch.status == "pending" and fetch.fetched_by == "sekretariat"
    assert greve_2021().population == 50_514  # nothing of the register changed yet
    detail = staff_client.get(response["Location"]).content.decode()
    assert "253 Greve" in detail and "50.514" in detail and "50.600" in detail and "+86" in detail
    assert "838.840" in detail and "838.926" in detail  # the totals
    confirm = reverse("population-fetch-confirm", args=[fetch.pk])
    assert f'action="{confirm}"' in detail

    stored = staff_client.post(confirm)

    assert stored.status_code == 302
    figure = greve_2021()
    assert (figure.population, figure.origin) == (50_600, FigureOrigin.STATBANK)
    entry = AuditEntry.objects.filter(model="masterdata.populationfigure").latest("pk")
    assert entry.actor_label == "sekretariat" and entry.reason == "FOLK1A 2021K1"
    fetch.refresh_from_db()
    assert fetch.status == "stored" and fetch.stored_by == "sekretariat"
    after = staff_client.get(stored["Location"]).content.decode()
    assert f'action="{confirm}"' not in after  # stored: no button any more
    entries = AuditEntry.objects.count()

    again = staff_client.post(confirm, follow=True)

    assert "FOLK1A 2021K1" in again.content.decode()  # "already stored", told on the page
    assert AuditEntry.objects.count() == entries


def test_a_second_identical_fetch_has_nothing_to_store(staff_client: Client, serve) -> None:
    serve(recorded(GOOD))
    first = staff_client.post(FETCH, {"quarter": "2021K1", "partnership": "sjaelland"})
    staff_client.post(first["Location"] + "gem/")

    second = staff_client.post(FETCH, {"quarter": "2021K1", "partnership": "sjaelland"})

    page = staff_client.get(second["Location"]).content.decode()
    assert 'id="no-changes"' in page and "gem/" not in page


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        (recorded("bad_missing_municipality.csv"), "tallet mangler for 350 Lejre"),
        (recorded("bad_wrong_table.csv"), "ikke fra tabel FOLK1A"),
        (500, "HTTP-status 500"),
    ],
)
def test_a_refused_answer_is_told_on_the_form_and_nothing_kept(
    staff_client: Client, serve, answer: bytes | int, reason: str
) -> None:
    serve(answer)

    response = staff_client.post(FETCH, {"quarter": "2021K1", "partnership": "sjaelland"})

    assert response.status_code == 200 and reason in response.content.decode()
    assert not PopulationFetch.objects.exists()


def test_the_page_tries_twice_only_to_answer_before_the_worker_timeout(
    staff_client: Client, serve
) -> None:
    recorder = serve(503)

    response = staff_client.post(FETCH, {"quarter": "2021K1", "partnership": "sjaelland"})

    assert len(recorder.requests) == 2
    assert "Prøvet 2 gange" in response.content.decode()


def test_offline_is_told_on_the_form(staff_client: Client) -> None:
    response = staff_client.post(FETCH, {"quarter": "2021K1", "partnership": "sjaelland"})

    assert "Statistikbanken kan ikke nås" in response.content.decode()
    assert not PopulationFetch.objects.exists()


def test_a_bad_quarter_is_refused_by_the_form(staff_client: Client, serve) -> None:
    recorder = serve(recorded(GOOD))

    response = staff_client.post(FETCH, {"quarter": "2021K9", "partnership": "sjaelland"})

    assert response.status_code == 200 and "ikke skrevet som ÅÅÅÅKn" in response.content.decode()
    assert recorder.requests == []


@pytest.mark.parametrize("username", ["greve", "naestved", "webuild", "laeser"])
def test_other_roles_may_not_fetch_or_store(login_as, serve, username: str) -> None:
    serve(recorded(GOOD))
    staff = login_as("sekretariat")
    pending = staff.post(FETCH, {"quarter": "2021K1", "partnership": "sjaelland"})
    client = login_as(username)

    assert client.get(FETCH).status_code == 403
    assert client.post(FETCH, {"quarter": "2021K1", "partnership": "sjaelland"}).status_code == 403
    assert client.get(pending["Location"]).status_code == 403
    assert client.post(pending["Location"] + "gem/").status_code == 403
    assert PopulationFetch.objects.get().status == "pending"


def test_the_population_page_links_to_the_fetch(staff_client: Client) -> None:
    page = staff_client.get(reverse("population-edit")).content.decode()

    assert f'href="{FETCH}"' in page
