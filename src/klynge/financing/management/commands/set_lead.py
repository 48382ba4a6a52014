"""`klynge set-lead`: set an office's lead municipality for one or more years."""

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
from klynge.financing.services import lead_set
from klynge.masterdata.selectors import UnknownObjectError, municipality_get, office_get


class Command(BaseCommand):
    help = "Angiv leadkommunen for et klyngekontor et eller flere år."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--office", required=True, help="kontorets eller klyngens navn")
        parser.add_argument(
            "--municipality", required=True, help="kommunekode eller navn ('ingen' rydder)"
        )
        add_change_arguments(parser)
        add_user_argument(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        years = option_years(options)
        try:
            agreement = agreement_for_year(year=options["year"], name=options["agreement"])
            office = office_get(name=options["office"])
            municipality = (
                None
                if options["municipality"].lower() == "ingen"
                else municipality_get(code_or_name=options["municipality"])
            )
            lead_set(
                actor=command_actor(options, perms.CHANGE_AGREEMENT),
                agreement=agreement,
                office=office,
                years=years,
                municipality=municipality,
                basis=option_basis(options),
                note=options["note"],
            )
        except (AgreementYearError, UnknownObjectError, ValueError) as error:
            raise CommandError(str(error)) from error
        who = municipality.name if municipality else "ingen"
        self.stdout.write(f"Leadkommune for {office.name} {years.start}-{years.stop - 1}: {who}.")
