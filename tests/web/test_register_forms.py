"""The secretariat fixes the register in the web: population figures and grants' gaps."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from klynge.audit.models import AuditEntry
from klynge.funding.models import Grant
from klynge.masterdata.models import FigureOrigin, PopulationFigure
from klynge.masterdata.services import register_load

pytestmark = pytest.mark.django_db

URL = "/kommuner/indbyggertal/"
GOOD = {
    "municipality": "253",
    "reference_date": "2022-01-01",
    "population": "50.814",
    "source_label": "Danmarks Statistik, FOLK1A",
    "source_url": "https://www.statistikbanken.dk/FOLK1A",
    "source_read_on": "02-06-2025",
    "note": "StatBank FOLK1A, 1. januar 2022, hentet af sekretariatet",
}


def _state() -> tuple[list[tuple[object, ...]], int]:
    figures = list(PopulationFigure.objects.order_by("pk").values_list())
    return figures, AuditEntry.objects.count()


def test_the_first_post_shows_old_new_and_the_effect_and_stores_nothing(login_as) -> None:
    client = login_as("sekretariat")
    before = _state()

    html = client.post(URL, {**GOOD, "reference_date": "2023-01-01"}).content.decode()

    assert _state() == before
    # Greve's figure on 1 January 2023 is 51.507; the 2024 bills use that date.
    assert "51.507 → 50.814" in html
    assert "Budgetår 2024" in html
    assert "Greve" in html and "Før (kr.)" in html
    assert 'name="confirm" value="1"' in html


def test_a_missing_figure_shows_that_the_year_moves_closer(login_as) -> None:
    html = login_as("sekretariat").post(URL, GOOD).content.decode()

    assert "intet gemt → 50.814" in html
    assert "Budgetår 2023" in html
    assert "Året kan stadig ikke beregnes:" in html
    assert "Indbyggertal pr. 1. januar 2022 mangler for 9 kommuner" in html


def test_confirming_stores_the_figure_audited_and_marked(login_as) -> None:
    client = login_as("sekretariat")

    response = client.post(URL, {**GOOD, "confirm": "1"})

    assert response.status_code == 302
    assert response["Location"] == reverse("municipality-detail", args=["253"])
    figure = PopulationFigure.objects.get(municipality__code="253", reference_date="2022-01-01")
    assert figure.population == 50_814
    assert figure.origin == FigureOrigin.SECRETARIAT
    assert figure.source_label == "Danmarks Statistik, FOLK1A"
    assert figure.source == GOOD["note"]
    entry = AuditEntry.objects.latest("pk")
    assert (entry.model, entry.actor_label, entry.action) == (
        "masterdata.populationfigure",
        "sekretariat",
        "create",
    )
    assert entry.after["population"] == 50_814 and entry.municipality_code == "253"
    page = client.get(response["Location"]).content.decode()
    assert "Danmarks Statistik, FOLK1A" in page and "indtastet af sekretariatet" in page


def test_a_correction_survives_a_reload_of_the_shipped_files(login_as) -> None:
    client = login_as("sekretariat")
    client.post(URL, {**GOOD, "reference_date": "2023-01-01", "confirm": "1"})

    register_load()

    figure = PopulationFigure.objects.get(municipality__code="253", reference_date="2023-01-01")
    assert figure.population == 50_814
    entry = AuditEntry.objects.filter(model="masterdata.populationfigure").latest("pk")
    assert (entry.action, entry.before["population"]) == ("update", 51_507)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("population", "0", "Indbyggertallet skal være større end 0."),
        ("population", "-5", "Indbyggertallet kan ikke være negativt."),
        ("population", "mange", "Skriv indbyggertallet som et helt tal, fx 51.507."),
        ("population", "51,5", "Skriv indbyggertallet som et helt tal, fx 51.507."),
        ("population", "99999999", "Indbyggertallet kan højst være 2.000.000."),
        ("population", "1" * 20, "Skriv højst 12 tegn."),
        ("municipality", "999", "Vælg en af de 17 kommuner på listen."),
        ("municipality", "", "Vælg kommunen."),
        ("reference_date", "1. jan", "Skriv datoen som dd-mm-åååå, fx 31-03-2025."),
        ("reference_date", "01-01-1850", "Året skal ligge mellem 2000 og 2100."),
        ("source_label", "", "Dette felt er påkrævet."),
        ("source_label", "x" * 201, "må højst have 200 tegn"),
        ("source_url", "ikke en adresse", "Skriv en hel webadresse"),
        ("source_read_on", "01-01-2099", "Datoen for læsning kan ikke ligge i fremtiden."),
        ("note", "x" * 1001, "må højst have 1000 tegn"),
    ],
)
def test_bad_input_gets_a_danish_message_and_changes_nothing(
    login_as, field: str, value: str, message: str
) -> None:
    client = login_as("sekretariat")
    before = _state()

    response = client.post(URL, {**GOOD, field: value, "confirm": "1"})

    assert response.status_code == 200
    assert message in response.content.decode()
    assert _state() == before


def test_only_the_secretariat_may_change_figures(login_as) -> None:
    before = _state()

    for username in ("greve", "naestved", "webuild", "laeser"):
        assert login_as(username).post(URL, {**GOOD, "confirm": "1"}).status_code == 403

    assert _state() == before


def test_the_grant_form_fills_in_the_years_and_keeps_the_rest(login_as) -> None:
    grant = Grant.objects.get(key="region-dlsc")
    url = reverse("grant-edit", args=[grant.pk])
    client = login_as("sekretariat")
    data = {
        "grantor": grant.grantor_id,
        "first_year": "2022",
        "last_year": "2024",
        "source": grant.source + "; Region Sjællands bevillingsbrev 2022",
        "note": "",
        "reason": "Bevillingsbrevet fundet",
    }

    bad = client.post(url, {**data, "last_year": "2021"})
    one = client.post(url, {**data, "last_year": ""})
    far = client.post(url, {**data, "first_year": "1800"})
    assert "Det sidste år kan ikke ligge før det første år." in bad.content.decode()
    assert "Angiv både første og sidste år, eller ingen af dem." in one.content.decode()
    assert "Året skal være 2000 eller senere." in far.content.decode()
    grant.refresh_from_db()
    assert grant.first_year is None

    response = client.post(url, data)

    assert response.status_code == 302
    grant.refresh_from_db()
    assert (grant.first_year, grant.last_year, grant.amount_ore) == (2022, 2024, 250_000_000)
    assert grant.committed_ore() == 3 * 250_000_000
    entry = AuditEntry.objects.latest("pk")
    assert (entry.model, entry.reason) == ("funding.grant", "Bevillingsbrevet fundet")
    assert login_as("greve").post(url, data).status_code == 403


def test_data_quality_links_each_problem_and_shows_fixes_to_the_secretariat_only(
    login_as,
) -> None:
    staff = login_as("sekretariat").get("/datakvalitet/").content.decode()
    greve = login_as("greve").get("/datakvalitet/").content.decode()

    assert 'href="/kommuner/indbyggertal/?dato=2022-01-01"' in staff
    assert 'class="fix-link" href="/aftale/2024/lead/' in staff
    assert 'class="fix-link" href="/finansiering/bevilling/' in staff
    assert "Sådan rettes det" in staff
    for html in (staff, greve):
        assert "klynge " not in html and ".csv" not in html and "--year" not in html
    assert "Sådan rettes det" not in greve and "fix-link" not in greve
    assert 'href="/fordeling/2023/"' in greve  # where everyone sees what is blocked


def test_the_overview_counts_what_data_quality_lists(login_as) -> None:
    client = login_as("laeser")
    overview = client.get("/overblik/").content.decode()
    quality = client.get("/datakvalitet/").content.decode()

    missing = quality.count('<tr><th scope="row">', 0, quality.index("Antagelser og ændringer"))
    assumed = quality.count('<tr><th scope="row">', quality.index("Antagelser og ændringer"))
    assert f"{missing} mangler og {assumed} antagelser." in overview
    assert f"Mangler ({missing})" in quality and f"Antagelser og ændringer ({assumed})" in quality


def test_the_municipality_list_shows_the_population_the_allocation_used(client: Client, login_as):
    html = login_as("laeser").get("/kommuner/").content.decode()

    # 2024 uses 1 January 2023: Holbæk 73.440 (its 2025 figure 74.490 is not used).
    assert "Indbyggertal pr. 1. januar 2023 (brugt i fordelingen)" in html
    assert "73.440" in html and "74.490" not in html
