"""
Choropleth maps of municipalities as one inline SVG element, in pure Python.

Why inline SVG: the map is a few kilobytes of markup rendered on the server, so it needs
no JavaScript, no map tiles, no third-party requests and no plotting library. It scales with
the page, prints sharply, and every municipality carries a `<title>` that screen readers and
hover tooltips use. Colours are presentation attributes, never `style`, because the site's
Content-Security-Policy forbids inline styles.

Projection: equirectangular. Longitude is multiplied by the cosine of the latitude at the
middle of the bounding box, so that at Denmark's ~55.5° N a kilometre east is as long on the
map as a kilometre north; y is flipped because SVG's y axis points down. The result is scaled
to `width` viewBox units, and each ring is simplified with Douglas–Peucker at `precision`
units before coordinates are rounded to 0.1 unit and written as relative moves.

The map never stands alone: the same numbers are shown in a table beside it (WCAG 1.4.1).
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import pathlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape

Point = tuple[float, float]
Ring = tuple[Point, ...]

# ColorBrewer "Blues", light to dark. Adjacent 3:1 contrast is impossible for five steps
# (it would need 3**4 = 81:1 between the ends; white to black is 21:1), so the map is always
# accompanied by a table with the same numbers. The darkest colour has 5.1:1 against white,
# every colour has >= 3.3:1 against the #1a1a1a stroke (borders meet WCAG 1.4.11), and the
# lightest differs from white (1.2:1), the default for municipalities without data.
BLUES: tuple[str, ...] = ("#deebf7", "#9ecae1", "#6baed6", "#4292c6", "#2171b5")

SVG_NS = "http://www.w3.org/2000/svg"
_ID_PREFIX = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")
_MARGIN = 1  # viewBox units around the drawing, so outer strokes are not clipped


@dataclass(frozen=True)
class Shape:
    """A municipality's outline: code, name and lon/lat rings (drawn with even-odd fill)."""

    code: str
    name: str
    rings: tuple[Ring, ...]


@dataclass(frozen=True)
class Region:
    """What to draw for one municipality: fill colour, accessible title, optional link."""

    code: str
    fill: str
    title: str
    href: str | None = None


def _ring(coordinates: Sequence[Sequence[float]]) -> Ring:
    return tuple((float(c[0]), float(c[1])) for c in coordinates)  # float ok: geometry


def shapes_from_geojson(data: Mapping[str, Any]) -> list[Shape]:
    """Read a FeatureCollection whose features have `code` and `name` properties."""
    shapes: dict[str, Shape] = {}
    for index, feature in enumerate(data.get("features", [])):
        properties = feature.get("properties") or {}
        code = properties.get("code")
        if not isinstance(code, str) or not code:
            raise ValueError(f"feature {index} has no 'code' property")
        if code in shapes:
            raise ValueError(f"feature {index}: code {code!r} occurs twice")
        geometry = feature.get("geometry") or {}
        kind = geometry.get("type")
        if kind == "Polygon":
            polygons = [geometry["coordinates"]]
        elif kind == "MultiPolygon":
            polygons = geometry["coordinates"]
        else:
            raise ValueError(f"feature {code!r}: unsupported geometry type {kind!r}")
        rings = tuple(_ring(ring) for polygon in polygons for ring in polygon)
        shapes[code] = Shape(code=code, name=str(properties.get("name") or code), rings=rings)
    return [shapes[code] for code in sorted(shapes)]


def load_shapes(path: pathlib.Path) -> list[Shape]:
    """Read shapes from a GeoJSON file (UTF-8)."""
    return shapes_from_geojson(json.loads(path.read_text(encoding="utf-8")))


def douglas_peucker(points: Sequence[Point], tolerance: float) -> list[Point]:
    """Keep the points that lie more than `tolerance` from the simplified line (iterative).

    For a closed ring (first point == last point) the first split is at the point farthest
    from the start, so rings simplify as well as open lines.
    """
    count = len(points)
    if count < 3:
        return list(points)
    keep = [False] * count
    keep[0] = keep[-1] = True
    stack = [(0, count - 1)]
    while stack:
        first, last = stack.pop()
        (ax, ay), (bx, by) = points[first], points[last]
        dx, dy = bx - ax, by - ay
        length = math.hypot(dx, dy)
        farthest, split = -1.0, -1
        for i in range(first + 1, last):
            px, py = points[i]
            if length == 0.0:
                distance = math.hypot(px - ax, py - ay)
            else:
                distance = abs(dx * (py - ay) - dy * (px - ax)) / length
            if distance > farthest:
                farthest, split = distance, i
        if split >= 0 and farthest > tolerance:
            keep[split] = True
            stack.extend(((first, split), (split, last)))
    return [point for point, kept in zip(points, keep, strict=True) if kept]


def _number(tenths: int) -> str:
    """Write an integer number of tenths as the shortest SVG number: 15 -> 1.5, -4 -> -.4."""
    whole, fraction = divmod(abs(tenths), 10)
    sign = "-" if tenths < 0 else ""
    if fraction == 0:
        return f"{sign}{whole}"
    return f"{sign}{whole or ''}.{fraction}"


def _numbers(values: Sequence[int]) -> str:
    parts = [_number(v) for v in values]
    return "".join(p if i == 0 or p.startswith("-") else " " + p for i, p in enumerate(parts))


