"""`klynge load-sjaelland`: load the Sjælland register and agreement (facts only)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.db import transaction

from klynge.audit.commands import add_user_argument, command_actor
from klynge.common import perms
from klynge.common.commands import BaseCommand
from klynge.financing.services import agreement_load
from klynge.masterdata.services import DATA_DIR, DataFileError, register_load


class Command(BaseCommand):
    help = "Indlæs registeret for Region Sjælland og aftalen 2021-2024 (kun fakta)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--data-dir", type=Path, default=DATA_DIR, help="mappe med datafilerne")
        add_user_argument(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        actor = command_actor(options, perms.CHANGE_AGREEMENT)
        try:
            with transaction.atomic():
                report = register_load(actor=actor, data_dir=options["data_dir"])
                agreement = agreement_load(actor=actor, data_dir=options["data_dir"])
        except DataFileError as error:
            raise CommandError(
                "Datafilerne er ikke gyldige; intet er gemt:\n"
                + "\n".join(f"- {p}" for p in error.problems)
            ) from error
        created = ", ".join(f"{kind}: {count}" for kind, count in report.created.items())
        self.stdout.write(f"Registeret er indlæst (nye rækker - {created}).")
        if report.kept:
            self.stdout.write(
                "Indbyggertal, som sekretariatet har rettet, er bevaret: "
                + ", ".join(report.kept)
                + "."
            )
        self.stdout.write(f"Aftale: {agreement.name}.")
