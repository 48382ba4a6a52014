"""
`klynge report annual --year 2024 --format pdf|docx|xlsx --output FILE`:
the yearly report to KKR Sjælland from live data.

A year without an approved allocation run ends with a Danish message that
lists what is missing, a non-zero exit code, and no file written. The file
is written whole or not at all (a temporary file renamed into place).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser

from klynge.audit.commands import add_user_argument, command_actor
from klynge.common import perms
from klynge.common.commands import BaseCommand
from klynge.core.money import group_thousands
from klynge.reports.render import FORMATS, render
from klynge.reports.selectors import ReportError, annual_report_data


def _write(path: Path, data: bytes) -> None:
    directory = path.resolve().parent
    if not directory.is_dir():
        raise CommandError(f"Mappen {directory} findes ikke; intet er skrevet.")
    descriptor, temporary = tempfile.mkstemp(dir=directory, prefix=".aarsrapport-")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


class Command(BaseCommand):
    help = "Årsrapporten til KKR Sjælland for et år, som PDF, DOCX eller XLSX."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        annual = sub.add_parser("annual", help="årsrapporten til KKR Sjælland")
        annual.add_argument("--year", type=int, required=True, help="rapportens år, fx 2024")
        annual.add_argument(
            "--format", dest="fmt", choices=sorted(FORMATS), default="pdf", help="filformat"
        )
        annual.add_argument("--output", type=Path, required=True, help="filen, der skrives")
        add_user_argument(annual)

    def handle(self, *args: Any, **options: Any) -> None:
        command_actor(options, perms.MAKE_ANNUAL_REPORT)
        year: int = options["year"]
        if not 2000 <= year <= 2100:
            raise CommandError(f"Året {year} er ikke gyldigt; angiv fx --year 2024.")
        try:
            report = annual_report_data(year)
        except ReportError as error:
            raise CommandError(error.message) from None
        data = render(report, options["fmt"])
        _write(options["output"], data)
        demo = " Rapporten rummer demodata." if report.demo else ""
        self.stdout.write(
            f"Årsrapporten for {year} er skrevet til {options['output']} "
            f"({options['fmt'].upper()}, {group_thousands(len(data))} byte).{demo}"
        )
