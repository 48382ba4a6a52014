"""Inline SVG map of the municipalities: geometry, markup, accessibility and colour classes."""

from __future__ import annotations

import pathlib
import xml.etree.ElementTree as ET

import pytest
from hypothesis import given
from hypothesis import strategies as st

from klynge.core.svgmap import (
    BLUES,
    Region,
    Shape,
    colour_scale,
    douglas_peucker,
    draw,
    load_shapes,
    render_svg,
    shapes_from_geojson,
)

GEOJSON = (
    pathlib.Path(__file__).resolve().parents[2]
    / "src/klynge/masterdata/data/sjaelland_municipalities.geojson"
)
CODES = [
    "253", "259", "265", "269", "306", "316", "320", "326", "329",
    "330", "336", "340", "350", "360", "370", "376", "390",
]  # fmt: skip
NS = {"svg": "http://www.w3.org/2000/svg"}
SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    """Parse our own output (trusted, no DTD), so the stdlib parser is fine here."""
    return ET.fromstring(svg)  # noqa: S314


@pytest.fixture(scope="module")
def shapes() -> list[Shape]:
    return load_shapes(GEOJSON)


def regions_for(shapes: list[Shape]) -> dict[str, Region]:
    return {
        s.code: Region(code=s.code, fill=BLUES[i % 5], title=f"{s.name}: {i}.000,00 kr.")
        for i, s in enumerate(shapes)
    }


def parent_map(root: ET.Element) -> dict[ET.Element, ET.Element]:
    return {child: parent for parent in root.iter() for child in parent}


def test_shipped_geojson_has_the_17_municipalities(shapes):
    assert [s.code for s in shapes] == CODES
    assert {s.name for s in shapes} >= {"Greve", "Køge", "Sorø", "Næstved", "Holbæk"}
    assert all(s.rings and all(len(r) >= 4 for r in s.rings) for s in shapes)


def test_rendered_map_is_accessible_well_formed_and_small(shapes):
    regions = regions_for(shapes)
    svg = render_svg(shapes, regions, title="Medfinansiering pr. kommune", description="2024")
    root = parse(svg)
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("width") == "100%"
    assert root.get("height") is None
    ids = root.get("aria-labelledby", "").split()
    assert len(ids) == 2
    by_id = {e.get("id"): e for e in root.iter() if e.get("id")}
    assert by_id[ids[0]].tag == f"{SVG}title"
    assert by_id[ids[0]].text == "Medfinansiering pr. kommune"
    assert by_id[ids[1]].tag == f"{SVG}desc"
    paths = root.findall(".//svg:path", NS)
    assert len(paths) == 17
    parents = parent_map(root)
    titles = [parents[p].find("svg:title", NS) for p in paths]
    assert [t.text for t in titles if t is not None] == [regions[c].title for c in CODES]
    assert all(p.get("fill-rule") == "evenodd" and p.get("stroke") == "#1a1a1a" for p in paths)
    assert [p.get("fill") for p in paths] == [regions[c].fill for c in CODES]
    assert all(e.get("style") is None for e in root.iter())
    assert "style" not in svg
    assert len(svg.encode()) < 40_000
    assert render_svg(shapes, regions, title="Medfinansiering pr. kommune", description="2024") == (
        svg
    )


def test_view_box_keeps_the_aspect_ratio_of_a_cosine_scaled_projection():
    square = Shape("1", "Et", (((10.0, 60.0), (12.0, 60.0), (12.0, 61.0), (10.0, 61.0)),))
    root = parse(render_svg([square], {}, title="t", width=100))
    _, _, width, height = (float(v) for v in root.get("viewBox", "").split())
    # cos(60.5°) ≈ 0.492: two degrees of longitude are about as wide as one of latitude
    assert width == 102
    assert 101 < height < 105


def test_without_description_only_the_title_labels_the_map(shapes):
    root = parse(render_svg(shapes, {}, title="Kort"))
    (label,) = root.get("aria-labelledby", "").split()
    assert root.find(f"svg:title[@id='{label}']", NS) is not None
    assert root.find("svg:desc", NS) is None


def test_id_prefix_sets_ids_and_is_validated(shapes):
    root = parse(render_svg(shapes, {}, title="Kort", id_prefix="kort-2"))
    assert root.get("aria-labelledby") == "kort-2-title"
    with pytest.raises(ValueError, match="id_prefix"):
        render_svg(shapes, {}, title="Kort", id_prefix='x" onload="y')


def test_href_wraps_the_municipality_in_a_link_with_title_first(shapes):
    regions = {"340": Region("340", "#2171b5", "Sorø", href="/kommuner/340/?a=1&b=2")}
    svg = render_svg(shapes, regions, title="Kort")
    assert 'href="/kommuner/340/?a=1&amp;b=2"' in svg
    root = parse(svg)
    (link,) = root.findall("svg:a", NS)
    assert link.get("href") == "/kommuner/340/?a=1&b=2"
    assert [child.tag for child in link] == [f"{SVG}title", f"{SVG}path"]
    assert link[0].text == "Sorø"
    assert len(root.findall("svg:g", NS)) == 16


def test_unknown_codes_are_ignored_and_missing_municipalities_get_missing_fill(shapes):
    regions = regions_for(shapes)
    del regions["336"]
    regions["999"] = Region("999", "#000000", "Ukendt")
    root = parse(render_svg(shapes, regions, title="Kort", missing_fill="#fafafa"))
    paths = root.findall(".//svg:path", NS)
    assert len(paths) == 17
    parents = parent_map(root)
    stevns = paths[CODES.index("336")]
    assert stevns.get("fill") == "#fafafa"
    assert parents[stevns].findtext("svg:title", namespaces=NS) == "Stevns"
    assert "Ukendt" not in ET.tostring(root, encoding="unicode")


