"""`klynge demo`: add the labelled demo data and the demo login."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from klynge.demo.services import DEMO_PASSWORD, DEMO_USERNAME, demo_load
from klynge.masterdata.models import Municipality


class Command(BaseCommand):
    help = "Indlæs demodata (mærket 'demodata') og demo-login. Kræver load-sjaelland først."

    def handle(self, *args: Any, **options: Any) -> None:
        if not Municipality.objects.exists():
            raise CommandError("Registeret er tomt; kør først: klynge load-sjaelland")
        report = demo_load()
        self.stdout.write(f"Demodata: {report.leads_set} ukendte leadkommuner udfyldt.")
        self.stdout.write(
            f"Demo-login: brugernavn '{DEMO_USERNAME}', adgangskode '{DEMO_PASSWORD}'."
        )
