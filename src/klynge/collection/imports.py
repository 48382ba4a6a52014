"""
Reading a payment file: CSV as Danish Excel writes it, or XLSX.

Columns (Danish or English headers): kommunekode / municipality code,
beløb / amount (kroner, 1.234,56), dato / date, reference. Every bad row is
reported, with its line number, before anything is stored.
"""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

from django.utils.translation import gettext as _
from openpyxl import load_workbook

from klynge.collection.services import PaymentFileError, PaymentRow
from klynge.core.dates import parse_date_da
from klynge.core.money import MoneyError, parse_dkk
from klynge.core.tabular import TableError, normalise_header, read_csv

COLUMNS = {
    "code": ("kommunekode", "kommune", "municipality code", "code"),
    "amount": ("beløb", "beløb (kr.)", "belob", "amount", "amount (dkk)"),
    "date": ("dato", "betalingsdato", "date", "payment date"),
    "reference": ("reference", "ref", "bilag", "bilagsnummer"),
}
XLSX_MAGIC = b"PK\x03\x04"


def _xlsx_rows(data: bytes) -> list[dict[str, str]]:
    """The first sheet's rows as text, the first row being the header."""
    sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).worksheets[0]
    values = list(sheet.iter_rows(values_only=True))
    if not values:
        raise TableError(_("The sheet is empty."))
    header = [normalise_header(str(cell or "")) for cell in values[0]]
    rows = []
    for cells in values[1:]:
        if all(cell in (None, "") for cell in cells):
            continue
        rows.append({name: _cell_text(cell) for name, cell in zip(header, cells, strict=False)})
    return rows


def _cell_text(cell: object) -> str:
    """An XLSX cell as the text a Danish user would type; numbers keep two decimals."""
    if cell is None:
        return ""
    if isinstance(cell, int) and not isinstance(cell, bool):
        return str(cell)  # a code, or whole kroner
    if isinstance(cell, float | Decimal):
        # A number cell holds kroner; write it as Danish text so parse_dkk reads it.
        # Through Decimal(str()) so no binary fraction leaks into øre.
        text = f"{Decimal(str(cell)):.2f}"
        return text.replace(".", ",")
    if hasattr(cell, "strftime"):
        return cell.strftime("%Y-%m-%d")  # type: ignore[no-any-return]
    return str(cell).strip()


def _column(row: dict[str, str], key: str) -> str:
    for name in COLUMNS[key]:
        if name in row:
            return row[name]
    return ""


def read_payment_file(path: Path) -> list[PaymentRow]:
    """
    The payments in `path` (CSV or XLSX, told apart by content, not by name).

    :raises PaymentFileError: listing every bad row, or the missing columns
    """
    data = path.read_bytes()
    try:
        raw = _xlsx_rows(data) if data.startswith(XLSX_MAGIC) else read_csv(data)
    except (TableError, OSError, ValueError, KeyError) as error:
        raise PaymentFileError([f"{path.name}: {error}"]) from error
    if not raw:
        raise PaymentFileError([_("%(file)s has no payments.") % {"file": path.name}])
    missing = [key for key in COLUMNS if not any(name in raw[0] for name in COLUMNS[key])]
    if missing:
        wanted = ", ".join(COLUMNS[key][0] for key in missing)
        raise PaymentFileError(
            [_("%(file)s lacks the columns: %(columns)s.") % {"file": path.name, "columns": wanted}]
        )
    rows: list[PaymentRow] = []
    problems: list[str] = []
    for number, row in enumerate(raw, start=2):
        where = _("line %(line)s") % {"line": number}
        code = _column(row, "code").zfill(3)
        errors = []
        if not (code.isdigit() and len(code) == 3):
            errors.append(_("'%(code)s' is not a municipality code") % {"code": code})
        try:
            amount = parse_dkk(_column(row, "amount"))
            if amount <= 0:
                errors.append(_("the amount must be positive"))
        except MoneyError as error:
            errors.append(str(error))
            amount = 0
        try:
            paid_on = parse_date_da(_column(row, "date"))
        except ValueError as error:
            errors.append(str(error))
            paid_on = None
        reference = _column(row, "reference")
        if not reference:
            errors.append(_("the reference is missing"))
        if errors:
            problems.append(f"{where}: " + "; ".join(errors))
            continue
        assert paid_on is not None  # noqa: S101
        rows.append(PaymentRow(number, code, amount, paid_on, reference))
    if problems:
        raise PaymentFileError(problems)
    return rows
