"""
The participant and payment imports read what Excel writes and refuse the rest with a message (#12).

The reader's own limits are in test_file_limits.py; these go through the
imports: CR line ends in both, the size message, and the cap on the problems
a refused batch keeps (on the page and in fejl.csv alike).
"""

from __future__ import annotations

import pytest
from django.test import override_settings
from tests.participation.files import FILE, csv_bytes, row

from klynge.audit.services import Actor
from klynge.collection.imports import read_payment_data
from klynge.masterdata.models import ClusterOffice
from klynge.participation.imports import MAX_PROBLEMS, check_file
from klynge.participation.models import ImportStatus
from klynge.participation.renderers import problems_csv
from klynge.participation.services import import_check
from klynge.participation.services.imports import too_large_message

ACTOR = Actor.system("test")
PAYMENTS = "Kommunekode;Beløb;Dato;Reference\r253;33.652,26;31-03-2024;Bank 7001\r"


@pytest.fixture
def office(register) -> ClusterOffice:
    return ClusterOffice.objects.get(name="We Build Denmark – Næstved")


@pytest.mark.django_db
@pytest.mark.parametrize("line_end", ["\r", "\n"], ids=["cr-only", "lf-only"])
def test_a_participant_file_with_mac_or_unix_line_ends_is_read(register, line_end: str) -> None:
    data = csv_bytes(FILE).replace(b"\r\n", line_end.encode())

    plan = check_file(data)

    assert plan.problems == []
    assert plan.rows == len(FILE)


@pytest.mark.django_db
def test_a_participant_file_with_a_stray_carriage_return_is_read(register) -> None:
    data = csv_bytes(FILE).replace(b"\r\n", b"\r", 1)  # only after the header

    plan = check_file(data)

    assert plan.problems == []
    assert plan.rows == len(FILE)


@pytest.mark.parametrize("data", [PAYMENTS, PAYMENTS.replace("\r", "\n", 1)], ids=["cr", "mixed"])
def test_a_payment_file_with_cr_line_ends_is_read(data: str) -> None:
    rows = read_payment_data(data.encode("cp1252"), name="bank.csv")

    assert [(r.line, r.amount_ore, r.reference) for r in rows] == [(2, 3_365_226, "Bank 7001")]


@override_settings(KLYNGE_IMPORT_MAX_BYTES=50_000_000)
def test_a_file_just_over_the_limit_is_told_its_size_with_a_decimal() -> None:
    message = too_large_message(50_400_000)

    assert message.startswith("Filen er 50,4 MB; grænsen er 50 MB.")


@pytest.mark.django_db
def test_a_file_with_thousands_of_problems_keeps_the_first_thousand_and_counts_the_rest(
    office,
) -> None:
    bad = [row(**{"Aktivitets-id": f"A-{n}", "CVR-nummer": "12345675"}) for n in range(1_500)]

    batch = import_check(actor=ACTOR, office=office, file_name="fejl.csv", data=csv_bytes(bad))

    assert batch.status == ImportStatus.REFUSED
    assert len(batch.problems) == MAX_PROBLEMS + 1
    assert batch.problems[-1]["message"].startswith("500 fejl mere er ikke listet")
    report = problems_csv(batch.problems).decode("utf-8-sig").splitlines()
    assert len(report) == 1 + MAX_PROBLEMS + 1  # the header, the problems and the count
    assert "500 fejl mere" in report[-1]
