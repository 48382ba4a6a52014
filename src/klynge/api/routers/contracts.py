"""Result contracts, the offices' yearly reports and their KPI results; entering actuals."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import prefetch_related_objects
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from klynge.api.auth import permitted, require, visible, writer
from klynge.api.errors import ERRORS_READ, ERRORS_WRITE, refused
from klynge.api.pagination import PageQuery, page_of, paginate
from klynge.api.schemas import FORBID_EXTRA, Id, Text, Year
from klynge.common import perms
from klynge.contracts import selectors, services
from klynge.contracts.models import Contract, OfficeReport, ReportStatus
from klynge.core import kpi

router = Router(tags=["Resultatkontrakter"])

MAX_RESULTS = 200  # far above any KPI set


class TargetOut(Schema):
    year: int
    value: int


class IndicatorOut(Schema):
    """An indicator; values are stored whole numbers (a share in hundredths of a percent,
    an amount in øre, a milestone 0 or 1), shown as typed in `*_text`."""

    id: int
    key: str
    name: str
    definition: str
    unit: str
    kind: str
    direction: str
    source: str
    baseline: int | None
    targets: list[TargetOut]


class ContractOut(Schema):
    id: int
    kind: str
    title: str
    office_id: int | None
    cluster_key: str | None
    lead_municipality_code: str | None
    first_year: int
    last_year: int
    status: str
    signed_on: dt.date | None
    replaces_id: int | None
    met_percent: int
    partly_percent: int
    basis: str


class ContractDetailOut(ContractOut):
    indicators: list[IndicatorOut]


class ResultOut(Schema):
    """One indicator in one report: the year's target, the actual and its status."""

    report_id: int
    office_id: int | None
    year: int
    indicator_id: int
    indicator_key: str
    target: int | None
    actual: int | None
    actual_text: str
    text: str
    comment: str
    status: str


class ReportOut(Schema):
    id: int
    contract_id: int
    office_id: int | None
    year: int
    version: int
    status: str
    narrative: str
    submitted_at: dt.datetime | None
    reviewed_at: dt.datetime | None
    review_comment: str
    basis: str


class ReportDetailOut(ReportOut):
    results: list[ResultOut]


class ActualIn(Schema):
    """An actual as typed in the web form (e.g. `120`, `45,5`, `250.000`, `ja`), and a comment."""

    model_config = FORBID_EXTRA

    indicator_id: Id
    value: Text = Field("", max_length=kpi.MAX_TEXT)
    comment: Text = Field("", max_length=kpi.MAX_TEXT)


class ActualsIn(Schema):
    """
    The actuals to save. Without `narrative` the report keeps its own; `submit`
    sends the report for approval.
    """

    model_config = FORBID_EXTRA

    results: list[ActualIn] = Field(..., max_length=MAX_RESULTS)
    narrative: Text | None = Field(None, max_length=10 * kpi.MAX_TEXT)
    submit: bool = False


ContractPage = page_of(ContractOut)
ReportPage = page_of(ReportOut)
ResultPage = page_of(ResultOut)


def _contract(c: Contract) -> dict[str, Any]:
    return {
        "id": c.pk,
        "kind": c.kind,
        "title": c.title,
        "office_id": c.office_id,
        "cluster_key": c.cluster.key if c.cluster else None,
        "lead_municipality_code": c.lead_municipality.code if c.lead_municipality else None,
        "first_year": c.first_year,
        "last_year": c.last_year,
        "status": c.status,
        "signed_on": c.signed_on,
        "replaces_id": c.replaces_id,
        "met_percent": c.met_percent,
        "partly_percent": c.partly_percent,
        "basis": c.basis,
    }


def _report(r: OfficeReport) -> dict[str, Any]:
    return {
        "id": r.pk,
        "contract_id": r.contract_id,
        "office_id": r.contract.office_id,
        "year": r.round.year,
        "version": r.version,
        "status": r.status,
        "narrative": r.narrative,
        "submitted_at": r.submitted_at,
        "reviewed_at": r.reviewed_at,
        "review_comment": r.review_comment,
        "basis": r.basis,
    }


def _results(
    report: OfficeReport, indicators: list[selectors.IndicatorRow] | None = None
) -> list[ResultOut]:
    return [
        ResultOut(
            report_id=report.pk,
            office_id=report.contract.office_id,
            year=report.round.year,
            indicator_id=row.indicator.pk,
            indicator_key=row.indicator.key,
            target=row.target,
            actual=row.actual,
            actual_text=row.actual_text,
            text=row.text,
            comment=row.comment,
            status=row.status.value,
        )
        for row in selectors.result_rows(report=report, indicators=indicators)
    ]


def _visible_contracts(request: HttpRequest) -> list[Contract]:
    require(request, perms.VIEW_CONTRACTS)
    return permitted(request, selectors.contract_list(), perms.VIEW_CONTRACT)


