"""Reads of the register."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from functools import cache
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext

from klynge.common import perms
from klynge.core.cofinancing import Municipality as CoreMunicipality
from klynge.core.cofinancing import PopulationFigure as CoreFigure
from klynge.core.svgmap import Drawing, Shape, draw, load_shapes
from klynge.masterdata.models import (
    Cluster,
    ClusterOffice,
    Municipality,
    Organisation,
    Partnership,
    PopulationFigure,
    TimelineEvent,
)


class UnknownObjectError(LookupError):
    """A name or code given by a user matches nothing in the register."""


def municipality_list() -> QuerySet[Municipality]:
    return Municipality.objects.prefetch_related(
        Prefetch("population_figures", queryset=PopulationFigure.objects.order_by("reference_date"))
    )


def municipality_get(*, code_or_name: str) -> Municipality:
    """
    Find a municipality by its code ('350') or name ('Lejre'), case-insensitively.

    :raises UnknownObjectError: naming the value and listing the known ones
    """
    value = code_or_name.strip()
    found = (
        Municipality.objects.filter(code=value).first()
        or Municipality.objects.filter(name__iexact=value).first()
    )
    if found is None:
        known = ", ".join(f"{m.code} {m.name}" for m in Municipality.objects.order_by("code"))
        raise UnknownObjectError(
            gettext("Unknown municipality '%(value)s'. Known municipalities: %(known)s.")
            % {"value": value, "known": known}
        )
    return found


def office_list() -> QuerySet[ClusterOffice]:
    return ClusterOffice.objects.select_related("cluster", "host_municipality")


def office_get(*, name: str) -> ClusterOffice:
    """
    Find an office by its own name or its cluster's name, case-insensitively.

    :raises UnknownObjectError: naming the value and listing the known offices
    """
    value = name.strip()
    offices = list(office_list().filter(name__iexact=value)) or list(
        office_list().filter(cluster__name__iexact=value)
    )
    if len(offices) != 1:
        known = "; ".join(o.name for o in office_list())
        if offices:
            message = gettext("Several offices match '%(value)s'. Known offices: %(known)s.")
        else:
            message = gettext("Unknown cluster office '%(value)s'. Known offices: %(known)s.")
        raise UnknownObjectError(message % {"value": value, "known": known})
    return offices[0]


def cluster_list() -> QuerySet[Cluster]:
    return Cluster.objects.prefetch_related("offices")


def organisation_list() -> QuerySet[Organisation]:
    return Organisation.objects.all()


def partnership_list() -> QuerySet[Partnership]:
    return Partnership.objects.prefetch_related("members")


def timeline_list() -> QuerySet[TimelineEvent]:
    return TimelineEvent.objects.all()


def core_municipalities(municipalities: Iterable[Municipality]) -> list[CoreMunicipality]:
    """The municipalities as the pure engine sees them."""
    return [CoreMunicipality(code=m.code, name=m.name) for m in municipalities]


def population_table() -> dict[str, dict[date, CoreFigure]]:
    """Population figures by municipality code and reference date, for the engine."""
    table: dict[str, dict[date, CoreFigure]] = {}
    for code, on, population, source in PopulationFigure.objects.values_list(
        "municipality__code", "reference_date", "population", "source"
    ):
        table.setdefault(code, {})[on] = CoreFigure(
            population=population, reference_date=on, source=source
        )
    return table


def population_sources() -> dict[str, PopulationFigure]:
    """
    A stored figure for each source text, to show a run's stored source as a label.

    A run keeps each line's full source text (so it stays reproducible); the
    label, link and date read are looked up by that text when shown.
    """
    return {figure.source: figure for figure in PopulationFigure.objects.order_by("pk")}


def population_missing(*, reference_date: date) -> QuerySet[Municipality]:
    """Municipalities without a population figure on `reference_date`."""
    return Municipality.objects.exclude(population_figures__reference_date=reference_date)


def visible_municipality_codes(user: Any) -> set[str]:
    """The codes of the municipalities whose pages `user` may open."""
    return {m.code for m in municipality_list() if user.has_perm(perms.VIEW_MUNICIPALITY, m)}


@cache
def municipality_shapes() -> tuple[Shape, ...]:
    """The municipalities' outlines (data/sjaelland_municipalities.geojson), read once."""
    from klynge.masterdata.services import DATA_DIR

    return tuple(load_shapes(DATA_DIR / "sjaelland_municipalities.geojson"))


@cache
def municipality_drawing() -> Drawing:
    """The municipalities projected and simplified once per process: they never change."""
    return draw(municipality_shapes())
