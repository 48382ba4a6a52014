"""The Overblik map: the 17 municipalities coloured by a chosen measure."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from klynge.core.money import format_decimal, format_dkk, group_thousands, round_half_away
from klynge.core.svgmap import (
    Region,
    colour_scale,
    render_svg,
)
from klynge.financing.selectors import AllocationTable
from klynge.masterdata.selectors import municipality_drawing, municipality_shapes
from klynge.participation.selectors import MunicipalityReach

# measure key -> (label, how its integer values are written)
MEASURES = {
    "per_inhabitant": (gettext_lazy("Kroner per inhabitant"), "money"),
    "total": (gettext_lazy("Contribution in total"), "money"),
    "population": (gettext_lazy("Population on the key's date"), "count"),
    "reach": (gettext_lazy("Companies reached"), "count"),
    "reach_per_1000": (gettext_lazy("Companies reached per 1.000 inhabitants"), "hundredths"),
}
REACH_MEASURES = ("reach", "reach_per_1000")
DEFAULT_MEASURE = "per_inhabitant"


@dataclass(frozen=True)
class MapRow:
    code: str
    name: str
    value: int | None
    text: str
    colour: str
    linked: bool


@dataclass(frozen=True)
class MunicipalityMap:
    """The SVG and the same figures as rows for the table beside it."""

    measure: str
    label: str
    svg: str
    rows: list[MapRow]
    legend: list[tuple[str, str]]
    demo: bool = False  # the figures count demo data (reach measures on the demo set)


def _values(
    table: AllocationTable, measure: str, reach: dict[str, MunicipalityReach]
) -> dict[str, int | None]:
    if measure == "reach":
        return {
            code: reach[code].companies if code in reach else None
            for code, _n in table.municipalities
        }
    if measure == "reach_per_1000":
        return {
            code: round_half_away(per * 100)
            if code in reach and (per := reach[code].per_1000) is not None
            else None
            for code, _name in table.municipalities
        }
    if measure == "total":
        return {code: table.municipality_totals.get(code) for code, _name in table.municipalities}
    if measure == "population":
        return dict(table.population)
    return dict(table.per_inhabitant_ore)


def municipality_map(
    *,
    table: AllocationTable,
    measure: str,
    linked_codes: set[str],
    reach: dict[str, MunicipalityReach] | None = None,
) -> MunicipalityMap:
    """
    The map of `measure` for the year of `table`.

    The map itself is one image (role="img") with a title per municipality;
    links inside it would make an image with nested controls. The table
    beside it links the municipalities in `linked_codes` to their page, so
    nobody is sent to a page they may not open.
    """
    if measure not in MEASURES:
        measure = DEFAULT_MEASURE
    label, kind = MEASURES[measure]
    values = _values(table, measure, reach or {})
    known = {code: value for code, value in values.items() if value is not None}
    colours, legend = colour_scale(known)
    names = dict(table.municipalities)

    def text(value: int | None) -> str:
        if value is None:
            return _("no figure")
        if kind == "money":
            return format_dkk(value)
        if kind == "hundredths":
            return format_decimal(Fraction(value, 100), places=2)
        return group_thousands(value)

    rows = [
        MapRow(
            code,
            names[code],
            values.get(code),
            text(values.get(code)),
            colours.get(code, ""),
            code in linked_codes,
        )
        for code, _name in sorted(table.municipalities, key=lambda item: item[1])
    ]
    regions = {
        row.code: Region(
            code=row.code,
            fill=row.colour or "#ffffff",
            title=f"{row.name}: {row.text}",
        )
        for row in rows
    }
    title = f"{label} {table.year}"
    svg = render_svg(
        municipality_shapes(),
        regions,
        title=title,
        description=_("Map of the municipalities of Region Sjælland. The table shows the same."),
        id_prefix=f"kort-{measure}",
        drawing=municipality_drawing(),
    )
    return MunicipalityMap(
        measure=measure,
        label=str(label),
        svg=svg,
        rows=rows,
        legend=[(f"{text(low)} – {text(high)}", colour) for low, high, colour in legend],
        demo=measure in REACH_MEASURES and any(r.demo for r in (reach or {}).values()),
    )
