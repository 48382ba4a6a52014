"""Web pages of co-financing: overview, allocation table, data quality."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from klynge.core.cofinancing import AllocationInputError
from klynge.financing import renderers
from klynge.financing.models import Agreement, AllocationRun
from klynge.financing.selectors import (
    AgreementYearError,
    agreement_for_year,
    year_allocation,
)
from klynge.financing.services import (
    ApprovalError,
    allocation_run_approve,
    allocation_run_create,
)

DEFAULT_YEAR = 2024


def _agreement_or_404(year: int) -> Agreement:
    try:
        return agreement_for_year(year=year)
    except AgreementYearError as error:
        raise Http404(str(error)) from error


@require_GET
def allocation_current(request: HttpRequest) -> HttpResponse:
    return redirect("allocation", year=DEFAULT_YEAR)


@require_GET
def allocation(request: HttpRequest, year: int) -> HttpResponse:
    agreement = _agreement_or_404(year)
    shown = year_allocation(agreement=agreement, year=year)
    return render(
        request,
        "financing/allocation.html",
        {"agreement": agreement, "year": year, "shown": shown, "years": list(agreement.years())},
    )


@require_GET
def allocation_export(request: HttpRequest, year: int, fmt: str) -> HttpResponse:
    agreement = _agreement_or_404(year)
    shown = year_allocation(agreement=agreement, year=year)
    if shown.table is None:
        raise Http404("Fordelingen kan ikke beregnes.")
    heading = f"Kommunal medfinansiering {year} - {agreement.name}"
    filename = f"fordeling-{year}"
    if fmt == "xlsx":
        response = HttpResponse(
            renderers.lines_xlsx(shown.lines, shown.table, heading=heading),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    elif fmt == "csv":
        response = HttpResponse(
            ("\ufeff" + renderers.lines_csv(shown.lines)).encode("utf-8"),
            content_type="text/csv; charset=utf-8",
        )
    elif fmt == "json":
        run = shown.run
        run_info = (
            {"id": run.pk, "status": run.status, "fingerprint": run.fingerprint} if run else None
        )
        response = HttpResponse(
            renderers.lines_json(shown.lines, shown.table, run_info),
            content_type="application/json",
        )
    else:
        raise Http404("Ukendt format.")
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response


@require_POST
@staff_member_required
def allocation_save(request: HttpRequest, year: int) -> HttpResponse:
    agreement = _agreement_or_404(year)
    try:
        run = allocation_run_create(
            agreement=agreement, year=year, user=request.user.get_username()
        )
    except AllocationInputError as error:
        messages.error(request, f"Fordelingen kan ikke gemmes: {error}")
    else:
        messages.success(request, f"Fordelingen for {year} er gemt som kørsel #{run.pk}.")
    return redirect("allocation", year=year)


@require_POST
@staff_member_required
def allocation_approve(request: HttpRequest, year: int, run_id: int) -> HttpResponse:
    run = get_object_or_404(AllocationRun, pk=run_id, year=year)
    try:
        allocation_run_approve(run=run, user=request.user.get_username())
    except ApprovalError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Fordelingen for {year} er godkendt og frosset.")
    return redirect(reverse("allocation", kwargs={"year": year}))
