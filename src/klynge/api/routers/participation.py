"""Activities, reach per municipality, and participant imports (dry run, then store)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, File, Form, Query, Router, Schema, Status, UploadedFile

from klynge.api.auth import require, visible, writer
from klynge.api.errors import ERRORS_READ, ERRORS_WRITE, ApiError, not_found, refused
from klynge.api.pagination import PageQuery, page_of, paginate
from klynge.api.schemas import FORBID_EXTRA, Id, MunicipalityCode, Year
from klynge.common import perms
from klynge.core.opendata import decimal
from klynge.financing.selectors import allocation_for_year, approved_allocation_for_year
from klynge.masterdata.models import ClusterOffice
from klynge.participation.models import ImportBatch
from klynge.participation.selectors import ActivityFilter, activity_list, reach_by_municipality
from klynge.participation.services import (
    BatchError,
    import_check,
    import_commit,
    import_max_bytes,
    too_large_message,
)

router = Router(tags=["Deltagelse"])

PROBLEMS_SHOWN = 500


class ActivityOut(Schema):
    """An activity of an office, with how many took part (no names)."""

    id: int
    office_id: int
    external_id: str
    title: str
    kind: str
    held_on: dt.date
    municipality_code: str | None
    green: bool
    international: bool
    participants: int
    basis: str


class ReachOut(Schema):
    """
    One municipality in one year: unique companies and SMEs reached, activities
    held there, and its share of the year's allocation (`share_ore`, from the
    approved run when `share_approved`). `demo` marks demodata.
    """

    municipality_code: str
    name: str
    year: int
    companies: int
    smes: int
    activities_held: int
    population: int | None
    companies_per_1000: str | None = Field(
        None, description="Virksomheder pr. 1.000 indbyggere, to decimaler med punktum."
    )
    share_ore: int | None
    share_approved: bool
    demo: bool


class ProblemOut(Schema):
    row: int
    column: str
    value: str
    message: str


class ImportOut(Schema):
    """
    A participant file: `checked` (can be stored), `refused` (see `problems`),
    `committed`, `discarded` or `undone`. `differences` must be accepted when stored.
    """

    id: int
    office_id: int
    file_name: str
    sha256: str
    size_bytes: int
    status: str
    row_count: int
    summary: dict[str, Any]
    problems: list[ProblemOut]
    problem_count: int
    differences: list[dict[str, Any]]
    notes: list[Any]
    created_at: dt.datetime
    committed_at: dt.datetime | None


class StoreIn(Schema):
    """Store a checked file; `accept_changes` accepts the differences the check listed."""

    model_config = FORBID_EXTRA

    accept_changes: bool = False


ActivityPage = page_of(ActivityOut)
ReachPage = page_of(ReachOut)


def _batch(batch: ImportBatch) -> ImportOut:
    return ImportOut(
        id=batch.pk,
        office_id=batch.office_id,
        file_name=batch.file_name,
        sha256=batch.sha256,
        size_bytes=batch.size_bytes,
        status=batch.status,
        row_count=batch.row_count,
        summary=batch.summary,
        problems=[
            ProblemOut(
                row=int(p.get("row", 0)),
                column=str(p.get("column", "")),
                value=str(p.get("value", "")),
                message=str(p.get("message", "")),
            )
            for p in batch.problems[:PROBLEMS_SHOWN]
        ],
        problem_count=len(batch.problems),
        differences=batch.differences,
        notes=batch.notes,
        created_at=batch.created_at,
        committed_at=batch.committed_at,
    )


@router.get("/activities", response={200: ActivityPage, **ERRORS_READ}, summary="Aktiviteter")
def activities(
    request: HttpRequest,
    page: Query[PageQuery],
    year: Year | None = None,
    office: Id | None = None,
    municipality: MunicipalityCode | None = None,
) -> dict[str, Any]:
    """The offices' activities, newest first; filter by year, office and municipality."""
    require(request, perms.VIEW_REGISTER)
    rows = activity_list(
        ActivityFilter(year=year, municipality=municipality or "", office_id=office)
    )

    def convert(found: list[Any]) -> list[ActivityOut]:
        return [
            ActivityOut(
                id=a.pk,
                office_id=a.office_id,
                external_id=a.external_id,
                title=a.title,
                kind=a.kind,
                held_on=a.held_on,
                municipality_code=a.municipality.code if a.municipality else None,
                green=a.green,
                international=a.international,
                participants=a.participant_count,
                basis=a.basis,
            )
            for a in found
        ]

    return paginate(rows, page, convert)


