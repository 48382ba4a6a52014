"""The requests and payments of a year as an XLSX workbook (two sheets)."""

from __future__ import annotations

import io

from django.utils.translation import gettext
from openpyxl import Workbook
from openpyxl.styles import Font

from klynge.collection.models import Payment
from klynge.collection.selectors import RequestView
from klynge.core.tabular import formula_safe
from klynge.core.text import without_controls
from klynge.financing.renderers import format_columns, kroner_cell

KRONER_FORMAT = "#,##0.00"
DATE_FORMAT = "DD-MM-YYYY"


def _text(text: str) -> str:
    """Stored text as a cell: formula-safe, without the control characters XML cannot hold."""
    return formula_safe(without_controls(text))


def requests_xlsx(views: list[RequestView], payments: list[Payment], *, heading: str) -> bytes:
    """
    A workbook with the sheets 'Opkrævninger' and 'Indbetalinger'.

    The states and yes/no are words in the active language, never codes.
    """
    book = Workbook()
    sheet = book.active
    assert sheet is not None  # noqa: S101
    sheet.title = "Opkrævninger"
    sheet.append([_text(heading)])
    sheet["A1"].font = Font(bold=True)
    sheet.append(
        ["Nummer", "Kommunekode", "Kommune", "Status", "Forfald", "Beløb (kr.)",
         "Indbetalt (kr.)", "Udestående (kr.)"]
    )  # fmt: skip
    for view in views:
        request = view.request
        sheet.append(
            [
                _text(request.number),
                request.municipality.code,
                _text(request.municipality.name),
                view.state_label,
                request.due_date,
                kroner_cell(request.total_ore),
                kroner_cell(view.received_ore),
                kroner_cell(view.outstanding_ore),
            ]
        )
    format_columns(sheet, min_row=3, columns=(6, 8), number_format=KRONER_FORMAT)
    format_columns(sheet, min_row=3, columns=(5, 5), number_format=DATE_FORMAT)
    paid = book.create_sheet("Indbetalinger")
    paid.append(["Opkrævning", "Kommune", "Dato", "Beløb (kr.)", "Reference", "Overbetaling"])
    for payment in payments:
        paid.append(
            [
                _text(payment.request.number),
                _text(payment.request.municipality.name),
                payment.paid_on,
                kroner_cell(payment.amount_ore),
                _text(payment.reference),
                gettext("yes") if payment.overpayment else gettext("no"),
            ]
        )
    format_columns(paid, min_row=2, columns=(4, 4), number_format=KRONER_FORMAT)
    format_columns(paid, min_row=2, columns=(3, 3), number_format=DATE_FORMAT)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
