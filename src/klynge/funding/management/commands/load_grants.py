"""`klynge load-grants`: load the grants the seed names (facts only)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser

from klynge.audit.commands import add_user_argument, command_actor
from klynge.common import perms
from klynge.common.commands import BaseCommand
from klynge.funding.services import DATA_DIR, grants_load
from klynge.masterdata.services import DataFileError


class Command(BaseCommand):
    help = "Indlæs bevillingerne fra kilden (fakta; ukendte værdier forbliver tomme)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--data-dir", type=Path, default=DATA_DIR, help="mappe med grants.csv")
        add_user_argument(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        actor = command_actor(options, perms.CHANGE_AGREEMENT)
        try:
            report = grants_load(actor=actor, data_dir=options["data_dir"])
        except DataFileError as error:
            raise CommandError(
                "grants.csv er ikke gyldig; intet er gemt:\n"
                + "\n".join(f"- {p}" for p in error.problems)
            ) from error
        self.stdout.write(f"Bevillinger: {len(report.created)} nye.")
