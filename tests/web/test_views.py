"""The web pages: login required, Danish figures, explanations, exports, approval."""

from __future__ import annotations

from html import unescape

import pytest
from django.test import Client
from django.urls import reverse

from klynge.financing.models import AllocationRun, RunStatus

pytestmark = pytest.mark.django_db

PAGES = [
    reverse("overview"),
    reverse("municipality-list"),
    reverse("municipality-detail", args=["253"]),
    reverse("office-list"),
    reverse("allocation", args=[2024]),
    reverse("allocation", args=[2022]),
    reverse("data-quality"),
    reverse("timeline"),
]


@pytest.mark.parametrize("url", PAGES)
def test_every_page_requires_login(demo, url: str) -> None:
    response = Client().get(url)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("url", PAGES)
def test_every_page_renders_for_the_secretariat(staff_client: Client, url: str) -> None:
    response = staff_client.get(url)

    assert response.status_code == 200
    assert b'lang="da"' in response.content
    assert b"vendor/dkfds/css/dkfds.min.css" in response.content
    assert b"<script>" not in response.content  # no inline script


def test_login_page_is_danish_and_reports_a_wrong_password(demo) -> None:
    client = Client()

    response = client.post(reverse("login"), {"username": "sekretariat", "password": "forkert"})

    assert response.status_code == 200
    assert "Brugernavn eller adgangskode er forkert" in response.content.decode()


def test_allocation_page_shows_amounts_and_their_explanation(staff_client: Client) -> None:
    html = staff_client.get(reverse("allocation", args=[2024])).content.decode()

    assert "33.652,26" in html
    assert "Kommunernes andele 2024 i kr." in html
    assert "fordeles efter indbyggertal 51.507 pr. 1. januar 2023 ud af i alt 765.283" in html
    assert "4.000.000,00" in html
    assert "antagelse" in html.lower()


def test_each_explained_amount_names_its_population_source_by_label(
    staff_client: Client,
) -> None:
    from klynge.masterdata.models import ClusterOffice, PopulationFigure

    label = PopulationFigure.objects.get(
        municipality__code="253", reference_date="2023-01-01"
    ).source_label
    office = ClusterOffice.objects.get(name="CLEAN – Sjælland")
    pages = [
        staff_client.get(reverse("allocation", args=[2024])).content.decode(),
        staff_client.get(reverse("allocation-office", args=[2024, office.pk])).content.decode(),
    ]

    for html in pages:
        greve = html.split('id="forklaring-1-253"', 1)[1].split("</tr>", 1)[0]
        assert f"Kilde: {label}</small>" in unescape(greve)


def test_allocation_page_for_a_year_without_population_says_what_is_missing(
    staff_client: Client,
) -> None:
    html = staff_client.get(reverse("allocation", args=[2023])).content.decode()

    assert "kan ikke beregnes" in html
    assert "Indbyggertal pr. 1. januar 2022 mangler for 10 kommuner" in html


def test_unknown_year_and_municipality_are_404(staff_client: Client) -> None:
    assert staff_client.get(reverse("allocation", args=[2030])).status_code == 404
    assert staff_client.get(reverse("municipality-detail", args=["999"])).status_code == 404
    assert staff_client.get(reverse("office-detail", args=[999_999])).status_code == 404


def test_municipality_page_shows_what_it_pays_and_its_population_sources(
    staff_client: Client,
) -> None:
    html = staff_client.get(reverse("municipality-detail", args=["350"])).content.decode()

    assert "Lejre Kommune" in html
    assert "Hvad betaler vi?" in html
    assert "28.930" in html and "1. januar 2023" in html
    assert "de.wikipedia.org" in html
    assert "18.901,50" in html  # Lejre's 2024 share to We Build Denmark


def test_office_page_shows_lead_with_its_marker(staff_client: Client) -> None:
    from klynge.masterdata.models import ClusterOffice

    clean = ClusterOffice.objects.get(name="CLEAN – Sjælland")
    html = staff_client.get(reverse("office-detail", args=[clean.pk])).content.decode()

    assert "antagelse" in html
    assert "Roskilde" in html


def test_data_quality_lists_the_unnamed_non_participant_and_assumed_leads(
    staff_client: Client,
) -> None:
    html = staff_client.get(reverse("data-quality")).content.decode()

    assert "16 af 17" in html
    assert "Indbyggertal pr. 1. januar 2022 mangler for 10 kommuner" in html
    assert "leadkommunen Roskilde for 2024 er arbejdsantagelse" in html
    assert "ikke identificeret" in html


