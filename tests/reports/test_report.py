"""
The yearly report to KKR Sjælland: its figures against the database and the
pages, each format read back, the PDF's tags and determinism, and the
missing-run message.
"""

from __future__ import annotations

import io
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from docx import Document
from openpyxl import load_workbook
from pypdf import PdfReader
from tests.reports.conftest import NARRATIVE, YEAR

from klynge.collection.models import Payment, PaymentRequest
from klynge.contracts.models import OfficeReport, ReportStatus
from klynge.core.money import format_dkk, group_thousands
from klynge.financing.models import Agreement, AllocationLine, RunStatus
from klynge.reports import render
from klynge.reports.charts import report_charts
from klynge.reports.selectors import AnnualReport, ReportError, annual_report_data

pytestmark = pytest.mark.django_db
OFFICE = "We Build Denmark – Næstved"


def _text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return re.sub(r"\s+", " ", text)


def _database_figures() -> dict[str, int]:
    run = AllocationLine.objects.filter(run__year=YEAR, run__status=RunStatus.APPROVED)
    requests = PaymentRequest.objects.filter(year=YEAR)
    payments = Payment.objects.filter(request__year=YEAR)
    return {
        "allocated": sum(run.values_list("amount_ore", flat=True)),
        "requested": sum(requests.values_list("total_ore", flat=True)),
        "received": sum(payments.values_list("amount_ore", flat=True)),
    }


@pytest.fixture
def report(year_data: Agreement) -> AnnualReport:
    return annual_report_data(YEAR)


def test_the_report_gathers_the_database_figures_in_a_fixed_number_of_queries(
    year_data: Agreement,
) -> None:
    with CaptureQueriesContext(connection) as queries:
        report = annual_report_data(YEAR)

    figures = _database_figures()
    s = report.summary
    assert s.allocated_ore == figures["allocated"]
    assert s.requested_ore == figures["requested"]
    assert s.received_ore == figures["received"]
    assert s.outstanding_ore == figures["requested"] - figures["received"]
    assert sum(m.share_ore for m in report.municipalities) == s.allocated_ore
    assert len(report.municipalities) == 17
    office = next(o for o in report.offices if o.name == OFFICE)
    approved = OfficeReport.objects.get(status=ReportStatus.APPROVED)
    assert office.report_version == approved.version and office.narrative == NARRATIVE
    assert len(office.kpis) == approved.contract.indicators.count()
    rows = {k.key: k for k in office.kpis}
    assert rows["samarbejdsprojekter"].status_text == "opfyldt"
    assert rows["tilfredshed"].actual == "85,5 %"
    assert set(s.missing_reports) == {o.name for o in report.offices} - {OFFICE}
    # Grants to all 14 clusters have no known share for one office: "ukendt".
    assert any(f.amount_ore is None and f.amount_text == "ukendt" for f in office.funding)
    assert office.funding[0].amount_ore == office.municipal_ore
    # Bounded: the count does not depend on offices or municipalities (4 and 17 here).
    assert len(queries) < 40, [q["sql"] for q in queries.captured_queries]


def test_the_pdf_is_tagged_danish_and_says_the_database_figures(report: AnnualReport) -> None:
    pdf = render.report_pdf(report)

    reader = PdfReader(io.BytesIO(pdf))
    catalog = reader.trailer["/Root"]
    assert str(catalog["/Lang"]).startswith("da")
    assert "/StructTreeRoot" in catalog
    assert catalog["/MarkInfo"]["/Marked"]
    assert reader.metadata is not None and reader.metadata.title == report.title
    text = _text(pdf)
    figures = _database_figures()
    for amount in (figures["allocated"], figures["requested"], figures["received"]):
        assert format_dkk(amount) in text
    assert format_dkk(figures["requested"] - figures["received"]) in text
    for m in report.municipalities:
        share, requested = (
            format_dkk(m.share_ore, unit=False),
            format_dkk(m.requested_ore, unit=False),
        )
        assert f"{m.name} {share} {requested}" in text
    assert NARRATIVE in text
    assert "Virksomheder i samarbejds- og innovationsprojekter" in text
    assert "ukendt" in text and "Demodata" in text
    assert f"Kontorerne nåede {group_thousands(report.summary.companies)} virksomheder" in text


