"""Opkrævninger: the year's requests, one request with its payments, and the actions."""

from __future__ import annotations

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
from klynge.collection.forms import CancelForm, CreateRequestsForm, PaymentForm
from klynge.collection.letters import letter_filename, letter_pdf
from klynge.collection.models import Payment, PaymentRequest, RequestStatus
from klynge.collection.selectors import (
    RequestView,
    office_reconciliation,
    reminders,
    request_list,
    request_view,
    settlement_basis,
    totals,
)
from klynge.collection.services import (
    CollectionError,
    payment_register,
    request_cancel,
    request_send,
    requests_create,
    requests_settle,
)
from klynge.common import perms
from klynge.common.perms import permission_required
from klynge.common.views import submitted, visible_or_404
from klynge.financing.selectors import AgreementYearError, agreement_for_year, run_approved

DEFAULT_YEAR = 2024


def _visible(request: HttpRequest, year: int) -> list[RequestView]:
    """The requests of `year` the user may see: all for the secretariat, else its own."""
    views = request_list(year=year, today=timezone.localdate())
    return [v for v in views if request.user.has_perm(perms.VIEW_REQUEST, v.request)]


@require_GET
@permission_required(perms.VIEW_REQUESTS)
def requests_current(request: HttpRequest) -> HttpResponse:
    return redirect("requests", year=DEFAULT_YEAR)


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
            "create_form": CreateRequestsForm(),
            "drafts": sum(1 for v in views if v.request.status == RequestStatus.DRAFT),
        },
    )


@require_POST
@permission_required(perms.MANAGE_COLLECTION)
def requests_create_view(request: HttpRequest, year: int) -> HttpResponse:
    try:
        agreement = agreement_for_year(year=year)
    except AgreementYearError as error:
        raise Http404(str(error)) from error
    form = CreateRequestsForm(request.POST)
    run = run_approved(agreement=agreement, year=year)
    if not form.is_valid():
        messages.error(request, _("Give a valid due date."))
    elif run is None:
        messages.error(request, _("Approve the allocation for %(year)s first.") % {"year": year})
    else:
        try:
            created = requests_create(
                actor=Actor.of(request.user), run=run, due_date=form.cleaned_data["due_date"]
            )
        except CollectionError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request, _("%(count)s requests made as drafts.") % {"count": len(created)}
            )
    return redirect("requests", year=year)


@require_POST
@permission_required(perms.MANAGE_COLLECTION)
def requests_settle_view(request: HttpRequest, year: int) -> HttpResponse:
    """Settle the year's requests against the approved run that replaced an earlier one."""
    try:
        agreement = agreement_for_year(year=year)
    except AgreementYearError as error:
        raise Http404(str(error)) from error
    form = CreateRequestsForm(request.POST)
    run = run_approved(agreement=agreement, year=year)
    if not form.is_valid():
        messages.error(request, _("Give a valid due date."))
    elif run is None:
        messages.error(request, _("Approve the allocation for %(year)s first.") % {"year": year})
    else:
        try:
            settlement = requests_settle(
                actor=Actor.of(request.user), run=run, due_date=form.cleaned_data["due_date"]
            )
        except CollectionError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _(
                    "Settled against allocation #%(run)s: %(supplements)s supplementary "
                    "requests, %(credits)s credit notes and %(cancelled)s cancelled requests, "
                    "as drafts."
                )
                % {
                    "run": run.pk,
                    "supplements": len(settlement.supplements),
                    "credits": len(settlement.credits),
                    "cancelled": len(settlement.cancelled),
                },
            )
    return redirect("requests", year=year)


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
    requests = PaymentRequest.objects.select_related("municipality", "run")
    return visible_or_404(request, requests, perms.VIEW_REQUEST, pk=pk)


@require_http_methods(["GET", "POST"])
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One request with its lines and payments; the secretariat registers payments here."""
    obj = _request_or_404(request, pk)
    manage = request.user.has_perm(perms.MANAGE_COLLECTION)
    form = PaymentForm(request.POST or None) if manage else None
    if request.method == "POST" and form is None:
        raise PermissionDenied
    if form is not None and submitted(
        request,
        form,
        lambda data: payment_register(actor=Actor.of(request.user), request=obj, **data),
        refused=CollectionError,
        success=_("The payment is registered."),
    ):
        return redirect("request-detail", pk=obj.pk)
    return render(
        request,
        "collection/request_detail.html",
        {
            "view": request_view(obj, today=timezone.localdate()),
            "lines": obj.lines.select_related("office"),
            "payments": obj.payments.all(),
            "form": form,
            "cancel_form": CancelForm() if manage else None,
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
