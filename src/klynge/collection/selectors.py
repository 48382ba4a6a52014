"""Reads of collection: requests with their figures, reconciliation and reminders."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet, Sum
from django.utils.translation import gettext_lazy as _

from klynge.collection.models import (
    PayeeAccount,
    PaymentRequest,
    PaymentRequestLine,
    RequestKind,
    RequestStatus,
)
from klynge.common import perms
from klynge.core.collection import (
    State,
    outstanding,
    request_state,
    settlement_differences,
    spread_payments,
)
from klynge.financing.models import AllocationRun, FinancedOffice, OfficeLead, RunStatus
from klynge.masterdata.models import ClusterOffice, Municipality

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

    def received_per_line(self) -> dict[int, int]:
        """
        What has been received on each line (by line id), payments by a
        collecting municipality on its own lines first (`spread_payments`).
        Uses the request's prefetched lines and payments.
        """
        return _received_per_line(self.request)

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


def _received_per_line(request: PaymentRequest) -> dict[int, int]:
    if request.status == RequestStatus.CANCELLED or request.is_credit:
        return {line.pk: 0 for line in request.lines.all()}
    spread = spread_payments(
        [
            (str(p.payee_municipality_id) if p.payee_municipality_id else None, p.amount_ore)
            for p in request.payments.all()
        ],
        [
            (
                str(line.pk),
                line.amount_ore,
                str(line.payee_municipality_id) if line.payee_municipality_id else None,
            )
            for line in request.lines.all()
        ],
    )
    return {int(key): amount for key, amount in spread.items()}


def payee_outstanding_ore(request: PaymentRequest, payee: Municipality) -> int:
    """What is still owed on the lines of `request` that `payee` collects."""
    received = _received_per_line(request)
    return sum(
        line.amount_ore - received[line.pk]
        for line in request.lines.all()
        if line.payee_municipality_id == payee.pk
    )


def request_list(
    *, year: int | None = None, municipality_code: str = "", today: dt.date
) -> list[RequestView]:
    """Requests (of a year, of a municipality), with their figures and state."""
    requests: QuerySet[PaymentRequest] = (
        PaymentRequest.objects.select_related("municipality")
        .prefetch_related("lines__office", "payments")
        .annotate(received=Sum("payments__amount_ore"))
    )
    if year is not None:
        requests = requests.filter(year=year)
    if municipality_code:
        requests = requests.filter(municipality__code=municipality_code)
    ordered = requests.order_by("year", "municipality__name")
    return [_view(r, getattr(r, "received", None) or 0, today) for r in ordered]


def requests_visible(
    user: Any, *, year: int | None = None, municipality_code: str = "", today: dt.date
) -> list[RequestView]:
    """The requests `user` may see: all for the secretariat, else its own and those it collects."""
    views = request_list(year=year, municipality_code=municipality_code, today=today)
    return [v for v in views if user.has_perm(perms.VIEW_REQUEST, v.request)]


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
        lines = view.request.lines.all()
        if view.request.is_credit:
            for line in lines:
                credited[line.office.name] += line.amount_ore
                requested.setdefault(line.office.name, 0)
            continue
        parts = view.received_per_line()
        for line in lines:
            requested[line.office.name] += line.amount_ore
            received[line.office.name] += parts[line.pk]
    return {
        office: Totals(
            requested[office],
            received[office],
            requested[office] - received[office],
            credited[office],
        )
        for office in sorted(requested)
    }


@dataclass(frozen=True)
class CollectedRow:
    """A request seen by the municipality that collects some of its lines."""

    view: RequestView
    due_ore: int
    received_ore: int

    @property
    def outstanding_ore(self) -> int:
        return self.due_ore - self.received_ore


def collected_by(views: list[RequestView], municipality: Municipality) -> list[CollectedRow]:
    """What `municipality` collects on each live request: its lines, what it has received."""
    rows = []
    for view in views:
        if view.state == State.CANCELLED or view.request.is_credit:
            continue
        own = [
            line
            for line in view.request.lines.all()
            if line.payee_municipality_id == municipality.pk
        ]
        if own:
            received = view.received_per_line()
            rows.append(
                CollectedRow(
                    view,
                    sum(line.amount_ore for line in own),
                    sum(received[line.pk] for line in own),
                )
            )
    return rows


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


@dataclass(frozen=True)
class PayeeRow:
    """A collector (a lead municipality or an office) and where it is paid, if known."""

    municipality: Municipality | None
    office: ClusterOffice | None
    account: PayeeAccount | None

    @property
    def name(self) -> str:
        return self.municipality.name if self.municipality else str(self.office)


def payee_account_for(
    *, municipality: Municipality | None = None, office: ClusterOffice | None = None
) -> PayeeAccount | None:
    return PayeeAccount.objects.filter(municipality=municipality, office=office).first()


def payee_account_list() -> list[PayeeRow]:
    """Every municipality that leads an office, then every financed office, by name."""
    accounts = list(PayeeAccount.objects.all())
    by_municipality = {a.municipality_id: a for a in accounts if a.municipality_id}
    by_office = {a.office_id: a for a in accounts if a.office_id}
    leads = Municipality.objects.filter(
        pk__in=OfficeLead.objects.filter(municipality__isnull=False).values("municipality")
    ).order_by("name")
    offices = ClusterOffice.objects.filter(pk__in=FinancedOffice.objects.values("office")).order_by(
        "name"
    )
    return [PayeeRow(m, None, by_municipality.get(m.pk)) for m in leads] + [
        PayeeRow(None, o, by_office.get(o.pk)) for o in offices
    ]


def payment_details(lines: list[PaymentRequestLine]) -> list[str]:
    """
    One Danish sentence per collector of `lines`: its account, EAN and
    contact, or that the collector gives them (never an invented number).
    """
    accounts = {
        (a.municipality_id, a.office_id): a
        for a in PayeeAccount.objects.filter(
            Q(
                municipality__in=[
                    ln.payee_municipality_id for ln in lines if ln.payee_municipality_id
                ]
            )
            | Q(office__in=[ln.office_id for ln in lines if not ln.payee_municipality_id])
        )
    }
    result: dict[str, str] = {}
    for line in lines:
        key = (line.payee_municipality_id, None if line.payee_municipality_id else line.office_id)
        name = line.payee
        who = f"{line.payee_municipality.name} Kommune" if line.payee_municipality else line.payee
        account = accounts.get(key)
        parts = []
        if account and account.account:
            parts.append(f"konto (reg.nr. og kontonr.) {account.account}")
        if account and account.ean:
            parts.append(f"EAN {account.ean}")
        if account and account.contact:
            parts.append(f"kontakt {account.contact}")
        result[name] = (
            f"{name}: {', '.join(parts)}."
            if parts
            else f"{name}: betalingsoplysninger oplyses af {who}."
        )
    return list(result.values())


def collecting_for(user: Any, request: PaymentRequest) -> Municipality | None:
    """
    The lead municipality `user` registers payments for on `request`: None for
    the secretariat, who registers against the whole request.
    """
    if user.has_perm(perms.MANAGE_COLLECTION):
        return None
    return next(
        (
            line.payee_municipality
            for line in request.lines.all()
            if line.payee_municipality is not None
            and user.has_perm(perms.COLLECT_FOR, line.payee_municipality)
        ),
        None,
    )
