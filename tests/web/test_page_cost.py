"""
What a page costs: a fixed number of queries whatever the data, the same page with
and without the allocation cache, a changed input visible on the next request, and a
quick 404 for a year, municipality or office that does not exist.
"""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.core.cache import caches
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from klynge.audit.services import Actor
from klynge.financing.models import (
    Agreement,
    AgreementYear,
    FinancedOffice,
    OfficeLead,
    Participation,
)
from klynge.financing.selectors import CACHE_ALIAS, year_allocation, years_shown
from klynge.financing.services import lead_set, participation_set
from klynge.masterdata.models import ClusterOffice, Municipality, PopulationFigure
from klynge.masterdata.services import population_set

pytestmark = pytest.mark.django_db

ACTOR = Actor.system("test")
PAGES = (
    "/overblik/",
    "/fordeling/2024/",
    "/fordeling/2022/",
    "/kommuner/",
    "/kommuner/253/",
    "/klyngekontorer/",
    "/datakvalitet/",
    "/finansiering/",
    "/opkraevninger/2024/",
    "/deltagelse/?aar=2024",
    "/tilgaengelighed/",
)


def _office_page() -> str:
    return f"/klyngekontorer/{ClusterOffice.objects.order_by('name').first().pk}/"


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


def _counts(client, urls: list[str]) -> dict[str, int]:
    for url in urls:  # the first request fills the allocation cache
        assert client.get(url).status_code == 200, url
    return {url: _queries(client, url) for url in urls}


def _grow(agreement: Agreement, *, extra_offices: int, first_year: int) -> None:
    """
    More offices and more agreement years (earlier ones, so that the budget year the
    pages open on stays the same), computable, copied from the first year's terms.
    """
    municipalities = list(Municipality.objects.order_by("code"))
    cluster = ClusterOffice.objects.order_by("pk").first().cluster
    for n in range(extra_offices):
        office = ClusterOffice.objects.create(cluster=cluster, name=f"Testkontor {n:02d}")
        FinancedOffice.objects.create(agreement=agreement, office=office, first_year=first_year)
        OfficeLead.objects.bulk_create(
            OfficeLead(agreement=agreement, office=office, year=year,
                       municipality=municipalities[n % len(municipalities)])
            for year in agreement.years()
        )  # fmt: skip
    FinancedOffice.objects.filter(agreement=agreement).update(first_year=first_year)
    model_year = agreement.first_year
    terms = AgreementYear.objects.get(agreement=agreement, year=model_year)
    oldest = min(PopulationFigure.objects.values_list("reference_date", flat=True))
    for year in range(first_year, model_year):
        AgreementYear.objects.create(
            agreement=agreement, year=year, office_amount_ore=terms.office_amount_ore,
            lead_share_ore=terms.lead_share_ore, key=terms.key,
            rounding_unit_ore=terms.rounding_unit_ore,
        )  # fmt: skip
        Participation.objects.bulk_create(
            Participation(agreement=agreement, municipality=p.municipality, year=year,
                          participates=p.participates, basis=p.basis)
            for p in Participation.objects.filter(agreement=agreement, year=model_year)
        )  # fmt: skip
        OfficeLead.objects.bulk_create(
            OfficeLead(agreement=agreement, office_id=lead.office_id, year=year,
                       municipality_id=lead.municipality_id, basis=lead.basis)
            for lead in OfficeLead.objects.filter(agreement=agreement, year=model_year)
            if lead.municipality_id
        )  # fmt: skip
        reference = date(year - 1, 1, 1)
        if reference < oldest:
            PopulationFigure.objects.bulk_create(
                PopulationFigure(municipality=f.municipality, reference_date=reference,
                                 population=f.population - year, source="test")
                for f in PopulationFigure.objects.filter(reference_date=oldest)
            )  # fmt: skip
    Agreement.objects.filter(pk=agreement.pk).update(first_year=first_year)


