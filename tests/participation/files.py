"""Participant files for the tests: the template's header, one valid row, and a small file."""

from __future__ import annotations

import io

from openpyxl import Workbook

from klynge.participation.imports import COLUMNS

HEADER = [column.header for column in COLUMNS]
# Valid CVR numbers (mod 11); the names say they are test data.
CVR_A, CVR_B, CVR_C = "12345674", "13585628", "10000009"


def row(**values: str) -> dict[str, str]:
    base = {
        "Aktivitets-id": "NM-1", "Aktivitet": "Netværksmøde om byggeri",
        "Aktivitetstype": "netværksmøde", "Dato": "14-03-2024", "Afholdt i kommune": "370",
        "Grøn omstilling": "ja", "International": "nej", "CVR-nummer": CVR_A,
        "Navn": "Test Byg ApS", "Postnummer": "4700", "Antal ansatte": "10-49",
        "Eksportør": "nej",
    }  # fmt: skip
    base.update(values)
    return base


def csv_bytes(rows: list[dict[str, str]], *, encoding: str = "utf-8-sig") -> bytes:
    lines = [";".join(HEADER)] + [";".join(r.get(h, "") for h in HEADER) for r in rows]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


# fmt: off
FILE = [
    row(),
    row(
        **{
            "CVR-nummer": CVR_B,
            "Navn": "Test Energi A/S",
            "Postnummer": "4000",
            "Antal ansatte": "250+",
            "Eksportør": "ja",
            "Kontaktperson": "Test Person",
            "E-mail": "test.person@example.dk",
        }
    ),
    row(
        **{
            "Aktivitets-id": "K-7",
            "Aktivitet": "Kursus i eksport",
            "Aktivitetstype": "kursus",
            "Dato": "2024-09-02",
            "International": "ja",
        }
    ),
    row(
        **{
            "Aktivitets-id": "K-7",
            "Aktivitet": "Kursus i eksport",
            "Aktivitetstype": "kursus",
            "Dato": "2024-09-02",
            "International": "ja",
            "Deltagertype": "videninstitution",
            "CVR-nummer": "",
            "Navn": "Test Universitet",
            "Postnummer": "4000",
            "Antal ansatte": "",
            "Eksportør": "",
            "Rolle": "oplægsholder",
        }
    ),
]


def xlsx_bytes(rows: list[dict[str, str]]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for r in rows:
        sheet.append([r.get(h, "") for h in HEADER])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
