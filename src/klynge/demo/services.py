"""Loading the demo data: a demo lead for CLEAN and one demo user per role."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction

from klynge.accounts.models import Profile, Role
from klynge.accounts.services import Binding, user_create
from klynge.audit.models import AuditEntry
from klynge.audit.services import Actor
from klynge.common.choices import Basis
from klynge.common.db import analyze
from klynge.financing.models import OfficeLead
from klynge.financing.services import lead_set
from klynge.masterdata.models import ClusterOffice, Municipality

DEMO_PASSWORD = "klynge-demo"  # noqa: S105 - printed to the user on purpose
DEMO_LEAD_CODE = "316"
DEMO_NOTE = (
    "Demodata: ingen kilde nævner CLEAN's leadkommune eller by. Holbæk er valgt "
    "alene for at kunne vise en fuld fordeling."
)
DEMO_ACTOR = Actor.system("demo")


@dataclass(frozen=True)
class DemoUser:
    """A demo login: username, role, and the code or office name it is bound to."""

    username: str
    role: Role
    full_name: str
    municipality_code: str = ""
    office_name: str = ""


# One user per role. Greve is an ordinary participant; Næstved leads We Build
# Denmark (an assumption: lead = host); the office user belongs to that office.
DEMO_USERS = (
    DemoUser("sekretariat", Role.SECRETARIAT, "Demo Sekretariat"),
    DemoUser("greve", Role.MUNICIPALITY, "Demo Greve", municipality_code="253"),
    DemoUser("naestved", Role.LEAD_MUNICIPALITY, "Demo Næstved", municipality_code="370"),
    DemoUser(
        "webuild", Role.OFFICE, "Demo We Build Denmark", office_name="We Build Denmark – Næstved"
    ),
    DemoUser("laeser", Role.READER, "Demo Læser"),
)
DEMO_USERNAME = DEMO_USERS[0].username


@dataclass(frozen=True)
class DemoReport:
    leads_set: int
    users_created: list[DemoUser]


@transaction.atomic
def demo_load(*, users: bool = True) -> DemoReport:
    """
    Fill unknown leads with a demo lead and create the demo users; idempotent.

    `users=False` creates no user: the demo logins share a published password.

    Only leads that are still unknown get the demo value, so nothing the
    secretariat has entered is overwritten; existing users are left alone.
    """
    demo_lead = Municipality.objects.get(code=DEMO_LEAD_CODE)
    changed = 0
    for lead in OfficeLead.objects.filter(municipality__isnull=True).select_related(
        "agreement", "office"
    ):
        lead_set(
            actor=DEMO_ACTOR,
            agreement=lead.agreement,
            office=lead.office,
            years=[lead.year],
            municipality=demo_lead,
            basis=Basis.DEMO,
            note=DEMO_NOTE,
        )
        changed += 1
    existing = set(get_user_model().objects.values_list("username", flat=True))
    created = []
    for demo_user in DEMO_USERS if users else ():
        if demo_user.username in existing:
            continue
        user_create(
            actor=DEMO_ACTOR,
            username=demo_user.username,
            password=DEMO_PASSWORD,
            full_name=demo_user.full_name,
            binding=Binding(
                role=demo_user.role,
                municipality=(
                    Municipality.objects.get(code=demo_user.municipality_code)
                    if demo_user.municipality_code
                    else None
                ),
                office=(
                    ClusterOffice.objects.get(name=demo_user.office_name)
                    if demo_user.office_name
                    else None
                ),
            ),
        )
        created.append(demo_user)
    analyze(OfficeLead, get_user_model(), Profile, AuditEntry)
    return DemoReport(leads_set=changed, users_created=created)
