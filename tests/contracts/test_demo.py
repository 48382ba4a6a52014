"""The demo contracts: signed, labelled demodata, with approved 2022 and 2023 follow-up."""

from __future__ import annotations

import hashlib

import pypdf
import pytest

from klynge.common.choices import Basis
from klynge.contracts.models import Contract, ContractStatus, OfficeReport, ReportStatus
from klynge.contracts.selectors import attainment
from klynge.core import kpi
from klynge.demo.contracts import demo_contracts_load, demo_document
from klynge.demo.participation import demo_participation_load
from klynge.financing.models import Agreement

pytestmark = pytest.mark.django_db


def test_the_demo_contracts_are_signed_labelled_and_followed_up(demo: Agreement) -> None:
    demo_participation_load(
        companies=80, activities_per_office=12, participations_per_office=150,
        knowledge_institutions=2,
    )  # fmt: skip
    counts = demo_contracts_load()
    assert counts == {"contracts": 5, "rounds": 2}
    contracts = list(Contract.objects.all())
    assert {c.basis for c in contracts} == {Basis.DEMO}
    assert all("demodata" in c.title for c in contracts)
    assert {c.status for c in contracts} == {ContractStatus.SIGNED}
    for contract in contracts:
        document = contract.documents.get()
        assert hashlib.sha256(bytes(document.content)).hexdigest() == document.sha256
    reports = OfficeReport.objects.all()
    assert {r.round.year for r in reports} == {2022, 2023}
    assert {r.status for r in reports} == {ReportStatus.APPROVED}
    assert {r.basis for r in reports} == {Basis.DEMO}
    statuses = {row.status for a in attainment(year=2023) for row in a.rows}
    assert {kpi.Status.MET, kpi.Status.NOT_MET, kpi.Status.NOT_MEASURED} <= statuses
    # Loading again changes nothing.
    assert demo_contracts_load() == {"contracts": 0, "rounds": 0}
    assert Contract.objects.count() == 5


def test_the_demo_document_is_the_same_tagged_pdf_every_time() -> None:
    first = demo_document("Resultatkontrakt (demodata)", "A og B", "2022-2024")
    assert first == demo_document("Resultatkontrakt (demodata)", "A og B", "2022-2024")
    reader = pypdf.PdfReader(__import__("io").BytesIO(first))
    assert "DEMODATA" in reader.pages[0].extract_text()
    assert reader.trailer["/Root"]["/Lang"] == "da"


def test_attainment_reads_every_office_in_a_fixed_number_of_queries(
    demo: Agreement, django_assert_max_num_queries
) -> None:
    demo_participation_load(
        companies=40, activities_per_office=6, participations_per_office=60,
        knowledge_institutions=1,
    )  # fmt: skip
    demo_contracts_load()
    with django_assert_max_num_queries(6):
        shown = attainment(year=2023)
    assert len(shown) == 4 and all(a.report is not None for a in shown)
    assert all(len(a.rows) == 12 for a in shown)
