"""Correcting an approved year and settling its requests against the new run."""

from __future__ import annotations

import datetime as dt
import io
from collections import defaultdict

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader
from tests.collection.conftest import ACTOR, DUE

from klynge.audit.models import AuditEntry
from klynge.collection.letters import letter_filename, letter_pdf
from klynge.collection.models import PaymentRequest, RequestKind, RequestStatus
from klynge.collection.selectors import (
    office_reconciliation,
    payee_outstanding_ore,
    request_list,
    totals,
)
from klynge.collection.services import (
    CollectionError,
    payment_register,
    request_send,
    requests_create,
    requests_settle,
)
from klynge.core.money import format_dkk
from klynge.financing.models import AllocationRun, FrozenRunError, RunStatus
from klynge.financing.selectors import run_approved
from klynge.financing.services import (
    ApprovalError,
    allocation_correct,
    allocation_run_approve,
    allocation_run_create,
    participation_set,
)
from klynge.masterdata.models import Municipality

pytestmark = pytest.mark.django_db
APRIL = dt.date(2024, 4, 15)
SUPPLEMENT_DUE = dt.date(2024, 6, 30)
LEJRE = "350"


def _leave(agreement, code: str, *, participates: bool = False) -> None:
    participation_set(
        actor=ACTOR,
        agreement=agreement,
        municipality=Municipality.objects.get(code=code),
        years=[2024],
        participates=participates,
    )


def _correct(agreement, reason: str = "Lejre deltager ikke i 2024 (KKR-referat).") -> AllocationRun:
    return allocation_correct(
        actor=ACTOR, agreement=agreement, year=2024, reason=reason, confirmed=True
    )


def _ledger() -> dict[tuple[str, str], int]:
    """Per municipality and office: paid + outstanding - credited, from the documents."""
    result: dict[tuple[str, str], int] = defaultdict(int)
    for view in request_list(year=2024, today=APRIL):
        if view.request.status == RequestStatus.CANCELLED:
            continue
        code = view.request.municipality.code
        lines = list(view.request.lines.all())
        if view.request.is_credit:
            for line in lines:
                result[code, line.office.name] -= line.amount_ore
            continue
        paid = view.received_per_line()
        outstanding = {line.pk: line.amount_ore - paid[line.pk] for line in lines}
        assert sum(outstanding.values()) == view.outstanding_ore
        for line in lines:
            result[code, line.office.name] += paid[line.pk] + outstanding[line.pk]
    return {key: value for key, value in result.items() if value}


def _run_amounts(run: AllocationRun) -> dict[tuple[str, str], int]:
    return {
        (line.municipality.code, line.office.name): line.amount_ore
        for line in run.lines.select_related("municipality", "office")
        if line.amount_ore
    }


def test_correcting_an_approved_year_end_to_end(sent_requests, demo) -> None:
    """Approve 2024, learn that Lejre does not take part, correct and settle."""
    old = run_approved(agreement=demo, year=2024)
    greve_before = sent_requests["253"].total_ore
    payment_register(
        actor=ACTOR, request=sent_requests["253"], amount_ore=greve_before, paid_on=APRIL,
        reference="GREVE-1",
    )  # fmt: skip
    _leave(demo, LEJRE)

    new = _correct(demo)
    settlement = requests_settle(actor=ACTOR, run=new, due_date=SUPPLEMENT_DUE)

    old.refresh_from_db()
    assert old.status == RunStatus.REPLACED and old.replaced_at is not None
    assert new.status == RunStatus.APPROVED and new.replaces == old
    assert new.replace_reason.startswith("Lejre deltager ikke")
    assert new.acknowledged  # the assumptions the approver confirmed
    # Lejre paid nothing and now pays nothing: its request is cancelled.
    assert [d.number for d in settlement.cancelled] == ["2024-350"]
    assert PaymentRequest.objects.get(number="2024-350").status == RequestStatus.CANCELLED
    # Lejre's 1/17-ish of each office's 500.000 kr. moves to the 15 other payers of each office.
    numbers = sorted(d.number for d in settlement.supplements)
    assert len(numbers) == 16  # every municipality but Lejre owes more
    assert "2024-253-E1" in numbers
    assert settlement.credits == []
    greve = PaymentRequest.objects.get(number="2024-253-E1")
    assert greve.kind == RequestKind.SUPPLEMENT and greve.settles == old
    assert (
        greve.total_ore
        == sum(new.lines.filter(municipality__code="253").values_list("amount_ore", flat=True))
        - greve_before
    )
    line = greve.lines.get(office__name="We Build Denmark – Næstved")
    assert line.previous_ore + line.amount_ore == line.new_ore
    assert "Lejre deltager ikke" in line.explanation
    # The paid request is untouched.
    assert PaymentRequest.objects.get(number="2024-253").payments.count() == 1
    assert _ledger() == _run_amounts(new)
    assert (
        AuditEntry.objects.filter(model="collection.paymentrequest", action="create").count()
        == 17 + 16
    )