@router.get("/contracts", response={200: ContractPage, **ERRORS_READ}, summary="Resultatkontrakter")
def contracts(request: HttpRequest, page: Query[PageQuery]) -> dict[str, Any]:
    """The contracts the caller may see (an office: its own and its cluster's)."""
    found = _visible_contracts(request)
    return paginate(found, page, lambda rows: [ContractOut(**_contract(c)) for c in rows])


@router.get(
    "/contracts/{contract_id}",
    response={200: ContractDetailOut, **ERRORS_READ},
    summary="Én kontrakt med indikatorer og mål",
)
def contract(request: HttpRequest, contract_id: Id) -> ContractDetailOut:
    require(request, perms.VIEW_CONTRACTS)
    # A missing contract raises DoesNotExist, which the API answers as not_found.
    found = visible(request, selectors.contract_get(pk=contract_id), perms.VIEW_CONTRACT)
    return ContractDetailOut(
        **_contract(found),
        indicators=[
            IndicatorOut(
                id=row.indicator.pk,
                key=row.indicator.key,
                name=row.indicator.name,
                definition=row.indicator.definition,
                unit=row.indicator.unit,
                kind=row.indicator.kind,
                direction=row.indicator.direction,
                source=row.indicator.source,
                baseline=row.indicator.baseline,
                targets=[TargetOut(year=y, value=v) for y, v in sorted(row.targets.items())],
            )
            for row in selectors.indicator_rows(contract=found)
        ],
    )


def _visible_reports(
    request: HttpRequest, year: int | None, office: int | None
) -> list[OfficeReport]:
    require(request, perms.VIEW_CONTRACTS)
    rows = (
        OfficeReport.objects.exclude(status=ReportStatus.REPLACED)
        .select_related("round", "contract", "contract__office", "contract__lead_municipality")
        .order_by("round__year", "contract__office__name", "pk")
    )
    if year:
        rows = rows.filter(round__year=year)
    if office:
        rows = rows.filter(contract__office_id=office)
    return permitted(request, rows, perms.VIEW_OFFICE_REPORT)


@router.get(
    "/office-reports", response={200: ReportPage, **ERRORS_READ}, summary="Kontorernes årsrapporter"
)
def reports(
    request: HttpRequest, page: Query[PageQuery], year: Year | None = None, office: Id | None = None
) -> dict[str, Any]:
    """Each office's current report per follow-up year (replaced versions left out)."""
    found = _visible_reports(request, year, office)
    return paginate(found, page, lambda rows: [ReportOut(**_report(r)) for r in rows])


def _report_visible(request: HttpRequest, report_id: int) -> OfficeReport:
    require(request, perms.VIEW_CONTRACTS)
    # A missing report raises DoesNotExist, which the API answers as not_found.
    return visible(request, selectors.report_get(pk=report_id), perms.VIEW_OFFICE_REPORT)


@router.get(
    "/office-reports/{report_id}",
    response={200: ReportDetailOut, **ERRORS_READ},
    summary="Én årsrapport med resultater",
)
def report(request: HttpRequest, report_id: Id) -> ReportDetailOut:
    found = _report_visible(request, report_id)
    return ReportDetailOut(**_report(found), results=_results(found))


@router.get("/kpi-results", response={200: ResultPage, **ERRORS_READ}, summary="KPI-resultater")
def results(
    request: HttpRequest, page: Query[PageQuery], year: Year | None = None, office: Id | None = None
) -> dict[str, Any]:
    """Every indicator of the visible reports with target, actual and status."""
    found = _visible_reports(request, year, office)
    # Every report's KPI set and results in three queries, not three per report.
    sets = selectors.indicator_rows_by_contract(contract_ids=sorted({r.contract_id for r in found}))
    prefetch_related_objects(found, "results")
    rows = [row for r in found for row in _results(r, sets.get(r.contract_id, []))]
    return paginate(rows, page)


@router.put(
    "/office-reports/{report_id}/results",
    response={200: ReportDetailOut, **ERRORS_WRITE},
    summary="Indtast KPI-resultater",
)
def results_save(request: HttpRequest, report_id: Id, payload: ActualsIn) -> ReportDetailOut:
    """
    Save the office's actuals, as its report form does (same checks), and with
    `submit` send the report for approval: both or neither. Only the office's
    own users may, while the report is open for entry.
    """
    who = writer(request)
    found = _report_visible(request, report_id)
    require(request, perms.ENTER_RESULTS, found)
    entered = {
        r.indicator_id: services.EnteredResult(value=r.value, comment=r.comment)
        for r in payload.results
    }
    narrative = found.narrative if payload.narrative is None else payload.narrative
    try:
        services.report_enter(
            actor=who.actor, report=found, narrative=narrative, results=entered,
            submit=payload.submit,
        )  # fmt: skip
    except services.ContractError as error:
        raise refused(error.problems) from error
    fresh = selectors.report_get(pk=found.pk)
    return ReportDetailOut(**_report(fresh), results=_results(fresh))
