"""Reads of collection: requests with their figures, reconciliation and reminders."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import QuerySet, Sum
from django.utils.translation import gettext_lazy as _

from klynge.collection.models import PaymentRequest, RequestKind, RequestStatus
from klynge.core.collection import (
    State,
    outstanding,
    request_state,
    settlement_differences,
    spread_received,
)
from klynge.financing.models import AllocationRun, RunStatus
from klynge.masterdata.models import Municipality

STATE_LABELS = {
    State.DRAFT: _("Draft"),
    State.SENT: _("Sent"),
    State.PARTLY_PAID: _("Partly paid"),
    State.PAID: _("Paid"),
    State.OVERDUE: _("Overdue"),
    State.CANCELLED: _("Cancelled"),
    State.CREDITED: _("Credited"),
}


@dataclass(frozen=True)
class RequestView:
    """A request with what has been received, what is owed, and its state."""

    request: PaymentRequest
    received_ore: int
    outstanding_ore: int
    state: State

    @property
    def state_label(self) -> str:
        return str(STATE_LABELS[self.state])

    @property
    def overpaid_ore(self) -> int:
        return max(self.received_ore - self.request.total_ore, 0)

    @property
    def credited_ore(self) -> int:
        """What a credit note credits (a draft too); 0 for a request or a cancelled note."""
        if self.request.is_credit and self.state != State.CANCELLED:
            return self.request.total_ore
        return 0


def request_list(
    *, year: int | None = None, municipality_code: str = "", today: dt.date
) -> list[RequestView]:
    """Requests (of a year, of a municipality), with their figures and state."""
    requests: QuerySet[PaymentRequest] = (
        PaymentRequest.objects.select_related("municipality")
        .prefetch_related("lines__office")
        .annotate(received=Sum("payments__amount_ore"))
    )
    if year is not None:
        requests = requests.filter(year=year)
    if municipality_code:
        requests = requests.filter(municipality__code=municipality_code)
    ordered = requests.order_by("year", "municipality__name")
    return [_view(r, getattr(r, "received", None) or 0, today) for r in ordered]


def _view(request: PaymentRequest, received: int, today: dt.date) -> RequestView:
    counted = 0 if request.status == RequestStatus.CANCELLED else received
    return RequestView(
        request=request,
        received_ore=received,
        outstanding_ore=(
            0 if request.status == RequestStatus.CANCELLED or request.is_credit
            else outstanding(request.total_ore, counted)
        ),
        state=request_state(
            total_ore=request.total_ore,
            received_ore=received,
            sent=request.status != RequestStatus.DRAFT,
            cancelled=request.status == RequestStatus.CANCELLED,
            due=request.due_date,
            today=today,
            credit=request.is_credit,
        ),
    )  # fmt: skip


def request_view(request: PaymentRequest, *, today: dt.date) -> RequestView:
    received = request.payments.aggregate(total=Sum("amount_ore"))["total"] or 0
    return _view(request, received, today)


@dataclass(frozen=True)
class Totals:
    """
    Requested (requests and supplements), received (up to each request's
    total), outstanding, and credited (credit notes, drafts included).
    """

    requested_ore: int
    received_ore: int
    outstanding_ore: int
    credited_ore: int = 0

    @property
    def net_ore(self) -> int:
        """What is owed after credits; negative when money is due back."""
        return self.outstanding_ore - self.credited_ore


def totals(views: list[RequestView]) -> Totals:
    """The year's figures over every document, cancelled ones left out."""
    live = [v for v in views if v.state != State.CANCELLED and not v.request.is_credit]
    return Totals(
        requested_ore=sum(v.request.total_ore for v in live),
        received_ore=sum(min(v.received_ore, v.request.total_ore) for v in live),
        outstanding_ore=sum(v.outstanding_ore for v in live),
        credited_ore=sum(v.credited_ore for v in views),
    )


