"""Payment files as Danish users make them: semicolon CSV (cp1252 or UTF-8 BOM), XLSX."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook

from klynge.collection.imports import read_payment_file
from klynge.collection.services import PaymentFileError

DANISH_EXCEL = (
    "Kommunekode;Beløb;Dato;Reference\r\n"
    "253;33.652,26;31-03-2024;Bank 7001\r\n"
    "259;1.000,5;01.04.2024;Bank 7002\r\n"
)


@pytest.mark.parametrize("encoding", ["cp1252", "utf-8-sig", "utf-8"])
def test_a_danish_excel_csv_is_read_in_every_encoding(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "betalinger.csv"
    path.write_bytes(DANISH_EXCEL.encode(encoding))

    rows = read_payment_file(path)

    assert [(r.municipality_code, r.amount_ore, r.paid_on, r.reference) for r in rows] == [
        ("253", 3_365_226, dt.date(2024, 3, 31), "Bank 7001"),
        ("259", 100_050, dt.date(2024, 4, 1), "Bank 7002"),
    ]


def test_an_xlsx_with_number_and_date_cells_is_read_to_the_ore(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(["kommunekode", "beløb", "dato", "reference"])
    excel_date = dt.datetime(2024, 3, 31)  # noqa: DTZ001 - Excel has no time zones
    sheet.append(["253", 33652.26, excel_date, "X-1"])  # a float cell, as Excel has it
    sheet.append([259, Decimal("0.1"), "31-03-2024", "X-2"])
    book.create_sheet("Noter").append(["ignoreres"])
    path = tmp_path / "betalinger.xlsx"
    book.save(path)

    rows = read_payment_file(path)

    assert [(r.municipality_code, r.amount_ore, r.paid_on) for r in rows] == [
        ("253", 3_365_226, dt.date(2024, 3, 31)),
        ("259", 10, dt.date(2024, 3, 31)),
    ]


def test_every_bad_row_is_listed_and_nothing_returned(tmp_path: Path) -> None:
    path = tmp_path / "fejl.csv"
    path.write_text(
        "kommunekode;beløb;dato;reference\n"
        "25x;100,00;31-03-2024;A\n"
        "253;-5,00;31-03-2024;B\n"
        "253;mange;31-03-2024;C\n"
        "253;10,00;31-02-2024;D\n"
        "253;10,00;31-03-2024;\n",
        encoding="utf-8",
    )

    with pytest.raises(PaymentFileError) as error:
        read_payment_file(path)

    problems = error.value.problems
    assert len(problems) == 5
    assert problems[0].startswith("linje 2") and "25x" in problems[0]
    assert "positivt" in problems[1]
    assert "mange" in problems[2]
    assert "31-02-2024" in problems[3]
    assert "referencen mangler" in problems[4]


def test_missing_columns_are_named(tmp_path: Path) -> None:
    path = tmp_path / "kolonner.csv"
    path.write_text("kommunekode;beløb\n253;1,00\n", encoding="utf-8")

    with pytest.raises(PaymentFileError, match="dato, reference"):
        read_payment_file(path)
