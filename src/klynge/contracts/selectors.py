"""
Reads of result contracts and the follow-up: what is due, late or awaiting review,
and each report's indicators against their targets with a status.

Every figure is computed from the stored rows in a fixed number of queries
per call, whatever the number of offices or indicators.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from enum import Enum

from django.db.models import Prefetch, QuerySet

from klynge.contracts.models import (
    Contract,
    ContractDocument,
    ContractKind,
    ContractStatus,
    FollowUpRound,
    Indicator,
    IndicatorTarget,
    KpiResult,
    OfficeReport,
    ReportStatus,
)
from klynge.core import kpi


class ReportState(Enum):
    """Where one office's report stands in its round, as the lists show it."""

    DUE = "due"  # not yet submitted, the deadline not passed
    LATE = "late"  # not submitted, the deadline passed
    REVIEW = "review"  # submitted, awaiting the lead municipality
    CHANGES = "changes"  # sent back to the office
    APPROVED = "approved"


STATE_DA = {
    ReportState.DUE: "afventer kontoret",
    ReportState.LATE: "for sent",
    ReportState.REVIEW: "afventer godkendelse",
    ReportState.CHANGES: "ændringer ønsket",
    ReportState.APPROVED: "godkendt",
}


def report_state(report: OfficeReport, today: dt.date) -> ReportState:
    if report.status == ReportStatus.APPROVED:
        return ReportState.APPROVED
    if report.status == ReportStatus.SUBMITTED:
        return ReportState.REVIEW
    if report.status == ReportStatus.CHANGES:
        return ReportState.CHANGES
    return ReportState.LATE if today > report.round.deadline else ReportState.DUE


def contract_list(*, office_ids: list[int] | None = None) -> QuerySet[Contract]:
    """Every contract (or those of the offices in `office_ids`), newest period first."""
    rows = Contract.objects.select_related(
        "office", "cluster", "lead_municipality", "counterparty", "agreement"
    ).order_by("-first_year", "kind", "title")
    return rows if office_ids is None else rows.filter(office_id__in=office_ids)


def contract_get(*, pk: int) -> Contract:
    return Contract.objects.select_related(
        "office", "cluster", "lead_municipality", "counterparty", "agreement", "replaces"
    ).get(pk=pk)


def contract_documents(*, contract: Contract) -> list[ContractDocument]:
    """The contract's documents without their bytes."""
    return list(contract.documents.defer("content"))


@dataclass(frozen=True)
class IndicatorRow:
    indicator: Indicator
    targets: dict[int, int]  # year -> stored target

    def target_text(self, year: int) -> str:
        value = self.targets.get(year)
        if value is None:
            return "–"
        return kpi.format_value(self.indicator.core_kind, value, unit=self.indicator.unit)

    @property
    def baseline_text(self) -> str:
        kind = self.indicator.core_kind
        return kpi.format_value(kind, self.indicator.baseline, unit=self.indicator.unit)


def indicator_rows(*, contract: Contract) -> list[IndicatorRow]:
    """The contract's KPI set with its targets per year, in order (two queries)."""
    return indicator_rows_by_contract(contract_ids=[contract.pk]).get(contract.pk, [])


def indicator_rows_by_contract(*, contract_ids: list[int]) -> dict[int, list[IndicatorRow]]:
    """The KPI sets of several contracts with their targets, in two queries."""
    indicators = (
        Indicator.objects.filter(contract_id__in=contract_ids)
        .order_by("contract_id", "position", "key")
        .prefetch_related(Prefetch("targets", queryset=IndicatorTarget.objects.order_by("year")))
    )
    result: dict[int, list[IndicatorRow]] = {}
    for indicator in indicators:
        targets = {t.year: t.value for t in indicator.targets.all()}
        result.setdefault(indicator.contract_id, []).append(IndicatorRow(indicator, targets))
    return result


@dataclass(frozen=True)
class ResultRow:
    """One indicator of a report: target, actual, status and the office's words."""

    indicator: Indicator
    target: int | None
    actual: int | None
    text: str
    comment: str
    status: kpi.Status

    @property
    def target_text(self) -> str:
        return kpi.format_value(self.indicator.core_kind, self.target, unit=self.indicator.unit)

    @property
    def actual_text(self) -> str:
        if self.indicator.core_kind is kpi.Kind.TEXT:
            return self.text or "–"
        return kpi.format_value(self.indicator.core_kind, self.actual, unit=self.indicator.unit)

    @property
    def status_text(self) -> str:
        return kpi.STATUS_DA[self.status]

    @property
    def input_text(self) -> str:
        """The actual as a user would type it back into the form."""
        kind = self.indicator.core_kind
        if kind is kpi.Kind.TEXT:
            return self.text
        return kpi.typed_value(kind, self.actual)


def result_rows(
    *, report: OfficeReport, indicators: list[IndicatorRow] | None = None
) -> list[ResultRow]:
    """
    Every indicator of the report's contract with its target for the year and status.

    `indicators` are the contract's rows when the caller has read them already.
    """
    year = report.round.year
    contract = report.contract
    thresholds = contract.thresholds()
    results = {r.indicator_id: r for r in report.results.all()}
    rows = []
    lines = indicators if indicators is not None else indicator_rows(contract=contract)
    for line in lines:
        indicator = line.indicator
        result = results.get(indicator.pk)
        actual = result.value if result is not None else None
        text = result.text if result is not None else ""
        kind = indicator.core_kind
        target = line.targets.get(year)
        state = kpi.status(
            kind, indicator.core_direction, target=target,
            actual=(1 if text else None) if kind is kpi.Kind.TEXT else actual,
            thresholds=thresholds,
        )  # fmt: skip
        comment = result.comment if result is not None else ""
        rows.append(ResultRow(indicator, target, actual, text, comment, state))
    return rows