def test_a_municipality_that_rejoins_is_billed_again_and_the_others_credited(
    sent_requests, demo
) -> None:
    _leave(demo, LEJRE)
    first = _correct(demo)
    requests_settle(actor=ACTOR, run=first, due_date=SUPPLEMENT_DUE)
    for document in PaymentRequest.objects.filter(status=RequestStatus.DRAFT):
        request_send(actor=ACTOR, request=document, sent_on=APRIL)
    _leave(demo, LEJRE, participates=True)

    second = _correct(demo, reason="Lejre deltager alligevel.")
    settlement = requests_settle(actor=ACTOR, run=second, due_date=SUPPLEMENT_DUE)

    assert [d.number for d in settlement.supplements] == ["2024-350-E1"]
    assert len(settlement.credits) == 16
    assert all(d.kind == RequestKind.CREDIT for d in settlement.credits)
    assert (
        PaymentRequest.objects.get(number="2024-350-E1").total_ore
        == PaymentRequest.objects.get(number="2024-350").total_ore
    )  # the same inputs as the first approval give the same share
    assert _ledger() == _run_amounts(second)
    year = totals(request_list(year=2024, today=APRIL))
    assert year.requested_ore - year.credited_ore == 400_000_000
    offices = office_reconciliation(request_list(year=2024, today=APRIL))
    assert sum(t.requested_ore - t.credited_ore for t in offices.values()) == 400_000_000


def test_settling_twice_changes_nothing(sent_requests, demo) -> None:
    _leave(demo, LEJRE)
    new = _correct(demo)
    requests_settle(actor=ACTOR, run=new, due_date=SUPPLEMENT_DUE)
    count = PaymentRequest.objects.count()

    again = requests_settle(actor=ACTOR, run=new, due_date=SUPPLEMENT_DUE)

    assert not again.changed and PaymentRequest.objects.count() == count


def test_a_year_without_a_replaced_run_cannot_be_settled(sent_requests, approved_run) -> None:
    with pytest.raises(CollectionError, match="erstatter ingen"):
        requests_settle(actor=ACTOR, run=approved_run, due_date=SUPPLEMENT_DUE)
    assert PaymentRequest.objects.count() == 17


def test_new_requests_are_refused_once_a_replaced_run_has_requests(sent_requests, demo) -> None:
    _leave(demo, LEJRE)
    new = _correct(demo)

    with pytest.raises(CollectionError, match="afregn"):
        requests_create(actor=ACTOR, run=new, due_date=DUE)
    assert PaymentRequest.objects.count() == 17


def test_a_credit_note_takes_no_payment(sent_requests, demo) -> None:
    _leave(demo, LEJRE)
    requests_settle(actor=ACTOR, run=_correct(demo), due_date=SUPPLEMENT_DUE)
    _leave(demo, LEJRE, participates=True)
    requests_settle(actor=ACTOR, run=_correct(demo, "Igen."), due_date=SUPPLEMENT_DUE)
    credit = PaymentRequest.objects.filter(kind=RequestKind.CREDIT).first()

    with pytest.raises(CollectionError, match="kreditnota"):
        payment_register(
            actor=ACTOR, request=credit, amount_ore=100, paid_on=APRIL, reference="K-1"
        )


@pytest.mark.parametrize(
    ("reason", "confirmed", "message"),
    [
        ("", True, "begrundelse"),
        ("   ", True, "begrundelse"),
        ("x" * 1001, True, "højst være 1000"),
        ("Lejre udtræder.", False, "Bekræft"),
    ],
    ids=["empty", "blank", "too-long", "not-confirmed"],
)
def test_a_correction_needs_a_reason_and_a_confirmation(
    approved_run, demo, reason, confirmed, message
) -> None:
    _leave(demo, LEJRE)

    with pytest.raises(ApprovalError, match=message):
        allocation_correct(
            actor=ACTOR, agreement=demo, year=2024, reason=reason, confirmed=confirmed
        )
    approved_run.refresh_from_db()
    assert approved_run.status == RunStatus.APPROVED
    assert AllocationRun.objects.filter(status=RunStatus.APPROVED).count() == 1


def test_a_correction_with_nothing_changed_is_refused(approved_run, demo) -> None:
    with pytest.raises(ApprovalError, match="Intet er ændret"):
        _correct(demo)


def test_approval_needs_the_confirmation_of_the_open_assumptions(demo) -> None:
    run = allocation_run_create(actor=ACTOR, agreement=demo, year=2024)

    with pytest.raises(ApprovalError, match="Bekræft"):
        allocation_run_approve(actor=ACTOR, run=run)
    run.refresh_from_db()
    assert run.status == RunStatus.COMPUTED


