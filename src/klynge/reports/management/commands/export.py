"""
`klynge export opendata --year 2024 --output DIR [--force]`: a year's public
money as an open-data package (Frictionless Tabular Data Package: CSV files
and datapackage.json; docs/opendata.md).

A year without an approved allocation run ends with a Danish message that
lists what is missing, a non-zero exit code, and nothing written. A new
directory appears whole or not at all (written beside it, then renamed); in
an existing directory, files of the package already there are refused
unless --force, and each file is replaced whole.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser

from klynge.audit.commands import add_user_argument, command_actor
from klynge.common import perms
from klynge.common.commands import BaseCommand
from klynge.core.money import group_thousands
from klynge.reports.opendata import OpenDataError, opendata_package


def _write_new(target: Path, files: dict[str, bytes]) -> None:
    """Write the files into a new directory `target`: a temporary one renamed into place."""
    temporary = Path(tempfile.mkdtemp(dir=target.parent, prefix=".aabne-data-"))
    try:
        for name, data in files.items():
            (temporary / name).write_bytes(data)
            os.chmod(temporary / name, 0o644)
        os.chmod(temporary, 0o755)  # noqa: S103 - a public package, readable by all
        os.rename(temporary, target)
    except BaseException:
        shutil.rmtree(temporary, ignore_errors=True)
        raise


def _write_into(target: Path, files: dict[str, bytes]) -> None:
    """Write the files into an existing directory, each whole (temporary file, then renamed)."""
    for name, data in files.items():
        descriptor, temporary = tempfile.mkstemp(dir=target, prefix=".aabne-data-")
        try:
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(data)
            os.chmod(temporary, 0o644)
            os.replace(temporary, target / name)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise


class Command(BaseCommand):
    help = "Eksport af et års offentlige midler som åbne data (Frictionless Data Package)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        opendata = sub.add_parser(
            "opendata", help="CSV-filer og datapackage.json for et år (CC BY 4.0)"
        )
        opendata.add_argument("--year", type=int, required=True, help="året, fx 2024")
        opendata.add_argument("--output", type=Path, required=True, help="mappen, der skrives")
        opendata.add_argument(
            "--force", action="store_true", help="erstat pakkens filer, hvis de findes i mappen"
        )
        add_user_argument(opendata)

    def handle(self, *args: Any, **options: Any) -> None:
        command_actor(options, perms.MAKE_ANNUAL_REPORT)
        year: int = options["year"]
        if not 2000 <= year <= 2100:
            raise CommandError(f"Året {year} er ikke gyldigt; angiv fx --year 2024.")
        target: Path = options["output"]
        if target.exists() and not target.is_dir():
            raise CommandError(f"{target} findes og er ikke en mappe; intet er skrevet.")
        if not target.exists() and not target.resolve().parent.is_dir():
            raise CommandError(f"Mappen {target.resolve().parent} findes ikke; intet er skrevet.")
        try:
            package = opendata_package(year)
        except OpenDataError as error:
            raise CommandError(error.message) from None
        if target.is_dir():
            there = sorted(name for name in package.files if (target / name).exists())
            if there and not options["force"]:
                raise CommandError(
                    f"Mappen {target} rummer allerede {', '.join(there)}; brug --force for at "
                    "erstatte dem. Intet er skrevet."
                )
            _write_into(target, package.files)
        else:
            _write_new(target, package.files)
        size = sum(len(data) for data in package.files.values())
        demo = " Pakken rummer demodata (mærket demo)." if package.demo else ""
        self.stdout.write(
            f"Åbne data for {year} er skrevet til {target}: {len(package.files)} filer "
            f"({group_thousands(size)} byte), licens CC BY 4.0.{demo}"
        )
