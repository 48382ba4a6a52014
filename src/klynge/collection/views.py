"""Opkrævninger: the year's requests, one request with its payments, and the actions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from klynge.audit.services import Actor
from klynge.collection import renderers
from klynge.collection.forms import (
    CancelForm,
    CreateRequestsForm,
    PayeeAccountForm,
    PaymentFileForm,
    PaymentForm,
)
from klynge.collection.imports import MAX_BYTES as MAX_PAYMENT_FILE_BYTES
from klynge.collection.imports import read_payment_data, too_large
from klynge.collection.letters import letter_filename, letter_pdf, letters_zip
from klynge.collection.models import Payment, PaymentRequest, RequestStatus
from klynge.collection.selectors import (
    RequestView,
    collected_by,
    collecting_for,
    office_reconciliation,
    payee_account_for,
    payee_account_list,
    payee_outstanding_ore,
    reminders,
    request_view,
    requests_visible,
    settlement_basis,
    totals,
)
from klynge.collection.services import (
    CollectionError,
    PaymentFileError,
    payee_account_set,
    payment_register,
    payments_import,
    request_cancel,
    request_send,
    requests_create,
    requests_settle,
)
from klynge.common import perms
from klynge.common.params import query_code, query_id
from klynge.common.perms import permission_required
from klynge.common.views import submitted, visible_or_404
from klynge.core.money import format_dkk, group_thousands
from klynge.financing.models import AllocationRun
from klynge.financing.selectors import (
    AgreementYearError,
    agreement_for_year,
    current_budget_year,
    run_approved,
)
from klynge.masterdata.models import ClusterOffice, Municipality


def _visible(request: HttpRequest, year: int) -> list[RequestView]:
    """The requests of `year` the user may see: all for the secretariat, else its own."""
    return requests_visible(request.user, year=year, today=timezone.localdate())


@require_GET
@permission_required(perms.VIEW_REQUESTS)
def requests_current(request: HttpRequest) -> HttpResponse:
    return redirect("requests", year=current_budget_year(today=timezone.localdate()))


@require_GET
@permission_required(perms.VIEW_REQUESTS)
def requests_year(request: HttpRequest, year: int) -> HttpResponse:
    try:
        agreement = agreement_for_year(year=year)
    except AgreementYearError as error:
        raise Http404(str(error)) from error
    views = _visible(request, year)
    manage = request.user.has_perm(perms.MANAGE_COLLECTION)
    approved = run_approved(agreement=agreement, year=year)
    collector = _collector(request)
    collected = collected_by(views, collector) if collector else []
    if not manage:  # the user's own requests; those it collects are listed apart
        views = [
            v
            for v in views
            if request.user.has_perm(perms.VIEW_MUNICIPALITY, v.request.municipality)
        ]
    return render(
        request,
        "collection/requests.html",
        {
            "year": year,
            "years": list(agreement.years()),
            "views": views,
            "totals": totals(views),
            "offices": office_reconciliation(views) if manage else {},
            "reminders": reminders(views) if manage else [],
            "manage": manage,
            "approved_run": approved,
            "to_settle": settlement_basis(run=approved) if manage and approved and views else [],
            "create_form": CreateRequestsForm(year=year, today=timezone.localdate()),
            "payment_file_form": PaymentFileForm(),
            "collector": collector,
            "collected": collected,
            "drafts": sum(1 for v in views if v.request.status == RequestStatus.DRAFT),
        },
    )


def _from_approved_run(
    request: HttpRequest, year: int, make: Callable[[AllocationRun, dt.date], str]
) -> HttpResponse:
    """
    Run `make(run, due_date)` on the year's approved run with the POSTed due
    date; its return is the success message, a CollectionError the error.
    """
    try:
        agreement = agreement_for_year(year=year)
    except AgreementYearError as error:
        raise Http404(str(error)) from error
    form = CreateRequestsForm(request.POST, year=year, today=timezone.localdate())
    run = run_approved(agreement=agreement, year=year)
    if not form.is_valid():
        messages.error(request, _("Give a valid due date."))
    elif run is None:
        messages.error(request, _("Approve the allocation for %(year)s first.") % {"year": year})
    else:
        try:
            messages.success(request, make(run, form.cleaned_data["due_date"]))
        except CollectionError as error:
            messages.error(request, str(error))
    return redirect("requests", year=year)


@require_POST
@permission_required(perms.MANAGE_COLLECTION)
def requests_create_view(request: HttpRequest, year: int) -> HttpResponse:
    def make(run: AllocationRun, due: dt.date) -> str:
        created = requests_create(actor=Actor.of(request.user), run=run, due_date=due)
        return _("%(count)s requests made as drafts.") % {"count": len(created)}

    return _from_approved_run(request, year, make)


@require_POST
@permission_required(perms.MANAGE_COLLECTION)
def requests_settle_view(request: HttpRequest, year: int) -> HttpResponse:
    """Settle the year's requests against the approved run that replaced an earlier one."""

    def make(run: AllocationRun, due: dt.date) -> str:
        settlement = requests_settle(actor=Actor.of(request.user), run=run, due_date=due)
        return _(
            "Settled against allocation #%(run)s: %(supplements)s supplementary "
            "requests, %(credits)s credit notes and %(cancelled)s cancelled requests, "
            "as drafts."
        ) % {
            "run": run.pk,
            "supplements": len(settlement.supplements),
            "credits": len(settlement.credits),
            "cancelled": len(settlement.cancelled),
        }

    return _from_approved_run(request, year, make)


