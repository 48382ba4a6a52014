"""The Opkrævninger pages: the secretariat's flow and a municipality's own bills."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from tests.collection.conftest import ACTOR

from klynge.collection.models import Payment, PaymentRequest
from klynge.collection.services import payment_register

pytestmark = pytest.mark.django_db


def test_the_secretariat_goes_from_approved_run_to_payments(login_as, approved_run) -> None:
    client = login_as("sekretariat")

    client.post(reverse("requests-create", args=[2024]), {"due_date": "2024-03-31"})
    client.post(reverse("requests-send", args=[2024]))
    greve = PaymentRequest.objects.get(municipality__code="253")
    partial = client.post(
        reverse("request-detail", args=[greve.pk]),
        {"amount_ore": "100.000,00", "paid_on": "2024-03-20", "reference": "Bank 1"},
    )
    too_much = client.post(
        reverse("request-detail", args=[greve.pk]),
        {"amount_ore": "100.000,00", "paid_on": "2024-03-21", "reference": "Bank 2"},
    )
    page = client.get(reverse("requests", args=[2024])).content.decode()

    assert partial.status_code == 302
    assert too_much.status_code == 200
    assert "er mere end de 33.146,68 kr., der udestår" in too_much.content.decode()
    assert Payment.objects.count() == 1
    assert "4.000.000,00 kr." in page  # requested
    assert "100.000,00 kr." in page  # received
    assert "Rykkere" in page


def test_the_municipality_page_shows_what_each_year_has_paid(login_as, sent_requests) -> None:
    payment_register(
        actor=ACTOR, request=sent_requests["253"], amount_ore=5_000_000,
        paid_on=dt.date(2024, 3, 20), reference="Bank 1",
    )  # fmt: skip

    html = login_as("greve").get(reverse("municipality-detail", args=["253"])).content.decode()

    paid_2024 = f'<a href="{reverse("requests", args=[2024])}">50.000,00</a></td>'
    assert paid_2024 in html
    assert html.count(paid_2024) == 1


def test_a_municipality_sees_only_its_own_bills(login_as, approved_run) -> None:
    login_as("sekretariat").post(
        reverse("requests-create", args=[2024]), {"due_date": "2024-03-31"}
    )

    page = login_as("greve").get(reverse("requests", args=[2024])).content.decode()
    book = load_workbook(
        io.BytesIO(login_as("greve").get(reverse("requests-export", args=[2024])).content)
    )

    assert "2024-253" in page
    assert "2024-370" not in page
    assert "Rykkere" not in page
    assert [row[0] for row in book["Opkrævninger"].iter_rows(min_row=3, values_only=True)] == [
        "2024-253"
    ]


def test_the_export_opens_with_exact_amounts(login_as, approved_run) -> None:
    client = login_as("sekretariat")
    client.post(reverse("requests-create", args=[2024]), {"due_date": "2024-03-31"})

    book = load_workbook(io.BytesIO(client.get(reverse("requests-export", args=[2024])).content))

    rows = list(book["Opkrævninger"].iter_rows(min_row=3, values_only=True))
    assert len(rows) == 17
    assert sum(round(row[5] * 100) for row in rows) == 400_000_000
    assert book.sheetnames == ["Opkrævninger", "Indbetalinger"]


def test_the_municipality_page_shows_the_payment_status(login_as, approved_run) -> None:
    login_as("sekretariat").post(
        reverse("requests-create", args=[2024]), {"due_date": "2024-03-31"}
    )

    html = login_as("greve").get(reverse("home")).content.decode()

    assert "Betalingsstatus" in html
    assert "2024-253" in html and "Udkast" in html


def test_a_municipality_downloads_its_own_letter_only(login_as, approved_run) -> None:
    login_as("sekretariat").post(
        reverse("requests-create", args=[2024]), {"due_date": "2024-03-31"}
    )
    greve = PaymentRequest.objects.get(municipality__code="253")
    koege = PaymentRequest.objects.get(municipality__code="259")

    own = login_as("greve").get(reverse("request-letter", args=[greve.pk]))
    other = login_as("greve").get(reverse("request-letter", args=[koege.pk]))

    assert own.status_code == 200 and own["Content-Type"] == "application/pdf"
    assert own.content.startswith(b"%PDF-")
    assert other.status_code == 404


def test_the_secretariat_corrects_an_approved_year_in_the_web(login_as, demo) -> None:
    """The issue's flow: approve 2024, learn Lejre is out, correct, settle, send the letters."""
    client = login_as("sekretariat")
    client.post(reverse("allocation-save", args=[2024]))
    run = demo.runs.get()
    client.post(reverse("allocation-approve", args=[2024, run.pk]), {"confirmed": "on"})
    client.post(reverse("requests-create", args=[2024]), {"due_date": "2024-03-31"})
    client.post(reverse("requests-send", args=[2024]))
    client.post(
        reverse("participation-edit", args=[2024, "350"]),
        {"participates": "0", "basis": "fact", "note": "KKR-referat 2024"},
    )

    allocation = client.get(reverse("allocation", args=[2024])).content.decode()
    preview = client.get(reverse("allocation-correction", args=[2024])).content.decode()
    no_reason = client.post(
        reverse("allocation-correction", args=[2024]), {"reason": "", "confirmed": "on"}
    )
    corrected = client.post(
        reverse("allocation-correction", args=[2024]),
        {"reason": "Lejre deltager ikke (KKR 2024).", "confirmed": "on"},
        follow=True,
    )
    requests_page = client.get(reverse("requests", args=[2024])).content.decode()
    settled = client.post(
        reverse("requests-settle", args=[2024]), {"due_date": "2024-06-30"}, follow=True
    )
    client.post(reverse("requests-send", args=[2024]))
    letters = zipfile.ZipFile(
        io.BytesIO(client.get(reverse("letters-zip", args=[2024])).content)
    ).namelist()

    assert reverse("allocation-correction", args=[2024]) in allocation  # the way to correct
    assert "Lejre" in preview and "Forskel" in preview
    assert no_reason.status_code == 200 and "Begrundelse" in no_reason.content.decode()
    assert "erstatter nu" in corrected.content.decode()
    assert "erstatter #" in corrected.content.decode()  # the new run says what it replaced
    assert "afregn opkrævningerne" in requests_page
    assert "16 efteropkrævninger, 0 kreditnotaer og 1 annullerede" in settled.content.decode()
    assert PaymentRequest.objects.get(number="2024-350").status == "cancelled"
    assert PaymentRequest.objects.filter(kind="supplement", status="sent").count() == 16
    assert "annullering-opkraevning-2024-350-lejre.pdf" in letters
    assert "efteropkraevning-2024-253-E1-greve.pdf" in letters
    assert len(letters) == 17 + 16
