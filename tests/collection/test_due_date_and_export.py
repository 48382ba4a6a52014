"""The requests' due date field (default and format) and the export's words for states."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from klynge.collection.forms import CreateRequestsForm
from klynge.collection.models import PaymentRequest

pytestmark = pytest.mark.django_db


def test_the_due_date_starts_at_31_march_of_a_coming_year_as_dd_mm_yyyy() -> None:
    form = CreateRequestsForm(year=2027, today=dt.date(2026, 11, 30))

    assert form["due_date"].value() == "31-03-2027"
    assert "dd-mm-åååå" in str(form.fields["due_date"].help_text)


def test_the_page_offers_30_days_from_today_for_a_past_year_with_a_danish_hint(
    login_as, approved_run
) -> None:
    html = login_as("sekretariat").get(reverse("requests", args=[2024])).content.decode()
    default = timezone.localdate() + dt.timedelta(days=30)

    assert f'value="{default:%d-%m-%Y}"' in html
    assert 'type="text" name="due_date"' in html  # not the browser's own date format
    assert "Skriv datoen som dd-mm-åååå, fx 31-03-2025." in html


@pytest.mark.parametrize(
    ("typed", "due"),
    [("31-03-2025", dt.date(2025, 3, 31)), ("1.4.2025", dt.date(2025, 4, 1)),
     ("2025-03-31", dt.date(2025, 3, 31))],
)  # fmt: skip
def test_the_due_date_is_read_as_typed(login_as, approved_run, typed, due) -> None:
    login_as("sekretariat").post(reverse("requests-create", args=[2024]), {"due_date": typed})

    assert set(PaymentRequest.objects.values_list("due_date", flat=True)) == {due}


@pytest.mark.parametrize("typed", ["31-13-2025", "i morgen", "31-03-1900", "", "9" * 500])
def test_a_bad_due_date_stores_nothing_and_says_why(login_as, approved_run, typed) -> None:
    response = login_as("sekretariat").post(
        reverse("requests-create", args=[2024]), {"due_date": typed}, follow=True
    )

    assert PaymentRequest.objects.count() == 0
    assert "Angiv en gyldig forfaldsdato." in response.content.decode()
    form = CreateRequestsForm({"due_date": typed}, year=2024, today=dt.date(2024, 1, 1))
    assert not form.is_valid() and form.errors["due_date"]


def _states(client) -> list[str]:
    book = load_workbook(io.BytesIO(client.get(reverse("requests-export", args=[2024])).content))
    return [row[3] for row in book["Opkrævninger"].iter_rows(min_row=3, values_only=True)]


def test_the_export_names_the_states_in_the_users_language(login_as, approved_run) -> None:
    client = login_as("sekretariat")
    client.post(reverse("requests-create", args=[2024]), {"due_date": "31-03-2024"})

    danish = _states(client)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("da"):  # the request switches the thread to English
        english = _states(client)

    assert len(danish) == 17
    assert set(danish) == {"Udkast"}
    assert set(english) == {"Draft"}
