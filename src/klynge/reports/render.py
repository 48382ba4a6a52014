"""
The yearly report as PDF (typst, tagged PDF/UA-1 in Danish), DOCX (docxtpl) and XLSX.

Each renderer lays out one `AnnualReport`; none reads the database or the
clock. The document's date (and the PDF's metadata date) is the day the data
last changed, so the same data give a byte-identical PDF. Every figure is
formatted here in Python from integer øre; the templates only place text.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path
from typing import Any

from docx.shared import Mm
from docxtpl import DocxTemplate, InlineImage
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from klynge.collection.letters import compile_letter
from klynge.core.money import ORE_PER_KRONE, format_dkk, group_thousands
from klynge.core.tabular import formula_safe
from klynge.reports.charts import Chart, draw_svgs, report_charts
from klynge.reports.selectors import AnnualReport, OfficeSection

TEMPLATES = Path(__file__).parent / "templates" / "reports"
PDF_TEMPLATE = TEMPLATES / "annual.typ"
DOCX_TEMPLATE = TEMPLATES / "annual.docx"
SENDER = "KKR Sjælland, sekretariatet"
FORMATS = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
MONEY = "#,##0.00"
DEMO_TEXT = (
    "Rapporten bygger helt eller delvis på demodata (se Metode). Tallene viser, hvordan "
    "rapporten ser ud, og er ikke fakta."
)


def filename(year: int, fmt: str) -> str:
    return f"aarsrapport-kkr-sjaelland-{year}.{fmt}"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --- the text every format shares -------------------------------------------------------


def summary_paragraphs(report: AnnualReport) -> list[str]:
    s = report.summary
    paragraphs = [
        (
            f"I {report.year} finansierede {s.municipalities_paying} kommuner {s.offices} "
            f"regionale klyngekontorer med i alt {format_dkk(s.allocated_ore)} efter aftalen "
            f"»{report.agreement}« (godkendt fordeling #{report.run_id}"
            + (f", godkendt {report.approved_on}" if report.approved_on else "")
            + ")."
        ),
        (
            f"Der er opkrævet {format_dkk(s.requested_ore)}; heraf er "
            f"{format_dkk(s.received_ore)} betalt og {format_dkk(s.outstanding_ore)} "
            "udestående."
            + (f" Der er krediteret {format_dkk(s.credited_ore)}." if s.credited_ore else "")
        ),
        (
            f"Kontorerne nåede {group_thousands(s.companies)} virksomheder i "
            f"{s.municipalities_reached} af regionens kommuner, heraf "
            f"{group_thousands(s.smes)} små og mellemstore."
        ),
    ]
    if s.offices_reported:
        paragraphs.append(
            f"{s.offices_reported} af {s.offices} kontorer har en godkendt afrapportering for "
            f"{report.year}. Af de målte indikatorer er {s.met} opfyldt, {s.partly} delvist "
            f"opfyldt og {s.not_met} ikke opfyldt."
        )
    if s.missing_reports:
        paragraphs.append("Uden godkendt afrapportering: " + ", ".join(s.missing_reports) + ".")
    return paragraphs


def key_figures(report: AnnualReport) -> list[tuple[str, str]]:
    s = report.summary
    return [
        ("Kommunal finansiering, beregnet", format_dkk(s.allocated_ore)),
        ("Opkrævet", format_dkk(s.requested_ore)),
        ("Betalt", format_dkk(s.received_ore)),
        ("Udestående", format_dkk(s.outstanding_ore)),
        ("Virksomheder nået", group_thousands(s.companies)),
        ("Heraf små og mellemstore", group_thousands(s.smes)),
        ("Kontorer med godkendt afrapportering", f"{s.offices_reported} af {s.offices}"),
        ("Indikatorer opfyldt", str(s.met)),
        ("Indikatorer delvist opfyldt", str(s.partly)),
        ("Indikatorer ikke opfyldt", str(s.not_met)),
    ]


def office_intro(office: OfficeSection) -> str:
    lead = f" Leadkommune: {office.lead} Kommune." if office.lead else ""
    contract = f" Resultatkontrakt: {office.contract}." if office.contract else ""
    return f"Klynge: {office.cluster}.{lead}{contract}"


def office_reach(office: OfficeSection) -> list[str]:
    lines = [
        f"Virksomheder nået: {group_thousands(office.companies)}, heraf "
        f"{group_thousands(office.smes)} små og mellemstore; "
        f"{group_thousands(office.smes_international)} små og mellemstore i internationale "
        "aktiviteter." + (" Tallene tæller demodata." if office.demo else "")
    ]
    if office.reached:
        lines.append("Betalende kommuner med virksomheder nået: " + ", ".join(office.reached) + ".")
    if office.not_reached:
        lines.append(
            "Betalende kommuner uden virksomheder nået: " + ", ".join(office.not_reached) + "."
        )
    return lines


def office_context(office: OfficeSection) -> dict[str, Any]:
    """One office's section as text."""
    return {
        "name": office.name,
        "intro": office_intro(office),
        "funding": [(f.source, f.amount_text, f.note) for f in office.funding],
        "kpis": [(k.name, k.target, k.actual, k.status_text, k.comment) for k in office.kpis],
        "no_kpis": "" if office.kpis else "Kontoret har ingen godkendt afrapportering for året.",
        "narrative": narrative(office),
        "reach": office_reach(office),
    }


