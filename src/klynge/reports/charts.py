"""
The report's charts: Vega-Lite specs made with altair, drawn by vl-convert.

Three charts: companies reached per year, paid versus outstanding per
municipality, and KPI attainment per office. Each `Chart` has its Danish
text alternative (`description`, also set in the spec, since Vega's own ARIA
labels are English) and the same numbers as table rows, which every format
prints beside the image. SVG goes into the PDF, PNG into the DOCX. Numbers
are formatted with the Danish locale (1.234,5); amounts are drawn in whole
kroner (the exact øre are in the table and the XLSX).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache, cached_property, lru_cache
from pathlib import Path
from typing import Any, Final

import altair as alt
import vl_convert as vlc

import klynge.common
from klynge.core.money import format_dkk, group_thousands
from klynge.reports.selectors import AnnualReport

FONTS = Path(klynge.common.__file__).parent / "fonts"
FONT = "IBM Plex Sans"
LOCALE: Final = "da-DK"
WIDTH = 440
PAID, OUTSTANDING = "Betalt", "Udestående"
CHART_CACHE_SIZE = 48
STATUS_COLOURS = {
    "Opfyldt": "#2e7d32",
    "Delvist opfyldt": "#b26a00",
    "Ikke opfyldt": "#b3261e",
}


@dataclass(frozen=True)
class Chart:
    key: str
    title: str
    description: str  # the Danish text alternative
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]  # the chart's numbers, as text
    spec: dict[str, Any]

    @cached_property
    def spec_json(self) -> str:
        """The spec as canonical JSON: the key of its drawings (same spec, same drawing)."""
        return json.dumps(self.spec, sort_keys=True, ensure_ascii=False)

    @property
    def svg(self) -> str:
        """The chart as SVG, drawn once per spec and process."""
        return _svg(self.spec_json)

    def png(self) -> bytes:
        """The chart as PNG (for the DOCX), drawn once per spec and process."""
        return _png(self.spec_json)


@cache
def _fonts() -> None:
    vlc.register_font_directory(str(FONTS))


# vl-convert takes about 0,1 s a chart (more on a busy machine), most of a report's
# time; the same data give the same spec, so a drawing is kept under its spec's JSON.
# Few specs are ever live (three charts a year shown), so a small bound is enough.
@lru_cache(maxsize=CHART_CACHE_SIZE)
def _svg(spec_json: str) -> str:
    _fonts()
    svg: str = vlc.vegalite_to_svg(json.loads(spec_json), format_locale=LOCALE)
    return svg


@lru_cache(maxsize=CHART_CACHE_SIZE)
def _png(spec_json: str) -> bytes:
    _fonts()
    png: bytes = vlc.vegalite_to_png(json.loads(spec_json), scale=2, format_locale=LOCALE)
    return png


def forget_drawings() -> None:
    """Empty the drawings kept (the benchmark times cold drawing with it)."""
    _svg.cache_clear()
    _png.cache_clear()


def _data(values: list[dict[str, Any]]) -> alt.Data:
    return alt.Data(values=values)  # type: ignore[no-untyped-call]


def _config(chart: alt.TopLevelMixin, description: str) -> dict[str, Any]:
    spec: dict[str, Any] = (
        chart.properties(description=description)
        .configure(font=FONT, background="white")
        .configure_view(stroke=None)
        .to_dict()
    )
    return spec


def reach_chart(report: AnnualReport) -> Chart:
    points = report.reach_by_year
    values = [{"År": str(p.year), "Virksomheder": p.companies} for p in points]
    first, last = points[0], points[-1]
    description = (
        f"Søjlediagram: virksomheder nået pr. år fra {first.year} til {last.year}. "
        + "; ".join(f"{p.year}: {group_thousands(p.companies)}" for p in points)
        + "."
    )
    chart = (
        alt.Chart(_data(values), width=WIDTH, height=180)
        .mark_bar(color="#1f5fa8")
        .encode(
            x=alt.X("År:O", title="År", axis=alt.Axis(labelAngle=0)),
            y=alt.Y("Virksomheder:Q", title="Virksomheder nået", axis=alt.Axis(format=",d")),
        )
    )
    return Chart(
        "reach",
        "Virksomheder nået pr. år",
        description,
        ("År", "Virksomheder nået"),
        tuple((str(p.year), group_thousands(p.companies)) for p in points),
        _config(chart, description),
    )


def payment_chart(report: AnnualReport) -> Chart:
    values = []
    for m in report.municipalities:
        values.append({"Kommune": m.name, "Status": PAID, "kr": m.received_ore // 100})
        values.append({"Kommune": m.name, "Status": OUTSTANDING, "kr": m.outstanding_ore // 100})
    s = report.summary
    description = (
        f"Liggende stablet søjlediagram: betalt og udestående pr. kommune for {report.year}. "
        f"I alt er {format_dkk(s.received_ore)} betalt og {format_dkk(s.outstanding_ore)} "
        f"udestående af {format_dkk(s.requested_ore)} opkrævet. Tabellen viser tallene pr. kommune."
    )
    chart = (
        alt.Chart(_data(values), width=WIDTH - 120)
        .mark_bar()
        .encode(
            y=alt.Y("Kommune:N", title=None, sort=[m.name for m in report.municipalities]),
            x=alt.X("sum(kr):Q", title="Kroner", axis=alt.Axis(format=",d", tickCount=4)),
            color=alt.Color(
                "Status:N",
                title=None,
                scale=alt.Scale(domain=[PAID, OUTSTANDING], range=["#1f5fa8", "#d9822b"]),
                legend=alt.Legend(orient="bottom"),
            ),
            order=alt.Order("Status:N", sort="ascending"),
        )
        .properties(height=alt.Step(14))
    )
    return Chart(
        "payments",
        "Betalt og udestående pr. kommune",
        description,
        ("Kommune", "Opkrævet", "Betalt", "Udestående"),
        tuple(
            (
                m.name,
                format_dkk(m.requested_ore, unit=False),
                format_dkk(m.received_ore, unit=False),
                format_dkk(m.outstanding_ore, unit=False),
            )
            for m in report.municipalities
        ),
        _config(chart, description),
    )


def attainment_chart(report: AnnualReport) -> Chart:
    values = []
    for office in report.offices:
        for label, count in (
            ("Opfyldt", office.met),
            ("Delvist opfyldt", office.partly),
            ("Ikke opfyldt", office.not_met),
        ):
            values.append({"Kontor": office.name, "Status": label, "Indikatorer": count})
    s = report.summary
    description = (
        f"Liggende stablet søjlediagram: indikatorer pr. kontor efter status for {report.year}. "
        f"I alt {s.met} opfyldt, {s.partly} delvist opfyldt og {s.not_met} ikke opfyldt. "
        "Tabellen viser tallene pr. kontor."
    )
    chart = (
        alt.Chart(_data(values), width=WIDTH - 200)
        .mark_bar()
        .encode(
            y=alt.Y("Kontor:N", title=None, sort=[o.name for o in report.offices]),
            x=alt.X("sum(Indikatorer):Q", title="Indikatorer", axis=alt.Axis(format="d")),
            color=alt.Color(
                "Status:N",
                title=None,
                scale=alt.Scale(domain=list(STATUS_COLOURS), range=list(STATUS_COLOURS.values())),
                legend=alt.Legend(orient="bottom"),
            ),
        )
        .properties(height=alt.Step(16))
    )
    return Chart(
        "attainment",
        "Målopfyldelse pr. kontor",
        description,
        ("Kontor", "Opfyldt", "Delvist opfyldt", "Ikke opfyldt"),
        tuple((o.name, str(o.met), str(o.partly), str(o.not_met)) for o in report.offices),
        _config(chart, description),
    )


def report_charts(report: AnnualReport) -> tuple[Chart, ...]:
    return (reach_chart(report), payment_chart(report), attainment_chart(report))


def draw_svgs(charts: tuple[Chart, ...]) -> list[str]:
    """Every chart's SVG (drawn in turn: threads gained nothing in bench/report.py)."""
    _fonts()
    return [chart.svg for chart in charts]