def status_counts(rows: list[ResultRow]) -> Counter[kpi.Status]:
    return Counter(row.status for row in rows)


@dataclass(frozen=True)
class RoundRow:
    """One office's current report in a round."""

    report: OfficeReport
    state: ReportState

    @property
    def state_text(self) -> str:
        return STATE_DA[self.state]


@dataclass
class RoundOverview:
    follow_up: FollowUpRound
    rows: list[RoundRow] = field(default_factory=list)

    def count(self, state: ReportState) -> int:
        return sum(1 for row in self.rows if row.state is state)

    @property
    def missing(self) -> list[RoundRow]:
        """Not yet submitted: due, late, or sent back."""
        open_states = (ReportState.DUE, ReportState.LATE, ReportState.CHANGES)
        return [row for row in self.rows if row.state in open_states]


def current_reports(*, follow_up: FollowUpRound) -> QuerySet[OfficeReport]:
    return (
        follow_up.reports.exclude(status=ReportStatus.REPLACED)
        .select_related("round", "contract", "contract__office", "contract__lead_municipality")
        .order_by("contract__office__name", "contract__title")
    )


def round_overview(
    *, follow_up: FollowUpRound, today: dt.date, office_ids: list[int] | None = None
) -> RoundOverview:
    """Each office's current report in the round and where it stands."""
    reports = current_reports(follow_up=follow_up)
    if office_ids is not None:
        reports = reports.filter(contract__office_id__in=office_ids)
    return RoundOverview(follow_up, [RoundRow(r, report_state(r, today)) for r in reports])


def round_list() -> QuerySet[FollowUpRound]:
    return FollowUpRound.objects.order_by("-year")


def round_get(*, year: int) -> FollowUpRound:
    return FollowUpRound.objects.get(year=year)


def report_get(*, pk: int) -> OfficeReport:
    return OfficeReport.objects.select_related(
        "round", "contract", "contract__office", "contract__lead_municipality"
    ).get(pk=pk)


def report_versions(*, report: OfficeReport) -> QuerySet[OfficeReport]:
    return OfficeReport.objects.filter(round=report.round, contract=report.contract).order_by(
        "-version"
    )


@dataclass(frozen=True)
class DueItem:
    report: OfficeReport
    state: ReportState

    @property
    def state_text(self) -> str:
        return STATE_DA[self.state]


def follow_up_due(
    *,
    today: dt.date,
    office_ids: list[int] | None = None,
    lead_municipality_id: int | None = None,
) -> list[DueItem]:
    """
    Open reports of every round: due, late, sent back or awaiting review.

    `office_ids` keeps an office's own; `lead_municipality_id` keeps the
    reports whose contract that municipality leads.
    """
    reports = (
        OfficeReport.objects.exclude(status__in=[ReportStatus.REPLACED, ReportStatus.APPROVED])
        .select_related("round", "contract", "contract__office", "contract__lead_municipality")
        .order_by("round__deadline", "contract__office__name")
    )
    if office_ids is not None:
        reports = reports.filter(contract__office_id__in=office_ids)
    if lead_municipality_id is not None:
        reports = reports.filter(contract__lead_municipality_id=lead_municipality_id)
    return [DueItem(r, report_state(r, today)) for r in reports]


@dataclass(frozen=True)
class OfficeAttainment:
    """An office's approved report for a year, as statuses counted (for dashboards)."""

    office_name: str
    report: OfficeReport | None
    rows: list[ResultRow]

    @property
    def counts(self) -> Counter[kpi.Status]:
        return status_counts(self.rows)

    @property
    def measured(self) -> int:
        return sum(self.counts[s] for s in (kpi.Status.MET, kpi.Status.PARTLY, kpi.Status.NOT_MET))


def approved_reports(*, year: int) -> list[OfficeReport]:
    """The approved report of each office for `year` (reports with results prefetched)."""
    return list(
        OfficeReport.objects.filter(round__year=year, status=ReportStatus.APPROVED)
        .select_related("round", "contract", "contract__office", "contract__lead_municipality")
        .prefetch_related(
            Prefetch("results", queryset=KpiResult.objects.select_related("indicator"))
        )
        .order_by("contract__office__name")
    )


def attainment(*, year: int) -> list[OfficeAttainment]:
    """Every office contract in force in `year`, with its approved report's statuses."""
    approved = {r.contract_id: r for r in approved_reports(year=year)}
    in_force = Contract.objects.filter(
        kind=ContractKind.OFFICE,
        status__in=[ContractStatus.SIGNED, ContractStatus.EXPIRED, ContractStatus.REPLACED],
        first_year__lte=year,
        last_year__gte=year,
    ).select_related("office")
    contracts = list(in_force.order_by("office__name"))
    sets = indicator_rows_by_contract(contract_ids=[c.pk for c in contracts])
    shown = []
    for contract in contracts:
        report = approved.get(contract.pk)
        if report is None and contract.status == ContractStatus.REPLACED:
            continue
        rows = (
            result_rows(report=report, indicators=sets.get(contract.pk, []))
            if report is not None
            else []
        )
        shown.append(OfficeAttainment(contract.holder_name, report, rows))
    return shown


def follow_up_years() -> list[int]:
    return list(FollowUpRound.objects.order_by("-year").values_list("year", flat=True))
