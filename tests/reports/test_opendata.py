"""
`klynge export opendata` and the published open data: a Frictionless Data
Package that validates, with the right figures and no personal data.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections import defaultdict
from collections.abc import Iterator
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from tests.reports.conftest import YEAR

from klynge.collection.models import PaymentRequest
from klynge.core.opendata import csv_bytes, decimal, kroner, zip_bytes
from klynge.financing.models import Agreement
from klynge.participation.models import ContactPerson, Participant
from klynge.reports.models import PublishedReport
from klynge.reports.opendata import DESCRIPTOR, opendata_package

# frictionless raises the process-wide csv.field_size_limit when imported; the
# participant reader relies on the default limit, so it is put back at once.
_limit = csv.field_size_limit()
import frictionless  # noqa: E402

csv.field_size_limit(_limit)


@pytest.fixture(autouse=True)
def _csv_limit_kept() -> Iterator[None]:
    """Validation may load frictionless's CSV parser, which raises the limit again."""
    yield
    csv.field_size_limit(_limit)


FILES = {
    DESCRIPTOR,
    "municipalities.csv",
    "allocations.csv",
    "payments_by_municipality.csv",
    "payments_by_office.csv",
    "grants.csv",
    "reach_by_municipality.csv",
    "reach_by_office.csv",
}
COLUMNS = {
    "municipalities.csv": "municipality_code,municipality_name,population,population_date,"
    "population_source,population_source_url",
    "allocations.csv": "year,office,cluster,municipality_code,role,key_weight,amount,currency,"
    "basis",
    "payments_by_municipality.csv": "year,municipality_code,allocated_amount,requested_amount,"
    "received_amount,outstanding_amount,credited_amount,currency",
    "payments_by_office.csv": "year,office,allocated_amount,requested_amount,received_amount,"
    "outstanding_amount,currency",
    "grants.csv": "year,grant,grantor,recipients,purpose,per_year,first_year,last_year,amount,"
    "year_amount,committed_amount,received_amount,currency,basis,source",
    "reach_by_municipality.csv": "year,municipality_code,companies,smes,"
    "companies_per_1000_inhabitants,basis",
    "reach_by_office.csv": "year,office,companies,smes,smes_international,"
    "paying_municipalities,municipalities_reached,basis",
}


