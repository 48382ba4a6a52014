"""Publishing the yearly report: the approved files of a year, stored as a new version."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max

from klynge.audit.models import Action
from klynge.audit.services import Actor, record
from klynge.reports.models import PublishedReport
from klynge.reports.opendata import opendata_package
from klynge.reports.render import render, sha256
from klynge.reports.selectors import (
    AnnualReport,
    ReportError,
    annual_report_data,
    dashboard_figures,
)

__all__ = ["ReportError", "report_publish"]


def _state(published: PublishedReport) -> dict[str, Any]:
    """What the audit entry keeps: the checksums, never the bytes."""
    return {
        "year": published.year,
        "version": published.version,
        "pdf_sha256": published.pdf_sha256,
        "docx_sha256": published.docx_sha256,
        "xlsx_sha256": published.xlsx_sha256,
        "opendata_sha256": published.opendata_sha256,
        "data_fingerprint": published.data_fingerprint,
        "data_date": published.data_date.isoformat(),
        "run_id": published.run_id,
        "demo": published.demo,
    }


@transaction.atomic
def report_publish(
    *, actor: Actor, year: int, report: AnnualReport | None = None
) -> PublishedReport:
    """
    Publish the report of `year` as it is today: PDF, DOCX and XLSX, and the
    open data (a ZIP of CSV files and datapackage.json), each with its
    SHA-256. A year published before gets a new version; the earlier ones
    are kept.

    :raises ReportError: the year has no approved allocation run (nothing is stored)
    """
    report = report or annual_report_data(year)
    files = {fmt: render(report, fmt) for fmt in ("pdf", "docx", "xlsx")}
    files["opendata"] = opendata_package(year, report=report).zip
    # One publication of a year at a time: the year's rows are locked first.
    list(PublishedReport.objects.select_for_update().filter(year=year).values_list("pk"))
    latest = PublishedReport.objects.filter(year=year).aggregate(v=Max("version"))["v"] or 0
    try:
        with transaction.atomic():
            published = PublishedReport.objects.create(
                year=year,
                version=latest + 1,
                pdf=files["pdf"], pdf_sha256=sha256(files["pdf"]),
                docx=files["docx"], docx_sha256=sha256(files["docx"]),
                xlsx=files["xlsx"], xlsx_sha256=sha256(files["xlsx"]),
                opendata=files["opendata"], opendata_sha256=sha256(files["opendata"]),
                data_fingerprint=report.fingerprint,
                data_date=report.data_date,
                run_id=report.run_id,
                demo=report.demo,
                dashboard=dashboard_figures(report),
                published_by=actor.label[:150],
            )  # fmt: skip
    except IntegrityError:
        raise ReportError(
            year, [f"en ny udgivelse: årsrapporten for {year} blev netop udgivet af en anden"]
        ) from None
    record(actor=actor, action=Action.CREATE, instance=published, before=None,
           after=_state(published), year=year)  # fmt: skip
    return published
