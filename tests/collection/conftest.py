from __future__ import annotations

import datetime as dt

import pytest

from klynge.audit.services import Actor
from klynge.collection.services import request_send, requests_create
from klynge.financing.models import Agreement, AllocationRun
from klynge.financing.services import allocation_run_approve, allocation_run_create

ACTOR = Actor.system("test")
DUE = dt.date(2024, 3, 31)


@pytest.fixture
def approved_run(demo: Agreement) -> AllocationRun:
    run = allocation_run_create(actor=ACTOR, agreement=demo, year=2024)
    return allocation_run_approve(actor=ACTOR, run=run, confirmed=True)


@pytest.fixture
def sent_requests(approved_run: AllocationRun):
    """The 2024 requests, made and sent on 1 February 2024."""
    created = requests_create(actor=ACTOR, run=approved_run, due_date=DUE)
    return {
        r.municipality.code: request_send(actor=ACTOR, request=r, sent_on=dt.date(2024, 2, 1))
        for r in created
    }
