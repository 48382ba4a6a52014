"""Reading tables as Danish users make them, and writing text no spreadsheet runs."""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal

import pytest
from openpyxl import Workbook

from klynge.core.tabular import (
    TableError,
    formula_safe,
    read_data_file,
    read_table,
    read_table_csv,
    write_csv,
)


def workbook_bytes(book: Workbook) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_an_excel_workbook_gives_text_as_a_danish_user_typed_it() -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(["Navn", "Dato", "Postnummer", "Beløb", "Eksportør", "Tom"])
    sheet.append(["Æblegården ApS", dt.date(2024, 12, 31), 4700, Decimal("1234.5"), True, None])
    sheet.append([None, None, None, None, None, None])  # an empty row is skipped
    sheet.append(["  Kant  ", dt.date(2021, 1, 1), "0800", 7, False, None])

    table = read_table(workbook_bytes(book))

    assert table.raw_header == ["Navn", "Dato", "Postnummer", "Beløb", "Eksportør", "Tom"]
    assert table.rows == [
        (2, ["Æblegården ApS", "2024-12-31", "4700", "1234,50", "ja", ""]),
        (4, ["Kant", "2021-01-01", "0800", "7", "nej", ""]),
    ]


def test_formulas_are_found_with_their_row_and_column() -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(["A", "B"])
    sheet.append([1, 2])
    sheet.append([3, "=A3*2"])

    table = read_table(workbook_bytes(book))

    assert [(f.row, f.column, f.text) for f in table.formulas] == [(3, "B", "=A3*2")]


def test_the_preferred_sheet_is_read_and_the_others_named() -> None:
    book = Workbook()
    book.active.title = "Vejledning"
    book.active.append(["ikke", "denne"])
    wanted = book.create_sheet("Deltagelser")
    wanted.append(["Navn"])
    wanted.append(["X"])

    table = read_table(workbook_bytes(book), prefer_sheet="deltagelser")

    assert table.sheet == "Deltagelser" and table.other_sheets == ("Vejledning",)
    assert table.rows == [(2, ["X"])]


def test_an_empty_sheet_and_a_broken_workbook_are_refused() -> None:
    with pytest.raises(TableError, match="tomt"):
        read_table(workbook_bytes(Workbook()))
    with pytest.raises(TableError, match="XLSX"):
        read_table(b"PK\x03\x04broken")


def test_a_danish_excel_csv_keeps_line_numbers_and_pads_short_rows() -> None:
    data = "Navn;Beløb\r\nÅ;1.234,56\r\n\r\nB\r\n".encode("cp1252")

    table = read_table_csv(data)

    assert table.rows == [(2, ["Å", "1.234,56"]), (4, ["B", ""])]


@pytest.mark.parametrize("text", ["=1+1", "+45", "-2", "@SUM(A1)", "\tx", "\rx"])
def test_text_that_would_start_a_formula_is_escaped(text: str) -> None:
    assert formula_safe(text) == "'" + text
    assert formula_safe("Æble =1") == "Æble =1"


def test_a_written_csv_opens_in_danish_excel() -> None:
    data = write_csv(["Navn", "Antal"], [["=cmd", 3], ["Ø;st", 4]])

    assert data.startswith(b"\xef\xbb\xbf")
    assert data.decode("utf-8-sig").splitlines() == ["Navn;Antal", "'=cmd;3", '"Ø;st";4']


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("a,b\n1,2,5 mio.\n", "linje 2: 3 felter, men overskriften har 2"),
        ("a,b\n1\n", "linje 2: 1 felter, men overskriften har 2"),
        ('a;b\n1;sagde "ja"\n', "linje 2: teksten 'sagde \"ja\"' skal stå i anførselstegn"),
        ("a,a\n1,2\n", "linje 1: overskrifterne skal være udfyldte og forskellige"),
        ("", "filen er tom"),
    ],
)
def test_a_shipped_data_file_is_read_strictly(text: str, problem: str) -> None:
    with pytest.raises(TableError, match=re.escape(problem)):
        read_data_file(text, name="f.csv")


def test_a_quoted_text_may_hold_the_delimiter_quotes_and_line_breaks() -> None:
    text = 'a,b\n1,"2,5 mio. ""kr."""\n2,"to\nlinjer"\n'

    assert read_data_file(text, name="f.csv") == [
        {"a": "1", "b": '2,5 mio. "kr."'},
        {"a": "2", "b": "to\nlinjer"},
    ]
