"""The lead municipality collects what it is owed; letters say where to pay."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from pypdf import PdfReader
from tests.collection.conftest import ACTOR

from klynge.audit.models import AuditEntry
from klynge.collection.letters import letter_pdf
from klynge.collection.models import PayeeAccount, Payment, PaymentRequest
from klynge.collection.selectors import payee_outstanding_ore, request_view
from klynge.collection.services import CollectionError, payee_account_set, payment_register
from klynge.masterdata.models import ClusterOffice, Municipality

pytestmark = pytest.mark.django_db
APRIL = dt.date(2024, 4, 15)
WBD = "We Build Denmark – Næstved"


def _text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def test_the_lead_registers_what_it_received_for_its_own_lines(sent_requests) -> None:
    naestved = Municipality.objects.get(code="370")
    greve = sent_requests["253"]
    wbd_share = greve.lines.get(office__name=WBD).amount_ore

    payment_register(
        actor=ACTOR, request=greve, amount_ore=wbd_share, paid_on=APRIL, reference="N-1",
        payee=naestved,
    )  # fmt: skip

    view = request_view(greve, today=APRIL)
    received = view.received_per_line()
    lines = {line.office.name: line for line in greve.lines.all()}
    assert received[lines[WBD].pk] == wbd_share  # all of it on Næstved's line
    assert sum(received.values()) == wbd_share
    assert payee_outstanding_ore(greve, naestved) == 0
    assert view.outstanding_ore == greve.total_ore - wbd_share
    assert Payment.objects.get().payee_municipality == naestved


@pytest.mark.parametrize(
    ("code", "amount", "message"),
    [
        ("370", 100, "opkræver ingen linje"),  # Næstved's own request: it collects none of it
        ("253", 3_365_227, "mere end"),  # more than is outstanding on Næstved's line of Greve's
    ],
)
def test_a_lead_payment_outside_its_lines_is_refused(sent_requests, code, amount, message) -> None:
    naestved = Municipality.objects.get(code="370")
    before = AuditEntry.objects.count()

    with pytest.raises(CollectionError, match=message):
        payment_register(
            actor=ACTOR, request=sent_requests[code], amount_ore=amount, paid_on=APRIL,
            reference="N-X", payee=naestved,
        )  # fmt: skip
    assert not Payment.objects.exists() and AuditEntry.objects.count() == before


def test_the_lead_sees_who_has_paid_and_registers_in_the_web(login_as, sent_requests) -> None:
    greve = sent_requests["253"]
    client = login_as("naestved")

    page = client.get(reverse("requests", args=[2024])).content.decode()
    detail = client.get(reverse("request-detail", args=[greve.pk])).content.decode()
    response = client.post(
        reverse("request-detail", args=[greve.pk]),
        {"amount_ore": "33.652,26", "paid_on": "2024-04-15", "reference": "NAE-253"},
        follow=True,
    )
    own = client.post(
        reverse("request-detail", args=[sent_requests["370"].pk]),
        {"amount_ore": "1,00", "paid_on": "2024-04-15", "reference": "NAE-370"},
    )

    assert "Opkrævninger, som Næstved Kommune opkræver" in page
    assert "2024-253" in page and "2024-259" in page  # every municipality that owes it
    assert "Registrér en indbetaling" in detail and "33.652,26 kr. udestående" in detail
    assert "Indbetalingen er registreret" in response.content.decode()
    assert Payment.objects.get().payee_municipality.code == "370"
    assert own.status_code == 403  # its own request: it pays, it does not collect
    assert Payment.objects.count() == 1


def test_payment_details_are_checked_and_printed_in_the_letter(sent_requests) -> None:
    naestved = Municipality.objects.get(code="370")
    greve = sent_requests["253"]

    with pytest.raises(CollectionError, match="EAN") as error:
        payee_account_set(actor=ACTOR, municipality=naestved, account="12", ean="5798000000002")
    assert "Bankkonto" in str(error.value)  # both bad fields are named
    assert not PayeeAccount.objects.exists()
    payee_account_set(
        actor=ACTOR, municipality=naestved, account="1234-567890", ean="5798000000001",
        contact="Økonomi, okonomi@naestved.dk",
    )  # fmt: skip

    text = _text(letter_pdf(greve))
    assert "konto (reg.nr. og kontonr.) 1234 0000567890" in text
    assert "EAN 5798000000001" in text
    # Slagelse (Food & Bio's lead) has none registered: the letter says who gives them.
    assert (
        "(leadkommune for Food & Bio Cluster Denmark – Slagelse): "
        "betalingsoplysninger oplyses af Slagelse Kommune." in text
    )
    assert PayeeAccount.objects.get().account == "1234 0000567890"
    assert AuditEntry.objects.filter(model="collection.payeeaccount").count() == 1


def test_the_secretariat_and_the_lead_edit_payment_details_in_the_web(login_as, demo) -> None:
    office = ClusterOffice.objects.get(name=WBD)
    url = reverse("payee-account-edit", args=["kommune", "370"])

    refused = login_as("naestved").post(url, {"account": "12", "ean": "", "contact": ""})
    stored = login_as("naestved").post(url, {"account": "1234 1", "ean": "", "contact": "x"})
    office_page = login_as("naestved").get(
        reverse("payee-account-edit", args=["kontor", office.pk])
    )

    assert "Bankkonto" in refused.content.decode() and refused.status_code == 200
    assert stored.status_code == 302
    assert PayeeAccount.objects.get(municipality__code="370").contact == "x"
    assert office_page.status_code == 403  # a lead edits its own details, not an office's


def test_every_letter_of_the_year_downloads_as_one_zip(login_as, sent_requests) -> None:
    response = login_as("sekretariat").get(reverse("letters-zip", args=[2024]))
    greve_zip = login_as("greve").get(reverse("letters-zip", args=[2024]))
    empty = login_as("sekretariat").get(reverse("letters-zip", args=[2023]), follow=True)

    names = zipfile.ZipFile(io.BytesIO(response.content)).namelist()
    assert len(names) == 17 and "opkraevning-2024-253-greve.pdf" in names
    assert zipfile.ZipFile(io.BytesIO(greve_zip.content)).namelist() == [
        "opkraevning-2024-253-greve.pdf"
    ]
    assert "Der er ingen opkrævninger for 2023" in empty.content.decode()


def test_a_payment_file_is_registered_from_the_web_all_or_nothing(login_as, sent_requests) -> None:
    client = login_as("sekretariat")
    good = "kommunekode;beløb;dato;reference\n253;1.000,00;15-04-2024;BANK-1\n"
    bad = "kommunekode;beløb;dato;reference\n253;1.000,00;15-04-2024;BANK-2\n999;5,00;x;BANK-3\n"

    refused = client.post(
        reverse("payments-import", args=[2024]),
        {"file": SimpleUploadedFile("fejl.csv", bad.encode("cp1252"))},
        follow=True,
    )
    stored = client.post(
        reverse("payments-import", args=[2024]),
        {"file": SimpleUploadedFile("bank.csv", good.encode("utf-8-sig"))},
        follow=True,
    )

    assert "fejl.csv er afvist" in refused.content.decode()
    assert "1 indbetalinger registreret" in stored.content.decode()
    assert list(Payment.objects.values_list("reference", flat=True)) == ["BANK-1"]
    assert PaymentRequest.objects.get(number="2024-253").payments.count() == 1
