"""Requests from an approved run, payments, and their reconciliation."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.collection.conftest import ACTOR, DUE

from klynge.audit.models import AuditEntry
from klynge.collection.models import Payment, PaymentRequest, RequestStatus
from klynge.collection.selectors import (
    office_reconciliation,
    reminders,
    request_list,
    request_view,
    totals,
)
from klynge.collection.services import (
    CollectionError,
    PaymentFileError,
    PaymentRow,
    payment_register,
    payments_import,
    request_cancel,
    requests_create,
)
from klynge.core.collection import State
from klynge.financing.models import AllocationLine, Collector
from klynge.financing.services import allocation_run_create

pytestmark = pytest.mark.django_db
APRIL = dt.date(2024, 4, 15)


def test_requests_add_up_to_the_approved_run(approved_run) -> None:
    created = requests_create(actor=ACTOR, run=approved_run, due_date=DUE)

    run_total = sum(
        AllocationLine.objects.filter(run=approved_run).values_list("amount_ore", flat=True)
    )
    assert sum(r.total_ore for r in created) == run_total == 400_000_000
    assert len(created) == 17  # every municipality pays something in 2024
    greve = PaymentRequest.objects.get(municipality__code="253")
    assert greve.number == "2024-253"
    assert greve.total_ore == 13_314_668
    assert sorted(line.amount_ore for line in greve.lines.all())[-1] == 3_391_247
    assert AuditEntry.objects.filter(model="collection.paymentrequest").count() == 17


def test_lines_name_who_collects(approved_run) -> None:
    requests_create(actor=ACTOR, run=approved_run, due_date=DUE)

    greve = PaymentRequest.objects.get(municipality__code="253")
    wbd = greve.lines.get(office__name="We Build Denmark – Næstved")
    naestved = PaymentRequest.objects.get(municipality__code="370")
    own_lead_line = naestved.lines.get(office__name="We Build Denmark – Næstved")
    assert approved_run.agreement.collector == Collector.LEAD
    assert wbd.payee.startswith("Næstved")
    assert own_lead_line.role == "lead"
    assert (
        own_lead_line.payee == "We Build Denmark – Næstved"
    )  # the lead pays its share to the office


def test_requests_need_an_approved_run(demo) -> None:
    run = allocation_run_create(actor=ACTOR, agreement=demo, year=2024)

    with pytest.raises(CollectionError, match="godkendt"):
        requests_create(actor=ACTOR, run=run, due_date=DUE)
    assert not PaymentRequest.objects.exists()


def test_requests_are_made_once_per_run(approved_run) -> None:
    requests_create(actor=ACTOR, run=approved_run, due_date=DUE)

    with pytest.raises(CollectionError, match="allerede"):
        requests_create(actor=ACTOR, run=approved_run, due_date=DUE)
    assert PaymentRequest.objects.count() == 17


def test_partial_then_full_payment_and_the_states(sent_requests) -> None:
    greve = sent_requests["253"]

    payment_register(
        actor=ACTOR, request=greve, amount_ore=5_000_000, paid_on=APRIL, reference="B1"
    )
    partly = request_view(greve, today=dt.date(2024, 3, 1))
    overdue = request_view(greve, today=APRIL)
    payment_register(
        actor=ACTOR, request=greve, amount_ore=8_314_668, paid_on=APRIL, reference="B2"
    )

    assert partly.state == State.PARTLY_PAID and partly.outstanding_ore == 8_314_668
    assert overdue.state == State.OVERDUE
    assert request_view(greve, today=APRIL).state == State.PAID
    assert AuditEntry.objects.filter(model="collection.payment").count() == 2


@pytest.mark.parametrize(
    ("amount", "reference", "message"),
    [
        (0, "X1", "positivt"),
        (-100, "X2", "positivt"),
        (13_314_669, "X3", "mere end"),
        (100, "  ", "reference"),
    ],
)
def test_bad_payments_are_refused_and_change_nothing(
    sent_requests, amount, reference, message
) -> None:
    with pytest.raises(CollectionError, match=message):
        payment_register(
            actor=ACTOR, request=sent_requests["253"], amount_ore=amount, paid_on=APRIL,
            reference=reference,
        )  # fmt: skip
    assert not Payment.objects.exists()


def test_an_overpayment_is_accepted_only_when_marked(sent_requests) -> None:
    greve = sent_requests["253"]

    payment = payment_register(
        actor=ACTOR, request=greve, amount_ore=13_400_000, paid_on=APRIL, reference="OVER",
        overpayment=True,
    )  # fmt: skip

    view = request_view(greve, today=APRIL)
    assert payment.overpayment
    assert view.state == State.PAID and view.overpaid_ore == 85_332


def test_the_same_reference_is_never_booked_twice(sent_requests) -> None:
    payment_register(
        actor=ACTOR, request=sent_requests["253"], amount_ore=100, paid_on=APRIL, reference="R"
    )

    with pytest.raises(CollectionError, match="allerede registreret"):
        payment_register(
            actor=ACTOR, request=sent_requests["253"], amount_ore=100, paid_on=APRIL, reference="R"
        )
    assert Payment.objects.count() == 1


def test_a_cancelled_request_takes_no_payment_and_a_paid_one_cannot_be_cancelled(
    sent_requests,
) -> None:
    request_cancel(actor=ACTOR, request=sent_requests["253"], reason="Udtrådt af aftalen")
    payment_register(
        actor=ACTOR, request=sent_requests["259"], amount_ore=100, paid_on=APRIL, reference="K"
    )

    with pytest.raises(CollectionError, match="annulleret"):
        payment_register(
            actor=ACTOR, request=sent_requests["253"], amount_ore=100, paid_on=APRIL, reference="G"
        )
    with pytest.raises(CollectionError, match="indbetalinger"):
        request_cancel(actor=ACTOR, request=sent_requests["259"], reason="fejl")
    assert PaymentRequest.objects.get(number="2024-253").status == RequestStatus.CANCELLED


def test_import_is_all_or_nothing_and_lists_every_bad_row(sent_requests) -> None:
    rows = [
        PaymentRow(2, "253", 100, APRIL, "OK-1"),
        PaymentRow(3, "999", 100, APRIL, "BAD-CODE"),
        PaymentRow(4, "259", 10**12, APRIL, "TOO-MUCH"),
    ]

    with pytest.raises(PaymentFileError) as error:
        payments_import(actor=ACTOR, year=2024, rows=rows)

    assert len(error.value.problems) == 2
    assert "linje 3" in error.value.problems[0] and "999" in error.value.problems[0]
    assert "linje 4" in error.value.problems[1]
    assert not Payment.objects.exists()


def test_importing_the_same_file_twice_books_nothing_twice(sent_requests) -> None:
    rows = [PaymentRow(2, "253", 100, APRIL, "F-1"), PaymentRow(3, "259", 200, APRIL, "F-2")]

    first = payments_import(actor=ACTOR, year=2024, rows=rows)
    second = payments_import(actor=ACTOR, year=2024, rows=rows)

    assert len(first.registered) == 2 and first.already_registered == []
    assert second.registered == [] and len(second.already_registered) == 2
    assert Payment.objects.count() == 2


def test_reminders_list_the_overdue_most_owed_first(sent_requests) -> None:
    payment_register(
        actor=ACTOR, request=sent_requests["265"], amount_ore=sent_requests["265"].total_ore,
        paid_on=APRIL, reference="ROSKILDE",
    )  # fmt: skip

    overdue = reminders(request_list(year=2024, today=APRIL))

    assert "265" not in {v.request.municipality.code for v in overdue}
    assert len(overdue) == 16
    assert overdue[0].outstanding_ore >= overdue[-1].outstanding_ore


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    payments=st.lists(
        st.tuples(st.sampled_from(["253", "259", "370", "316"]), st.integers(1, 20_000_000)),
        max_size=8,
    )
)
def test_received_plus_outstanding_equals_requested(sent_requests, payments) -> None:
    """After any sequence of payments, per municipality and per office."""
    from django.db import transaction

    class _RollbackError(Exception):
        pass

    try:
        with transaction.atomic():
            for number, (code, amount) in enumerate(payments):
                request = PaymentRequest.objects.get(municipality__code=code)
                try:
                    payment_register(
                        actor=ACTOR, request=request, amount_ore=amount, paid_on=APRIL,
                        reference=f"H{number}",
                    )  # fmt: skip
                except CollectionError:
                    continue  # more than owed: refused, nothing changes
            views = request_list(year=2024, today=APRIL)
            overall = totals(views)
            assert overall.received_ore + overall.outstanding_ore == overall.requested_ore
            for view in views:
                assert view.received_ore + view.outstanding_ore == view.request.total_ore
            per_office = office_reconciliation(views)
            assert sum(t.requested_ore for t in per_office.values()) == overall.requested_ore
            assert sum(t.received_ore for t in per_office.values()) == overall.received_ore
            for office_totals in per_office.values():
                assert office_totals.received_ore + office_totals.outstanding_ore == (
                    office_totals.requested_ore
                )
            raise _RollbackError
    except _RollbackError:
        pass


def test_the_audit_log_replays_requests_and_payments(sent_requests) -> None:
    from klynge.audit.services import replay, snapshot
    from klynge.collection.services import request_state_audited

    payment_register(
        actor=ACTOR, request=sent_requests["253"], amount_ore=500, paid_on=APRIL, reference="P1"
    )
    request_cancel(actor=ACTOR, request=sent_requests["259"], reason="Udtrådt")

    assert replay("collection.payment") == {str(p.pk): snapshot(p) for p in Payment.objects.all()}
    assert replay("collection.paymentrequest") == {
        str(r.pk): request_state_audited(r) for r in PaymentRequest.objects.all()
    }
