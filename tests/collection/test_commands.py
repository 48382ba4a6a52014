"""`klynge requests create|send` and `klynge payments import`."""

from __future__ import annotations

from pathlib import Path

import pytest

from klynge.collection.models import Payment, PaymentRequest, RequestStatus

pytestmark = pytest.mark.django_db


def test_requests_need_the_approved_run(demo, run_command) -> None:
    code, _out, err = run_command("requests", "create", "--year", "2024")

    assert code == 1
    assert "ingen godkendt fordeling for 2024" in err
    assert not PaymentRequest.objects.exists()


def test_from_approved_run_to_imported_payments(demo, run_command, tmp_path: Path) -> None:
    run_command("allocate", "--year", "2024", "--approve")

    code, out, _err = run_command("requests", "create", "--year", "2024", "--due", "31-03-2024")
    assert code == 0
    assert "17 opkrævninger for 2024 oprettet som udkast, i alt 4.000.000,00 kr." in out

    code, out, _err = run_command("requests", "send", "--year", "2024")
    assert code == 0 and "17 opkrævninger" in out
    assert not PaymentRequest.objects.filter(status=RequestStatus.DRAFT).exists()

    bank = tmp_path / "bank.csv"
    bank.write_bytes(
        "kommunekode;beløb;dato;reference\n253;133.146,68;20-03-2024;B-1\n".encode("cp1252")
    )
    code, out, _err = run_command("payments", "import", str(bank), "--year", "2024")
    assert code == 0
    assert "1 indbetalinger registreret, i alt 133.146,68 kr." in out

    code, out, _err = run_command("payments", "import", str(bank), "--year", "2024")
    assert code == 0 and "1 var allerede registreret" in out
    assert Payment.objects.count() == 1


def test_a_bad_file_is_refused_whole(demo, run_command, tmp_path: Path) -> None:
    run_command("allocate", "--year", "2024", "--approve")
    run_command("requests", "create", "--year", "2024", "--due", "31-03-2024")
    bank = tmp_path / "bank.csv"
    bank.write_text(
        "kommunekode;beløb;dato;reference\n253;1,00;20-03-2024;OK\n998;1,00;20-03-2024;UKENDT\n",
        encoding="utf-8",
    )

    code, _out, err = run_command("payments", "import", str(bank), "--year", "2024")

    assert code == 1
    assert "intet er registreret" in err
    assert "linje 3" in err and "998" in err
    assert not Payment.objects.exists()


def test_a_municipality_user_may_not_make_requests(demo, run_command) -> None:
    run_command("allocate", "--year", "2024", "--approve")

    code, _out, err = run_command("requests", "create", "--year", "2024", "--user", "greve")

    assert code == 1 and "har ikke ret" in err


def test_the_collector_decides_who_the_lines_are_paid_to(demo, run_command) -> None:
    code, out, _err = run_command("set_collector", "--year", "2024", "--collector", "office")
    run_command("allocate", "--year", "2024", "--approve")
    run_command("requests", "create", "--year", "2024", "--due", "31-03-2024")

    greve = PaymentRequest.objects.get(municipality__code="253")
    assert code == 0 and "'office'" in out
    assert set(greve.lines.values_list("payee", flat=True)) == set(
        greve.lines.values_list("office__name", flat=True)
    )


def test_letters_are_written_one_per_request(demo, run_command, tmp_path: Path) -> None:
    run_command("allocate", "--year", "2024", "--approve")
    run_command("requests", "create", "--year", "2024", "--due", "31-03-2024")

    code, out, _err = run_command(
        "requests", "letters", "--year", "2024", "--output", str(tmp_path / "breve")
    )

    files = sorted(p.name for p in (tmp_path / "breve").iterdir())
    assert code == 0 and "17 breve" in out
    assert len(files) == 17
    assert "opkraevning-2024-253-greve.pdf" in files
    assert "opkraevning-2024-259-koege.pdf" in files
    assert (tmp_path / "breve" / files[0]).read_bytes().startswith(b"%PDF-")
