"""The reach page and the lists behind it: the same queries at demo size and ten times that."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from klynge.common.choices import Basis
from klynge.demo.participation import demo_participation_load
from klynge.masterdata.models import ClusterOffice, Municipality
from klynge.participation.models import (
    Activity,
    ActivityParticipation,
    EmployeeBand,
    ExporterYear,
    Participant,
)

pytestmark = pytest.mark.django_db

SMALL = {"companies": 300, "activities_per_office": 12, "participations_per_office": 400}
URLS = ("/deltagelse/?aar=2024", "/deltagelse/deltagere/?aar=2024&virksomheder=1",
        "/deltagelse/deltagere/", "/deltagelse/aktiviteter/?aar=2024")  # fmt: skip


def _grow(companies: int, activities: int, per_activity: int) -> int:
    """Bulk-insert generated companies, activities and participations; return participations."""
    municipalities = list(Municipality.objects.order_by("code"))
    offices = list(ClusterOffice.objects.order_by("pk"))
    Participant.objects.bulk_create(
        Participant(cvr=f"9{n:07d}", name=f"Vækst {n}", municipality=municipalities[n % len(
            municipalities)], municipality_code=municipalities[n % len(municipalities)].code,
            employee_band=EmployeeBand.B10_49, basis=Basis.DEMO)
        for n in range(companies)
    )  # fmt: skip
    grown = list(Participant.objects.filter(name__startswith="Vækst ").order_by("pk"))
    Activity.objects.bulk_create(
        Activity(office=offices[n % len(offices)], external_id=f"V-{n}", title=f"Vækst {n}",
                 kind="course", held_on=date(2024, 1 + n % 12, 1), international=n % 3 == 0,
                 municipality=municipalities[n % len(municipalities)], basis=Basis.DEMO)
        for n in range(activities)
    )  # fmt: skip
    held = list(Activity.objects.filter(external_id__startswith="V-").order_by("pk"))
    ActivityParticipation.objects.bulk_create(
        ActivityParticipation(activity=a, participant=grown[(i * 7 + k) % len(grown)])
        for i, a in enumerate(held)
        for k in range(per_activity)
    )
    ExporterYear.objects.bulk_create(
        ExporterYear(participant=p, year=year, exporter=(p.pk + year) % 2 == 0)
        for p in grown
        for year in (2023, 2024)
    )
    return len(held) * per_activity


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_reach_page_and_lists_cost_the_same_queries_at_ten_times_the_data(
    login_as,
) -> None:
    demo_participation_load(**SMALL)
    client = login_as("sekretariat")
    office = ClusterOffice.objects.order_by("pk").first()
    assert office is not None
    urls = (*URLS, f"/klyngekontorer/{office.pk}/", "/kommuner/370/")
    for url in urls:  # warm the allocation cache: participations are not among its inputs
        client.get(url)
    small = {url: _queries(client, url) for url in urls}
    before = ActivityParticipation.objects.count()

    added = _grow(companies=3000, activities=300, per_activity=60)

    assert added >= 10 * before
    large = {url: _queries(client, url) for url in urls}
    assert large == small
    # the lists page 50 rows at a time, whatever the data
    page = client.get("/deltagelse/deltagere/")
    assert len(page.context["page"].object_list) == 50
    assert page.context["page"].paginator.count > 2000
