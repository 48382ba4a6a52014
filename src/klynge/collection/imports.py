"""
Reading a payment file: CSV as Danish Excel writes it, or XLSX.

Columns (Danish or English headers): kommunekode / municipality code,
beløb / amount (kroner, 1.234,56), dato / date, reference. Every bad row is
reported, with its line number, before anything is stored.
"""

from __future__ import annotations

from pathlib import Path

from django.utils.translation import gettext as _

from klynge.collection.services import PaymentFileError, PaymentRow
from klynge.core.dates import parse_date_da
from klynge.core.money import MoneyError, parse_dkk
from klynge.core.tabular import TableError, read_table

COLUMNS = {
    "code": ("kommunekode", "kommune", "municipality code", "code"),
    "amount": ("beløb", "beløb (kr.)", "belob", "amount", "amount (dkk)"),
    "date": ("dato", "betalingsdato", "date", "payment date"),
    "reference": ("reference", "ref", "bilag", "bilagsnummer"),
}


def _column(row: dict[str, str], key: str) -> str:
    for name in COLUMNS[key]:
        if name in row:
            return row[name]
    return ""


MAX_BYTES = 5 * 1024 * 1024  # a year's bank file is a few kilobytes


def read_payment_file(path: Path) -> list[PaymentRow]:
    """
    The payments in `path` (CSV or XLSX, told apart by content, not by name).

    :raises PaymentFileError: listing every bad row, or the missing columns
    """
    if path.stat().st_size > MAX_BYTES:
        raise PaymentFileError([too_large(path.name)])
    return read_payment_data(path.read_bytes(), name=path.name)


def too_large(name: str) -> str:
    return _("%(file)s is larger than %(mb)s MB; a payment file is far smaller.") % {
        "file": name,
        "mb": MAX_BYTES // (1024 * 1024),
    }


def read_payment_data(data: bytes, *, name: str) -> list[PaymentRow]:
    """
    The payments in a file's bytes (an upload); `name` is used in messages.

    :raises PaymentFileError: listing every bad row, or the missing columns
    """
    if len(data) > MAX_BYTES:
        raise PaymentFileError([too_large(name)])
    try:
        raw = read_table(data).records()
    except (TableError, OSError, ValueError, KeyError) as error:
        raise PaymentFileError([f"{name}: {error}"]) from error
    if not raw:
        raise PaymentFileError([_("%(file)s has no payments.") % {"file": name}])
    missing = [key for key in COLUMNS if not any(name in raw[0][1] for name in COLUMNS[key])]
    if missing:
        wanted = ", ".join(COLUMNS[key][0] for key in missing)
        raise PaymentFileError(
            [_("%(file)s lacks the columns: %(columns)s.") % {"file": name, "columns": wanted}]
        )
    rows: list[PaymentRow] = []
    problems: list[str] = []
    for number, row in raw:
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
