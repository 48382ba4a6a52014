"""Fixtures of the contracts tests: We Build Denmark's signed contract with Næstved."""

from __future__ import annotations

import datetime as dt

import pytest

from klynge.audit.services import Actor
from klynge.contracts.models import Contract, ContractKind, OfficeReport
from klynge.contracts.services import (
    ContractInput,
    EnteredResult,
    contract_create,
    contract_sign,
    document_upload,
    report_save,
    report_submit,
)
from klynge.financing.models import Agreement
from klynge.masterdata.models import ClusterOffice, Municipality

ACTOR = Actor.system("test")
PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
OFFICE = "We Build Denmark – Næstved"


def office_contract_input(agreement: Agreement, **changes: object) -> ContractInput:
    values: dict[str, object] = {
        "kind": ContractKind.OFFICE,
        "title": "Resultatkontrakt We Build Denmark",
        "first_year": 2022,
        "last_year": 2024,
        "office": ClusterOffice.objects.get(name=OFFICE),
        "lead_municipality": Municipality.objects.get(code="370"),
        "agreement": agreement,
    }
    values.update(changes)
    return ContractInput(**values)  # type: ignore[arg-type]


@pytest.fixture
def contract(demo: Agreement) -> Contract:
    """A draft office contract with the default KPI set."""
    return contract_create(actor=ACTOR, data=office_contract_input(demo))


@pytest.fixture
def signed(contract: Contract) -> Contract:
    document_upload(actor=ACTOR, contract=contract, file_name="kontrakt.pdf", data=PDF)
    return contract_sign(actor=ACTOR, contract=contract, signed_on=dt.date(2022, 1, 15))


def submit(report: OfficeReport) -> OfficeReport:
    """Enter a value for every entered indicator of the default set and submit the report."""
    indicators = report.contract.indicators.filter(source="entered")
    entered = {i.pk: EnteredResult(value="8") for i in indicators.exclude(kind="text")}
    values = {"tilfredshed": "85,5", "ekstern-finansiering": "250.000", "aarets-resultater": "Ja"}
    for key, value in values.items():
        entered[indicators.get(key=key).pk] = EnteredResult(value=value)
    report_save(actor=ACTOR, report=report, narrative="Året", results=entered)
    return report_submit(actor=ACTOR, report=report)
