"""`klynge purge [--dry-run]`: delete what is past its retention period, step by step."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils import timezone

from klynge.common.commands import BaseCommand
from klynge.common.purge import purge_steps
from klynge.core.money import group_thousands


class Command(BaseCommand):
    help = (
        "Slet det, der har overskredet sin opbevaringstid (fx efterladte indlæste filer). "
        "Med --dry-run vises kun, hvad der ville blive slettet."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="vis kun, hvad der ville blive slettet"
        )
        parser.add_argument(
            "--only", action="append", default=[], metavar="TRIN",
            help="kør kun dette trin (kan gentages): "
            + ", ".join(step.key for step in purge_steps()),
        )  # fmt: skip

    def handle(self, *args: Any, **options: Any) -> None:
        steps = purge_steps()
        unknown = sorted(set(options["only"]) - {step.key for step in steps})
        if unknown:
            raise CommandError(
                f"Ukendt trin: {', '.join(unknown)}. Trinene er: "
                + ", ".join(step.key for step in steps)
            )
        dry_run = options["dry_run"]
        now = timezone.now()
        verb = "ville blive slettet" if dry_run else "slettet"
        for step in steps:
            if options["only"] and step.key not in options["only"]:
                continue
            count = step.run(now, dry_run)
            self.stdout.write(f"{step.name}: {group_thousands(count)} {verb}")
        if dry_run:
            self.stdout.write("Prøvekørsel: intet er slettet.")