def _ring_path(ring: Sequence[tuple[int, int]]) -> str:
    deltas = [d for (x0, y0), (x1, y1) in itertools.pairwise(ring) for d in (x1 - x0, y1 - y0)]
    return f"M{_numbers(ring[0])}l{_numbers(deltas)}z"


def _attr(text: str) -> str:
    return escape(text, {'"': "&quot;"})


@dataclass(frozen=True)
class Drawing:
    """Shapes projected and simplified once: the viewBox and each shape's path data."""

    view_box: str
    paths: tuple[tuple[Shape, str], ...]


def draw(shapes: Sequence[Shape], *, width: int = 600, precision: float = 0.5) -> Drawing:
    """Project and simplify `shapes` to SVG path data, `width` wide (the costly part of a map)."""
    points = [p for shape in shapes for ring in shape.rings for p in ring] or [(0.0, 0.0)]
    west, east = min(p[0] for p in points), max(p[0] for p in points)
    south, north = min(p[1] for p in points), max(p[1] for p in points)
    if west == east or width <= 0:
        raise ValueError("nothing to draw: the shapes have no extent, or width is not positive")
    x_factor = math.cos(math.radians((south + north) / 2))
    scale = width / ((east - west) * x_factor)
    height_tenths = math.ceil((north - south) * scale * 10)
    view_box = (
        f"{-_MARGIN} {-_MARGIN} {width + 2 * _MARGIN} {_number(height_tenths + 20 * _MARGIN)}"
    )
    paths = []
    for shape in shapes:
        subpaths = []
        for ring in shape.rings:
            projected = [((x - west) * x_factor * scale, (north - y) * scale) for x, y in ring]
            rounded: list[tuple[int, int]] = []
            for x, y in douglas_peucker(projected, precision):
                point = (round(x * 10), round(y * 10))
                if not rounded or rounded[-1] != point:
                    rounded.append(point)
            if len(rounded) > 1 and rounded[0] == rounded[-1]:
                rounded.pop()
            if len(rounded) >= 3:
                subpaths.append(_ring_path(rounded))
        paths.append((shape, "".join(subpaths)))
    return Drawing(view_box, tuple(paths))


def render_svg(
    shapes: Sequence[Shape],
    regions: Mapping[str, Region],
    *,
    title: str,
    description: str = "",
    width: int = 600,
    missing_fill: str = "#ffffff",
    stroke: str = "#1a1a1a",
    precision: float = 0.5,
    id_prefix: str | None = None,
    drawing: Drawing | None = None,
) -> str:
    """Draw `shapes` as one `<svg>` element, coloured and titled by `regions` (keyed by code).

    Regions whose code has no shape are ignored; shapes without a region get `missing_fill`
    and their own name as title. `id_prefix` (default: derived from a hash of `title`) makes
    the ids of `<title>` and `<desc>` unique when a page shows several maps. `drawing`, if
    given, is `draw(shapes, width=width, precision=precision)` made earlier and kept.
    """
    if id_prefix is None:
        id_prefix = "map-" + hashlib.sha256(title.encode("utf-8")).hexdigest()[:10]
    if not _ID_PREFIX.fullmatch(id_prefix):
        raise ValueError(f"id_prefix {id_prefix!r} is not a valid id")
    if drawing is None:
        drawing = draw(shapes, width=width, precision=precision)
    ids = f"{id_prefix}-title"
    head = [f'<title id="{id_prefix}-title">{escape(title)}</title>']
    if description:
        ids += f" {id_prefix}-desc"
        head.append(f'<desc id="{id_prefix}-desc">{escape(description)}</desc>')
    out = [
        f'<svg xmlns="{SVG_NS}" viewBox="{drawing.view_box}" width="100%" role="img" '
        f'aria-labelledby="{ids}">',
        *head,
    ]
    for shape, data in drawing.paths:
        region = regions.get(shape.code)
        fill = region.fill if region else missing_fill
        label = region.title if region else shape.name
        path = (
            f'<path d="{data}" fill="{_attr(fill)}" fill-rule="evenodd" '
            f'stroke="{_attr(stroke)}" stroke-linejoin="round" '
            f'vector-effect="non-scaling-stroke"/>'
        )
        if region and region.href:
            out.append(f'<a href="{_attr(region.href)}"><title>{escape(label)}</title>{path}</a>')
        else:
            out.append(f"<g><title>{escape(label)}</title>{path}</g>")
    out.append("</svg>")
    return "\n".join(out)


def colour_scale(
    values: Mapping[str, int], *, palette: Sequence[str] = BLUES
) -> tuple[dict[str, str], list[tuple[int, int, str]]]:
    """Classify integer values into len(palette) equal-count (quantile) classes.

    The value at rank i (0-based, ascending, of n) falls in class i * k // n, where ties take
    the rank of their first occurrence, so equal values share a class and a larger value never
    gets a lighter class. Returns code -> colour and a legend of (low, high, colour) for each
    non-empty class, ascending.
    """
    if not palette:
        raise ValueError("palette is empty")
    ordered = sorted(values.values())
    classes = len(palette)
    class_of: dict[int, int] = {}
    for rank, value in enumerate(ordered):
        class_of.setdefault(value, rank * classes // len(ordered))
    legend: dict[int, tuple[int, int]] = {}
    for value, index in class_of.items():  # ascending by value
        low, _ = legend.get(index, (value, value))
        legend[index] = (low, value)
    colours = {code: palette[class_of[value]] for code, value in values.items()}
    return colours, [(low, high, palette[i]) for i, (low, high) in sorted(legend.items())]
