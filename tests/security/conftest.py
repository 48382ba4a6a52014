"""Fixtures of the security tests: one client per role, and the objects they reach for."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from klynge.accounts.services.tokens import token_create
from klynge.audit.services import Actor
from klynge.collection.services import requests_create
from klynge.contracts.models import Contract, ContractKind, ContractStatus
from klynge.contracts.services import (
    ContractInput,
    contract_create,
    contract_sign,
    document_upload,
    round_open,
)
from klynge.core.scenario import Changes
from klynge.core.statbank import Quarter
from klynge.financing.models import Agreement, AllocationRun, OfficeLead
from klynge.financing.services import (
    allocation_run_approve,
    allocation_run_create,
    scenario_save,
)
from klynge.funding.models import Grant
from klynge.masterdata.models import ClusterOffice, Partnership, PopulationFigure
from klynge.masterdata.services import population_fetch_record
from klynge.masterdata.statbank import StatbankAnswer
from klynge.participation.models import Activity, Participant
from klynge.participation.services import import_check, import_commit

ANONYMOUS = "anonym"
NO_ROLE = "ingen-rolle"
ROLES = ("sekretariat", "greve", "naestved", "webuild", "laeser", NO_ROLE, ANONYMOUS)


@dataclass(frozen=True)
class World:
    """The objects the matrix asks about."""

    agreement: Agreement
    own_office: ClusterOffice  # We Build Denmark: webuild's office, led by Næstved
    other_office: ClusterOffice  # Food & Bio: nobody's in the demo but the secretariat's
    run: AllocationRun
    greve_user_pk: int
    greve_request_pk: int  # Greve's 2024 payment request, made from the approved run
    naestved_request_pk: int  # Næstved's own 2024 request: Næstved collects none of its lines
    grant_pk: int  # Region Sjælland's grant to Danish Life Science Cluster
    scenario_pk: int  # "Lejre udtræder", saved on 2024
    batch_pk: int  # a stored participant file of webuild's office, with a contact person
    other_batch_pk: int  # a stored participant file of Food & Bio (not webuild's)
    refused_batch_pk: int  # a file of webuild's office with a bad CVR number, not stored
    participant_pk: int
    activity_pk: int
    contract_pk: int  # We Build Denmark's signed contract with Næstved (2022-2024)
    other_contract_pk: int  # Food & Bio's signed contract (not webuild's, not Næstved's)
    report_pk: int  # We Build Denmark's report in the 2024 round (draft)
    other_report_pk: int  # Food & Bio's report in the 2024 round
    document_pk: int  # the signed PDF of We Build Denmark's contract
    indicator_pk: int  # the first indicator of We Build Denmark's contract
    token_pk: int  # the secretariat's API token (read)
    population_fetch_pk: int  # a StatBank fetch of FOLK1A 2021K1, awaiting confirmation


CONTRACT_PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PARTICIPANT_FILE = (
    "Aktivitets-id;Aktivitet;Aktivitetstype;Dato;CVR-nummer;Navn;Postnummer;Kontaktperson;E-mail\n"
    "M-1;Matrixmøde;netværksmøde;01-03-2024;12345674;Matrix ApS;4700;Mia Matrix;mia@example.dk\n"
)


def _stored_batch(actor: Actor, office: ClusterOffice, data: str) -> int:
    batch = import_check(actor=actor, office=office, file_name="m.csv", data=data.encode())
    if batch.status == "checked":
        import_commit(actor=actor, batch=batch)
    return batch.pk


def _signed_contract(actor: Actor, agreement: Agreement, office: ClusterOffice) -> Contract:
    """The office's signed contract: the demo's when it is loaded (e2e), else a new one."""
    found = Contract.objects.filter(office=office, status=ContractStatus.SIGNED).first()
    if found is not None:
        return found
    first = max(2022, agreement.first_year)
    lead = OfficeLead.objects.get(agreement=agreement, office=office, year=first).municipality
    contract = contract_create(
        actor=actor,
        data=ContractInput(
            kind=ContractKind.OFFICE, title=f"Resultatkontrakt {office.name}",
            first_year=first, last_year=agreement.last_year, office=office,
            lead_municipality=lead, agreement=agreement,
        ),
    )  # fmt: skip
    document_upload(actor=actor, contract=contract, file_name="kontrakt.pdf", data=CONTRACT_PDF)
    return contract_sign(actor=actor, contract=contract, signed_on=dt.date(first, 1, 15))


def _pending_fetch(actor: Actor) -> int:
    """A fetch of the stored 2021 figures as if StatBank had answered them, not yet stored."""
    figures = dict(
        PopulationFigure.objects.filter(reference_date=dt.date(2021, 1, 1)).values_list(
            "municipality__code", "population"
        )
    )
    answer = StatbankAnswer(
        table="FOLK1A", quarter=Quarter(2021, 1), request_url="https://api.statbank.dk/v1/data",
        request_body={}, response_text="", response_sha256="0" * 64, figures=figures,
        fetched_at=dt.datetime.now(tz=dt.UTC),
    )  # fmt: skip
    partnership = Partnership.objects.get(key="sjaelland")
    return population_fetch_record(actor=actor, partnership=partnership, answer=answer).pk


def make_world(agreement: Agreement) -> World:
    """The user without a role, the approved 2024 run with its requests, and two offices."""
    get_user_model().objects.create_user(username=NO_ROLE, password="x-not-used-123")
    actor = Actor.system("test")
    run = allocation_run_create(actor=actor, agreement=agreement, year=2024)
    run = allocation_run_approve(actor=actor, run=run, confirmed=True)
    requests = requests_create(actor=actor, run=run, due_date=dt.date(2024, 3, 31))
    own = ClusterOffice.objects.get(name="We Build Denmark – Næstved")
    other = ClusterOffice.objects.get(name="Food & Bio Cluster Denmark – Slagelse")
    batch_pk = _stored_batch(actor, own, PARTICIPANT_FILE)
    contract = _signed_contract(actor, agreement, own)
    other_contract = _signed_contract(actor, agreement, other)
    follow_up = round_open(
        actor=actor, year=2024, opens_on=dt.date(2025, 1, 5), deadline=dt.date(2025, 3, 1)
    )
    reports = {r.contract_id: r.pk for r in follow_up.reports.all()}
    return World(
        agreement=agreement,
        own_office=own,
        other_office=other,
        run=run,
        greve_user_pk=get_user_model().objects.get(username="greve").pk,
        greve_request_pk=next(r.pk for r in requests if r.municipality.code == "253"),
        naestved_request_pk=next(r.pk for r in requests if r.municipality.code == "370"),
        grant_pk=Grant.objects.get(key="region-dlsc").pk,
        scenario_pk=scenario_save(
            actor=actor, agreement=agreement, year=2024, name="Lejre udtræder",
            changes=Changes(leave=frozenset({"350"})),
        ).pk,
        batch_pk=batch_pk,
        other_batch_pk=_stored_batch(actor, other, PARTICIPANT_FILE.replace("M-1", "F-1")),
        refused_batch_pk=_stored_batch(actor, own, PARTICIPANT_FILE.replace("12345674", "1")),
        participant_pk=Participant.objects.get(cvr="12345674").pk,
        activity_pk=Activity.objects.get(external_id="M-1").pk,
        contract_pk=contract.pk,
        other_contract_pk=other_contract.pk,
        report_pk=reports[contract.pk],
        other_report_pk=reports[other_contract.pk],
        document_pk=contract.documents.values_list("pk", flat=True).first() or 0,
        indicator_pk=contract.indicators.values_list("pk", flat=True).first() or 0,
        token_pk=token_create(
            actor=actor, user=get_user_model().objects.get(username="sekretariat"),
            name="matrix", scope="read", days=30,
        )[0].pk,
        population_fetch_pk=_pending_fetch(actor),
    )  # fmt: skip


@pytest.fixture
def world(demo: Agreement) -> World:
    return make_world(demo)


@pytest.fixture
def clients(world: World) -> dict[str, Client]:
    """A logged-in client per role name (and an anonymous one)."""
    result = {ANONYMOUS: Client()}
    for username in ROLES:
        if username == ANONYMOUS:
            continue
        client = Client()
        client.force_login(get_user_model().objects.get(username=username))
        result[username] = client
    return result
