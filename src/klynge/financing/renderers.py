"""
Allocation tables rendered as text, CSV, JSON and XLSX.

Renderers only lay out figures that selectors computed; they do no arithmetic
beyond what formatting needs.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from klynge.core.dates import format_date_da
from klynge.core.money import ORE_PER_KRONE, format_dkk, format_percent
from klynge.core.tabular import formula_safe as text
from klynge.financing.selectors import AllocationTable, ScenarioResult, ShareRow

ROLE_DA = {"lead": "leadkommune", "share": "andel", "none": "deltager ikke"}


def lines_json(
    lines: Iterable[ShareRow], table: AllocationTable, run: dict[str, Any] | None
) -> str:
    """The documented JSON form: {"year", "allocations": [...], "totals": {...}}."""
    document = {
        "year": table.year,
        "run": run,
        "allocations": [
            {
                "office": line.office,
                "municipality_code": line.municipality_code,
                "municipality": line.municipality,
                "role": line.role,
                "amount_ore": line.amount_ore,
                "population": line.population,
                "population_date": line.population_date.isoformat()
                if line.population_date
                else None,
            }
            for line in lines
        ],
        "totals": {
            "total_ore": table.total,
            "by_office": table.office_totals,
            "by_municipality": table.municipality_totals,
            "per_inhabitant_ore": table.per_inhabitant_ore,
        },
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def lines_csv(lines: Iterable[ShareRow]) -> str:
    """CSV as Danish Excel reads it: semicolon, decimal comma (write with a BOM)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(
        [
            "Klyngekontor",
            "Kommunekode",
            "Kommune",
            "Rolle",
            "Beløb (kr.)",
            "Beløb (øre)",
            "Indbyggertal",
            "Opgørelsesdato",
        ]
    )
    for line in lines:
        writer.writerow(
            [
                text(line.office),
                line.municipality_code,
                text(line.municipality),
                ROLE_DA[line.role],
                format_dkk(line.amount_ore, unit=False),
                line.amount_ore,
                line.population or "",
                line.population_date.isoformat() if line.population_date else "",
            ]
        )
    return buffer.getvalue()


def table_text(table: AllocationTable, *, heading: str) -> str:
    """A plain-text table for the terminal, Danish number formats."""
    headers = ["Kommune", *table.offices, "I alt", "Kr. pr. indbygger"]
    rows: list[list[str]] = []
    for code, name in table.municipalities:
        cells = {row.office: row for row in table.by_municipality.get(code, ())}
        per = table.per_inhabitant_ore.get(code)
        rows.append(
            [
                f"{code} {name}",
                *(
                    format_dkk(cells[o].amount_ore, unit=False) if o in cells else ""
                    for o in table.offices
                ),
                format_dkk(table.municipality_totals.get(code, 0), unit=False),
                format_dkk(per, unit=False) if per is not None else "-",
            ]
        )
    rows.append(
        [
            "I alt",
            *(format_dkk(table.office_totals[o], unit=False) for o in table.offices),
            format_dkk(table.total, unit=False),
            "",
        ]
    )
    widths = [max(len(r[i]) for r in [headers, *rows]) for i in range(len(headers))]

    def fmt(row: list[str]) -> str:
        return "  ".join(
            cell.ljust(widths[i]) if i == 0 else cell.rjust(widths[i]) for i, cell in enumerate(row)
        )

    rule = "-" * len(fmt(headers))
    body = [fmt(headers), rule, *(fmt(r) for r in rows[:-1]), rule, fmt(rows[-1])]
    return "\n".join([heading, "Beløb i kr.", "", *body]) + "\n"


def format_columns(
    sheet: Worksheet, *, min_row: int, columns: tuple[int, int], number_format: str
) -> None:
    """Give the cells of columns first..last from `min_row` down a number format."""
    for row in sheet.iter_rows(min_row=min_row, min_col=columns[0], max_col=columns[1]):
        for cell in row:
            cell.number_format = number_format


def kroner_cell(ore: int) -> Decimal:
    # Decimal keeps the øre exact; openpyxl writes its text into the cell.
    return Decimal(ore) / ORE_PER_KRONE