def test_a_replaced_run_stays_frozen(sent_requests, demo) -> None:
    old = run_approved(agreement=demo, year=2024)
    _leave(demo, LEJRE)
    _correct(demo)
    old.refresh_from_db()

    with pytest.raises(FrozenRunError):
        old.save()
    with pytest.raises(FrozenRunError):
        AllocationRun.objects.filter(pk=old.pk).update(replace_reason="x")
    with pytest.raises(FrozenRunError):
        old.lines.first().save()


CODES = ["350", "253", "336", "360"]  # Lejre, Greve, Stevns, Lolland: none leads an office


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    steps=st.lists(
        st.one_of(
            st.tuples(st.just("toggle"), st.sampled_from(CODES)),
            st.tuples(st.just("pay"), st.integers(0, 40), st.integers(1, 100), st.booleans()),
        ),
        min_size=1,
        max_size=6,
    )
)
def test_after_any_corrections_and_payments_the_documents_equal_the_latest_run(
    sent_requests, demo, steps
) -> None:
    """paid + outstanding - credited equals the latest approved run, per municipality and office."""

    class _RollbackError(Exception):
        pass

    try:
        with transaction.atomic():
            participating = dict.fromkeys(CODES, True)
            for number, step in enumerate(steps):
                if step[0] == "toggle":
                    code = step[1]
                    participating[code] = not participating[code]
                    _leave(demo, code, participates=participating[code])
                    new = _correct(demo, reason=f"Trin {number}")
                    requests_settle(actor=ACTOR, run=new, due_date=SUPPLEMENT_DUE)
                else:
                    _, pick, percent, by_lead = step
                    payable = [
                        v
                        for v in request_list(year=2024, today=APRIL)
                        if v.outstanding_ore > 0 and not v.request.is_credit
                    ]
                    if payable:
                        view = payable[pick % len(payable)]
                        # The secretariat's payment, or one a collecting lead registers.
                        payee = next(
                            (
                                line.payee_municipality
                                for line in view.request.lines.all()
                                if by_lead and line.payee_municipality is not None
                            ),
                            None,
                        )
                        owed = (
                            payee_outstanding_ore(view.request, payee)
                            if payee
                            else view.outstanding_ore
                        )
                        if owed > 0:
                            payment_register(
                                actor=ACTOR, request=view.request,
                                amount_ore=max(owed * percent // 100, 1),
                                paid_on=APRIL, reference=f"P{number}", payee=payee,
                            )  # fmt: skip
                latest = run_approved(agreement=demo, year=2024)
                assert latest is not None
                assert _ledger() == _run_amounts(latest)
            raise _RollbackError
    except _RollbackError:
        pass


def test_each_settlement_has_its_own_letter_explaining_the_difference(sent_requests, demo) -> None:
    _leave(demo, LEJRE)
    requests_settle(actor=ACTOR, run=_correct(demo), due_date=SUPPLEMENT_DUE)
    _leave(demo, LEJRE, participates=True)
    requests_settle(
        actor=ACTOR, run=_correct(demo, "Lejre deltager alligevel."), due_date=SUPPLEMENT_DUE
    )
    supplement = PaymentRequest.objects.get(number="2024-253-E1")
    credit = PaymentRequest.objects.get(number="2024-253-K1")

    def text(document: PaymentRequest) -> str:
        reader = PdfReader(io.BytesIO(letter_pdf(document)))
        return " ".join(" ".join(page.extract_text() for page in reader.pages).split())

    wbd = supplement.lines.get(office__name="We Build Denmark – Næstved")
    supplement_text, credit_text = text(supplement), text(credit)
    assert "Efteropkrævning 2024-253-E1" in supplement_text
    assert "Lejre deltager ikke i 2024" in supplement_text  # why
    assert "33.652,26" in supplement_text  # billed before (the first request's WBD share)
    assert format_dkk(wbd.new_ore, unit=False) in supplement_text  # the new share
    assert "30. juni 2024" in supplement_text
    assert "Kreditnota 2024-253-K1" in credit_text
    assert "Lejre deltager alligevel." in credit_text
    assert "krediteres" in credit_text
    assert letter_filename(credit) == "kreditnota-2024-253-K1-greve.pdf"


def test_a_cancelled_request_has_a_cancellation_letter(sent_requests, demo) -> None:
    _leave(demo, LEJRE)
    requests_settle(actor=ACTOR, run=_correct(demo), due_date=SUPPLEMENT_DUE)
    lejre = PaymentRequest.objects.get(number="2024-350")

    reader = PdfReader(io.BytesIO(letter_pdf(lejre)))
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())

    assert "Annullering af opkrævning 2024-350" in text
    assert "Lejre deltager ikke i 2024" in text
    assert format_dkk(lejre.total_ore, unit=False) in text
    assert letter_filename(lejre) == "annullering-opkraevning-2024-350-lejre.pdf"