@router.get("/reach", response={200: ReachPage, **ERRORS_READ}, summary="Rækkevidde pr. kommune")
def reach(
    request: HttpRequest, year: Year, page: Query[PageQuery], office: Id | None = None
) -> dict[str, Any]:
    """Companies reached per municipality in `year` (for one office with `office`)."""
    require(request, perms.VIEW_REGISTER)
    if office is not None and not ClusterOffice.objects.filter(pk=office).exists():
        raise not_found()
    # Only the shares are shown: an approved year needs no live computation.
    allocation = approved_allocation_for_year(year=year) or allocation_for_year(year=year)
    rows = reach_by_municipality(year=year, allocation=allocation, office_id=office)

    def convert(found: list[Any]) -> list[ReachOut]:
        return [
            ReachOut(
                municipality_code=r.code,
                name=r.name,
                year=r.year,
                companies=r.companies,
                smes=r.smes,
                activities_held=r.activities_held,
                population=r.population,
                companies_per_1000=decimal(r.per_1000) if r.per_1000 is not None else None,
                share_ore=r.share_ore,
                share_approved=r.share_approved,
                demo=r.demo,
            )
            for r in found
        ]

    return paginate(rows, page, convert)


def _office_for_import(request: HttpRequest, office_id: int) -> ClusterOffice:
    require(request, perms.IMPORT_PARTICIPATIONS)
    office = ClusterOffice.objects.filter(pk=office_id).first()
    return visible(request, office, perms.IMPORT_PARTICIPATIONS)


@router.post(
    "/participation-imports",
    response={201: ImportOut, **ERRORS_WRITE},
    summary="Tjek en deltagerfil (tørkørsel)",
    url_name="participation-import",
)
def import_create(
    request: HttpRequest, office_id: Form[Id], file: File[UploadedFile]
) -> Status[ImportOut]:
    """
    Check a participant file (CSV or XLSX, the web template's columns) for an
    office: the dry run. Nothing but the batch itself is stored; its status says
    whether it can be stored, and `problems` lists every row and column at fault.
    """
    who = writer(request)
    office = _office_for_import(request, office_id)
    if file.size is None or file.size > import_max_bytes():
        raise ApiError(413, "too_large", too_large_message(file.size or 0))
    batch = import_check(
        actor=who.actor, office=office, file_name=file.name or "", data=file.read()
    )
    return Status(201, _batch(batch))


def _batch_visible(request: HttpRequest, batch_id: int) -> ImportBatch:
    require(request, perms.IMPORT_PARTICIPATIONS)
    batch = ImportBatch.objects.select_related("office").filter(pk=batch_id).first()
    if batch is None:
        raise not_found()
    visible(request, batch.office, perms.IMPORT_PARTICIPATIONS)
    return batch


@router.get(
    "/participation-imports/{batch_id}",
    response={200: ImportOut, **ERRORS_READ},
    summary="Én deltagerfil",
)
def import_detail(request: HttpRequest, batch_id: Id) -> ImportOut:
    return _batch(_batch_visible(request, batch_id))


@router.post(
    "/participation-imports/{batch_id}/store",
    response={200: ImportOut, **ERRORS_WRITE},
    summary="Gem en tjekket deltagerfil",
)
def import_store(request: HttpRequest, batch_id: Id, payload: StoreIn) -> ImportOut:
    """Store a checked file, all or nothing, with the same checks as the web."""
    who = writer(request)
    batch = _batch_visible(request, batch_id)
    try:
        stored = import_commit(actor=who.actor, batch=batch, accept_changes=payload.accept_changes)
    except BatchError as error:
        raise refused(str(error)) from error
    return _batch(stored)
