"""Overview, municipality, office and data-quality pages."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from klynge.financing.selectors import YearAllocation, data_quality_list
from klynge.masterdata.selectors import cluster_list, municipality_list, office_list
from klynge.web.selectors import (
    current_year_allocation,
    municipality_payments,
    office_leads,
    year_allocations,
)

CURRENT_YEAR = 2024


def _current(allocations: list[YearAllocation]) -> YearAllocation | None:
    return next((a for a in allocations if a.year == CURRENT_YEAR), None)


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    allocations = year_allocations()
    quality = data_quality_list()
    return render(
        request,
        "web/home.html",
        {
            "year": CURRENT_YEAR,
            "shown": _current(allocations),
            "allocations": allocations,
            "offices": office_list(),
            "missing_count": sum(1 for item in quality if item.severity == "missing"),
            "assumed_count": sum(1 for item in quality if item.severity == "assumed"),
        },
    )


@require_GET
def municipality_index(request: HttpRequest) -> HttpResponse:
    shown = current_year_allocation(year=CURRENT_YEAR)
    return render(
        request,
        "web/municipality_list.html",
        {"municipalities": municipality_list(), "year": CURRENT_YEAR, "shown": shown},
    )


@require_GET
def municipality_detail(request: HttpRequest, code: str) -> HttpResponse:
    municipality = get_object_or_404(municipality_list(), code=code)
    payments = municipality_payments(municipality=municipality, allocations=year_allocations())
    return render(
        request,
        "web/municipality_detail.html",
        {"municipality": municipality, "payments": payments},
    )


@require_GET
def office_index(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "web/office_list.html",
        {"offices": office_list(), "clusters": cluster_list()},
    )


@require_GET
def office_detail(request: HttpRequest, pk: int) -> HttpResponse:
    office = get_object_or_404(office_list(), pk=pk)
    allocations = [
        (shown, [line for line in shown.lines if line["office"] == office.name])
        for shown in year_allocations()
    ]
    return render(
        request,
        "web/office_detail.html",
        {"office": office, "leads": office_leads(office=office), "allocations": allocations},
    )


@require_GET
def data_quality(request: HttpRequest) -> HttpResponse:
    return render(request, "web/data_quality.html", {"items": data_quality_list()})