def narrative(office: OfficeSection) -> str:
    if office.report_version is None:
        return "Ingen godkendt afrapportering."
    return office.narrative or "Kontoret har ikke skrevet en beretning."


def municipality_rows(report: AnnualReport) -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = [
        (
            m.name,
            format_dkk(m.share_ore, unit=False),
            format_dkk(m.requested_ore, unit=False),
            format_dkk(m.received_ore, unit=False),
            format_dkk(m.outstanding_ore, unit=False),
            group_thousands(m.companies) + (" (demodata)" if m.demo else ""),
        )
        for m in report.municipalities
    ]
    s = report.summary
    rows.append(
        (
            "I alt",
            format_dkk(s.allocated_ore, unit=False),
            format_dkk(s.requested_ore, unit=False),
            format_dkk(s.received_ore, unit=False),
            format_dkk(s.outstanding_ore, unit=False),
            group_thousands(sum(m.companies for m in report.municipalities)),
        )
    )
    return rows


MUNICIPALITY_NOTE = (
    "Beløb i kr. »Beregnet« er andelen i den godkendte fordeling; »opkrævet«, »betalt« og "
    "»udestående« er opkrævningernes tal."
)


def method_basis(report: AnnualReport) -> str:
    return (
        f"Rapporten er lavet af Klynge fra data pr. {report.date_text}: den godkendte fordeling "
        f"#{report.run_id} (fingeraftryk {report.run_fingerprint[:12]}), årets opkrævninger "
        "og indbetalinger, de godkendte afrapporteringer og deltagerregistret. Dataenes "
        f"fingeraftryk: {report.fingerprint[:16]}."
    )


def population_lines(report: AnnualReport) -> list[str]:
    lines = list(report.method.population_sources)
    if report.method.population_date:
        lines.insert(0, f"Fordelingsnøglens skæringsdato: {report.method.population_date}.")
    return lines or ["Fordelingen bygger ikke på indbyggertal."]


def _or_none(items: Iterable[str], none: str) -> list[str]:
    return list(items) or [none]


def map_description(report: AnnualReport) -> str:
    top = sorted(report.map_rows, key=lambda r: (-r.companies, r.name))[:3]
    best = ", ".join(f"{r.name} ({group_thousands(r.companies)})" for r in top)
    return (
        f"Kort over kommunerne i Region Sjælland, farvet efter antal virksomheder nået i "
        f"{report.year}; mørkere er flere. Flest: {best}. Tabellen Kommunerne viser alle tal."
    )


