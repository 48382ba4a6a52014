"""
The `klynge` command's boundary (issue 12, item 11): what reaches the operator's terminal,
and a database that cannot be written.

Escape sequences in a value are written as visible escapes, never raw; a
read-only database or a full disk ends a command, a dry run too, with a
Danish message and no traceback, and nothing is changed.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.db import connection, connections, transaction
from tests.participation.files import FILE, csv_bytes, row

from klynge.cli import main
from klynge.participation.models import ImportBatch, Participant

pytestmark = pytest.mark.django_db
OFFICE = "We Build Denmark – Næstved"
ESCAPES = "\x1b[2J\x1b]0;pwned\x07\x9b31m"


@pytest.fixture
def klynge(monkeypatch) -> Callable[..., int]:
    """Run `klynge ARGS` in this process as the console script does; its exit code."""
    # A command closes the database connections when it ends; the test's transaction
    # lives on that connection, so it stays open here.
    monkeypatch.setattr(connections, "close_all", lambda: None)

    def run(*args: str) -> int:
        try:
            main(["klynge", *args])
        except SystemExit as end:
            return int(end.code or 0)
        return 0

    return run


def test_escape_codes_in_a_file_never_reach_the_terminal(
    register, tmp_path, capsys, klynge
) -> None:
    path = tmp_path / "deltagere.csv"
    path.write_bytes(csv_bytes([row(**{"Navn": f"Onde {ESCAPES} ApS", "CVR-nummer": "1"})]))

    code = klynge("import", "participations", str(path), "--office", OFFICE)

    out, err = capsys.readouterr()
    assert code == 1 and "afvist" in err
    assert "\\x1b[2J" in err and "\\x9b31m" in err
    assert not any(char in out + err for char in "\x1b\x07\x9b")
    assert not Participant.objects.exists()


def test_escape_codes_in_a_payment_file_never_reach_the_terminal(
    demo, tmp_path, capsys, klynge
) -> None:
    bank = tmp_path / "bank.csv"
    escapes = ESCAPES.replace(";", ":")  # the CSV's own separator would split the cell
    bank.write_text(f"kommunekode;beløb;dato;reference\n25{escapes};1,00;20-03-2024;R{escapes}\n",
                    encoding="utf-8")  # fmt: skip

    code = klynge("payments", "import", str(bank), "--year", "2024")

    out, err = capsys.readouterr()
    assert code == 1 and "intet er registreret" in err and "styretegn" in err
    assert not any(char in out + err for char in "\x1b\x07\x9b")


def test_a_file_name_with_escape_codes_is_stored_and_listed_escaped(
    register, tmp_path, capsys, klynge
) -> None:
    path = tmp_path / "del\x1b[31mtagere.csv"
    path.write_bytes(csv_bytes(FILE))

    assert klynge("import", "participations", str(path), "--office", OFFICE) == 0
    assert klynge("import", "list") == 0

    out, err = capsys.readouterr()
    assert ImportBatch.objects.get().file_name == "del\\x1b[31mtagere.csv"
    assert "del\\x1b[31mtagere.csv" in out and "\x1b" not in out + err


@contextlib.contextmanager
def read_only() -> Iterator[None]:
    """This test's database connection refuses every write, as a read-only database does."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA query_only = ON")
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA query_only = OFF")
        return
    # PostgreSQL: read-only from a savepoint on; rolling back to it makes the rest of the
    # test's transaction writable again.
    savepoint = transaction.savepoint()
    with connection.cursor() as cursor:
        cursor.execute("SET transaction_read_only = on")
    try:
        yield
    finally:
        transaction.savepoint_rollback(savepoint)


@pytest.mark.parametrize("dry_run", [True, False])
def test_a_read_only_database_gives_a_message_even_for_a_dry_run(
    register, tmp_path, run_command, dry_run: bool
) -> None:
    path = tmp_path / "deltagere.csv"
    path.write_bytes(csv_bytes(FILE))
    args = ["import", "participations", str(path), "--office", OFFICE]

    with read_only():
        code, _out, err = run_command(*args, *(["--dry-run"] if dry_run else []))

    assert code == 1 and "Databasen er skrivebeskyttet" in err and "Intet er ændret" in err
    assert not ImportBatch.objects.exists() and not Participant.objects.exists()


@pytest.mark.skipif(connection.vendor != "sqlite", reason="PRAGMA max_page_count is SQLite's")
def test_a_full_disk_gives_a_message(register, tmp_path, run_command) -> None:
    many = [row(**{"Aktivitets-id": f"F-{n}", "Aktivitet": "Møde " + "x" * 200})
            for n in range(2000)]  # fmt: skip
    path = tmp_path / "stor.csv"
    path.write_bytes(csv_bytes(many))
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA page_count")
        pages = cursor.fetchone()[0]
        cursor.execute(f"PRAGMA max_page_count = {pages}")
    try:
        code, _out, err = run_command("import", "participations", str(path), "--office", OFFICE)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA max_page_count = 1073741823")

    assert code == 1 and "Databasen eller disken er fuld" in err
    assert not ImportBatch.objects.exists() and not Participant.objects.exists()


def _run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    klynge_script = Path(sys.executable).with_name("klynge")
    return subprocess.run(  # noqa: S603 - our own console script, fixed arguments
        [str(klynge_script), *args], env=env, capture_output=True, text=True, timeout=300,
        check=False,
    )  # fmt: skip


@pytest.mark.skipif(
    connection.vendor != "sqlite", reason="one run on SQLite suffices: the file is SQLite's"
)
def test_a_sqlite_file_made_read_only_gives_a_message_not_a_traceback(tmp_path: Path) -> None:
    database = tmp_path / "klynge.sqlite3"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}",
           "DJANGO_SETTINGS_MODULE": "klynge.config.settings.dev"}  # fmt: skip
    assert _run(env, "migrate", "-v", "0").returncode == 0
    assert _run(env, "load-sjaelland").returncode == 0
    participants = tmp_path / "deltagere.csv"
    participants.write_bytes(csv_bytes(FILE))
    database.chmod(0o444)
    immutable = False
    if os.geteuid() == 0:  # root writes a read-only file anyway: make it immutable instead
        chattr = shutil.which("chattr")
        immutable = bool(chattr) and subprocess.run(  # noqa: S603
            [str(chattr), "+i", str(database)], check=False, capture_output=True
        ).returncode == 0  # fmt: skip
        if not immutable:
            pytest.skip("running as root without chattr: the file cannot be made read-only")
    try:
        before = database.read_bytes()
        for extra in (["--dry-run"], []):
            done = _run(env, "import", "participations", str(participants), "--office", OFFICE,
                        *extra)  # fmt: skip
            assert done.returncode == 1, done.stderr
            assert "Databasen er skrivebeskyttet" in done.stderr
            assert "Traceback" not in done.stderr + done.stdout
        assert database.read_bytes() == before
    finally:
        if immutable:
            subprocess.run(["chattr", "-i", str(database)], check=False)  # noqa: S603, S607
        database.chmod(0o644)
