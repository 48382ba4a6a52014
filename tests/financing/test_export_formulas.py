"""The financing exports never hand a spreadsheet a formula: text that starts like one is text."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from klynge.masterdata.models import ClusterOffice, Municipality

pytestmark = pytest.mark.django_db

OFFICE = '=HYPERLINK("http://example.invalid";"Klik")'
MUNICIPALITY = "+Greve-1"


@pytest.fixture
def hostile_names(demo) -> None:
    """Names an attacker with write access to the register might give (not possible in the UI)."""
    ClusterOffice.objects.filter(name__startswith="We Build Denmark").update(name=OFFICE)
    Municipality.objects.filter(code="253").update(name=MUNICIPALITY)


def _texts(path: Path) -> list[tuple[str, str]]:
    """Every non-empty cell of a workbook as (data type, value)."""
    book = load_workbook(path)
    return [
        (cell.data_type, str(cell.value))
        for sheet in book.worksheets
        for line in sheet.iter_rows()
        for cell in line
        if cell.value is not None
    ]


def test_the_allocation_csv_escapes_formula_text(hostile_names, run_command, tmp_path) -> None:
    output = tmp_path / "a.csv"
    assert (
        run_command("allocate", "--year", "2024", "--format", "csv", "--output", str(output))[0]
        == 0
    )

    rows = list(csv.reader(io.StringIO(output.read_text(encoding="utf-8-sig")), delimiter=";"))
    offices = {r[0] for r in rows[1:]}
    municipalities = {r[2] for r in rows[1:]}
    assert "'" + OFFICE in offices and OFFICE not in offices
    assert "'" + MUNICIPALITY in municipalities and MUNICIPALITY not in municipalities
    # Amounts are numbers, not text, and stay as they were.
    assert all(not r[4].startswith("'") for r in rows[1:])


def test_the_allocation_xlsx_holds_no_formula(hostile_names, run_command, tmp_path) -> None:
    output = tmp_path / "a.xlsx"
    code, _out, _err = run_command(
        "allocate", "--year", "2024", "--format", "xlsx", "--output", str(output)
    )

    assert code == 0
    cells = _texts(output)
    assert not [value for kind, value in cells if kind == "f"]
    assert ("s", "'" + OFFICE) in cells and ("s", "'" + MUNICIPALITY) in cells


def test_the_scenario_xlsx_holds_no_formula(hostile_names, run_command, tmp_path) -> None:
    output = tmp_path / "s.xlsx"
    code, _out, _err = run_command(
        "scenario", "compare", "--year", "2024", "--lead-share-percent", "40",
        "--format", "xlsx", "--output", str(output),
    )  # fmt: skip

    assert code == 0
    cells = _texts(output)
    assert not [value for kind, value in cells if kind == "f"]
    assert ("s", "'" + MUNICIPALITY) in cells


def test_the_web_downloads_escape_formula_text(hostile_names, staff_client) -> None:
    response = staff_client.get("/fordeling/2024/eksport.csv")
    assert response.status_code == 200
    rows = csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";")
    offices = {r[0] for r in rows}
    assert "'" + OFFICE in offices and OFFICE not in offices
