"""The request letter: a tagged Danish PDF whose text holds the amounts and how they came."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from klynge.collection.letters import letter_pdf
from klynge.collection.models import PaymentRequest

pytestmark = pytest.mark.django_db


def _text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_the_letter_states_the_amounts_the_municipality_and_the_due_date(sent_requests) -> None:
    greve = PaymentRequest.objects.get(municipality__code="253")

    pdf = letter_pdf(greve)
    text = _text(pdf)

    assert pdf.startswith(b"%PDF-")
    assert "Greve Kommune" in text
    assert "Opkrævning 2024-253" in text
    assert "133.146,68" in text  # the total
    assert "33.652,26" in text  # the share of We Build Denmark
    assert "31. marts 2024" in text
    assert "fordeles efter indbyggertal" in text  # how it was computed
    assert "Næstved Kommune (leadkommune for We Build Denmark – Næstved)" in " ".join(text.split())
    assert "Sådan er beløbet beregnet" in text  # Danish letters intact (å, æ)


def test_the_letter_is_tagged_danish_and_embeds_its_fonts(sent_requests) -> None:
    reader = PdfReader(io.BytesIO(letter_pdf(sent_requests["259"])))

    catalog = reader.trailer["/Root"]
    assert str(catalog["/Lang"]).startswith("da")
    assert "/StructTreeRoot" in catalog  # tagged PDF for screen readers
    assert catalog["/MarkInfo"]["/Marked"]
    fonts = {
        str(font.get_object()["/BaseFont"])
        for page in reader.pages
        for font in page["/Resources"]["/Font"].values()
    }
    assert all("IBMPlexSans" in name for name in fonts), fonts
    assert reader.metadata.title == "Opkrævning 2024-259 – Køge Kommune"