def test_the_same_data_give_a_byte_identical_pdf_dated_from_the_data(
    report: AnnualReport,
) -> None:
    first = render.report_pdf(report)
    again = render.report_pdf(annual_report_data(YEAR), report_charts(report))

    assert first == again
    created = PdfReader(io.BytesIO(first)).metadata
    assert created is not None
    assert created["/CreationDate"].startswith("D:" + report.data_date.strftime("%Y%m%d"))
    assert render.report_docx(report) == render.report_docx(report)


def test_the_docx_and_xlsx_hold_the_database_figures(report: AnnualReport) -> None:
    document = Document(io.BytesIO(render.report_docx(report)))
    text = "\n".join(p.text for p in document.paragraphs)
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    figures = _database_figures()
    assert report.title in text and NARRATIVE in text
    assert format_dkk(figures["allocated"]) in cells
    assert format_dkk(figures["received"]) in cells
    assert "{{" not in text and not any("{%" in c for c in cells)
    pictures = document.element.body.xpath(".//wp:inline/wp:docPr")
    assert len(pictures) == 3 and all(p.get("descr") for p in pictures)
    assert document.core_properties.language == "da-DK"

    book = load_workbook(io.BytesIO(render.report_xlsx(report)))
    summary = {row[0]: row[1] for row in book["Sammenfatning"].iter_rows(values_only=True)}
    assert (
        Decimal(str(summary["Kommunal finansiering, beregnet (kr.)"])) * 100 == figures["allocated"]
    )
    assert Decimal(str(summary["Betalt (kr.)"])) * 100 == figures["received"]
    rows = list(book["Kommuner"].iter_rows(min_row=2, values_only=True))
    assert len(rows) == 17
    shares = AllocationLine.objects.filter(run__year=YEAR, run__status=RunStatus.APPROVED)
    for code, _name, _pop, share, *_rest in rows:
        expected = sum(shares.filter(municipality__code=code).values_list("amount_ore", flat=True))
        assert Decimal(str(share)) * 100 == expected
    kpis = list(book["Resultatmål"].iter_rows(min_row=2, values_only=True))
    assert len(kpis) == len(next(o for o in report.offices if o.name == OFFICE).kpis)


def test_the_report_agrees_with_the_allocation_payment_and_reach_pages(
    report: AnnualReport, login_as
) -> None:
    client: Client = login_as("sekretariat")
    allocation = client.get(reverse("allocation", args=[YEAR]))
    table = allocation.context["shown"].table
    assert allocation.context["shown"].run.pk == report.run_id
    html = allocation.content.decode()
    for m in report.municipalities:
        assert m.share_ore == table.municipality_totals[m.code]
        assert format_dkk(m.share_ore, unit=False) in html
    for o in report.offices:
        assert o.municipal_ore == table.office_totals[o.name]

    payments = client.get(reverse("requests", args=[YEAR]))
    totals = payments.context["totals"]
    s = report.summary
    assert (s.requested_ore, s.received_ore, s.outstanding_ore) == (
        totals.requested_ore, totals.received_ore, totals.outstanding_ore,
    )  # fmt: skip
    by_code = {v.request.municipality.code: v for v in payments.context["views"]}
    html = payments.content.decode()
    for m in report.municipalities:
        view = by_code[m.code]
        assert (m.requested_ore, m.received_ore, m.outstanding_ore) == (
            view.request.total_ore, view.received_ore, view.outstanding_ore,
        )  # fmt: skip
        assert format_dkk(m.outstanding_ore, unit=False) in html
    for o in report.offices:
        reconciled = payments.context["offices"][o.name]
        assert (o.requested_ore, o.received_ore) == (
            reconciled.requested_ore, reconciled.received_ore,
        )  # fmt: skip

    reach = client.get(reverse("reach"), {"aar": YEAR})
    assert reach.context["total_companies"] == s.companies
    pages = {m.code: m for m in reach.context["municipalities"]}
    for m in report.municipalities:
        assert (m.companies, m.smes) == (pages[m.code].companies, pages[m.code].smes)
    offices = {r.office.name: r for r in reach.context["offices"]}
    for o in report.offices:
        assert o.companies == offices[o.name].companies


def test_a_year_without_an_approved_run_lists_what_is_missing(year_data: Agreement) -> None:
    with pytest.raises(ReportError) as caught:
        annual_report_data(2023)

    message = caught.value.message
    assert message.startswith("Årsrapporten for 2023 kan ikke laves. Der mangler:")
    assert "en godkendt fordeling for 2023" in message
    assert "en opfølgningsrunde for 2023" in message
    with pytest.raises(ReportError, match="en aftale, der dækker 2031"):
        annual_report_data(2031)
