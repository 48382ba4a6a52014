"""
Reading a payment file: CSV as Danish Excel writes it, or XLSX.

Columns (Danish or English headers): kommunekode / municipality code,
beløb / amount (kroner, 1.234,56), dato / date, reference. Every bad row is
reported, with its line number, before anything is stored.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.utils import timezone
from django.utils.translation import gettext as _

from klynge.collection.models import Payment
from klynge.collection.services import PaymentFileError, PaymentRow
from klynge.core.dates import format_date_numeric, parse_date_da
from klynge.core.money import MoneyError, group_thousands, parse_dkk
from klynge.core.tabular import TableError, read_table
from klynge.core.text import escape_controls, first_control, is_digits

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
REFERENCE_LENGTH = Payment._meta.get_field("reference").max_length or 0
# A payment is dated from 2020 (before the first requests of the co-financing) up to a
# week ahead (a bank may give the value date of a transfer made today); any other date
# is a typing error (2099, 0024), never a fact.
FIRST_PAYMENT_DATE = dt.date(2020, 1, 1)
DAYS_AHEAD = 7


def read_payment_file(path: Path, *, today: dt.date | None = None) -> list[PaymentRow]:
    """
    The payments in `path` (CSV or XLSX, told apart by content, not by name).

    :raises PaymentFileError: listing every bad row, or the missing columns
    """
    if path.stat().st_size > MAX_BYTES:
        raise PaymentFileError([too_large(path.name)])
    return read_payment_data(path.read_bytes(), name=path.name, today=today)


def too_large(name: str) -> str:
    return _("%(file)s is larger than %(mb)s MB; a payment file is far smaller.") % {
        "file": name,
        "mb": MAX_BYTES // (1024 * 1024),
    }


def _reference_errors(reference: str) -> list[str]:
    if not reference:
        return [_("the reference is missing")]
    control = first_control(reference)
    if control is not None:
        return [
            _("the reference holds a control character (%(char)s) at character %(position)s")
            % {"char": control[1], "position": group_thousands(control[0])}
        ]
    if len(reference) > REFERENCE_LENGTH:
        return [
            _("the reference has %(length)s characters; at most %(limit)s fit")
            % {"length": group_thousands(len(reference)), "limit": REFERENCE_LENGTH}
        ]
    return []


def _date_errors(paid_on: dt.date, today: dt.date) -> list[str]:
    last = today + dt.timedelta(days=DAYS_AHEAD)
    if FIRST_PAYMENT_DATE <= paid_on <= last:
        return []
    return [
        _("the date %(date)s is outside %(first)s to %(last)s: a payment is dated from "
          "%(year)s and at most %(days)s days ahead (is the year mistyped?)")
        % {"date": format_date_numeric(paid_on), "first": format_date_numeric(FIRST_PAYMENT_DATE),
           "last": format_date_numeric(last), "year": FIRST_PAYMENT_DATE.year, "days": DAYS_AHEAD}
    ]  # fmt: skip


def read_payment_data(data: bytes, *, name: str, today: dt.date | None = None) -> list[PaymentRow]:
    """
    The payments in a file's bytes (an upload); `name` is used in messages.

    Every text is checked before anything is stored, alike on every database:
    a reference holding a control character (a NUL, an escape) or longer
    than the database's field is refused, never cut or passed on.

    :raises PaymentFileError: listing every bad row, or the missing columns
    """
    if len(data) > MAX_BYTES:
        raise PaymentFileError([too_large(name)])
    today = today or timezone.localdate()
    name = escape_controls(name)
    try:
        raw = read_table(data).records()
    except (TableError, OSError, ValueError, KeyError) as error:
        raise PaymentFileError([f"{name}: {escape_controls(str(error))}"]) from error
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
        if not (is_digits(code) and len(code) == 3):
            errors.append(
                _("'%(code)s' is not a municipality code") % {"code": escape_controls(code[:20])}
            )
        try:
            amount = parse_dkk(_column(row, "amount"))
            if amount <= 0:
                errors.append(_("the amount must be positive"))
        except MoneyError as error:
            errors.append(escape_controls(str(error)))
            amount = 0
        try:
            paid_on = parse_date_da(_column(row, "date"))
            errors.extend(_date_errors(paid_on, today))
        except ValueError as error:
            errors.append(escape_controls(str(error)))
            paid_on = None
        reference = _column(row, "reference")
        errors.extend(_reference_errors(reference))
        if errors:
            problems.append(f"{where}: " + "; ".join(errors))
            continue
        assert paid_on is not None  # noqa: S101
        rows.append(PaymentRow(number, code, amount, paid_on, reference))
    if problems:
        raise PaymentFileError(problems)
    return rows
