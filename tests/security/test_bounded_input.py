"""Path and query parameters and form fields are read within bounds (#12, item 3)."""

from __future__ import annotations

import time

import pytest
from django.test import Client
from django.urls import reverse

from klynge.common.params import query_text
from klynge.masterdata.models import ClusterOffice

pytestmark = pytest.mark.django_db

BIGINT_OVERFLOW = str(2**63)
THIRTY_DIGITS = "9" * 30


@pytest.fixture
def reader(login_as) -> Client:
    client: Client = login_as("laeser")
    client.raise_request_exception = False
    return client


@pytest.mark.parametrize(
    "path",
    [
        f"/klyngekontorer/{BIGINT_OVERFLOW}/",
        f"/klyngekontorer/{THIRTY_DIGITS}/",
        "/klyngekontorer/0/",
        f"/fordeling/2024/kontor/{BIGINT_OVERFLOW}/",
        f"/scenarier/{THIRTY_DIGITS}/",
        f"/deltagelse/deltagere/{BIGINT_OVERFLOW}/",
        "/fordeling/99999/",
        "/fordeling/1999/",
        f"/fordeling/{THIRTY_DIGITS}/",
        "/opkraevninger/2101/",
        "/kommuner/2530/",
        "/kommuner/25%C2%B2/",  # '²' is a digit to str.isdigit(), not to the converter
        "/kommuner/253%00/",
    ],
)
def test_ids_years_and_codes_out_of_bounds_give_404(reader: Client, path: str) -> None:
    assert reader.get(path).status_code == 404


def test_ids_at_the_bigint_limit_are_looked_up(reader: Client) -> None:
    largest = 2**63 - 1

    assert reader.get(reverse("office-detail", args=[largest])).status_code == 404
    assert reverse("office-detail", args=[largest]).endswith(f"/{largest}/")


@pytest.mark.parametrize("value", ["99999", THIRTY_DIGITS, BIGINT_OVERFLOW, "²", "٢٠٢٤", "-1"])
@pytest.mark.parametrize("name", ["reach", "participants", "activities"])
def test_query_years_and_ids_out_of_bounds_are_ignored(
    reader: Client, name: str, value: str
) -> None:
    response = reader.get(reverse(name), {"aar": value, "kontor": value, "kommune": value})

    assert response.status_code == 200


def test_the_search_text_is_capped_and_loses_control_characters() -> None:
    assert query_text("x" * 5000) == "x" * 100
    assert query_text("Matrix\x00 ApS\u202e") == "Matrix ApS"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("1e10000000", "Skriv en procentsats, fx 40 eller 2,5."),
        ("1/0", "Skriv en procentsats, fx 40 eller 2,5."),
        ("²", "Skriv en procentsats, fx 40 eller 2,5."),
        ("NaN", "Skriv en procentsats, fx 40 eller 2,5."),
        ("100,5", "Procentsatsen skal ligge mellem 0 og 100."),
        ("40,123456", "Skriv højst 4 decimaler."),
    ],
)
def test_a_percentage_out_of_bounds_gets_a_danish_error_at_once(
    reader: Client, value: str, message: str
) -> None:
    start = time.perf_counter()
    response = reader.get(reverse("scenarios"), {"year": 2024, "lead_share_percent": value})

    assert response.status_code == 200
    assert message in response.content.decode()
    assert time.perf_counter() - start < 5  # Fraction('1e10000000') alone took 17 s


def test_an_amount_over_fifteen_digits_gets_a_danish_error(reader: Client) -> None:
    response = reader.get(reverse("scenarios"), {"year": 2024, "office_amount_ore": "9" * 5000})

    assert response.status_code == 200
    assert "har mere end 15 cifre før kommaet" in response.content.decode()


@pytest.mark.parametrize("weights", ["253=²", "253=" + "9" * 30, "²=2", "253=0"])
def test_a_custom_weight_out_of_bounds_gets_a_danish_error(reader: Client, weights: str) -> None:
    response = reader.get(reverse("scenarios"), {"year": 2024, "key": "custom", "weights": weights})

    assert response.status_code == 200
    assert "er ikke KODE=VÆGT med en positiv heltalsvægt på højst 1.000.000.000" in (
        response.content.decode()
    )


@pytest.mark.parametrize("value", [BIGINT_OVERFLOW, THIRTY_DIGITS, "0", "-1", "\x00"])
def test_a_choice_no_row_can_have_is_refused_before_any_query(reader: Client, value: str) -> None:
    response = reader.get(
        reverse("scenarios"), {"year": 2024, "leave": value, "lead_office": value}
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "er ikke en gyldig værdi" in html  # leave
    assert "Marker en gyldig valgmulighed" in html  # lead_office


@pytest.mark.parametrize("kind_and_key", ["kontor/" + BIGINT_OVERFLOW, "kontor/0", "kommune/2530"])
def test_payee_details_of_no_such_collector_give_404(
    staff_client: Client, kind_and_key: str
) -> None:
    assert (
        staff_client.get(f"/opkraevninger/betalingsoplysninger/{kind_and_key}/").status_code == 404
    )


def test_payee_details_of_an_office_open_by_id(staff_client: Client) -> None:
    office = ClusterOffice.objects.order_by("pk").first()
    assert office is not None

    response = staff_client.get(reverse("payee-account-edit", args=["kontor", office.pk]))

    assert response.status_code == 200


@pytest.mark.parametrize("next_url", ["0", "-1", "overview", "//evil.example/"])
def test_the_login_code_step_sends_on_to_a_safe_page_whatever_next_says(
    reader: Client, next_url: str
) -> None:
    response = reader.get(reverse("login-code"), {"next": next_url})

    assert response.status_code == 302
    assert not response["Location"].startswith("//")


def test_a_username_longer_than_any_user_s_is_a_wrong_login(demo) -> None:
    client = Client(raise_request_exception=False)

    response = client.post(reverse("login"), {"username": "x" * 5000, "password": "x" * 5000})

    assert response.status_code == 200
    assert response.context["form"].has_error("username", code="invalid_login")
