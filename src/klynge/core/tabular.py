"""
Reading tables as Danish users make them: CSV from Danish Excel, or XLSX.

Danish Excel saves "CSV (semikolonsepareret)" in Windows-1252, or UTF-8 with
a byte-order mark when asked; others send comma-separated UTF-8. An XLSX
workbook may hold several sheets and formulas. This module turns such bytes
into rows of text keyed by normalised header names, each with the row number
the user sees in Excel, so a report can point at the right line.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

XLSX_MAGIC = b"PK\x03\x04"


class TableError(ValueError):
    """The file cannot be read as a table; the message says why."""


@dataclass(frozen=True)
class Formula:
    """A cell that holds a formula: its row, its column's header and the formula."""

    row: int
    column: str
    text: str


@dataclass(frozen=True)
class Table:
    """
    A file's rows as {normalised header: trimmed text}, each with its row number.

    `header` is the normalised first row, `raw_header` as written; `sheet` is
    the sheet that was read and `other_sheets` those that were not (XLSX).
    """

    header: list[str]
    raw_header: list[str]
    rows: list[tuple[int, dict[str, str]]]
    sheet: str = ""
    other_sheets: tuple[str, ...] = ()
    formulas: list[Formula] = field(default_factory=list)


def decode(data: bytes) -> str:
    """UTF-8 (with or without BOM) if it decodes, else Windows-1252."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def normalise_header(name: str) -> str:
    """'Beløb (kr.)' -> 'beløb (kr.)': trimmed, lower case, inner spaces single."""
    return " ".join(name.strip().lower().split())


def is_xlsx(data: bytes) -> bool:
    return data.startswith(XLSX_MAGIC)


def looks_binary(data: bytes) -> bool:
    """True for bytes no spreadsheet program writes as CSV (a NUL in the first 8 KB)."""
    return b"\x00" in data[:8192]


def read_table_csv(data: bytes) -> Table:
    """
    The rows of a CSV file with their line numbers (the header is line 1).

    The separator is a semicolon if the header line has one, else a comma.
    Empty lines are skipped.

    :raises TableError: if the file is empty, has no header or is not text
    """
    if looks_binary(data):
        raise TableError("Filen er hverken CSV eller XLSX.")
    text = decode(data)
    first = text.split("\n", 1)[0]
    if not first.strip():
        raise TableError("Filen er tom eller mangler en overskriftsrække.")
    delimiter = ";" if ";" in first else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    raw_header = [name.strip() for name in next(reader)]
    header = [normalise_header(name) for name in raw_header]
    width = len(header)
    rows = []
    for cells in reader:
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) < width:
            cells = [*cells, *[""] * (width - len(cells))]
        rows.append(
            (reader.line_num, {name: value.strip() for name, value in zip(header, cells)})  # noqa: B905
        )
    return Table(header, raw_header, rows)


def read_csv(data: bytes) -> list[dict[str, str]]:
    """The rows of a CSV file, as {normalised header: trimmed text}; see `read_table_csv`."""
    return [row for _line, row in read_table_csv(data).rows]


def cell_text(cell: object) -> str:
    """An XLSX cell as the text a Danish user would type; numbers keep two decimals."""
    if cell is None:
        return ""
    if isinstance(cell, bool):
        return "ja" if cell else "nej"
    if isinstance(cell, int):
        return str(cell)  # a code, a CVR number or whole kroner
    if isinstance(cell, float | Decimal):
        # Through Decimal(str()) so no binary fraction leaks into øre; a whole
        # number (a postal code typed as a number) stays whole.
        number = Decimal(str(cell))
        if number == number.to_integral_value():
            return str(int(number))
        return f"{number:.2f}".replace(".", ",")
    if hasattr(cell, "strftime"):
        return cell.strftime("%Y-%m-%d")  # type: ignore[no-any-return]
    return str(cell).strip()


def read_table_xlsx(data: bytes, *, prefer_sheet: str = "") -> Table:
    """
    One sheet of an XLSX workbook: the one named `prefer_sheet`, else the first.

    Formula cells are listed in `formulas` (their cached values are not
    trusted: a workbook saved by a program other than Excel has none).

    :raises TableError: if the bytes are no workbook or the sheet is empty
    """
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise TableError("Filen ligner en XLSX-fil, men kan ikke læses som en.") from error
    try:
        names = list(book.sheetnames)
        wanted = next((n for n in names if n.strip().lower() == prefer_sheet.lower()), names[0])
        sheet = book[wanted]
        rows_iter = sheet.iter_rows()
        first = next(rows_iter, None)
        if first is None:
            raise TableError(f"Arket '{wanted}' er tomt.")
        raw_header = [cell_text(cell.value) for cell in first]
        while raw_header and not raw_header[-1]:
            raw_header.pop()
        header = [normalise_header(name) for name in raw_header]
        width = len(header)
        rows: list[tuple[int, dict[str, str]]] = []
        formulas: list[Formula] = []
        for number, cells in enumerate(rows_iter, start=2):
            values: dict[str, str] = {}
            empty = True
            for name, raw, cell in zip(header, raw_header, cells[:width]):  # noqa: B905
                value = cell.value
                if value is None:
                    values[name] = ""
                    continue
                empty = False
                if cell.data_type == "f":
                    formulas.append(Formula(number, raw, str(value)))
                values[name] = cell_text(value)
            if empty:
                continue
            for name in header[len(values) :]:
                values[name] = ""
            rows.append((number, values))
    finally:
        book.close()
    return Table(
        header,
        raw_header,
        rows,
        sheet=wanted,
        other_sheets=tuple(n for n in names if n != wanted),
        formulas=formulas,
    )


def read_table(data: bytes, *, prefer_sheet: str = "") -> Table:
    """CSV or XLSX, told apart by content, not by name. :raises TableError:"""
    if not data.strip():
        raise TableError("Filen er tom.")
    if is_xlsx(data):
        return read_table_xlsx(data, prefer_sheet=prefer_sheet)
    return read_table_csv(data)