@require_POST
@permission_required(perms.MANAGE_COLLECTION)
def payments_import_view(request: HttpRequest, year: int) -> HttpResponse:
    """Register a bank file's payments for the year, all or nothing (as the command does)."""
    form = PaymentFileForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose a payment file (CSV or XLSX)."))
        return redirect("requests", year=year)
    upload = form.cleaned_data["file"]
    try:
        if upload.size > MAX_PAYMENT_FILE_BYTES:
            raise PaymentFileError([too_large(upload.name)])
        rows = read_payment_data(upload.read(), name=upload.name)
        report = payments_import(actor=Actor.of(request.user), year=year, rows=rows)
    except PaymentFileError as error:
        shown = error.problems[:20]
        more = len(error.problems) - len(shown)
        messages.error(
            request,
            _("%(file)s is refused; nothing is registered.") % {"file": upload.name}
            + " "
            + " ".join(shown)
            + (" " + _("(and %(n)s more)") % {"n": group_thousands(more)} if more else ""),
        )
    else:
        messages.success(
            request,
            _(
                "%(count)s payments registered, %(total)s in all; %(skipped)s were registered "
                "already and are skipped."
            )
            % {
                "count": len(report.registered),
                "total": format_dkk(sum(p.amount_ore for p in report.registered)),
                "skipped": len(report.already_registered),
            },
        )
    return redirect("requests", year=year)


