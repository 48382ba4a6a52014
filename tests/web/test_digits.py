"""Parameters and form values read as numbers take the digits 0-9 only (issue 12, item 4)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url",
    ["/deltagelse/?aar=²", "/deltagelse/?aar=٢٠٢٤", "/deltagelse/deltagere/?aar=²&kontor=³",
     "/deltagelse/aktiviteter/?aar=²", "/opkraevninger/betalingsoplysninger/kontor/²/"],
)  # fmt: skip
def test_superscript_and_foreign_digits_are_no_numbers(login_as, url: str) -> None:
    response = login_as("sekretariat").get(url)

    assert response.status_code in (200, 404), response.status_code
