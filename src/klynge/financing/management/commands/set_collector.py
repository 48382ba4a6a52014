"""`klynge set-collector --year Y --collector lead|office`: who collects the shares."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError, CommandParser

from klynge.audit.commands import add_user_argument, command_actor
from klynge.common import perms
from klynge.common.commands import BaseCommand
from klynge.financing.models import Collector
from klynge.financing.selectors import AgreementYearError, agreement_for_year
from klynge.financing.services import collector_set


class Command(BaseCommand):
    help = (
        "Angiv hvem der opkræver kommunernes andele under aftalen, der dækker --year: "
        "kontorets leadkommune (lead) eller kontoret selv (office)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, required=True, help="et år aftalen dækker")
        parser.add_argument("--agreement", help="aftalens navn, hvis flere dækker året")
        parser.add_argument("--collector", required=True, choices=Collector.values)
        parser.add_argument(
            "--assumption",
            action="store_true",
            help="angiv det som en arbejdsantagelse (standard: et faktum med --note som kilde)",
        )
        parser.add_argument("--note", default="", help="kilden, fx beslutningen")
        add_user_argument(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        actor = command_actor(options, perms.CHANGE_AGREEMENT)
        try:
            agreement = agreement_for_year(year=options["year"], name=options["agreement"])
            agreement = collector_set(
                actor=actor,
                agreement=agreement,
                collector=options["collector"],
                basis="assumption" if options["assumption"] else "fact",
                note=options["note"],
            )
        except (AgreementYearError, ValueError) as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"{agreement.name}: opkrævende part er nu '{agreement.collector}'.")
