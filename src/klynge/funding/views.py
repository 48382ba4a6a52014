"""Finansiering: every grant with what is received, and the municipal shares beside them."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from klynge.audit.services import Actor
from klynge.collection.selectors import request_list, totals
from klynge.common import perms
from klynge.common.perms import permission_required
from klynge.common.views import submitted
from klynge.funding.forms import GrantForm, ReceiptForm
from klynge.funding.models import Grant
from klynge.funding.selectors import grant_list
from klynge.funding.services import FundingError, grant_complete, receipt_register

YEARS = range(2021, 2025)


@require_GET
@permission_required(perms.VIEW_ALLOCATION)
def funding_overview(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    municipal = [(year, totals(request_list(year=year, today=today))) for year in YEARS]
    return render(
        request,
        "funding/overview.html",
        {"grants": grant_list(), "municipal": [(y, t) for y, t in municipal if t.requested_ore]},
    )


@require_http_methods(["GET", "POST"])
@permission_required(perms.VIEW_ALLOCATION)
def grant_detail(request: HttpRequest, pk: int) -> HttpResponse:
    grant = get_object_or_404(Grant, pk=pk)
    manage = request.user.has_perm(perms.MANAGE_COLLECTION)
    form = ReceiptForm(request.POST or None) if manage else None
    if request.method == "POST" and form is None:
        raise PermissionDenied
    if form is not None and submitted(
        request,
        form,
        lambda data: receipt_register(actor=Actor.of(request.user), grant=grant, **data),
        refused=FundingError,
        success=_("The receipt is registered."),
    ):
        return redirect("grant-detail", pk=grant.pk)
    (view,) = grant_list(pk=grant.pk)
    return render(
        request,
        "funding/grant_detail.html",
        {
            "view": view,
            "receipts": grant.receipts.all(),
            "form": form,
            "trail": [(reverse("funding"), _("Funding"))],
        },
    )


@require_http_methods(["GET", "POST"])
@permission_required(perms.CHANGE_REGISTER)
def grant_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The secretariat fills in what the sources left empty: grantor and years."""
    grant = get_object_or_404(Grant, pk=pk)
    form = GrantForm(
        request.POST or None,
        initial={
            "grantor": grant.grantor,
            "first_year": grant.first_year,
            "last_year": grant.last_year,
            "source": grant.source,
            "note": grant.note,
        },
    )
    if submitted(
        request,
        form,
        lambda data: grant_complete(actor=Actor.of(request.user), grant=grant, **data),
        refused=FundingError,
        success=_("The grant is saved."),
    ):
        return redirect("grant-detail", pk=grant.pk)
    heading = _("Fill in the grant: %(purpose)s") % {"purpose": grant.purpose}
    return render(
        request,
        "common/edit.html",
        {
            "form": form,
            "heading": heading,
            "back": reverse("grant-detail", args=[grant.pk]),
            "trail": [(reverse("funding"), _("Funding"))],
        },
    )