# --- PDF ----------------------------------------------------------------------------------


def pdf_context(report: AnnualReport, charts: tuple[Chart, ...]) -> dict[str, Any]:
    """Everything the PDF says, as text (and the charts and map as SVG)."""
    return {
        "title": report.title,
        "sender": SENDER,
        "year": str(report.year),
        "date": {
            "year": report.data_date.year,
            "month": report.data_date.month,
            "day": report.data_date.day,
        },
        "date_text": report.date_text,
        "subtitle": (
            f"Kommunal medfinansiering af de regionale klyngekontorer: hvad pengene gik til, "
            f"og hvad de skabte. Data pr. {report.date_text}."
        ),
        "demo": report.demo,
        "demo_text": DEMO_TEXT,
        "summary": summary_paragraphs(report),
        "key_figures": key_figures(report),
        "charts": [
            {
                "title": c.title,
                "description": c.description,
                "columns": list(c.columns),
                "rows": [list(r) for r in c.rows],
                "svg": svg,
            }
            for c, svg in zip(charts, draw_svgs(charts), strict=True)
        ],
        "offices": [office_context(o) for o in report.offices],
        "municipalities": municipality_rows(report),
        "municipality_note": MUNICIPALITY_NOTE,
        "map": {
            "svg": report.map_svg,
            "description": map_description(report),
            "legend": [(colour, text) for text, colour in report.map_legend],
        },
        "method": {
            "rule": [report.method.rule, report.method.payment_terms, report.method.reach_terms],
            "population": population_lines(report),
            "assumptions": _or_none(report.method.assumptions, "Ingen antagelser."),
            "demo": _or_none(report.method.demo, "Rapporten rummer ingen demodata."),
            "basis": method_basis(report),
        },
    }


def compile_pdf(context: dict[str, Any]) -> bytes:
    """Compile the report template with `context` (what `pdf_context` returns), as the letters."""
    return compile_letter(context, template=PDF_TEMPLATE)


def report_pdf(report: AnnualReport, charts: tuple[Chart, ...] | None = None) -> bytes:
    """The report as a tagged PDF (PDF/UA-1) in Danish."""
    return compile_pdf(pdf_context(report, charts or report_charts(report)))


# --- DOCX ---------------------------------------------------------------------------------


def docx_context(
    template: DocxTemplate, report: AnnualReport, charts: tuple[Chart, ...]
) -> dict[str, Any]:
    context = docx_text(report)
    context["charts"] = [
        {
            "title": c.title,
            "description": c.description,
            "columns": list(c.columns),
            "rows": [list(r) for r in c.rows],
            "image": InlineImage(template, io.BytesIO(c.png()), width=Mm(160)),
        }
        for c in charts
    ]
    return context


def docx_text(report: AnnualReport) -> dict[str, Any]:
    """The text of the report without images (for the DOCX)."""
    return {
        "title": report.title,
        "date_text": report.date_text,
        "demo": report.demo,
        "demo_text": DEMO_TEXT,
        "summary": summary_paragraphs(report),
        "key_figures": key_figures(report),
        "offices": [office_context(o) for o in report.offices],
        "municipalities": municipality_rows(report),
        "municipality_note": MUNICIPALITY_NOTE,
        "method_rule": [report.method.rule, report.method.payment_terms, report.method.reach_terms],
        "method_population": population_lines(report),
        "method_assumptions": _or_none(report.method.assumptions, "Ingen antagelser."),
        "method_demo": _or_none(report.method.demo, "Rapporten rummer ingen demodata."),
        "method_basis": method_basis(report),
    }


