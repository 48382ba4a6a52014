"""`klynge demo`: add the labelled demo data and one demo login per role."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import CommandError, CommandParser

from klynge.common.commands import BaseCommand
from klynge.core.money import group_thousands
from klynge.demo.contracts import demo_contracts_load
from klynge.demo.participation import DemoConflictError, demo_participation_load
from klynge.demo.services import DEMO_PASSWORD, DemoUser, demo_load
from klynge.masterdata.models import Municipality


class Command(BaseCommand):
    help = "Indlæs demodata (mærket 'demodata') og demo-logins. Kræver load-sjaelland først."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--no-participation",
            action="store_true",
            help="Spring demodeltagerne over (virksomheder, aktiviteter og deltagelser).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not Municipality.objects.exists():
            raise CommandError("Registeret er tomt; kør først: klynge load-sjaelland")
        report = demo_load(users=settings.KLYNGE_DEMO_USERS)
        self.stdout.write(f"Demodata: {report.leads_set} ukendte leadkommuner udfyldt.")
        if settings.KLYNGE_DEMO_USERS:
            self._write_users(report.users_created)
        else:
            self.stdout.write(
                "Demo-logins oprettes ikke: de deler en offentlig adgangskode, og disse "
                "indstillinger er ikke til udvikling (KLYNGE_DEMO_USERS=1 tillader dem)."
            )
        if not options["no_participation"]:
            self._load_participation()
            counts = demo_contracts_load()
            if counts["contracts"]:
                self.stdout.write(
                    f"Demodata: {counts['contracts']} resultatkontrakter og opfølgningen for "
                    f"{counts['rounds']} år (godkendt, mærket demodata)."
                )

    def _write_users(self, users: list[DemoUser]) -> None:
        if not users:
            self.stdout.write("Demo-brugerne findes allerede (adgangskoden vises kun første gang).")
            return
        self.stdout.write(f"Demo-logins (adgangskode '{DEMO_PASSWORD}' for alle):")
        for user in users:
            binding = (
                Municipality.objects.get(code=user.municipality_code).name
                if user.municipality_code
                else user.office_name
            )
            self.stdout.write(
                f"  {user.username:<12} {user.role.label}" + (f" ({binding})" if binding else "")
            )

    def _load_participation(self) -> None:
        """The demo participant files of the financed offices, through the import."""
        try:
            counts = demo_participation_load()
        except DemoConflictError as error:
            self.stderr.write(str(error))
            return
        self.stdout.write(
            f"Demodata: {group_thousands(counts['companies'])} virksomheder, "
            f"{group_thousands(counts['activities'])} aktiviteter, "
            f"{group_thousands(counts['participations'])} deltagelser (mærket demodata)."
        )
        if counts["offices_skipped"]:
            self.stdout.write(
                f"Demodeltagerne var allerede indlæst for {counts['offices_skipped']} "
                f"af {counts['offices']} klyngekontorer; de er ikke indlæst igen."
            )
