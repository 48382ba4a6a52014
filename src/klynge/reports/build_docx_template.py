"""
Build templates/reports/annual.docx, the docxtpl template of the yearly report.

Run once after changing it (the .docx is committed):

    .venv/bin/python -m klynge.reports.build_docx_template

The template holds only Jinja tags (docxtpl: `{%p %}` for paragraphs,
`{%tr %}` for table rows) in Word's built-in styles, so the secretariat can
restyle the generated document in Word.
"""

from __future__ import annotations

from pathlib import Path

from docx import Document
from docx.document import Document as DocumentType
from docx.shared import Pt
from docx.table import Table

OUTPUT = Path(__file__).parent / "templates" / "reports" / "annual.docx"


def _table(document: DocumentType, header: list[str], loop: str, cells: list[str]) -> Table:
    """A table with a bold header and one row repeated by docxtpl for each item of `loop`."""
    table: Table = document.add_table(rows=4, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = ""
        cell.paragraphs[0].add_run(text).bold = True
    table.rows[1].cells[0].text = "{%tr for r in " + loop + " %}"
    for cell, text in zip(table.rows[2].cells, cells, strict=True):
        cell.text = text
    table.rows[3].cells[0].text = "{%tr endfor %}"
    return table


def _loop(document: DocumentType, items: str, text: str, style: str | None = None) -> None:
    document.add_paragraph("{%p for item in " + items + " %}")
    document.add_paragraph(text, style=style)
    document.add_paragraph("{%p endfor %}")


def build(path: Path = OUTPUT) -> None:
    document = Document()
    normal = document.styles["Normal"]
    normal.font.name = "IBM Plex Sans"
    normal.font.size = Pt(10)
    document.core_properties.language = "da-DK"
    document.add_heading("{{ title }}", level=1)
    document.add_paragraph("Data pr. {{ date_text }}.")
    document.add_paragraph("{%p if demo %}")
    document.add_paragraph("Demodata: {{ demo_text }}")
    document.add_paragraph("{%p endif %}")

    document.add_heading("Sammenfatning", level=2)
    _loop(document, "summary", "{{ item }}")
    _table(document, ["Nøgletal", "Værdi"], "key_figures", ["{{ r[0] }}", "{{ r[1] }}"])

    document.add_heading("Diagrammer", level=2)
    document.add_paragraph("{%p for c in charts %}")
    document.add_heading("{{ c.title }}", level=3)
    document.add_paragraph("{{ c.image }}")
    document.add_paragraph("{{ c.description }}", style="Caption")
    _table(
        document,
        ["{{ c.columns[0] }}", "{{ c.columns[1] }}",
         "{{ c.columns[2] if c.columns|length > 2 else '' }}",
         "{{ c.columns[3] if c.columns|length > 3 else '' }}"],
        "c.rows",
        ["{{ r[0] }}", "{{ r[1] }}", "{{ r[2] if r|length > 2 else '' }}",
         "{{ r[3] if r|length > 3 else '' }}"],
    )  # fmt: skip
    document.add_paragraph("{%p endfor %}")

    document.add_heading("Kontorerne", level=2)
    document.add_paragraph("{%p for o in offices %}")
    document.add_heading("{{ o.name }}", level=3)
    document.add_paragraph("{{ o.intro }}")
    document.add_heading("Finansiering efter kilde", level=4)
    _table(document, ["Kilde", "Beløb", "Note"], "o.funding",
           ["{{ r[0] }}", "{{ r[1] }}", "{{ r[2] }}"])  # fmt: skip
    document.add_heading("Resultatmål", level=4)
    document.add_paragraph("{%p if o.no_kpis %}")
    document.add_paragraph("{{ o.no_kpis }}")
    document.add_paragraph("{%p endif %}")
    _table(
        document,
        ["Indikator", "Mål", "Resultat", "Status", "Kommentar"],
        "o.kpis",
        ["{{ r[0] }}", "{{ r[1] }}", "{{ r[2] }}", "{{ r[3] }}", "{{ r[4] }}"],
    )
    document.add_heading("Kontorets beretning", level=4)
    document.add_paragraph("{{ o.narrative }}")
    document.add_heading("Deltagelse og rækkevidde", level=4)
    _loop(document, "o.reach", "{{ item }}")
    document.add_paragraph("{%p endfor %}")

    document.add_heading("Kommunerne", level=2)
    document.add_paragraph(
        "Hvad hver kommune har betalt, og hvad den har fået: virksomheder nået i kommunen."
    )
    _table(
        document,
        ["Kommune", "Beregnet", "Opkrævet", "Betalt", "Udestående", "Virksomheder nået"],
        "municipalities",
        [f"{{{{ r[{i}] }}}}" for i in range(6)],
    )
    document.add_paragraph("{{ municipality_note }}")

    document.add_heading("Metode", level=2)
    document.add_heading("Sådan er andelene beregnet", level=3)
    _loop(document, "method_rule", "{{ item }}")
    document.add_heading("Indbyggertal", level=3)
    _loop(document, "method_population", "{{ item }}", style="List Bullet")
    document.add_heading("Antagelser", level=3)
    _loop(document, "method_assumptions", "{{ item }}", style="List Bullet")
    document.add_heading("Demodata", level=3)
    _loop(document, "method_demo", "{{ item }}", style="List Bullet")
    document.add_heading("Grundlag", level=3)
    document.add_paragraph("{{ method_basis }}")
    path.parent.mkdir(parents=True, exist_ok=True)
    document.save(str(path))


if __name__ == "__main__":
    build()
