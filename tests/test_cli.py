"""The `klynge` console script."""

import subprocess
import sys
from pathlib import Path

import pytest

from klynge import cli


def test_cli_maps_hyphenated_command_names_to_django_commands(monkeypatch) -> None:
    seen: list[list[str]] = []
    monkeypatch.setattr(
        "django.core.management.execute_from_command_line", lambda argv: seen.append(argv)
    )

    cli.main(["/usr/bin/klynge", "load-sjaelland", "--data-dir", "x-y"])

    assert seen == [["klynge", "load_sjaelland", "--data-dir", "x-y"]]


def test_cli_leaves_options_alone(monkeypatch) -> None:
    seen: list[list[str]] = []
    monkeypatch.setattr(
        "django.core.management.execute_from_command_line", lambda argv: seen.append(argv)
    )

    cli.main(["klynge", "--version"])

    assert seen == [["klynge", "--version"]]


@pytest.mark.django_db
def test_console_script_runs_a_whole_flow_on_a_fresh_sqlite_file(tmp_path: Path) -> None:
    """Migrate, load, allocate through the real entry point in a subprocess."""
    env = {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'k.sqlite3'}",
        "PATH": "/usr/bin:/bin",
        "KLYNGE_VAR_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "klynge.config.settings.dev",
    }
    klynge = [sys.executable, "-m", "klynge"]

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(  # noqa: S603
            [*klynge, *args], env=env, capture_output=True, text=True, check=False
        )

    assert run("migrate", "-v", "0").returncode == 0
    loaded = run("load-sjaelland")
    assert loaded.returncode == 0, loaded.stderr
    failed = run("allocate", "--year", "2023")
    assert failed.returncode == 1
    assert "Greve mangler indbyggertal pr. 1. januar 2022" in failed.stderr
    office = run("allocate", "--year", "2024", "--office", "We Build Denmark")
    assert office.returncode == 0, office.stderr
    assert "33.652,26" in office.stdout  # Greve's 2024 share (see the golden test)
