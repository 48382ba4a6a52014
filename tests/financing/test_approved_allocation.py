"""The year's approved allocation read from its stored run alone (the API's reach)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from klynge.audit.services import Actor
from klynge.financing.models import Agreement
from klynge.financing.selectors import allocation_for_year, approved_allocation_for_year
from klynge.financing.services import allocation_run_approve, allocation_run_create

pytestmark = pytest.mark.django_db

ACTOR = Actor.system("test")


def test_a_year_without_an_approved_run_or_an_agreement_has_none(demo: Agreement) -> None:
    allocation_run_create(actor=ACTOR, agreement=demo, year=2024)  # computed, not approved

    assert approved_allocation_for_year(year=2024) is None
    assert approved_allocation_for_year(year=demo.last_year + 1) is None


def test_the_approved_run_and_table_without_todays_inputs(demo: Agreement) -> None:
    run = allocation_run_create(actor=ACTOR, agreement=demo, year=2024)
    run = allocation_run_approve(actor=ACTOR, run=run, confirmed=True)
    shown = allocation_for_year(year=2024)
    assert shown is not None and shown.table is not None

    found = approved_allocation_for_year(year=2024)

    assert found is not None and found.table is not None and found.run is not None
    assert found.approved and found.run.pk == run.pk
    assert found.table.municipality_totals == shown.table.municipality_totals
    assert found.table.population == shown.table.population
    assert found.live_fingerprint is None  # today's inputs were not read
    with CaptureQueriesContext(connection) as queries:
        approved_allocation_for_year(year=2024)
    assert len(queries) <= 2, [q["sql"] for q in queries.captured_queries]  # agreement, run