@require_GET
@permission_required(perms.VIEW_REQUESTS)
def requests_letters_zip(request: HttpRequest, year: int) -> HttpResponse:
    """Every letter of the year the user may see (requests, supplements, credits) in one ZIP."""
    shown = [v.request for v in _visible(request, year)]  # a cancelled one: its cancellation
    if not shown:
        messages.error(
            request,
            _("There are no requests for %(year)s, so there are no letters.") % {"year": year},
        )
        return redirect("requests", year=year)
    response = HttpResponse(letters_zip(shown), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="breve-{year}.zip"'
    return response


@require_POST
@permission_required(perms.MANAGE_COLLECTION)
def requests_send_view(request: HttpRequest, year: int) -> HttpResponse:
    actor = Actor.of(request.user)
    drafts = PaymentRequest.objects.filter(year=year, status=RequestStatus.DRAFT)
    sent = [request_send(actor=actor, request=r) for r in drafts]
    messages.success(request, _("%(count)s requests marked as sent.") % {"count": len(sent)})
    return redirect("requests", year=year)


@require_GET
@permission_required(perms.VIEW_REQUESTS)
def requests_export(request: HttpRequest, year: int) -> HttpResponse:
    views = _visible(request, year)
    payments = list(
        Payment.objects.filter(request__in=[v.request for v in views]).select_related(
            "request__municipality"
        )
    )
    response = HttpResponse(
        renderers.requests_xlsx(views, payments, heading=f"Opkrævninger {year}"),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="opkraevninger-{year}.xlsx"'
    return response


def _request_or_404(request: HttpRequest, pk: int) -> PaymentRequest:
    requests = PaymentRequest.objects.select_related("municipality", "run").prefetch_related(
        "lines__office", "lines__payee_municipality", "payments"
    )
    return visible_or_404(request, requests, perms.VIEW_REQUEST, pk=pk)


def _collector(request: HttpRequest) -> Municipality | None:
    """The lead municipality the user collects for, if any (never the secretariat)."""
    return next(
        (m for m in Municipality.objects.all() if request.user.has_perm(perms.COLLECT_FOR, m)),
        None,
    )


@require_http_methods(["GET", "POST"])
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """
    One request with its lines and payments. The secretariat registers any
    payment here; a collecting lead municipality what it received for its lines.
    """
    obj = _request_or_404(request, pk)
    may_register = request.user.has_perm(perms.REGISTER_PAYMENT, obj) and not obj.is_credit
    payee = collecting_for(request.user, obj) if may_register else None
    form = PaymentForm(request.POST or None) if may_register else None
    if request.method == "POST" and form is None:
        raise PermissionDenied
    if form is not None and submitted(
        request,
        form,
        lambda data: payment_register(
            actor=Actor.of(request.user), request=obj, payee=payee, **data
        ),
        refused=CollectionError,
        success=_("The payment is registered."),
    ):
        return redirect("request-detail", pk=obj.pk)
    view = request_view(obj, today=timezone.localdate())
    received = view.received_per_line()
    lines = [(line, received[line.pk]) for line in obj.lines.all()]
    return render(
        request,
        "collection/request_detail.html",
        {
            "view": view,
            "lines": lines,
            "payments": obj.payments.select_related("payee_municipality"),
            "form": form,
            "payee": payee,
            "payee_outstanding": payee_outstanding_ore(obj, payee) if payee else None,
            "cancel_form": CancelForm() if request.user.has_perm(perms.MANAGE_COLLECTION) else None,
            "trail": [
                (reverse("requests", args=[obj.year]), _("Requests %(year)s") % {"year": obj.year})
            ],
        },
    )


@require_GET
def request_letter(request: HttpRequest, pk: int) -> HttpResponse:
    """The request's PDF letter, for whoever may see the request."""
    obj = _request_or_404(request, pk)
    response = HttpResponse(letter_pdf(obj), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{letter_filename(obj)}"'
    return response


@require_POST
@permission_required(perms.MANAGE_COLLECTION)
def request_cancel_view(request: HttpRequest, pk: int) -> HttpResponse:
    obj = get_object_or_404(PaymentRequest, pk=pk)
    form = CancelForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give a reason for cancelling the request."))
    else:
        try:
            request_cancel(
                actor=Actor.of(request.user), request=obj, reason=form.cleaned_data["reason"]
            )
        except CollectionError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("The request is cancelled."))
    return redirect("request-detail", pk=obj.pk)


@require_GET
@permission_required(perms.VIEW_REQUESTS)
def payee_accounts(request: HttpRequest) -> HttpResponse:
    """Where each collector is paid: the lead municipalities and the offices."""
    rows = [
        row
        for row in payee_account_list()
        if request.user.has_perm(perms.EDIT_PAYEE, row.municipality or row.office)
    ]
    if not rows:
        raise PermissionDenied
    return render(
        request,
        "collection/payees.html",
        {"rows": rows, "trail": [(reverse("requests-current"), _("Requests"))]},
    )


@require_http_methods(["GET", "POST"])
def payee_account_edit(request: HttpRequest, kind: str, key: str) -> HttpResponse:
    """Edit a collector's payment details (the secretariat, or the lead municipality itself)."""
    target: Municipality | ClusterOffice
    office_id = query_id(key)
    if kind == "kommune" and query_code(key):
        target = get_object_or_404(Municipality, code=key)
    elif kind == "kontor" and office_id is not None:
        target = get_object_or_404(ClusterOffice, pk=office_id)
    else:
        raise Http404
    if not request.user.has_perm(perms.EDIT_PAYEE, target):
        raise PermissionDenied
    municipality = target if isinstance(target, Municipality) else None
    office = target if isinstance(target, ClusterOffice) else None
    current = payee_account_for(municipality=municipality, office=office)
    form = PayeeAccountForm(
        request.POST if request.method == "POST" else None,
        initial={"account": current.account, "ean": current.ean, "contact": current.contact}
        if current
        else {},
    )
    if submitted(
        request,
        form,
        lambda data: payee_account_set(
            actor=Actor.of(request.user), municipality=municipality, office=office, **data
        ),
        refused=CollectionError,
        success=_("The payment details are saved."),
    ):
        return redirect("payee-accounts")
    heading = _("Payment details: %(name)s") % {"name": _payee_name(target)}
    return render(
        request,
        "common/edit.html",
        {
            "form": form,
            "heading": heading,
            "back": reverse("payee-accounts"),
            "trail": [(reverse("payee-accounts"), _("Payment details"))],
        },
    )


def _payee_name(target: Municipality | ClusterOffice) -> str:
    if isinstance(target, Municipality):
        return _("%(name)s Municipality") % {"name": target.name}
    return target.name
