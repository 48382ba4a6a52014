"""`klynge payments import FILE --year Y`: register the payments of a bank file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser

from klynge.audit.commands import add_user_argument, command_actor
from klynge.collection.imports import read_payment_file
from klynge.collection.services import PaymentFileError, payments_import
from klynge.common import perms
from klynge.common.commands import BaseCommand
from klynge.core.money import format_dkk


class Command(BaseCommand):
    help = (
        "Indlæs indbetalinger fra CSV (som dansk Excel gemmer den) eller XLSX med kolonnerne "
        "kommunekode, beløb, dato og reference. Alt eller intet."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["import"], help="import")
        parser.add_argument("file", type=Path, help="CSV- eller XLSX-fil")
        parser.add_argument("--year", type=int, required=True, help="opkrævningernes år")
        add_user_argument(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        actor = command_actor(options, perms.MANAGE_COLLECTION)
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"Filen findes ikke: {path}")
        try:
            rows = read_payment_file(path)
            report = payments_import(actor=actor, year=options["year"], rows=rows)
        except PaymentFileError as error:
            raise CommandError(
                f"{path.name} er afvist; intet er registreret:\n"
                + "\n".join(f"- {p}" for p in error.problems)
            ) from error
        total = sum(p.amount_ore for p in report.registered)
        self.stdout.write(
            f"{len(report.registered)} indbetalinger registreret, i alt {format_dkk(total)}; "
            f"{len(report.already_registered)} var allerede registreret og er sprunget over."
        )
