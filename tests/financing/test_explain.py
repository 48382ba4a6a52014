"""An allocation line said in words: the rounding and the explanation, in Danish and English."""

from __future__ import annotations

import datetime as dt
import re
from fractions import Fraction

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation

from klynge.financing.explain import explanation_text, rounding_text


@pytest.fixture(autouse=True)
def _danish_afterwards():
    """A request in English leaves English active in the thread: give Danish back."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


# Hand-worked: 515.070,00 kr. split by population, 50.000 of 776.417 inhabitants.
# The quota is 51507000 × 50000 / 776417 = 2575350000000/776417 øre = 3.316.967,557… øre
# (≈ 33.169,6756 kr.); the amount 3.316.968 øre is 343656/776417 ≈ 0,44 øre more.
LINE = {
    "municipality": "Greve",
    "role": "share",
    "amount_ore": 3_316_968,
    "population": 50_000,
    "population_date": dt.date(2023, 1, 1),
    "weight": 50_000,
    "key_total": 776_417,
    "split_ore": 51_507_000,
    "quota": Fraction(2_575_350_000_000, 776_417),
    "explanation": "gemt forklaring",
}


def test_the_rounding_is_said_in_words_not_as_a_fraction() -> None:
    with translation.override("da"):
        assert rounding_text(LINE) == "rundet op med ≈ 0,44 øre"
        down = {**LINE, "amount_ore": 3_316_967}
        assert rounding_text(down) == "rundet ned med ≈ 0,56 øre"
        exact = {**LINE, "quota": Fraction(3_316_968)}
        assert rounding_text(exact) == "ingen: kvoten går lige op"
        half = {**LINE, "quota": Fraction(6_633_935, 2)}
        assert rounding_text(half) == "rundet op med 0,50 øre"
    with translation.override("en"):
        assert rounding_text(LINE) == "rounded up by ≈ 0,44 øre"
    assert rounding_text({**LINE, "quota": None}) == "–"


def test_the_explanation_is_derived_from_the_stored_fields() -> None:
    with translation.override("da"):
        assert explanation_text(LINE) == (
            "515.070,00 kr. fordeles efter indbyggertal 50.000 pr. 1. januar 2023 ud af i alt "
            "776.417. Den præcise kvote ≈ 33.169,6756 kr. afrundes til 33.169,68 kr."
        )
        weights = {**LINE, "population": None}
        assert explanation_text(weights).startswith(
            "515.070,00 kr. fordeles efter vægt 50.000 ud af i alt 776.417."
        )
        lead = {**LINE, "role": "lead", "amount_ore": 50_000_000}
        assert explanation_text(lead) == (
            "Greve er leadkommune og betaler leadandelen 500.000,00 kr. alene."
        )
        assert explanation_text({**LINE, "role": "none", "amount_ore": 0}) == (
            "Greve deltager ikke og betaler 0,00 kr."
        )
        missing = {**LINE, "key_total": None}
        assert explanation_text(missing) == "gemt forklaring"
    with translation.override("en"):
        assert explanation_text(LINE) == (
            "515.070,00 kr. is split by population: 50.000 on 1 January 2023 out of 776.417 "
            "in all. The exact share ≈ 33.169,6756 kr. is rounded to 33.169,68 kr."
        )


@pytest.mark.parametrize(
    ("language", "words"), [("da", "fordeles efter indbyggertal"), ("en", "is split by")]
)
def test_the_allocation_page_shows_no_fraction(staff_client: Client, language, words) -> None:
    staff_client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    html = staff_client.get(reverse("allocation", args=[2024])).content.decode()

    cells = re.findall(r"<td[^>]*>(.*?)</td>", html, flags=re.S)
    assert not [cell for cell in cells if re.search(r"\d+/\d+", cell)]
    assert words in html
    assert ("rundet" if language == "da" else "rounded") in html
