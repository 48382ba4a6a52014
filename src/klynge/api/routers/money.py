"""Grants, payment requests and payments: what is committed, requested and received."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from pydantic import field_validator

from klynge.api.auth import caller, require, visible, writer
from klynge.api.errors import ERRORS_READ, ERRORS_WRITE, refused
from klynge.api.pagination import PageQuery, page_of, paginate
from klynge.api.schemas import FORBID_EXTRA, Id, Line, MunicipalityCode, Year
from klynge.collection.models import Payment, PaymentRequest
from klynge.collection.selectors import (
    RequestView,
    collecting_for,
    request_view,
    requests_visible,
)
from klynge.collection.services import CollectionError, payment_register
from klynge.common import perms
from klynge.core.numbers import FIRST_YEAR, LAST_YEAR
from klynge.funding.selectors import GrantView, grant_list

router = Router(tags=["Penge"])

MAX_PAYMENT_ORE = 10**13  # 100 mia. kr.: far above any request


class GrantOut(Schema):
    """A grant; `committed_ore` is empty where the sources give no amount."""

    id: int
    key: str
    grantor: str
    recipients: str
    purpose: str
    amount_ore: int
    per_year: bool
    first_year: int | None
    last_year: int | None
    committed_ore: int | None
    received_ore: int
    outstanding_ore: int | None
    basis: str
    source: str
    note: str


class RequestLineOut(Schema):
    office_id: int
    role: str
    amount_ore: int
    payee: str
    payee_municipality_code: str | None
    explanation: str


class RequestOut(Schema):
    """A payment request: billed (`total_ore`), received and outstanding (øre)."""

    id: int
    number: str
    year: int
    municipality_code: str
    kind: str
    status: str
    state: str
    total_ore: int
    received_ore: int
    outstanding_ore: int
    due_date: dt.date
    sent_on: dt.date | None
    run_id: int
    lines: list[RequestLineOut]


class PaymentOut(Schema):
    """Money received against a request (`amount_ore`, øre)."""

    id: int
    request_id: int
    request_number: str
    municipality_code: str
    amount_ore: int
    paid_on: dt.date
    reference: str
    overpayment: bool
    collector_code: str | None
    created_at: dt.datetime


class PaymentIn(Schema):
    """A payment to register: the request, the amount in øre, the date and a unique reference."""

    request_id: Id
    amount_ore: int = Field(..., ge=1, le=MAX_PAYMENT_ORE)
    paid_on: dt.date
    model_config = FORBID_EXTRA

    reference: Line = Field(..., min_length=1, max_length=100)
    overpayment: bool = False
    note: Line = Field("", max_length=300)

    @field_validator("paid_on")
    @classmethod
    def _within_years(cls, value: dt.date) -> dt.date:
        if not FIRST_YEAR <= value.year <= LAST_YEAR:
            raise ValueError(f"{FIRST_YEAR}-{LAST_YEAR}")
        return value


GrantPage = page_of(GrantOut)
RequestPage = page_of(RequestOut)
PaymentPage = page_of(PaymentOut)


def _grant(view: GrantView) -> GrantOut:
    grant = view.grant
    return GrantOut(
        id=grant.pk,
        key=grant.key,
        grantor=str(grant.grantor),
        recipients=view.recipients,
        purpose=grant.purpose,
        amount_ore=grant.amount_ore,
        per_year=grant.per_year,
        first_year=grant.first_year,
        last_year=grant.last_year,
        committed_ore=view.committed_ore,
        received_ore=view.received_ore,
        outstanding_ore=view.outstanding_ore,
        basis=grant.basis,
        source=grant.source,
        note=grant.note,
    )


def _request(view: RequestView) -> RequestOut:
    obj = view.request
    return RequestOut(
        id=obj.pk,
        number=obj.number,
        year=obj.year,
        municipality_code=obj.municipality.code,
        kind=obj.kind,
        status=obj.status,
        state=str(view.state),
        total_ore=obj.total_ore,
        received_ore=view.received_ore,
        outstanding_ore=view.outstanding_ore,
        due_date=obj.due_date,
        sent_on=obj.sent_on,
        run_id=obj.run_id,
        lines=[
            RequestLineOut(
                office_id=line.office_id,
                role=line.role,
                amount_ore=line.amount_ore,
                payee=line.payee,
                payee_municipality_code=(
                    line.payee_municipality.code if line.payee_municipality else None
                ),
                explanation=line.explanation,
            )
            for line in obj.lines.all()
        ],
    )


def _payment(payment: Payment) -> PaymentOut:
    return PaymentOut(
        id=payment.pk,
        request_id=payment.request_id,
        request_number=payment.request.number,
        municipality_code=payment.request.municipality.code,
        amount_ore=payment.amount_ore,
        paid_on=payment.paid_on,
        reference=payment.reference,
        overpayment=payment.overpayment,
        collector_code=(payment.payee_municipality.code if payment.payee_municipality else None),
        created_at=payment.created_at,
    )


@router.get("/grants", response={200: GrantPage, **ERRORS_READ}, summary="Bevillinger")
def grants(request: HttpRequest, page: Query[PageQuery]) -> dict[str, Any]:
    """Every grant to the offices and clusters, with what is committed and received."""
    require(request, perms.VIEW_ALLOCATION)
    return paginate(grant_list(), page, lambda views: [_grant(v) for v in views])


def _visible_requests(
    request: HttpRequest, year: int | None, municipality: str | None
) -> list[RequestView]:
    require(request, perms.VIEW_REQUESTS)
    return requests_visible(
        caller(request).user, year=year, municipality_code=municipality or "",
        today=timezone.localdate(),
    )  # fmt: skip


@router.get("/payment-requests", response={200: RequestPage, **ERRORS_READ}, summary="Opkrævninger")
def requests(
    request: HttpRequest,
    page: Query[PageQuery],
    year: Year | None = None,
    municipality: MunicipalityCode | None = None,
) -> dict[str, Any]:
    """The requests the caller may see (a municipality: its own; a lead: those it collects)."""
    views = _visible_requests(request, year, municipality)
    return paginate(views, page, lambda found: [_request(v) for v in found])


def _request_visible(request: HttpRequest, request_id: int) -> PaymentRequest:
    require(request, perms.VIEW_REQUESTS)
    requests = PaymentRequest.objects.select_related("municipality").prefetch_related(
        "lines__payee_municipality"
    )
    return visible(request, requests.filter(pk=request_id).first(), perms.VIEW_REQUEST)


@router.get(
    "/payment-requests/{request_id}",
    response={200: RequestOut, **ERRORS_READ},
    summary="Én opkrævning",
)
def request_detail(request: HttpRequest, request_id: Id) -> RequestOut:
    obj = _request_visible(request, request_id)
    return _request(request_view(obj, today=timezone.localdate()))


@router.get("/payments", response={200: PaymentPage, **ERRORS_READ}, summary="Indbetalinger")
def payments(
    request: HttpRequest,
    page: Query[PageQuery],
    year: Year | None = None,
    municipality: MunicipalityCode | None = None,
) -> dict[str, Any]:
    """Payments received on the requests the caller may see."""
    shown = [v.request.pk for v in _visible_requests(request, year, municipality)]
    rows = (
        Payment.objects.filter(request_id__in=shown)
        .select_related("request__municipality", "payee_municipality")
        .order_by("paid_on", "pk")
    )
    return paginate(rows, page, lambda found: [_payment(p) for p in found])


@router.post(
    "/payments",
    response={201: PaymentOut, **ERRORS_WRITE},
    summary="Registrér en indbetaling",
)
def payment_create(request: HttpRequest, payload: PaymentIn) -> Status[PaymentOut]:
    """
    Register money received, as on the request's page: the secretariat against
    the whole request, a collecting lead municipality for the lines it collects.
    The reference is unique, so sending the same payment twice is refused.
    """
    who = writer(request)
    obj = _request_visible(request, payload.request_id)
    require(request, perms.REGISTER_PAYMENT, obj)
    try:
        payment = payment_register(
            actor=who.actor,
            request=obj,
            amount_ore=payload.amount_ore,
            paid_on=payload.paid_on,
            reference=payload.reference,
            overpayment=payload.overpayment,
            note=payload.note,
            payee=collecting_for(who.user, obj),
        )
    except CollectionError as error:
        raise refused(str(error)) from error
    payment = Payment.objects.select_related("request__municipality", "payee_municipality").get(
        pk=payment.pk
    )
    return Status(201, _payment(payment))
