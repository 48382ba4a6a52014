"""Every data file the application ships loads strictly, and its facts add up."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from klynge.core.tabular import read_data_file

SRC = Path(__file__).resolve().parents[1] / "src" / "klynge"
CSV_FILES = sorted(SRC.glob("*/data/*.csv"))
JSON_FILES = sorted(SRC.glob("*/data/*.json")) + sorted(SRC.glob("*/data/*.geojson"))


def test_the_shipped_files_are_found() -> None:
    names = {f"{path.parent.parent.name}/{path.name}" for path in CSV_FILES}

    assert {
        "masterdata/municipalities.csv", "masterdata/population.csv", "masterdata/offices.csv",
        "masterdata/clusters.csv", "masterdata/organisations.csv", "masterdata/timeline.csv",
        "funding/grants.csv", "participation/postnumre.csv",
    } <= names  # fmt: skip


@pytest.mark.parametrize("path", CSV_FILES, ids=lambda p: f"{p.parent.parent.name}/{p.name}")
def test_every_shipped_csv_file_loads_strictly(path: Path) -> None:
    text = path.read_text(encoding="utf-8-sig")
    delimiter = ";" if ";" in text.split("\n", 1)[0] else ","

    rows = read_data_file(text, name=path.name)

    # Checked again here without the reader: each record has the header's
    # number of fields, and each text holding the delimiter is quoted in the file.
    records = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    assert len(rows) == len(records) - 1 > 0
    assert {len(record) for record in records} == {len(records[0])}
    for record in records:
        for cell in record:
            if delimiter in cell:
                assert '"' + cell.replace('"', '""') + '"' in text, cell


@pytest.mark.parametrize("path", JSON_FILES, ids=lambda p: p.name)
def test_every_shipped_json_file_parses(path: Path) -> None:
    assert json.loads(path.read_text(encoding="utf-8"))


def test_the_danish_life_science_note_keeps_its_decimal_comma() -> None:
    offices = read_data_file(
        (SRC / "masterdata" / "data" / "offices.csv").read_text(encoding="utf-8"),
        name="offices.csv",
    )
    (dlsc,) = [row for row in offices if row["cluster"] == "Danish Life Science Cluster"]

    assert dlsc["notes"] == (
        "Region Sjælland har bevilget 2,5 mio. kr. årligt til Danish Life Science Cluster (slides)"
    )
    assert dlsc["sources"].startswith("Slides KKR Sjælland (seed); danishlifesciencecluster.dk")