def report_docx(report: AnnualReport, charts: tuple[Chart, ...] | None = None) -> bytes:
    """The report as an editable Word document; the charts as PNG with their alt text."""
    template = DocxTemplate(DOCX_TEMPLATE)
    charts = charts or report_charts(report)
    template.render(docx_context(template, report, charts), autoescape=True)
    _set_alt_texts(template, [c.description for c in charts])
    props = template.docx.core_properties
    props.title = report.title
    props.author = SENDER
    props.language = "da-DK"
    buffer = io.BytesIO()
    template.save(buffer)
    return _fixed_zip(buffer.getvalue(), report)


def _set_alt_texts(template: DocxTemplate, descriptions: list[str]) -> None:
    """Give each inline picture its chart's text alternative (`descr` on wp:docPr)."""
    body = template.docx.element.body
    pictures = body.xpath(".//wp:inline/wp:docPr")
    for element, text in zip(pictures, descriptions, strict=False):
        element.set("descr", text)
        element.set("title", text.split(":")[0])


def _fixed_zip(data: bytes, report: AnnualReport) -> bytes:
    """The same archive with every entry dated from the data (the same data, the same bytes)."""
    stamp = (report.data_date.year, report.data_date.month, report.data_date.day, 0, 0, 0)
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "docProps/core.xml":
                content = _fixed_core(content, report)
            info = zipfile.ZipInfo(item.filename, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(info, content)
    return out.getvalue()


def _fixed_core(content: bytes, report: AnnualReport) -> bytes:
    import re

    moment = f"{report.data_date.isoformat()}T00:00:00Z".encode()
    return re.sub(
        rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:(?:created|modified)>)",
        rb"\g<1>" + moment + rb"\g<2>",
        content,
    )


# --- XLSX ---------------------------------------------------------------------------------


def _kroner(ore: int | None) -> Decimal | None:
    # Decimal keeps the øre exact; openpyxl writes its text into the cell.
    return None if ore is None else Decimal(ore) / ORE_PER_KRONE


