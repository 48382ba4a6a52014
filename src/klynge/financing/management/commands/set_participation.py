"""`klynge set-participation`: say whether a municipality takes part in a year."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError, CommandParser

from klynge.audit.commands import add_user_argument, command_actor
from klynge.common import perms
from klynge.common.commands import BaseCommand
from klynge.financing.management.options import add_change_arguments
from klynge.financing.management.options import basis as option_basis
from klynge.financing.management.options import years as option_years
from klynge.financing.selectors import AgreementYearError, agreement_for_year
from klynge.financing.services import participation_set
from klynge.masterdata.selectors import UnknownObjectError, municipality_get


class Command(BaseCommand):
    help = "Angiv om en kommune deltager i medfinansieringen et eller flere år."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--municipality", required=True, help="kommunekode eller navn")
        state = parser.add_mutually_exclusive_group(required=True)
        state.add_argument("--in", dest="participates", action="store_true")
        state.add_argument("--out", dest="participates", action="store_false")
        add_change_arguments(parser)
        add_user_argument(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        years = option_years(options)
        try:
            agreement = agreement_for_year(year=options["year"], name=options["agreement"])
            municipality = municipality_get(code_or_name=options["municipality"])
            participation_set(
                actor=command_actor(options, perms.CHANGE_AGREEMENT),
                agreement=agreement,
                municipality=municipality,
                years=years,
                participates=options["participates"],
                basis=option_basis(options),
                note=options["note"],
            )
        except (AgreementYearError, UnknownObjectError, ValueError) as error:
            raise CommandError(str(error)) from error
        state = "deltager" if options["participates"] else "deltager ikke"
        self.stdout.write(f"{municipality.name} {state} i {years.start}-{years.stop - 1}.")
