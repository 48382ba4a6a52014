"""
Malformed payment files (issue 12, item 11): refused alike as CSV and XLSX, on every database.

An amount with three decimals, a reference over the database's length or
holding a NUL or an escape, an implausible date: each row is named with
why, and nothing is registered.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from klynge.audit.services import Actor
from klynge.collection.imports import DAYS_AHEAD, REFERENCE_LENGTH, read_payment_data
from klynge.collection.letters import ascii_slug, letter_filename
from klynge.collection.models import Payment, PaymentRequest
from klynge.collection.services import (
    CollectionError,
    PaymentFileError,
    payment_register,
    payments_import,
)

pytestmark = pytest.mark.django_db
ACTOR = Actor.system("test")
TODAY = dt.date(2024, 4, 1)
HEADER = "kommunekode;beløb;dato;reference\n"


def refused(data: bytes, *, today: dt.date = TODAY) -> list[str]:
    with pytest.raises(PaymentFileError) as error:
        read_payment_data(data, name="bank", today=today)
    return error.value.problems


def xlsx(*rows: list[object]) -> bytes:
    book = Workbook()
    book.active.append(["kommunekode", "beløb", "dato", "reference"])
    for values in rows:
        book.active.append(values)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_limits_come_from_the_model() -> None:
    assert REFERENCE_LENGTH == Payment._meta.get_field("reference").max_length == 100


def test_three_decimals_are_refused_in_xlsx_as_in_csv() -> None:
    from_csv = refused((HEADER + "253;1000,005;20-03-2024;R-1\n").encode())
    from_xlsx = refused(xlsx(["253", Decimal("1000.005"), "20-03-2024", "R-1"]))
    from_float = refused(xlsx(["253", 1000.005, "20-03-2024", "R-1"]))

    for problems in (from_csv, from_xlsx, from_float):
        assert len(problems) == 1 and "mere end to decimaler" in problems[0], problems
    assert "1000,005" in from_xlsx[0]


def test_an_xlsx_amount_with_binary_noise_is_the_amount_typed() -> None:
    rows = read_payment_data(xlsx(["253", 1234.5599999999999, "20-03-2024", "R-1"],
                                  ["259", Decimal("0.1"), "20-03-2024", "R-2"]),
                             name="bank", today=TODAY)  # fmt: skip

    assert [r.amount_ore for r in rows] == [123_456, 10]


def test_a_reference_over_the_field_length_is_refused_with_the_limit() -> None:
    long = "R" * (REFERENCE_LENGTH + 1)
    problems = refused((HEADER + f"253;1,00;20-03-2024;{long}\n").encode())

    assert len(problems) == 1 and "101 tegn" in problems[0] and "højst 100" in problems[0]
    exact = "R" * REFERENCE_LENGTH
    rows = read_payment_data((HEADER + f"253;1,00;20-03-2024;{exact}\n").encode(), name="bank",
                             today=TODAY)  # fmt: skip
    assert rows[0].reference == exact


def test_a_nul_or_an_escape_in_a_reference_is_refused() -> None:
    filler = "".join(f"253;1,00;20-03-2024;FYLD-{n:05d}-{'x' * 40}\n" for n in range(200))
    data = (HEADER + filler + "253;1,00;20-03-2024;NUL\x00REF\n").encode()
    assert b"\x00" not in data[:8192]

    problems = refused(data)

    assert len(problems) == 1 and "linje 202" in problems[0] and "U+0000" in problems[0]
    assert "styretegn" in refused((HEADER + "253;1,00;20-03-2024;R\x1b[2J\n").encode())[0]
    assert "U+009B" in refused(xlsx(["253", "1,00", "20-03-2024", "R\x9b1"]))[0]


@pytest.mark.parametrize("typed", ["01-01-2099", "31-12-2019", "20-03-0024"])
def test_an_implausible_payment_date_is_refused_with_the_reason(typed: str) -> None:
    problems = refused((HEADER + f"253;1,00;{typed};R-1\n").encode())

    assert len(problems) == 1
    assert (
        f"uden for 01-01-2020 til {TODAY + dt.timedelta(days=DAYS_AHEAD):%d-%m-%Y}" in (problems[0])
    )
    assert "årstallet" in problems[0]


def test_a_payment_dated_up_to_a_week_ahead_is_accepted() -> None:
    ahead = TODAY + dt.timedelta(days=DAYS_AHEAD)
    rows = read_payment_data((HEADER + f"253;1,00;{ahead:%d-%m-%Y};R-1\n").encode(), name="bank",
                             today=TODAY)  # fmt: skip

    assert rows[0].paid_on == ahead


@pytest.mark.parametrize("code", ["2⁵3", "²⁵³", "２５３"])
def test_only_the_digits_0_to_9_make_a_municipality_code(code: str) -> None:
    problems = refused((HEADER + f"{code};1,00;20-03-2024;R-1\n").encode())

    assert "er ikke en kommunekode" in problems[0]


def test_the_command_registers_nothing_of_a_file_with_a_long_reference(
    sent_requests, run_command, tmp_path: Path
) -> None:
    bank = tmp_path / "bank.csv"
    bank.write_text(HEADER + "253;1,00;20-03-2024;OK-1\n" + f"259;1,00;20-03-2024;{'R' * 101}\n",
                    encoding="utf-8")  # fmt: skip

    code, _out, err = run_command("payments", "import", str(bank), "--year", "2024")

    assert code == 1 and "linje 3" in err and "højst 100" in err
    assert not Payment.objects.exists()


def test_the_web_import_refuses_three_decimals_from_xlsx(sent_requests, login_as) -> None:
    client = login_as("sekretariat")
    file = io.BytesIO(xlsx(["253", Decimal("1000.005"), "20-03-2024", "R-1"]))
    file.name = "bank.xlsx"

    response = client.post(reverse("payments-import", args=[2024]), {"file": file}, follow=True)

    assert response.status_code == 200 and "mere end to decimaler" in response.content.decode()
    assert not Payment.objects.exists()


def test_a_single_payment_with_a_bad_reference_is_refused(sent_requests) -> None:
    request = PaymentRequest.objects.get(municipality__code="253")
    for reference in ("R" * 101, "R\x00", "R\x1b[2J"):
        with pytest.raises(CollectionError, match="højst 100 tegn"):
            payment_register(actor=ACTOR, request=request, amount_ore=100,
                             paid_on=TODAY, reference=reference)  # fmt: skip
    assert not Payment.objects.exists()


def test_the_requests_export_succeeds_with_control_characters_stored(
    sent_requests, login_as
) -> None:
    rows = read_payment_data((HEADER + "253;1,00;20-03-2024;OK-1\n").encode(), name="bank",
                             today=TODAY)  # fmt: skip
    payments_import(actor=ACTOR, year=2024, rows=rows)
    Payment.objects.update(reference="Gammel\x1b[2J\x07")  # stored before input was checked

    response = login_as("sekretariat").get(reverse("requests-export", args=[2024]))

    assert response.status_code == 200
    references = [row[4] for row in load_workbook(io.BytesIO(response.content))["Indbetalinger"]
                  .iter_rows(min_row=2, values_only=True)]  # fmt: skip
    assert references == ["Gammel\ufffd[2J\ufffd"]


@pytest.mark.parametrize(
    ("name", "slug"),
    [("Høje-Taastrup", "hoeje-taastrup"), ("Ærø", "aeroe"), ("Lyngby-Taarbæk", "lyngby-taarbaek"),
     ("Sønder Ådal / Øst.", "soender-aadal-oest"), ("Brønshøj\x1b[2J", "broenshoej-2j"),
     ("Café Ünïcødé", "cafe-unicoede"), ("../../etc", "etc"), ("日本", "x")],
)  # fmt: skip
def test_names_in_letter_files_are_ascii(name: str, slug: str) -> None:
    assert ascii_slug(name, fallback="x") == slug


def test_a_letter_file_name_is_ascii_whatever_the_municipality_is_called(sent_requests) -> None:
    request = PaymentRequest.objects.select_related("municipality").get(municipality__code="259")
    request.municipality.name = "Køge/Ølstykke Å. \x1b[2J"

    name = letter_filename(request)

    assert name == "opkraevning-2024-259-koege-oelstykke-aa-2j.pdf"
    assert name.isascii() and "/" not in name