def test_text_is_escaped(shapes):
    nasty = 'A < B & "C" > D'
    regions = {"253": Region("253", "#deebf7", nasty, href='/x?q="1"&r=<2>')}
    svg = render_svg(shapes, regions, title=nasty, description=nasty)
    root = parse(svg)
    assert root.findtext("svg:title", namespaces=NS) == nasty
    assert root.findtext("svg:desc", namespaces=NS) == nasty
    link = root.find("svg:a", NS)
    assert link is not None
    assert link.get("href") == '/x?q="1"&r=<2>'
    assert link.findtext("svg:title", namespaces=NS) == nasty


def test_geojson_errors_are_clear():
    def collection(properties, geometry):
        return {"features": [{"properties": properties, "geometry": geometry}]}

    polygon = {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]]}
    with pytest.raises(ValueError, match="no 'code'"):
        shapes_from_geojson(collection({"name": "X"}, polygon))
    with pytest.raises(ValueError, match="unsupported geometry type 'Point'"):
        shapes_from_geojson(collection({"code": "1"}, {"type": "Point", "coordinates": [0, 0]}))
    multi = {"type": "MultiPolygon", "coordinates": [polygon["coordinates"]] * 2}
    (shape,) = shapes_from_geojson(collection({"code": "1", "name": "X"}, multi))
    assert len(shape.rings) == 2
    assert shape.rings[0][1] == (1.0, 0.0)


def test_douglas_peucker_collapses_a_straight_line_to_its_endpoints():
    line = [(float(i), 2.0 * i) for i in range(20)]
    assert douglas_peucker(line, 0.01) == [(0.0, 0.0), (19.0, 38.0)]


def test_douglas_peucker_keeps_the_corners_of_a_square():
    square = [(0.0, 0.0), (5.0, 0.0), (10.0, 0.0), (10.0, 10.0), (0.0, 10.0), (0.0, 0.0)]
    assert douglas_peucker(square, 0.5) == [
        (0.0, 0.0),
        (10.0, 0.0),
        (10.0, 10.0),
        (0.0, 10.0),
        (0.0, 0.0),
    ]


def test_rings_that_collapse_are_dropped():
    big = ((10.0, 55.0), (11.0, 55.0), (11.0, 56.0), (10.0, 56.0), (10.0, 55.0))
    speck = ((10.5, 55.5), (10.50001, 55.5), (10.5, 55.50001), (10.5, 55.5))
    root = parse(render_svg([Shape("1", "X", (big, speck))], {}, title="t"))
    path = root.find(".//svg:path", NS)
    assert path is not None
    assert path.get("d", "").count("M") == 1


def test_colour_scale_hand_worked_example():
    values = {str(code): value for code, value in enumerate([7, 1, 10, 3, 9, 2, 5, 8, 4, 6])}
    colours, legend = colour_scale(values, palette="abcde")
    # ten values, five classes: two per class
    assert {values[c]: colours[c] for c in values} == {
        1: "a", 2: "a", 3: "b", 4: "b", 5: "c", 6: "c", 7: "d", 8: "d", 9: "e", 10: "e"
    }  # fmt: skip
    assert legend == [(1, 2, "a"), (3, 4, "b"), (5, 6, "c"), (7, 8, "d"), (9, 10, "e")]


def test_colour_scale_ties_share_a_class_and_empty_classes_are_left_out():
    colours, legend = colour_scale({"a": 5, "b": 5, "c": 5, "d": 5, "e": 9})
    assert colours == {"a": BLUES[0], "b": BLUES[0], "c": BLUES[0], "d": BLUES[0], "e": BLUES[4]}
    assert legend == [(5, 5, BLUES[0]), (9, 9, BLUES[4])]
    assert colour_scale({}) == ({}, [])


@given(st.dictionaries(st.text(max_size=3), st.integers(-(10**12), 10**12), max_size=40))
def test_colour_scale_is_monotone_and_the_legend_covers_every_value(values):
    colours, legend = colour_scale(values)
    rank = {colour: i for i, colour in enumerate(BLUES)}
    for a in values:
        for b in values:
            if values[a] < values[b]:
                assert rank[colours[a]] <= rank[colours[b]]
            if values[a] == values[b]:
                assert colours[a] == colours[b]
    assert [rank[c] for _, _, c in legend] == sorted({rank[c] for c in colours.values()})
    for code, value in values.items():
        (entry,) = [e for e in legend if e[0] <= value <= e[1]]
        assert entry[2] == colours[code]
    bounds = [b for low, high, _ in legend for b in (low, high)]
    assert bounds == sorted(bounds)


def relative_luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    low, high = sorted((relative_luminance(a), relative_luminance(b)))
    return (high + 0.05) / (low + 0.05)


def test_blues_runs_light_to_dark_with_visible_borders():
    assert len(BLUES) == 5
    luminances = [relative_luminance(c) for c in BLUES]
    assert luminances == sorted(luminances, reverse=True)
    assert contrast(BLUES[-1], "#ffffff") >= 3
    assert all(contrast(c, "#1a1a1a") >= 3 for c in BLUES)
    assert contrast(BLUES[0], "#ffffff") > 1.1


def test_a_drawing_made_once_renders_the_same_map_as_drawing_each_time(shapes):
    regions = regions_for(shapes)
    kept = draw(shapes, width=400, precision=0.8)
    for fill in ("#123456", "#abcdef"):
        coloured = {code: Region(code, fill, r.title) for code, r in regions.items()}
        fresh = render_svg(shapes, coloured, title="Kort", width=400, precision=0.8)
        assert render_svg(shapes, coloured, title="Kort", drawing=kept) == fresh
    assert kept.paths[0][0] == shapes[0] and kept.paths[0][1].startswith("M")
