"""Participants and import reports as files users open in Excel; text is formula-safe."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from klynge.core.tabular import formula_safe, write_csv
from klynge.core.text import without_controls
from klynge.participation.imports import COLUMNS
from klynge.participation.models import Participant
from klynge.participation.privacy import HiddenParticipant

Shown = Participant | HiddenParticipant  # a participant, or a sole proprietorship hidden

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"


def _participant_row(participant: Shown) -> list[object]:
    return [
        participant.cvr or "",
        participant.name,
        participant.get_kind_display(),
        participant.address,
        participant.postal_code,
        participant.municipality_code,
        participant.municipality.name if participant.municipality else "",
        _("yes") if participant.municipality_uncertain else "",
        participant.employee_band,
        participant.industry_code,
        _("yes") if participant.sole_proprietor else "",
        getattr(participant, "activity_count", ""),
        participant.get_basis_display(),
    ]


def _participant_header() -> list[str]:
    return [
        _("CVR number"), _("Name"), _("Kind"), _("Address"), _("Postal code"),
        _("Municipality code"), _("Municipality"), _("Municipality uncertain"), _("Employees"),
        _("Industry code"), _("Sole proprietorship"), _("Activities"), _("Basis"),
    ]  # fmt: skip


def participants_csv(participants: Sequence[Shown]) -> bytes:
    return write_csv(_participant_header(), [_participant_row(p) for p in participants])


def xlsx_text(text: str) -> str:
    """
    Text as an XLSX cell holds it: formula-safe, and without the control characters
    XML cannot carry (openpyxl refuses them), so an export never fails on stored text.
    """
    return formula_safe(without_controls(text))


def _book(title: str, header: list[str], rows: list[list[object]]) -> Workbook:
    book = Workbook()
    sheet = book.active
    assert sheet is not None  # noqa: S101
    sheet.title = title
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([xlsx_text(c) if isinstance(c, str) else c for c in row])
    return book


def _bytes(book: Workbook) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def participants_xlsx(participants: Sequence[Shown]) -> bytes:
    rows = [_participant_row(p) for p in participants]
    return _bytes(_book(_("Participants"), _participant_header(), rows))


def template_csv() -> bytes:
    """The import template: the header and one example row, marked as an example."""
    return write_csv([c.header for c in COLUMNS], [[c.example for c in COLUMNS]])


def template_xlsx() -> bytes:
    """The template with the sheet 'Deltagelser' and a sheet explaining each column."""
    book = _book("Deltagelser", [c.header for c in COLUMNS], [[c.example for c in COLUMNS]])
    guide = book.create_sheet("Vejledning")
    guide.append([_("Column"), _("Required"), _("What to write")])
    for cell in guide[1]:
        cell.font = Font(bold=True)
    for column in COLUMNS:
        guide.append([column.header, _("yes") if column.required else _("no"), str(column.help)])
    guide.append([])
    guide.append([_("The example row is made up; replace it with your own rows.")])
    return _bytes(book)


def problems_csv(problems: list[dict[str, Any]]) -> bytes:
    header = [_("Row"), _("Column"), _("Value"), _("Problem")]
    return write_csv(header, [[p["row"], p["column"], p["value"], p["message"]] for p in problems])