def test_timeline_page_shows_the_seed_history(staff_client: Client) -> None:
    html = staff_client.get(reverse("timeline")).content.decode()

    assert "Oktober 2020" in html
    assert "We Build Denmark etableret i Næstved" in html
    assert "Roskilde Universitet" in html


def test_exports_download_with_danish_formats(staff_client: Client) -> None:
    csv_response = staff_client.get(reverse("allocation-export", args=[2024, "csv"]))
    xlsx_response = staff_client.get(reverse("allocation-export", args=[2024, "xlsx"]))

    assert csv_response.content.startswith(b"\xef\xbb\xbf")
    assert "33.652,26" in csv_response.content.decode("utf-8-sig")
    assert xlsx_response.content[:2] == b"PK"
    assert staff_client.get(reverse("allocation-export", args=[2024, "pdf"])).status_code == 404


def test_secretariat_saves_then_approves_the_year(staff_client: Client) -> None:
    staff_client.post(reverse("allocation-save", args=[2024]))
    run = AllocationRun.objects.get()

    page = staff_client.get(reverse("allocation-approve", args=[2024, run.pk])).content.decode()
    refused = staff_client.post(reverse("allocation-approve", args=[2024, run.pk]))
    response = staff_client.post(
        reverse("allocation-approve", args=[2024, run.pk]), {"confirmed": "on"}, follow=True
    )

    assert "Alle 17 er indlæst som deltagere" in page  # the open assumption, to confirm
    assert refused.status_code == 200 and "Bekræft" in refused.content.decode()
    assert "er godkendt og frosset" in response.content.decode()
    run.refresh_from_db()
    assert run.status == RunStatus.APPROVED


def test_saving_requires_post(staff_client: Client) -> None:
    assert staff_client.get(reverse("allocation-save", args=[2024])).status_code == 405
    assert AllocationRun.objects.count() == 0


def test_vendored_design_system_and_app_assets_are_found_by_staticfiles() -> None:
    from django.contrib.staticfiles import finders

    for asset in [
        "vendor/dkfds/css/dkfds.min.css",
        "vendor/dkfds/js/dkfds.min.js",
        "vendor/dkfds/img/all-svg-icons.svg",
        "klynge/app.js",
        "klynge/app.css",
    ]:
        assert finders.find(asset), asset


def test_reach_figures_on_the_map_and_office_pages_carry_the_demo_marker(login_as) -> None:
    """The demo set's companies are demodata wherever they are counted."""
    from klynge.demo.participation import demo_participation_load
    from klynge.masterdata.models import ClusterOffice

    demo_participation_load(
        companies=300,
        activities_per_office=12,
        participations_per_office=400,
        knowledge_institutions=3,
    )
    client = login_as("sekretariat")
    office = ClusterOffice.objects.get(name="We Build Denmark – Næstved")

    reach_map = client.get(reverse("overview") + "?maal=reach&aar=2024").content.decode()
    money_map = client.get(reverse("overview") + "?maal=per_inhabitant&aar=2024").content.decode()
    office_page = client.get(reverse("office-detail", args=[office.pk])).content.decode()
    reach_table = office_page.split("Virksomheder nået", 1)[1].split("</table>", 1)[0]

    assert 'class="marker-demo"' in reach_map.split('id="kort-overskrift"', 1)[1].split("</h2>")[0]
    assert 'id="kort-overskrift"' in money_map
    assert (
        'class="marker-demo"' not in money_map.split('id="kort-overskrift"', 1)[1].split("</h2>")[0]
    )
    assert 'class="marker-demo"' in reach_table


def test_the_demo_banner_shows_while_demo_companies_are_stored(login_as) -> None:
    """Not only a demo lead: the demo companies alone make the installation a demo."""
    from klynge.demo.participation import demo_participation_load
    from klynge.financing.models import OfficeLead

    client = login_as("sekretariat")
    OfficeLead.objects.filter(basis="demo").update(basis="assumption")  # no demo lead left
    without = client.get(reverse("overview")).content.decode()
    demo_participation_load(
        companies=300, activities_per_office=12, participations_per_office=400,
        knowledge_institutions=3,
    )  # fmt: skip
    with_companies = client.get(reverse("overview")).content.decode()

    assert 'class="demo-banner"' not in without
    assert 'class="demo-banner"' in with_companies