def test_main_pages_make_the_same_queries_with_more_offices_and_years(login_as, demo) -> None:
    secretariat, greve = login_as("sekretariat"), login_as("greve")
    urls = [*PAGES, _office_page()]
    before = _counts(secretariat, urls) | {"start": _counts(greve, ["/"])["/"]}

    _grow(demo, extra_offices=12, first_year=2015)
    after = _counts(secretariat, urls) | {"start": _counts(greve, ["/"])["/"]}

    assert after == before
    assert max(before.values()) <= 40, before


def test_the_first_request_of_a_page_makes_a_bounded_number_of_queries(login_as) -> None:
    client = login_as("sekretariat")
    caches[CACHE_ALIAS].clear()
    cold = {url: _queries(client, url) for url in ("/overblik/", "/kommuner/253/")}
    warm = {url: _queries(client, url) for url in ("/overblik/", "/kommuner/253/")}

    # Filling the cache reads each stored run's lines once; nothing else grows.
    assert all(cold[url] - warm[url] <= 10 for url in cold), (cold, warm)


_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')


def _html(client, url: str) -> str:
    return _CSRF.sub("", client.get(url).content.decode())


def test_cached_and_uncached_computations_give_identical_pages(login_as, demo) -> None:
    client = login_as("sekretariat")
    urls = [*PAGES, _office_page(), f"/fordeling/2024/kontor/{_office_id(demo)}/"]
    cached = {url: _html(client, url) for url in urls}
    cached_again = {url: _html(client, url) for url in urls}
    uncached_settings = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        CACHE_ALIAS: {"BACKEND": "django.core.cache.backends.dummy.DummyCache"},
    }
    with override_settings(CACHES=uncached_settings):
        uncached = {url: _html(client, url) for url in urls}

    for url in urls:
        assert cached[url] == cached_again[url] == uncached[url], url


def _office_id(agreement: Agreement) -> int:
    return FinancedOffice.objects.filter(agreement=agreement).order_by("office__name")[0].office_id


def _computed_year(agreement: Agreement) -> int:
    """A year that shows today's computation (not a stored run), so every input counts."""
    return next(
        shown.year
        for shown in years_shown(agreements=[agreement])
        if shown.run is None and shown.table is not None
    )


def _greve_total(agreement: Agreement, year: int) -> int:
    table = year_allocation(agreement=agreement, year=year).table
    assert table is not None
    return table.municipality_totals["253"]


def test_a_changed_input_shows_on_the_next_request(login_as, demo) -> None:
    client = login_as("sekretariat")
    year = _computed_year(demo)
    url = f"/fordeling/{year}/"
    greve = Municipality.objects.get(code="253")
    lejre = Municipality.objects.get(code="350")
    first, greve_first = client.get(url).content.decode(), _greve_total(demo, year)

    figure = PopulationFigure.objects.get(municipality=greve, reference_date=date(year - 1, 1, 1))
    population_set(
        actor=ACTOR, municipality=greve, reference_date=figure.reference_date,
        population=figure.population + 5_000, source_label="Test", source_read_on=date(2026, 1, 1),
    )  # fmt: skip
    after_population = client.get(url).content.decode()
    assert after_population != first
    assert _greve_total(demo, year) > greve_first

    participation_set(
        actor=ACTOR, agreement=demo, municipality=lejre, years=[year], participates=False
    )
    after_participation = client.get(url).content.decode()
    assert after_participation != after_population
    assert _greve_total(demo, year) > greve_first

    office = ClusterOffice.objects.get(pk=_office_id(demo))
    lead_set(actor=ACTOR, agreement=demo, office=office, years=[year], municipality=greve)
    page = client.get(f"/fordeling/{year}/kontor/{office.pk}/").content.decode()
    assert "Greve er leadkommune" in page


@pytest.mark.parametrize(
    "url", ["/fordeling/2099/", "/kommuner/999/", "/klyngekontorer/999999/",
            "/fordeling/2024/kontor/999999/", "/opkraevninger/2099/", "/aftale/2099/"],
)  # fmt: skip
def test_a_page_for_something_that_does_not_exist_is_a_quick_404(login_as, url) -> None:
    client = login_as("sekretariat")
    client.get("/tilgaengelighed/")
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)

    assert response.status_code == 404
    assert len(captured) <= 8, [q["sql"][:80] for q in captured]
