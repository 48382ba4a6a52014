"""Loading the demo data."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction

from klynge.common.choices import Basis
from klynge.financing.models import OfficeLead
from klynge.financing.services import lead_set
from klynge.masterdata.models import Municipality

DEMO_USERNAME = "sekretariat"
DEMO_PASSWORD = "klynge-demo"  # noqa: S105 - printed to the user on purpose
DEMO_LEAD_CODE = "316"
DEMO_NOTE = (
    "Demodata: ingen kilde nævner CLEAN's leadkommune eller by. Holbæk er valgt "
    "alene for at kunne vise en fuld fordeling."
)


@dataclass(frozen=True)
class DemoReport:
    leads_set: int
    user_created: bool


@transaction.atomic
def demo_load() -> DemoReport:
    """
    Fill unknown leads with a demo lead and create the demo user; idempotent.

    Only leads that are still unknown get the demo value, so nothing the
    secretariat has entered is overwritten.
    """
    demo_lead = Municipality.objects.get(code=DEMO_LEAD_CODE)
    changed = 0
    for lead in OfficeLead.objects.filter(municipality__isnull=True).select_related(
        "agreement", "office"
    ):
        lead_set(
            agreement=lead.agreement,
            office=lead.office,
            years=[lead.year],
            municipality=demo_lead,
            basis=Basis.DEMO,
            note=DEMO_NOTE,
        )
        changed += 1
    user_model = get_user_model()
    created = False
    if not user_model.objects.filter(username=DEMO_USERNAME).exists():
        user_model.objects.create_user(
            username=DEMO_USERNAME,
            password=DEMO_PASSWORD,
            first_name="Demo",
            last_name="Sekretariat",
            is_staff=True,
        )
        created = True
    return DemoReport(leads_set=changed, user_created=created)