def _rows(directory: Path, name: str) -> list[dict[str, str]]:
    with (directory / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _kr(text: str) -> Decimal:
    return Decimal(text)


# --- pure helpers ------------------------------------------------------------------------


def test_amounts_are_exact_kroner_and_the_zip_is_stable() -> None:
    assert kroner(50_000_000) == "500000.00"
    assert kroner(1) == "0.01" and kroner(-105) == "-1.05" and kroner(None) == ""
    assert decimal(Fraction(2, 3)) == "0.67" and decimal(Fraction(1, 200)) == "0.01"
    assert decimal(Fraction(1, 201)) == "0.00" and decimal(None) == ""
    assert csv_bytes(["a", "b"], [("x,y", None), (1, True)]) == b'a,b\r\n"x,y",\r\n1,true\r\n'
    import datetime as dt

    files = {"b.csv": b"1", "a.csv": b"2"}
    first = zip_bytes(files, dated=dt.date(2025, 3, 1))
    assert first == zip_bytes(dict(reversed(files.items())), dated=dt.date(2025, 3, 1))
    assert zipfile.ZipFile(io.BytesIO(first)).namelist() == ["a.csv", "b.csv"]


# --- the package -------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_command_writes_a_package_that_validates_with_the_right_figures(
    year_data: Agreement, tmp_path: Path
) -> None:
    target = tmp_path / "aabne-data"
    out = io.StringIO()
    call_command("export", "opendata", "--year", str(YEAR), "--output", str(target), stdout=out)
    assert f"Åbne data for {YEAR} er skrevet til" in out.getvalue()
    assert {p.name for p in target.iterdir()} == FILES

    report = frictionless.validate(str(target / DESCRIPTOR))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    # The validation can fail: a broken foreign key is found.
    broken = tmp_path / "broken"
    broken.mkdir()
    for path in target.iterdir():
        (broken / path.name).write_bytes(path.read_bytes())
    text = (broken / "allocations.csv").read_text(encoding="utf-8")
    (broken / "allocations.csv").write_text(text.replace(",253,", ",999,", 1), encoding="utf-8")
    assert not frictionless.validate(str(broken / DESCRIPTOR)).valid

    descriptor = json.loads((target / DESCRIPTOR).read_text(encoding="utf-8"))
    assert descriptor["profile"] == "tabular-data-package"
    assert descriptor["fiscalPeriod"] == {"start": "2024-01-01", "end": "2024-12-31"}
    assert descriptor["licenses"][0]["name"] == "CC-BY-4.0"
    assert descriptor["licenses"][0]["path"] == "https://creativecommons.org/licenses/by/4.0/"
    assert descriptor["sources"] and str(YEAR) in descriptor["title"]
    assert descriptor["contains_demo_data"] is True and "DEMODATA" in descriptor["description"]
    for resource in descriptor["resources"]:
        assert resource["encoding"] == "utf-8" and resource["format"] == "csv"
        assert resource["schema"]["primaryKey"]
        header = (target / resource["path"]).read_bytes().split(b"\r\n", 1)[0].decode()
        assert header == COLUMNS[resource["path"]], resource["path"]
        for field in resource["schema"]["fields"]:
            assert field["title"] and field["description"]
            if field["name"].endswith("amount"):
                assert field["unit"] == "DKK" and field["decimalChar"] == "."

    # Allocations: each office's shares add up to its 1.000.000 kr.
    allocations = _rows(target, "allocations.csv")
    per_office: dict[str, Decimal] = defaultdict(Decimal)
    for row in allocations:
        per_office[row["office"]] += _kr(row["amount"])
        assert row["currency"] == "DKK" and row["amount"].count(".") == 1
    assert per_office and set(per_office.values()) == {Decimal("1000000.00")}
    offices = {row["office"]: row for row in _rows(target, "payments_by_office.csv")}
    assert {name: _kr(row["allocated_amount"]) for name, row in offices.items()} == per_office

    # Payments: Greve paid in full, Lejre a third, as registered.
    payments = {r["municipality_code"]: r for r in _rows(target, "payments_by_municipality.csv")}
    greve = PaymentRequest.objects.get(year=YEAR, municipality__code="253")
    lejre = PaymentRequest.objects.get(year=YEAR, municipality__code="350")
    assert payments["253"]["received_amount"] == kroner(greve.total_ore)
    assert payments["253"]["outstanding_amount"] == "0.00"
    assert payments["350"]["received_amount"] == kroner(lejre.total_ore // 3)
    assert payments["350"]["requested_amount"] == kroner(lejre.total_ore)
    assert sum(_kr(r["received_amount"]) for r in payments.values()) == sum(
        _kr(r["received_amount"]) for r in offices.values()
    )

    # Grants: unknown amounts stay empty.
    grants = {row["grant"]: row for row in _rows(target, "grants.csv")}
    assert grants["region-dlsc"]["year_amount"] == ""
    assert grants["region-dlsc"]["committed_amount"] == ""
    assert grants["national-deb"]["year_amount"] == "80000000.00"
    assert "ruc-2021" not in grants  # 2021 only

    # Reach: counts only, demo labelled.
    reach = _rows(target, "reach_by_municipality.csv")
    assert sum(int(r["companies"]) for r in reach) > 0
    assert {r["basis"] for r in reach if int(r["companies"])} == {"demo"}

    # No personal data: no contact person, no participant's name anywhere.
    everything = "".join(p.read_text(encoding="utf-8") for p in target.iterdir())
    contacts = list(ContactPerson.objects.all()[:50])
    for contact in contacts:
        for value in (contact.name, contact.email, contact.phone):
            assert not value or value not in everything
    for name in Participant.objects.values_list("name", flat=True)[:200]:
        assert f",{name}," not in everything and f'"{name}"' not in everything
    assert "@" not in everything

    # The same data give the same bytes.
    again = opendata_package(YEAR)
    assert again.files == {p.name: p.read_bytes() for p in target.iterdir()}


@pytest.mark.django_db
def test_the_command_refuses_bad_input_and_writes_nothing(
    year_data: Agreement, tmp_path: Path
) -> None:
    target = tmp_path / "ud"
    with pytest.raises(CommandError, match="Året 1999 er ikke gyldigt"):
        call_command("export", "opendata", "--year", "1999", "--output", str(target))
    with pytest.raises(CommandError, match="Åbne data for 2023 kan ikke laves") as caught:
        call_command("export", "opendata", "--year", "2023", "--output", str(target))
    assert "en godkendt fordeling for 2023" in str(caught.value)
    with pytest.raises(CommandError, match="en aftale, der dækker 2030"):
        call_command("export", "opendata", "--year", "2030", "--output", str(target))
    with pytest.raises(CommandError, match="findes ikke"):
        call_command("export", "opendata", "--year", str(YEAR), "--output",
                     str(tmp_path / "mangler" / "ud"))  # fmt: skip
    with pytest.raises(CommandError):  # the reader may not export (only download what is published)
        call_command("export", "opendata", "--year", str(YEAR), "--output", str(target),
                     "--user", "laeser")  # fmt: skip
    assert list(tmp_path.iterdir()) == []

    # An existing directory: its other files stay; the package's own are not overwritten.
    target.mkdir()
    (target / "andet.txt").write_text("behold")
    call_command("export", "opendata", "--year", str(YEAR), "--output", str(target),
                 stdout=io.StringIO())  # fmt: skip
    (target / "grants.csv").write_text("gammel")
    with pytest.raises(CommandError, match="--force"):
        call_command("export", "opendata", "--year", str(YEAR), "--output", str(target))
    assert (target / "grants.csv").read_text() == "gammel"
    call_command("export", "opendata", "--year", str(YEAR), "--output", str(target), "--force",
                 stdout=io.StringIO())  # fmt: skip
    assert (target / "grants.csv").read_text(encoding="utf-8").startswith("year,grant,")
    assert (target / "andet.txt").read_text() == "behold"
    assert not [p for p in target.iterdir() if p.name.startswith(".")]


@pytest.mark.django_db
def test_the_command_exits_non_zero_through_the_console_script(
    year_data: Agreement, tmp_path: Path
) -> None:
    from klynge.cli import main

    target = tmp_path / "ud"
    with pytest.raises(SystemExit) as caught:
        main(["klynge", "export", "opendata", "--year", "2023", "--output", str(target)])
    assert caught.value.code != 0
    assert not target.exists()


@pytest.mark.django_db
def test_the_reader_downloads_the_published_open_data(year_data: Agreement, login_as) -> None:
    secretariat = login_as("sekretariat")
    assert secretariat.post(reverse("annual-report-publish", args=[YEAR])).status_code == 302
    published = PublishedReport.objects.get(year=YEAR)
    assert published.opendata_sha256

    reader = login_as("laeser")
    detail = reader.get(reverse("published-detail", args=[YEAR])).content.decode()
    url = reverse("published-opendata", args=[YEAR, 1])
    assert url in detail
    response = reader.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].endswith('aabne-data-klynge-2024-v1.zip"')
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert set(archive.namelist()) == FILES
    assert response.content == bytes(published.opendata)
    # Published from the same data as the command's package: the same bytes.
    assert response.content == opendata_package(YEAR).zip

    assert reader.get(reverse("published-opendata", args=[YEAR, 2])).status_code == 404
    assert reader.get(reverse("published-opendata", args=[2023, 1])).status_code == 404
    PublishedReport.objects.filter(pk=published.pk).update(opendata=b"", opendata_sha256="")
    assert reader.get(url).status_code == 404  # a version from before open data
    assert url not in reader.get(reverse("published-detail", args=[YEAR])).content.decode()
