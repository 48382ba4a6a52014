"""Agreements and allocation runs: every share with its explanation, and corrections."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from pydantic import BaseModel

from klynge.api.auth import require
from klynge.api.errors import ERRORS_READ, ApiError, not_found
from klynge.api.pagination import PageQuery, page_of, paginate
from klynge.api.schemas import Id, Year
from klynge.common import perms
from klynge.financing.models import Agreement, AllocationRun, RunStatus
from klynge.financing.selectors import run_line_values

router = Router(tags=["Finansiering"])


class AgreementYearOut(Schema):
    year: int
    office_amount_ore: int
    lead_share_ore: int
    key: str
    rounding_unit_ore: int
    index_percent: str | None


class FinancedOfficeOut(Schema):
    office_id: int
    first_year: int


class AgreementOut(Schema):
    id: int
    name: str
    first_year: int
    last_year: int
    reference_date_rule: str
    fixed_reference_date: dt.date | None
    index_base_year: int | None
    years: list[AgreementYearOut]
    offices: list[FinancedOfficeOut]


class RunOut(Schema):
    """An allocation run: computed, approved, or replaced by a correction."""

    id: int
    agreement_id: int
    year: int
    status: str
    fingerprint: str
    created_at: dt.datetime
    approved_at: dt.datetime | None
    replaces_id: int | None
    replaced_by_id: int | None
    replace_reason: str
    replaced_at: dt.datetime | None


class LineOut(BaseModel):
    """One municipality's share of one office: the amount and how it was found."""

    # A plain pydantic model, as MunicipalityTotalOut: ninja's Schema reads each
    # field of each line through its Django getter, about ten times slower for a
    # run's lines (bench/api.py). The OpenAPI description is the same.

    office_id: int
    municipality_code: str
    role: str
    amount_ore: int
    population: int | None
    population_date: dt.date | None
    population_source: str
    weight: int | None
    key_total: int | None
    split_ore: int | None
    quota_numerator: int | None
    quota_denominator: int | None
    explanation: str


class MunicipalityTotalOut(BaseModel):
    municipality_code: str
    amount_ore: int


class RunDetailOut(RunOut):
    total_ore: int
    municipality_totals: list[MunicipalityTotalOut]
    lines: list[LineOut]


AgreementPage = page_of(AgreementOut)
RunPage = page_of(RunOut)


def _replaced_by(run: AllocationRun) -> int | None:
    try:
        return int(run.replaced_by.pk)
    except AllocationRun.DoesNotExist:
        return None


def _run(run: AllocationRun) -> dict[str, Any]:
    return {
        "id": run.pk,
        "agreement_id": run.agreement_id,
        "year": run.year,
        "status": run.status,
        "fingerprint": run.fingerprint,
        "created_at": run.created_at,
        "approved_at": run.approved_at,
        "replaces_id": run.replaces_id,
        "replaced_by_id": _replaced_by(run),
        "replace_reason": run.replace_reason,
        "replaced_at": run.replaced_at,
    }


def _detail(run: AllocationRun) -> dict[str, Any]:
    """
    The run with every line (one per office and municipality, by office id and
    municipality code) as plain values, which the response schema validates once.
    """
    lines = run_line_values(run=run)
    totals: dict[str, int] = {}
    for line in lines:
        code = line["municipality_code"]
        totals[code] = totals.get(code, 0) + line["amount_ore"]
    return {
        **_run(run),
        "total_ore": sum(totals.values()),
        "municipality_totals": [
            {"municipality_code": code, "amount_ore": amount}
            for code, amount in sorted(totals.items())
        ],
        "lines": list(lines),
    }


def _runs() -> QuerySet[AllocationRun]:
    return AllocationRun.objects.select_related("replaced_by").order_by("year", "created_at", "pk")


@router.get("/agreements", response={200: AgreementPage, **ERRORS_READ}, summary="Aftaler")
def agreements(request: HttpRequest, page: Query[PageQuery]) -> dict[str, Any]:
    """The co-financing agreements with their terms per year and financed offices."""
    require(request, perms.VIEW_ALLOCATION)
    rows = Agreement.objects.prefetch_related("terms", "financed_offices").order_by(
        "first_year", "name"
    )

    def convert(found: list[Agreement]) -> list[AgreementOut]:
        return [
            AgreementOut(
                id=a.pk,
                name=a.name,
                first_year=a.first_year,
                last_year=a.last_year,
                reference_date_rule=a.reference_date_rule,
                fixed_reference_date=a.fixed_reference_date,
                index_base_year=a.index_base_year,
                years=[
                    AgreementYearOut(
                        year=t.year,
                        office_amount_ore=t.office_amount_ore,
                        lead_share_ore=t.lead_share_ore,
                        key=t.key,
                        rounding_unit_ore=t.rounding_unit_ore,
                        index_percent=None if t.index_percent is None else str(t.index_percent),
                    )
                    for t in sorted(a.terms.all(), key=lambda t: t.year)
                ],
                offices=[
                    FinancedOfficeOut(office_id=f.office_id, first_year=f.first_year)
                    for f in sorted(a.financed_offices.all(), key=lambda f: f.office_id)
                ],
            )
            for a in found
        ]

    return paginate(rows, page, convert)


@router.get("/allocation-runs", response={200: RunPage, **ERRORS_READ}, summary="Fordelingskørsler")
def runs(
    request: HttpRequest,
    page: Query[PageQuery],
    year: Year | None = None,
    status: RunStatus | None = None,
) -> dict[str, Any]:
    """Every computed, approved and replaced run; filter by year and status."""
    require(request, perms.VIEW_ALLOCATION)
    rows = _runs()
    if year:
        rows = rows.filter(year=year)
    if status:
        rows = rows.filter(status=status)
    return paginate(rows, page, lambda found: [RunOut(**_run(r)) for r in found])


@router.get(
    "/allocation-runs/{run_id}",
    response={200: RunDetailOut, **ERRORS_READ},
    summary="Én fordelingskørsel med alle andele",
)
def run(request: HttpRequest, run_id: Id) -> dict[str, Any]:
    require(request, perms.VIEW_ALLOCATION)
    found = _runs().filter(pk=run_id).first()
    if found is None:
        raise not_found()
    return _detail(found)


@router.get(
    "/allocations/{year}",
    response={200: RunDetailOut, **ERRORS_READ},
    summary="Årets godkendte fordeling",
)
def allocation(request: HttpRequest, year: Year) -> dict[str, Any]:
    """The year's approved run: what each municipality pays for each office."""
    require(request, perms.VIEW_ALLOCATION)
    found = _runs().filter(year=year, status=RunStatus.APPROVED).first()
    if found is None:
        raise ApiError(404, "not_found", _("{year} has no approved allocation.").format(year=year))
    return _detail(found)