def lines_xlsx(lines: Iterable[ShareRow], table: AllocationTable, *, heading: str) -> bytes:
    """An XLSX workbook: the table sheet 'Fordeling' and the line sheet 'Linjer'."""
    workbook = Workbook()
    money = '#,##0.00 "kr."'
    sheet = workbook.active
    assert sheet is not None  # noqa: S101
    sheet.title = "Fordeling"
    sheet.append([text(heading)])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append([])
    sheet.append(
        ["Kommunekode", "Kommune", *map(text, table.offices), "I alt", "Kr. pr. indbygger"]
    )
    for cell in sheet[3]:
        cell.font = Font(bold=True)
    for code, name in table.municipalities:
        cells = {row.office: row for row in table.by_municipality.get(code, ())}
        per = table.per_inhabitant_ore.get(code)
        sheet.append(
            [
                code,
                text(name),
                *(kroner_cell(cells[o].amount_ore) if o in cells else None for o in table.offices),
                kroner_cell(table.municipality_totals.get(code, 0)),
                kroner_cell(per) if per is not None else None,
            ]
        )
    sheet.append(
        [
            "",
            "I alt",
            *(kroner_cell(table.office_totals[o]) for o in table.offices),
            kroner_cell(table.total),
            None,
        ]
    )
    for row in sheet.iter_rows(min_row=4, min_col=3):
        for cell in row:
            cell.number_format = money
    for index in range(1, len(table.offices) + 5):
        sheet.column_dimensions[get_column_letter(index)].width = 18 if index > 2 else 14

    detail = workbook.create_sheet("Linjer")
    detail.append(
        [
            "Klyngekontor",
            "Kommunekode",
            "Kommune",
            "Rolle",
            "Beløb (kr.)",
            "Indbyggertal",
            "Opgørelsesdato",
            "Forklaring",
        ]
    )
    for cell in detail[1]:
        cell.font = Font(bold=True)
    for line in lines:
        detail.append(
            [
                text(line.office),
                line.municipality_code,
                text(line.municipality),
                ROLE_DA[line.role],
                kroner_cell(line.amount_ore),
                line.population,
                format_date_da(line.population_date) if line.population_date else None,
                text(line.explanation),
            ]
        )
        detail.cell(row=detail.max_row, column=5).number_format = money
    for column, width in zip("ABCDEFGH", (40, 12, 16, 14, 16, 14, 18, 90), strict=True):
        detail.column_dimensions[column].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def scenario_table_text(result: ScenarioResult, *, heading: str) -> str:
    """The scenario beside its baseline as a plain-text table, Danish formats."""
    header = ["Kommune", "Grundlag (kr.)", "Scenarie (kr.)", "Ændring (kr.)", "Ændring"]
    rows = [
        [
            row.name,
            format_dkk(row.baseline_ore, unit=False),
            format_dkk(row.scenario_ore, unit=False),
            format_dkk(row.change_ore, unit=False),
            format_percent(row.change_percent) if row.change_percent is not None else "–",
        ]
        for row in result.rows
    ]
    rows.append(
        [
            "I alt",
            format_dkk(result.baseline_total_ore, unit=False),
            format_dkk(result.scenario_total_ore, unit=False),
            format_dkk(result.scenario_total_ore - result.baseline_total_ore, unit=False),
            "",
        ]
    )
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]

    def fmt(cells: list[str]) -> str:
        first = cells[0].ljust(widths[0])
        rest = [cell.rjust(width) for cell, width in zip(cells[1:], widths[1:], strict=True)]
        return "  ".join([first, *rest]).rstrip()

    lines = [heading, "", fmt(header), fmt(["-" * w for w in widths]), *map(fmt, rows)]
    return "\n".join(lines) + "\n"


def scenario_xlsx(result: ScenarioResult, *, heading: str) -> bytes:
    """The scenario as a workbook: one row per municipality, exact kroner cells."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None  # noqa: S101
    sheet.title = "Scenarie"
    sheet.append([text(heading)])
    sheet["A1"].font = Font(bold=True)
    sheet.append(
        [
            "Kommunekode",
            "Kommune",
            "Grundlag (kr.)",
            "Scenarie (kr.)",
            "Ændring (kr.)",
            "Ændring (%)",
        ]
    )
    for row in result.rows:
        percent = row.change_percent
        sheet.append(
            [
                row.code,
                text(row.name),
                kroner_cell(row.baseline_ore),
                kroner_cell(row.scenario_ore),
                kroner_cell(row.change_ore),
                Decimal(percent.numerator) / Decimal(percent.denominator)
                if percent is not None
                else None,
            ]
        )
    format_columns(sheet, min_row=3, columns=(3, 5), number_format="#,##0.00")
    format_columns(sheet, min_row=3, columns=(6, 6), number_format="0.0")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