def _sheet(book: Workbook, title: str, header: list[str], rows: Iterable[list[Any]]) -> Worksheet:
    sheet: Worksheet = book.create_sheet(title)
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([formula_safe(v) if isinstance(v, str) else v for v in row])
    for index, heading in enumerate(header, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(12, min(len(heading) + 4, 48))
    sheet.freeze_panes = "A2"
    return sheet


def _money_columns(sheet: Worksheet, columns: Iterable[int]) -> None:
    for column in columns:
        for (cell,) in sheet.iter_rows(min_row=2, min_col=column, max_col=column):
            cell.number_format = MONEY


def report_xlsx(report: AnnualReport) -> bytes:
    """Every number of the report, one sheet per table; amounts in kroner from Decimal."""
    book = Workbook()
    first = book.active
    assert first is not None  # noqa: S101 - a new workbook has one sheet
    book.remove(first)
    s = report.summary
    summary = _sheet(
        book,
        "Sammenfatning",
        ["Nøgletal", "Værdi"],
        [
            ["År", report.year],
            ["Aftale", report.agreement],
            ["Godkendt fordeling", report.run_id],
            ["Data pr.", report.data_date],
            ["Kommunal finansiering, beregnet (kr.)", _kroner(s.allocated_ore)],
            ["Opkrævet (kr.)", _kroner(s.requested_ore)],
            ["Betalt (kr.)", _kroner(s.received_ore)],
            ["Udestående (kr.)", _kroner(s.outstanding_ore)],
            ["Krediteret (kr.)", _kroner(s.credited_ore)],
            ["Virksomheder nået", s.companies],
            ["Heraf små og mellemstore", s.smes],
            ["Kontorer", s.offices],
            ["Kontorer med godkendt afrapportering", s.offices_reported],
            ["Indikatorer opfyldt", s.met],
            ["Indikatorer delvist opfyldt", s.partly],
            ["Indikatorer ikke opfyldt", s.not_met],
            ["Demodata", "ja" if report.demo else "nej"],
            ["Dataenes fingeraftryk", report.fingerprint],
        ],
    )
    for row in range(6, 11):
        summary.cell(row=row, column=2).number_format = MONEY
    summary.cell(row=5, column=2).number_format = "dd-mm-yyyy"
    municipalities = _sheet(
        book,
        "Kommuner",
        ["Kode", "Kommune", "Indbyggertal", "Beregnet (kr.)", "Opkrævet (kr.)", "Betalt (kr.)",
         "Udestående (kr.)", "Krediteret (kr.)", "Virksomheder nået", "Heraf SMV", "Demodata"],
        [
            [m.code, m.name, m.population, _kroner(m.share_ore), _kroner(m.requested_ore),
             _kroner(m.received_ore), _kroner(m.outstanding_ore), _kroner(m.credited_ore),
             m.companies, m.smes, "ja" if m.demo else "nej"]
            for m in report.municipalities
        ],
    )  # fmt: skip
    _money_columns(municipalities, range(4, 9))
    offices = _sheet(
        book,
        "Kontorer",
        ["Kontor", "Klynge", "Leadkommune", "Kommunal finansiering (kr.)", "Opkrævet (kr.)",
         "Betalt (kr.)", "Udestående (kr.)", "Virksomheder nået", "Heraf SMV",
         "SMV i internationale aktiviteter", "Opfyldt", "Delvist opfyldt", "Ikke opfyldt",
         "Afrapportering, version", "Demodata"],
        [
            [o.name, o.cluster, o.lead, _kroner(o.municipal_ore), _kroner(o.requested_ore),
             _kroner(o.received_ore), _kroner(o.outstanding_ore), o.companies, o.smes,
             o.smes_international, o.met, o.partly, o.not_met, o.report_version,
             "ja" if o.demo else "nej"]
            for o in report.offices
        ],
    )  # fmt: skip
    _money_columns(offices, range(4, 8))
    funding = _sheet(
        book,
        "Finansiering",
        ["Kontor", "Kilde", "Beløb (kr.)", "Oplyst", "Note"],
        [
            [o.name, f.source, _kroner(f.amount_ore), "ja" if f.amount_ore is not None else
             "ukendt", f.note]
            for o in report.offices
            for f in o.funding
        ],
    )  # fmt: skip
    _money_columns(funding, [3])
    _sheet(
        book,
        "Resultatmål",
        ["Kontor", "Nøgle", "Indikator", "Mål", "Resultat", "Status", "Beregnet fra registret",
         "Kommentar"],
        [
            [o.name, k.key, k.name, k.target, k.actual, k.status_text,
             "ja" if k.computed else "nej", k.comment]
            for o in report.offices
            for k in o.kpis
        ],
    )  # fmt: skip
    _sheet(
        book,
        "Rækkevidde pr. år",
        ["År", "Virksomheder nået"],
        [[p.year, p.companies] for p in report.reach_by_year],
    )
    _sheet(
        book,
        "Metode",
        ["Emne", "Tekst"],
        [["Fordeling", report.method.rule], ["Betalinger", report.method.payment_terms],
         ["Rækkevidde", report.method.reach_terms]]
        + [["Indbyggertal", line] for line in population_lines(report)]
        + [["Antagelse", a] for a in report.method.assumptions]
        + [["Demodata", d] for d in report.method.demo],
    )  # fmt: skip
    book.properties.creator = SENDER
    book.properties.title = report.title
    moment = _midnight(report)
    book.properties.created = moment
    book.properties.modified = moment
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _midnight(report: AnnualReport) -> Any:
    import datetime as dt

    return dt.datetime.combine(report.data_date, dt.time())


def render(report: AnnualReport, fmt: str) -> bytes:
    """The report in format `fmt` (pdf, docx or xlsx)."""
    if fmt == "pdf":
        return report_pdf(report)
    if fmt == "docx":
        return report_docx(report)
    if fmt == "xlsx":
        return report_xlsx(report)
    raise ValueError(f"unknown format {fmt!r}")
