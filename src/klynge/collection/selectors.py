"""Reads of collection: requests with their figures, reconciliation and reminders."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import QuerySet, Sum
from django.utils.translation import gettext_lazy as _

from klynge.collection.models import PaymentRequest, RequestStatus
from klynge.core.collection import State, outstanding, request_state, spread_received

STATE_LABELS = {
    State.DRAFT: _("Draft"),
    State.SENT: _("Sent"),
    State.PARTLY_PAID: _("Partly paid"),
    State.PAID: _("Paid"),
    State.OVERDUE: _("Overdue"),
    State.CANCELLED: _("Cancelled"),
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
            0 if request.status == RequestStatus.CANCELLED
            else outstanding(request.total_ore, counted)
        ),
        state=request_state(
            total_ore=request.total_ore,
            received_ore=received,
            sent=request.status != RequestStatus.DRAFT,
            cancelled=request.status == RequestStatus.CANCELLED,
            due=request.due_date,
            today=today,
        ),
    )  # fmt: skip


def request_view(request: PaymentRequest, *, today: dt.date) -> RequestView:
    received = request.payments.aggregate(total=Sum("amount_ore"))["total"] or 0
    return _view(request, received, today)


@dataclass(frozen=True)
class Totals:
    requested_ore: int
    received_ore: int
    outstanding_ore: int


def totals(views: list[RequestView]) -> Totals:
    """Requested, received (up to each request's total) and outstanding, cancelled left out."""
    live = [v for v in views if v.state != State.CANCELLED]
    return Totals(
        requested_ore=sum(v.request.total_ore for v in live),
        received_ore=sum(min(v.received_ore, v.request.total_ore) for v in live),
        outstanding_ore=sum(v.outstanding_ore for v in live),
    )


def office_reconciliation(views: list[RequestView]) -> dict[str, Totals]:
    """
    Requested, received and outstanding per office.

    What a municipality has paid is spread over its request's lines in
    proportion to their amounts (exactly, to the øre).
    """
    requested: dict[str, int] = defaultdict(int)
    received: dict[str, int] = defaultdict(int)
    for view in views:
        if view.state == State.CANCELLED:
            continue
        lines = [(line.office.name, line.amount_ore) for line in view.request.lines.all()]
        for office, amount in lines:
            requested[office] += amount
        for office, part in spread_received(view.received_ore, lines).items():
            received[office] += part
    return {
        office: Totals(requested[office], received[office], requested[office] - received[office])
        for office in sorted(requested)
    }


def reminders(views: list[RequestView]) -> list[RequestView]:
    """The overdue requests, most owed first."""
    return sorted(
        (v for v in views if v.state == State.OVERDUE),
        key=lambda v: (-v.outstanding_ore, v.request.municipality.name),
    )
