"""`klynge allocate`, `set-participation` and `set-lead` as a user runs them."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from openpyxl import load_workbook

from klynge.financing.models import AllocationRun, Participation, RunStatus

pytestmark = pytest.mark.django_db


def test_allocate_json_has_the_documented_shape(demo, run_command, tmp_path: Path) -> None:
    output = tmp_path / "a.json"

    code, _, _ = run_command(
        "allocate", "--year", "2024", "--format", "json", "--output", str(output)
    )

    assert code == 0
    document = json.loads(output.read_text(encoding="utf-8"))
    assert document["year"] == 2024
    greve = next(
        a
        for a in document["allocations"]
        if a["municipality_code"] == "253" and a["office"] == "We Build Denmark – Næstved"
    )
    assert greve == {
        "office": "We Build Denmark – Næstved",
        "municipality_code": "253",
        "municipality": "Greve",
        "role": "share",
        "amount_ore": 3365226,
        "population": 51507,
        "population_date": "2023-01-01",
    }
    assert document["totals"]["total_ore"] == 400_000_000
    assert sum(document["totals"]["by_municipality"].values()) == 400_000_000
    assert document["run"]["status"] == "computed"


def test_allocate_table_uses_danish_formats_and_totals(demo, run_command, capsys) -> None:
    code, _, _ = run_command("allocate", "--year", "2024", "--office", "We Build Denmark")

    assert code == 0
    text = capsys.readouterr().out
    assert "253 Greve" in text
    assert "33.652,26" in text
    assert "500.000,00" in text  # Næstved's lead share
    assert "I alt" in text and "1.000.000,00" in text
    assert "Kr. pr. indbygger" in text


def test_allocate_csv_opens_in_danish_excel(demo, run_command, tmp_path: Path) -> None:
    output = tmp_path / "a.csv"

    run_command("allocate", "--year", "2024", "--format", "csv", "--output", str(output))

    raw = output.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:4] == ["Klyngekontor", "Kommunekode", "Kommune", "Rolle"]
    greve = [r for r in rows if r[1] == "253" and r[0].startswith("We Build")]
    assert greve[0][4] == "33.652,26" and greve[0][5] == "3365226"


def test_allocate_xlsx_has_the_table_and_the_lines(demo, run_command, tmp_path: Path) -> None:
    output = tmp_path / "a.xlsx"

    code, _, _ = run_command(
        "allocate", "--year", "2024", "--format", "xlsx", "--output", str(output)
    )

    assert code == 0
    workbook = load_workbook(output)
    assert workbook.sheetnames == ["Fordeling", "Linjer"]
    lines = list(workbook["Linjer"].iter_rows(min_row=2, values_only=True))
    assert len(lines) == 4 * 17
    greve = next(r for r in lines if r[1] == "253" and r[0].startswith("We Build"))
    assert greve[4] == pytest.approx(33652.26)  # Excel stores a double; written exactly


def test_allocate_approve_freezes_the_run(demo, run_command) -> None:
    code, _, _ = run_command("allocate", "--year", "2024", "--approve", "--format", "json")

    assert code == 0
    run = AllocationRun.objects.get()
    assert run.status == RunStatus.APPROVED
    code, _, error = run_command("allocate", "--year", "2024", "--approve")
    assert code == 1
    assert "allerede godkendt" in error


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--year", "2030"), "Ingen aftale dækker 2030"),
        (("--year", "2024", "--office", "Ukendt kontor"), "Ukendt klyngekontor 'Ukendt kontor'"),
        (("--year", "2023"), "mangler indbyggertal pr. 1. januar 2022"),
        (("--year", "2024", "--office", "CLEAN", "--approve"), "udelad --office"),
        (("--year", "2024", "--format", "xlsx"), "kræver --output"),
    ],
)
def test_allocate_bad_input_exits_1_with_a_message_and_stores_nothing(
    demo, run_command, args, message
) -> None:
    code, _, error = run_command("allocate", *args)

    assert code == 1
    assert message in error
    assert AllocationRun.objects.count() == 0


def test_allocate_lists_every_office_lacking_inputs(register, run_command) -> None:
    run_command("set_lead", "--office", "CLEAN", "--municipality", "ingen", "--year", "2023")

    code, _, error = run_command("allocate", "--year", "2023")

    assert code == 1
    # 2023 uses 1 January 2022: 7 of 17 figures are known, and CLEAN's lead is now unknown.
    assert "CLEAN – Sjælland: leadkommune er ikke angivet for 2023." in error
    assert error.count("Greve mangler indbyggertal pr. 1. januar 2022.") == 4
    assert AllocationRun.objects.count() == 0


def test_set_participation_marks_a_municipality_out_for_a_range(register, run_command) -> None:
    code, out, _ = run_command(
        "set_participation",
        "--municipality",
        "Lejre",
        "--year",
        "2022",
        "--to-year",
        "2024",
        "--out",
    )

    assert code == 0
    assert "Lejre deltager ikke i 2022-2024" in out
    rows = Participation.objects.filter(municipality__name="Lejre").order_by("year")
    assert [(r.year, r.participates, r.basis) for r in rows] == [
        (2021, True, "assumption"),
        (2022, False, "fact"),
        (2023, False, "fact"),
        (2024, False, "fact"),
    ]


def test_set_lead_makes_the_office_computable(register, run_command) -> None:
    code, _, _ = run_command(
        "set_lead", "--office", "CLEAN", "--municipality", "253", "--year", "2024"
    )
    assert code == 0

    code, _, _ = run_command("allocate", "--year", "2024", "--format", "json")

    assert code == 0
    assert AllocationRun.objects.count() == 1


def test_set_lead_rejects_an_unknown_municipality(register, run_command) -> None:
    code, _, error = run_command(
        "set_lead", "--office", "CLEAN", "--municipality", "999", "--year", "2024"
    )

    assert code == 1
    assert "Ukendt kommune '999'" in error
