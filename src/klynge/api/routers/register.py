"""The register: municipalities, population figures, clusters and offices."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema

from klynge.api.auth import permitted, require, visible
from klynge.api.errors import ERRORS_READ, not_found
from klynge.api.pagination import PageQuery, page_of, paginate
from klynge.api.schemas import Id, MunicipalityCode, Year
from klynge.common import perms
from klynge.masterdata.models import Cluster, ClusterOffice, Municipality, PopulationFigure

router = Router(tags=["Register"])


class MunicipalityOut(Schema):
    code: str
    name: str
    region_code: str


class PopulationOut(Schema):
    """A population figure on its reference date, with its source."""

    municipality_code: str
    reference_date: dt.date
    population: int
    source_label: str
    source_url: str
    source_read_on: dt.date | None
    origin: str
    basis: str


class ClusterOut(Schema):
    key: str
    identified: bool
    name: str
    name_da: str
    sector_da: str
    hq_city: str


class OfficeOut(Schema):
    id: int
    name: str
    cluster_key: str
    strength_position: str
    host_municipality_code: str | None
    town: str
    opened_date: dt.date | None
    opened_precision: str


MunicipalityPage = page_of(MunicipalityOut)
PopulationPage = page_of(PopulationOut)
ClusterPage = page_of(ClusterOut)
OfficePage = page_of(OfficeOut)


def _municipality(m: Municipality) -> MunicipalityOut:
    return MunicipalityOut(code=m.code, name=m.name, region_code=m.region_code)


def _office(o: ClusterOffice) -> OfficeOut:
    return OfficeOut(
        id=o.pk,
        name=o.name,
        cluster_key=o.cluster.key,
        strength_position=o.strength_position,
        host_municipality_code=o.host_municipality.code if o.host_municipality else None,
        town=o.town,
        opened_date=o.opened_date,
        opened_precision=o.opened_precision,
    )


@router.get("/municipalities", response={200: MunicipalityPage, **ERRORS_READ}, summary="Kommuner")
def municipalities(request: HttpRequest, page: Query[PageQuery]) -> dict[str, Any]:
    """The municipalities of the register, by name."""
    require(request, perms.VIEW_REGISTER)
    return paginate(
        Municipality.objects.order_by("name"), page, lambda r: [_municipality(m) for m in r]
    )


@router.get(
    "/municipalities/{code}",
    response={200: MunicipalityOut, **ERRORS_READ},
    summary="Én kommune",
)
def municipality(request: HttpRequest, code: MunicipalityCode) -> MunicipalityOut:
    require(request, perms.VIEW_REGISTER)
    found = Municipality.objects.filter(code=code).first()
    if found is None:
        raise not_found()
    return _municipality(found)


@router.get("/population", response={200: PopulationPage, **ERRORS_READ}, summary="Indbyggertal")
def population(
    request: HttpRequest,
    page: Query[PageQuery],
    municipality: MunicipalityCode | None = None,
    year: Year | None = None,
) -> dict[str, Any]:
    """Population figures with their sources; filter by municipality code and year."""
    require(request, perms.VIEW_REGISTER)
    rows = PopulationFigure.objects.select_related("municipality").order_by(
        "municipality__name", "reference_date"
    )
    if municipality:
        rows = rows.filter(municipality__code=municipality)
    if year:
        rows = rows.filter(reference_date__year=year)

    def convert(figures: list[PopulationFigure]) -> list[PopulationOut]:
        return [
            PopulationOut(
                municipality_code=f.municipality.code,
                reference_date=f.reference_date,
                population=f.population,
                source_label=f.source_label,
                source_url=f.source_url,
                source_read_on=f.source_read_on,
                origin=f.origin,
                basis=f.basis,
            )
            for f in figures
        ]

    return paginate(rows, page, convert)


@router.get("/clusters", response={200: ClusterPage, **ERRORS_READ}, summary="Nationale klynger")
def clusters(request: HttpRequest, page: Query[PageQuery]) -> dict[str, Any]:
    """The national clusters; one not identified by the sources has an empty name."""
    require(request, perms.VIEW_REGISTER)
    return paginate(
        Cluster.objects.order_by("-identified", "name", "key"),
        page,
        lambda rows: [ClusterOut.from_orm(c) for c in rows],
    )


@router.get("/offices", response={200: OfficePage, **ERRORS_READ}, summary="Klyngekontorer")
def offices(request: HttpRequest, page: Query[PageQuery]) -> dict[str, Any]:
    """The regional offices the caller may see (an office's user: its own)."""
    require(request, perms.VIEW_REGISTER)
    offices = ClusterOffice.objects.select_related("cluster", "host_municipality").order_by("name")
    shown = permitted(request, offices, perms.VIEW_OFFICE)
    return paginate(shown, page, lambda rows: [_office(o) for o in rows])


@router.get("/offices/{office_id}", response={200: OfficeOut, **ERRORS_READ}, summary="Ét kontor")
def office(request: HttpRequest, office_id: Id) -> OfficeOut:
    require(request, perms.VIEW_REGISTER)
    offices = ClusterOffice.objects.select_related("cluster", "host_municipality")
    return _office(visible(request, offices.filter(pk=office_id).first(), perms.VIEW_OFFICE))
