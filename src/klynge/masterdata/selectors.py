"""Reads of the register."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
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
    FigureOrigin,
    Municipality,
    Organisation,
    Partnership,
    PopulationFetch,
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


def partnership_get(*, key: str) -> Partnership:
    """
    The partnership with `key` ('sjaelland'), case-insensitively.

    :raises UnknownObjectError: naming the value and listing the known keys
    """
    value = key.strip()[:60]
    found = Partnership.objects.filter(key__iexact=value).first()
    if found is None:
        known = ", ".join(f"{p.key} ({p.name})" for p in Partnership.objects.order_by("key"))
        raise UnknownObjectError(
            gettext("Unknown partnership '%(value)s'. Known partnerships: %(known)s.")
            % {"value": value, "known": known or "-"}
        )
    return found


@dataclass(frozen=True)
class FigureChange:
    """One municipality in a fetch: the stored figure (if any) beside the fetched one."""

    code: str
    name: str
    stored: int | None
    stored_origin: str
    stored_label: str
    fetched: int

    @property
    def difference(self) -> int | None:
        return None if self.stored is None else self.fetched - self.stored

    @property
    def changed(self) -> bool:
        """Whether storing the fetch changes this figure or its source."""
        return self.stored != self.fetched or self.stored_origin != FigureOrigin.STATBANK


def population_changes(
    *, partnership: Partnership, reference_date: date, figures: dict[str, int]
) -> list[FigureChange]:
    """The partnership's municipalities, stored figures on `reference_date` beside `figures`."""
    members = {m.code: m for m in partnership.members.all()}
    stored = {
        f.municipality.code: f
        for f in PopulationFigure.objects.filter(
            municipality__in=members.values(), reference_date=reference_date
        ).select_related("municipality")
    }
    rows = []
    for code in sorted(figures, key=lambda c: members[c].name if c in members else c):
        figure = stored.get(code)
        rows.append(
            FigureChange(
                code=code,
                name=members[code].name if code in members else code,
                stored=figure.population if figure else None,
                stored_origin=figure.origin if figure else "",
                stored_label=figure.source_label if figure else "",
                fetched=int(figures[code]),
            )
        )
    return rows


def changes_total(changes: list[FigureChange]) -> FigureChange:
    """The changes summed as one row; the stored sum only when every figure is stored."""
    stored_all = all(c.stored is not None for c in changes)
    return FigureChange(
        code="",
        name="",
        stored=sum(c.stored or 0 for c in changes) if stored_all else None,
        stored_origin="",
        stored_label="",
        fetched=sum(c.fetched for c in changes),
    )


def population_fetch_list(*, limit: int = 20) -> QuerySet[PopulationFetch]:
    """The newest StatBank fetches, stored and pending."""
    return PopulationFetch.objects.select_related("partnership")[:limit]
