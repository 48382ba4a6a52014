"""`klynge demo`: add the labelled demo data and one demo login per role."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from klynge.demo.services import DEMO_PASSWORD, demo_load
from klynge.masterdata.models import Municipality


class Command(BaseCommand):
    help = "Indlæs demodata (mærket 'demodata') og demo-logins. Kræver load-sjaelland først."

    def handle(self, *args: Any, **options: Any) -> None:
        if not Municipality.objects.exists():
            raise CommandError("Registeret er tomt; kør først: klynge load-sjaelland")
        report = demo_load()
        self.stdout.write(f"Demodata: {report.leads_set} ukendte leadkommuner udfyldt.")
        if not report.users_created:
            self.stdout.write("Demo-brugerne findes allerede (adgangskoden vises kun første gang).")
            return
        self.stdout.write(f"Demo-logins (adgangskode '{DEMO_PASSWORD}' for alle):")
        for user in report.users_created:
            binding = (
                Municipality.objects.get(code=user.municipality_code).name
                if user.municipality_code
                else user.office_name
            )
            self.stdout.write(
                f"  {user.username:<12} {user.role.label}" + (f" ({binding})" if binding else "")
            )
