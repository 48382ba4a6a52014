"""
Årsrapport til KKR Sjælland (the secretariat) and the published reports (everyone).

The secretariat chooses a year, sees the report's key figures or what is
missing, downloads each format made from live data, and publishes the year:
the files are stored as a new version. Everyone with a role sees the
published versions, downloads them and the open data published with them,
and sees each year's dashboards (KPI attainment per office, companies
reached per municipality): aggregates only.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from klynge.audit.services import Actor
from klynge.common import perms
from klynge.common.params import query_year
from klynge.common.perms import permission_required
from klynge.reports.models import PublishedReport
from klynge.reports.render import FORMATS, filename, key_figures
from klynge.reports.render import render as render_report
from klynge.reports.selectors import (
    ReportError,
    annual_report_data,
    published_file,
    published_latest,
    published_list,
    report_years,
)
from klynge.reports.services import report_publish


def _download(data: bytes, fmt: str, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type=FORMATS[fmt])
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _page(year: int) -> str:
    return f"{reverse('annual-report')}?aar={year}"


@require_GET
@permission_required(perms.MAKE_ANNUAL_REPORT)
def annual_report(request: HttpRequest) -> HttpResponse:
    years = report_years()
    chosen = query_year(request.GET.get("aar"))
    year = chosen if chosen in years else (years[0] if years else None)
    report, problem = None, None
    if year is not None:
        try:
            report = annual_report_data(year)
        except ReportError as error:
            problem = error
    return render(
        request,
        "reports/annual.html",
        {
            "year": year,
            "years": years,
            "report": report,
            "key_figures": key_figures(report) if report is not None else [],
            "problem": problem,
            "formats": sorted(FORMATS),
            "published": [p for p in published_list() if p.year == year],
        },
    )


@require_GET
@permission_required(perms.MAKE_ANNUAL_REPORT)
def annual_report_download(request: HttpRequest, year: int, fmt: str) -> HttpResponse:
    if fmt not in FORMATS:
        raise Http404
    try:
        report = annual_report_data(year)
    except ReportError as error:
        messages.error(request, error.message)
        return redirect(_page(year))
    return _download(render_report(report, fmt), fmt, filename(year, fmt))


@require_POST
@permission_required(perms.MAKE_ANNUAL_REPORT)
def annual_report_publish(request: HttpRequest, year: int) -> HttpResponse:
    try:
        published = report_publish(actor=Actor.of(request.user), year=year)
    except ReportError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("The annual report for %(year)s is published as version %(version)s.")
            % {"year": year, "version": published.version},
        )
    return redirect(_page(year))


@require_GET
@permission_required(perms.VIEW_PUBLISHED)
def published_index(request: HttpRequest) -> HttpResponse:
    versions = published_list()
    latest: dict[int, PublishedReport] = {}
    for version in versions:
        latest.setdefault(version.year, version)
    return render(
        request,
        "reports/published_list.html",
        {"latest": list(latest.values()), "versions": versions},
    )


@require_GET
@permission_required(perms.VIEW_PUBLISHED)
def published_detail(request: HttpRequest, year: int) -> HttpResponse:
    try:
        published = published_latest(year=year)
    except PublishedReport.DoesNotExist:
        raise Http404 from None
    figures = published.dashboard
    offices = figures.get("offices", [])
    municipalities = figures.get("municipalities", [])
    return render(
        request,
        "reports/published_detail.html",
        {
            "published": published,
            "versions": [p for p in published_list() if p.year == year],
            "offices": offices,
            "municipalities": municipalities,
            "companies": sum(m["companies"] for m in municipalities),
            # The map is drawn by klynge.core.svgmap from our own figures (escaped titles).
            "map_svg": mark_safe(figures.get("map_svg", "")),  # noqa: S308
            "formats": sorted(FORMATS),
            "trail": [(reverse("published-list"), _("Published reports"))],
        },
    )


@require_GET
@permission_required(perms.VIEW_PUBLISHED)
def published_opendata(request: HttpRequest, year: int, version: int) -> HttpResponse:
    """The open data stored with a published version: CSV files and datapackage.json, zipped."""
    try:
        published = published_file(year=year, version=version, fmt="opendata")
    except PublishedReport.DoesNotExist:
        raise Http404 from None
    data, _checksum = published.content("opendata")
    if not data:
        raise Http404  # published before open data existed
    response = HttpResponse(data, content_type="application/zip")
    response["Content-Disposition"] = (
        f'attachment; filename="aabne-data-klynge-{year}-v{version}.zip"'
    )
    return response


@require_GET
@permission_required(perms.VIEW_PUBLISHED)
def published_download(request: HttpRequest, year: int, version: int, fmt: str) -> HttpResponse:
    if fmt not in FORMATS:
        raise Http404
    try:
        published = published_file(year=year, version=version, fmt=fmt)
    except PublishedReport.DoesNotExist:
        raise Http404 from None
    data, _checksum = published.content(fmt)
    name = filename(year, fmt).replace(f".{fmt}", f"-v{version}.{fmt}")
    return _download(data, fmt, name)
