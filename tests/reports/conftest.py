"""
Fixtures of the report tests: the 2024 year with an approved run, its requests,
two payments, the demo participation (small) and We Build Denmark's approved
follow-up report, all made through the services.
"""

from __future__ import annotations

import datetime as dt

import pytest
from tests.contracts.conftest import PDF, office_contract_input

from klynge.audit.services import Actor
from klynge.collection.services import payment_register, requests_create
from klynge.contracts.models import Contract, OfficeReport
from klynge.contracts.services import (
    EnteredResult,
    contract_sign,
    document_upload,
    report_review,
    report_save,
    report_submit,
    round_open,
    targets_set,
)
from klynge.demo.participation import demo_participation_load
from klynge.financing.models import Agreement, AllocationRun
from klynge.financing.services import allocation_run_approve, allocation_run_create

ACTOR = Actor.system("test")
YEAR = 2024
NARRATIVE = "Året i korte træk: tre nye netværk og et eksportprojekt."


def approve_year(agreement: Agreement, year: int = YEAR) -> AllocationRun:
    run = allocation_run_create(actor=ACTOR, agreement=agreement, year=year)
    return allocation_run_approve(actor=ACTOR, run=run, confirmed=True)


def approved_report(agreement: Agreement, year: int = YEAR) -> OfficeReport:
    from klynge.contracts.services import contract_create

    contract: Contract = contract_create(actor=ACTOR, data=office_contract_input(agreement))
    document_upload(actor=ACTOR, contract=contract, file_name="kontrakt.pdf", data=PDF)
    contract = contract_sign(actor=ACTOR, contract=contract, signed_on=dt.date(2022, 1, 15))
    targets_set(
        actor=ACTOR, indicator=contract.indicators.get(key="samarbejdsprojekter"),
        targets={year: "10"},
    )  # fmt: skip
    targets_set(
        actor=ACTOR, indicator=contract.indicators.get(key="unikke-virksomheder"),
        targets={year: "50"},
    )  # fmt: skip
    follow_up = round_open(
        actor=ACTOR, year=year, opens_on=dt.date(year + 1, 1, 5),
        deadline=dt.date(year + 1, 3, 1),
    )  # fmt: skip
    report = follow_up.reports.get()
    entered = {
        i.pk: EnteredResult(value="8", comment="Godt år")
        for i in contract.indicators.filter(source="entered").exclude(kind__in=["text"])
    }
    entered[contract.indicators.get(key="samarbejdsprojekter").pk] = EnteredResult(value="12")
    entered[contract.indicators.get(key="tilfredshed").pk] = EnteredResult(value="85,5")
    entered[contract.indicators.get(key="ekstern-finansiering").pk] = EnteredResult(value="250.000")
    entered[contract.indicators.get(key="aarets-resultater").pk] = EnteredResult(value="Tre net.")
    report_save(actor=ACTOR, report=report, narrative=NARRATIVE, results=entered)
    report = report_submit(actor=ACTOR, report=report)
    return report_review(actor=ACTOR, report=report, approve=True, comment="")


@pytest.fixture
def year_data(demo: Agreement) -> Agreement:
    """2024 ready for the report: approved run, requests, payments, reach, one approved report."""
    demo_participation_load(
        companies=120, activities_per_office=6, participations_per_office=150,
        knowledge_institutions=2,
    )  # fmt: skip
    run = approve_year(demo)
    requests = {r.municipality.code: r for r in requests_create(
        actor=ACTOR, run=run, due_date=dt.date(YEAR, 3, 31))}  # fmt: skip
    greve = requests["253"]
    payment_register(actor=ACTOR, request=greve, amount_ore=greve.total_ore,
                     paid_on=dt.date(YEAR, 3, 20), reference="R-GREVE")  # fmt: skip
    lejre = requests["350"]
    payment_register(actor=ACTOR, request=lejre, amount_ore=lejre.total_ore // 3,
                     paid_on=dt.date(YEAR, 4, 2), reference="R-LEJRE")  # fmt: skip
    approved_report(demo)
    return demo