def office_reconciliation(views: list[RequestView]) -> dict[str, Totals]:
    """
    Requested, received, outstanding and credited per office.

    What a municipality has paid on a request is spread over the request's
    lines in proportion to their amounts (exactly, to the øre).
    """
    requested: dict[str, int] = defaultdict(int)
    received: dict[str, int] = defaultdict(int)
    credited: dict[str, int] = defaultdict(int)
    for view in views:
        if view.state == State.CANCELLED:
            continue
        lines = [(line.office.name, line.amount_ore) for line in view.request.lines.all()]
        if view.request.is_credit:
            for office, amount in lines:
                credited[office] += amount
                requested.setdefault(office, 0)
            continue
        for office, amount in lines:
            requested[office] += amount
        for office, part in spread_received(view.received_ore, lines).items():
            received[office] += part
    return {
        office: Totals(
            requested[office],
            received[office],
            requested[office] - received[office],
            credited[office],
        )
        for office in sorted(requested)
    }


def received_by_year(views: list[RequestView]) -> dict[int, int]:
    """What was received per year on live requests (each up to its total), from payments."""
    result: dict[int, int] = defaultdict(int)
    for view in views:
        if view.state != State.CANCELLED and not view.request.is_credit:
            result[view.request.year] += min(view.received_ore, view.request.total_ore)
    return dict(result)


def reminders(views: list[RequestView]) -> list[RequestView]:
    """The overdue requests, most owed first."""
    return sorted(
        (v for v in views if v.state == State.OVERDUE),
        key=lambda v: (-v.outstanding_ore, v.request.municipality.name),
    )


def live_documents(run: AllocationRun) -> QuerySet[PaymentRequest]:
    """The year's requests, supplements and credits under `run`'s agreement, not cancelled."""
    return PaymentRequest.objects.filter(run__agreement=run.agreement, year=run.year).exclude(
        status=RequestStatus.CANCELLED
    )


@dataclass(frozen=True)
class MunicipalitySettlement:
    """
    One municipality's position when a corrected year is settled, per office id:
    what its live documents bill net, its share in the new run, and the
    difference as supplements and credits (positive amounts).
    """

    municipality: Municipality
    documents: list[PaymentRequest]
    billed: dict[int, int]
    target: dict[int, int]
    supplements: dict[int, int]
    credits: dict[int, int]

    @property
    def cancel(self) -> bool:
        """It now pays nothing and has paid nothing: its documents are cancelled."""
        return (
            not self.target
            and bool(self.documents)
            and not any(d.payments.all() for d in self.documents)
        )


def settlement_basis(*, run: AllocationRun) -> list[MunicipalitySettlement]:
    """
    Every municipality whose documents differ from `run`, in code order.

    Empty when the documents already match the run, or the run replaces none.
    """
    if run.replaces_id is None or run.status != RunStatus.APPROVED:
        return []
    documents = list(
        live_documents(run)
        .select_related("municipality")
        .prefetch_related("lines", "payments")
        .order_by("pk")
    )
    billed: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    owned: dict[int, list[PaymentRequest]] = defaultdict(list)
    for document in documents:
        owned[document.municipality_id].append(document)
        sign = -1 if document.kind == RequestKind.CREDIT else 1
        for line in document.lines.all():
            billed[document.municipality_id][line.office_id] += sign * line.amount_ore
    target: dict[int, dict[int, int]] = defaultdict(dict)
    for municipality_id, office_id, amount in run.lines.filter(amount_ore__gt=0).values_list(
        "municipality_id", "office_id", "amount_ore"
    ):
        target[municipality_id][office_id] = amount
    result = []
    for municipality in Municipality.objects.filter(pk__in=set(billed) | set(target)).order_by(
        "code"
    ):
        before = {k: v for k, v in billed[municipality.pk].items() if v}
        after = target[municipality.pk]
        supplements, credits = settlement_differences(before, after)
        if supplements or credits:
            result.append(
                MunicipalitySettlement(
                    municipality, owned[municipality.pk], before, after, supplements, credits
                )
            )
    return result
